from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from contexts.models import ApiToken, AuditEvent, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("context_id", "user", "role", "created")
    list_filter = ("role",)
    search_fields = ("user__username",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("when", "user", "context_id", "action", "detail")
    list_filter = ("action",)
    readonly_fields = ("when", "user", "context_id", "action", "detail")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Staff can see whose tokens exist and revoke a leaked one (set ``revoked``); nobody sees a secret."""

    list_display = ("id", "name", "user", "created", "last_used", "expires", "revoked")
    list_filter = ("revoked",)
    search_fields = ("user__username", "name")
    readonly_fields = ("user", "name", "created", "last_used")
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is made on /account/tokens/, where its plaintext is shown once
