"""Error reports that cannot leak a secret."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class HideEverythingReporterFilter(SafeExceptionReporterFilter):
    """Hides every POST value and every frame's local variables.

    Env values, secrets and passphrases all arrive as ordinary form fields, and views hold them in
    locals; naming the sensitive ones would miss some, so none are shown.
    """

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
