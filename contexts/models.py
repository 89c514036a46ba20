"""What only the web needs: who may see a context, and what people did to it.

Contexts themselves live in Redis (heroweb.base); ``context_id`` is that id, not a foreign key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    OWNER = "owner", "Owner"


# Higher rank includes every right of the lower ones.
ROLE_RANK: dict[str, int] = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    context_id = models.PositiveIntegerField(db_index=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "context_id"], name="unique_membership"),
        ]
        ordering = ["context_id", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of context {self.context_id}"


class AuditEvent(models.Model):
    """One change or sensitive read. ``detail`` names things (a secret's name), never a secret value."""

    when = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    context_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    detail = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M:%S} {self.user} {self.action} {self.context_id}"


class ApiToken(models.Model):
    """A bearer token for scripts and CI: it acts as ``user``, with that user's roles.

    The plaintext ``hero_<id>_<secret>`` is shown once at creation; only the SHA-256 of the secret
    is kept. A fast unsalted hash is enough here: the secret is 32 random bytes, so there is no
    password to guess, and a database leak gives nothing usable.
    """

    PREFIX = "hero"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"token {self.pk} '{self.name}' of {self.user}"

    @property
    def label(self) -> str:
        """How the token is named in lists and the audit trail: its id, never its secret."""
        return f"{self.PREFIX}_{self.pk}_…"
