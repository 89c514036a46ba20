"""Forms of the context pages (and the key/value and database forms the session page shares).

Fields check what is cheap to check here with heroweb.base's own rules; the rest is checked by
heroweb.base itself and reported next to the field by contexts.web.attempt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django import forms

from contexts.models import Role
from heroweb.base import names
from heroweb.base.context import MAX_DESCRIPTION
from heroweb.base.errors import InvalidInput


def _rule(check: Callable[[Any], Any]) -> Callable[[Any], None]:
    """A Django validator from a heroweb.base checker (its message says the rule)."""

    def validate(value: Any) -> None:
        try:
            check(value)
        except InvalidInput as e:
            raise forms.ValidationError(e.message) from e

    return validate


def fingerprint(value: str | bytes | None) -> str:
    """What an edit form carries to notice that someone changed a value it did not version."""
    if value is None:
        return ""
    raw = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(raw).hexdigest()


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, **kwargs)


class ContextCreateForm(forms.Form):
    id = forms.IntegerField(label="Id", min_value=0, help_text="Also its Redis database number.")
    name = forms.CharField(max_length=64, validators=[_rule(names.context_name)])
    coderoot = forms.CharField(label="Code root", max_length=4096, required=False)
    interactive = forms.BooleanField(required=False)
    description = forms.CharField(
        max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContextConfigForm(forms.Form):
    coderoot = forms.CharField(label="Code root", max_length=4096, required=False)
    interactive = forms.BooleanField(required=False)
    description = forms.CharField(
        max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()


class KVAddForm(forms.Form):
    """A new key/value row (env var or parameter); ``check_key`` is the store's key rule."""

    key = forms.CharField(max_length=256)
    value = forms.CharField(required=False, strip=False)

    def __init__(self, *args: Any, check_key: Callable[[str], Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].validators.append(_rule(check_key))


class KVEditForm(forms.Form):
    value = forms.CharField(required=False, strip=False)
    # sha256 of the value the row showed: a change by someone else to THIS key is a conflict,
    # while edits of other keys in the same document go through.
    original = forms.CharField(required=False, widget=forms.HiddenInput)


class VersionOnlyForm(forms.Form):
    version = VersionField(required=False)


class ConfigFileCreateForm(forms.Form):
    category = forms.CharField(max_length=64, validators=[_rule(lambda v: names.config_part("category", v))])
    name = forms.CharField(max_length=64, validators=[_rule(lambda v: names.config_part("name", v))])
    content = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"})
    )


class ConfigFileEditForm(forms.Form):
    content = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"})
    )
    # sha256 of the text the editor showed: files carry no version, so this notices a change.
    original = forms.CharField(required=False, widget=forms.HiddenInput)


class SecretSetForm(forms.Form):
    name = forms.CharField(max_length=128)
    value = forms.CharField(
        strip=False,
        max_length=64 * 1024,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class SecretRotateForm(forms.Form):
    value = forms.CharField(
        label="New value",
        strip=False,
        max_length=64 * 1024,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class PassphraseForm(forms.Form):
    current = forms.CharField(
        label="Current passphrase",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label="New passphrase",
        min_length=8,
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    confirm = forms.CharField(
        label="Repeat it",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new") and data.get("confirm") is not None and data["new"] != data["confirm"]:
            self.add_error("confirm", "The two passphrases differ.")
        return data


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class DBAddForm(forms.Form):
    key = forms.CharField(max_length=1024, strip=False)
    value = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})
    )


class DBEditForm(forms.Form):
    key = forms.CharField(max_length=1024, strip=False, widget=forms.HiddenInput)
    value = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"})
    )
    original = forms.CharField(required=False, widget=forms.HiddenInput)


class DBKeyForm(forms.Form):
    key = forms.CharField(max_length=1024, strip=False)
