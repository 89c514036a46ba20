"""Forms of the session pages (the key/value and database forms are shared: contexts.forms)."""

from __future__ import annotations

from django import forms

from contexts.forms import VersionField, _rule
from heroweb.base import names
from heroweb.base.context import MAX_DESCRIPTION

MAX_ENV_FILE = 4 * 1024 * 1024


class SessionCreateForm(forms.Form):
    name = forms.CharField(
        max_length=64,
        validators=[_rule(names.session_name)],
        help_text="3-64 letters, digits, '_', '-' or '.'.",
    )
    interactive = forms.BooleanField(required=False)
    description = forms.CharField(
        max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SessionFieldsForm(forms.Form):
    interactive = forms.BooleanField(required=False)
    description = forms.CharField(
        max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()


class EnvBulkForm(forms.Form):
    """Paste .env text or upload a .env file; ``replace`` drops the variables not in it."""

    text = forms.CharField(
        label="Paste .env text",
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "spellcheck": "false", "placeholder": "KEY=value\nexport OTHER='quoted value'"}
        ),
    )
    file = forms.FileField(label="or upload a .env file", required=False)
    replace = forms.BooleanField(label="Replace all variables (drop the ones not listed)", required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_ENV_FILE:
                raise forms.ValidationError(f"The file is larger than {MAX_ENV_FILE // (1024 * 1024)} MiB.")
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text.")
        if not data.get("text") and not self.errors:
            self.add_error("text", "Paste some KEY=value lines or choose a file.")
        return data
