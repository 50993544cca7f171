"""What each role may do. Services call `require()`; the UI asks `can()` to hide buttons.

The system itself (actor None) may do everything: it acts for imports, mail intake and
periodic tasks, which are authorised where they are configured.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from caseflow.accounts.models import Role
from caseflow.core.errors import NotAllowed

_AGENT = {
    "customer.view", "customer.create", "customer.update",
    "catalog.view", "unit.create", "registration.create",
    "order.view",
    "case.view", "case.create", "case.update", "case.status", "case.assign",
    "case.event", "case.supply", "case.resolve", "case.close", "case.reopen",
}  # fmt: skip
_TECHNICIAN = _AGENT - {"customer.create", "case.assign"}
_TEAM_LEAD = _AGENT | {"case.assign_any", "case.override_type", "code.manage", "team.manage"}
_BACK_OFFICE = {
    "customer.view", "customer.create", "customer.update",
    "catalog.view", "catalog.manage", "unit.create", "registration.create",
    "contract.manage", "order.view", "order.manage", "import.run",
    "case.view", "case.supply", "case.close",
}  # fmt: skip
_QUALITY = {"customer.view", "catalog.view", "order.view", "case.view", "audit.view"}

# Roles that may own (work on) a case.
OWNER_ROLES = (Role.AGENT, Role.TECHNICIAN, Role.TEAM_LEAD, Role.ADMINISTRATOR)

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.AGENT: frozenset(_AGENT),
    Role.TECHNICIAN: frozenset(_TECHNICIAN),
    Role.TEAM_LEAD: frozenset(_TEAM_LEAD),
    Role.BACK_OFFICE: frozenset(_BACK_OFFICE),
    Role.QUALITY_MANAGER: frozenset(_QUALITY),
    Role.ADMINISTRATOR: frozenset(
        _TEAM_LEAD | _BACK_OFFICE | _QUALITY | {"user.manage", "token.manage_any"}
    ),
}


# The Django admin's model permissions that capabilities grant ("<app>.<model>": capability,
# actions). For these models the role alone decides (caseflow.accounts.permissions): a
# Django permission given to a user or group does not open them. Other admin pages keep
# Django's own permissions (in practice: superusers only).
_ALL = frozenset({"view", "add", "change", "delete"})
_VIEW = frozenset({"view"})
ADMIN_PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "accounts.user": ("user.manage", frozenset({"view", "add", "change"})),
    "auth.group": ("user.manage", _ALL),
    "axes.accessattempt": ("user.manage", _VIEW),
    "axes.accesslog": ("user.manage", _VIEW),
    "axes.accessfailurelog": ("user.manage", _VIEW),
    "accounts.apitoken": ("token.manage_any", _VIEW),
    "accounts.team": ("team.manage", _ALL),
    "cases.code": ("code.manage", _ALL),
    "cases.case": ("case.view", _VIEW),
    "cases.timelineevent": ("case.view", _VIEW),
    "catalog.producttype": ("catalog.manage", _ALL),
    "core.auditentry": ("audit.view", _VIEW),
}


def can(actor: Any, capability: str) -> bool:
    """Whether `actor` (a user, or None for the system) may do `capability`."""
    if actor is None:
        return True
    if not getattr(actor, "is_active", False):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return capability in CAPABILITIES.get(getattr(actor, "role", ""), frozenset())


def require(actor: Any, capability: str) -> None:
    """Refuse with NotAllowed unless `actor` may do `capability`."""
    if not can(actor, capability):
        raise NotAllowed(
            _("Your role does not allow this (%(capability)s).") % {"capability": capability},
            code="not_allowed",
        )
