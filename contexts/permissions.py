"""Who may do what with a context. Views check here; a template ``{% if %}`` is no protection."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from contexts.models import ROLE_RANK, Membership, Role

AnyUser = AbstractBaseUser | AnonymousUser


def get_role(user: AnyUser, context_id: int) -> str | None:
    """The user's role in the context: "viewer", "editor", "owner" or None. Staff are owners."""
    if not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "is_staff", False):
        return Role.OWNER.value
    role = (
        Membership.objects.filter(user_id=user.pk, context_id=context_id)
        .values_list("role", flat=True)
        .first()
    )
    return str(role) if role is not None else None


def has_role(user: AnyUser, context_id: int, minimum: str) -> bool:
    role = get_role(user, context_id)
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def require_role(user: AnyUser, context_id: int, minimum: str) -> str:
    """Return the user's role, or raise PermissionDenied when it is below ``minimum``."""
    if minimum not in ROLE_RANK:
        raise ValueError(f"unknown role {minimum!r}")
    role = get_role(user, context_id)
    if role is None or ROLE_RANK[role] < ROLE_RANK[minimum]:
        raise PermissionDenied(f"You need the {minimum} role on context {context_id}.")
    return role


def visible_context_ids(user: AnyUser) -> set[int] | None:
    """Context ids the user may see; None means all of them (staff)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if getattr(user, "is_staff", False):
        return None
    return set(Membership.objects.filter(user_id=user.pk).values_list("context_id", flat=True))
