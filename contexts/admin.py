from __future__ import annotations

from django.contrib import admin

from contexts.models import AuditEvent, Membership


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
