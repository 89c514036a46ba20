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
