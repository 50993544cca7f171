"""Roles in the Django admin: the capabilities of `roles.ADMIN_PERMISSIONS` decide who may
view, add, change or delete those models there (e.g. `code.manage` → reason and resolution
codes, `team.manage` → teams, `audit.view` → the audit trail, `case.view` → the read-only
case pages). Listed in AUTHENTICATION_BACKENDS before Django's ModelBackend: for a listed
model it answers alone (a refusal raises PermissionDenied, which ends Django's search), for
any other model it says nothing and ModelBackend answers from Django's permissions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from caseflow.accounts.roles import ADMIN_PERMISSIONS, can


def _grant(perm: str) -> tuple[str, str, str] | None:
    """("<app>.<model>", action, capability) for a listed permission, else None."""
    app_label, _dot, codename = perm.partition(".")
    action, _sep, model = codename.partition("_")
    found = ADMIN_PERMISSIONS.get(f"{app_label}.{model}")
    if found is None:
        return None
    return f"{app_label}.{model}", action, found[0]


class RoleBackend:
    """Authenticates nobody and restores no session (no `get_user`: Django's test client and
    `login()` must keep choosing ModelBackend); answers permission questions for the models
    roles govern."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        return None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        grant = _grant(perm)
        if grant is None:
            return False  # not ours: ModelBackend decides
        label, action, capability = grant
        if action in ADMIN_PERMISSIONS[label][1] and can(user_obj, capability):
            return True
        raise PermissionDenied  # ours, and refused: no group permission overrides it

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(
            label.startswith(f"{app_label}.") and can(user_obj, capability)
            for label, (capability, _actions) in ADMIN_PERMISSIONS.items()
        )
