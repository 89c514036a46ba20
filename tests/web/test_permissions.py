from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError

from contexts.models import Membership
from contexts.permissions import get_role, require_role, visible_context_ids


@pytest.mark.django_db
def test_it_gives_staff_the_owner_role_everywhere(admin: Any) -> None:
    boss = admin()
    assert get_role(boss, 42) == "owner"
    assert visible_context_ids(boss) is None


@pytest.mark.django_db
def test_it_uses_the_membership_role(user: Any) -> None:
    alice = user("alice")
    Membership.objects.create(user=alice, context_id=3, role="editor")
    assert get_role(alice, 3) == "editor"
    assert get_role(alice, 4) is None
    assert require_role(alice, 3, "viewer") == "editor"
    with pytest.raises(PermissionDenied):
        require_role(alice, 3, "owner")
    with pytest.raises(PermissionDenied):
        require_role(alice, 4, "viewer")
    assert visible_context_ids(alice) == {3}


@pytest.mark.django_db
def test_it_refuses_two_memberships_for_one_user_and_context(user: Any) -> None:
    alice = user("alice")
    Membership.objects.create(user=alice, context_id=3, role="viewer")
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=alice, context_id=3, role="owner")


@pytest.mark.django_db
def test_it_gives_inactive_users_no_role(user: Any) -> None:
    alice = user("alice", is_active=False)
    Membership.objects.create(user=alice, context_id=3, role="owner")
    assert get_role(alice, 3) is None
