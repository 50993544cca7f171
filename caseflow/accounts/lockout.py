"""Brakes on guessing passwords: django-axes, configured in settings (`LOGIN_*`).

Every failed log-in (desk `/login/`, admin `/admin/login/`) is counted per account and client
address, per address, and optionally per account. A count that reaches its own limit locks
what it covers until its failures are older than the cool-off: the log-in then answers 429
with the lockout page, even for the right password. The lock is audited when it starts, and
so is an administrator's unlock (`services.unlock_login`). See docs/security.md.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from caseflow.core.clients import client_ip
from caseflow.core.models import Channel

logger = logging.getLogger(__name__)

USERNAME_LIMIT = 150  # User.username's length: longer names cannot be anybody's


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the lockouts count it (AXES_CLIENT_IP_CALLABLE)."""
    return client_ip(request, settings.CLIENT_IP_HEADER) or None


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The user name tried (AXES_USERNAME_CALLABLE), cut to what a user name can be."""
    source = credentials if credentials is not None else request.POST
    raw = source.get("username")
    return str(raw)[:USERNAME_LIMIT] if raw else None


def channel_of(request: HttpRequest | None) -> str:
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return Channel.ADMIN
    if path.startswith("/api/"):
        return Channel.API
    return Channel.UI


class LockoutBackend(AxesStandaloneBackend):
    """Refuses log-ins a lockout covers, before the password is checked. `authenticate()`
    without a request (a management command, a shell) is nothing a stranger can repeat, so it
    is not counted."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with one limit per lockout parameter (LOGIN_LOCKOUTS), and a
    successful log-in forgiving only its own account's failures from that address."""

    def failure_counts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> list[tuple[list[str], int, int]]:
        """(parameters, failures within the cool-off, limit) for each lockout parameter."""
        attempts = self.get_user_attempts(request, credentials)
        return [
            (parameters, qs.aggregate(n=Sum("failures_since_start"))["n"] or 0, limit)
            for qs, (parameters, limit) in zip(attempts, settings.LOGIN_LOCKOUTS, strict=True)
        ]

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        # axes compares one number with AXES_FAILURE_LIMIT: each count is scaled to that limit
        # (floor(n * base / limit) reaches base exactly when n reaches limit).
        base = settings.AXES_FAILURE_LIMIT
        return max(
            (failures * base // limit for _p, failures, limit in self.failure_counts(
                request, credentials
            )),
            default=0,
        )  # fmt: skip

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        # axes would delete every row of each lockout parameter, the address's included: one
        # good log-in would then wipe the failures of everyone else behind that address (an
        # insider could keep guessing a colleague's password between own log-ins).
        username = get_client_username(request, credentials)
        if not username:
            return 0
        from axes.models import AccessAttempt

        address = getattr(request, "axes_ip_address", None)  # set by axes for every request
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return count


def reached(request: HttpRequest, credentials: dict[str, Any] | None) -> dict[str, int]:
    """The limits `request` has reached, each with its failures: "account_address",
    "address", "account"."""
    names = {("ip_address", "username"): "account_address", ("ip_address",): "address",
             ("username",): "account"}  # fmt: skip
    return {
        names.get(tuple(sorted(parameters)), "+".join(parameters)): failures
        for parameters, failures, limit in LockoutHandler().failure_counts(request, credentials)
        if failures >= limit
    }


def on_locked_out(sender: Any, *, request: HttpRequest | None, username: str | None,
                  ip_address: str | None, **kwargs: Any) -> None:  # fmt: skip
    """axes' `user_locked_out`: audit the failure that started a lockout. Refused attempts
    during the lockout are not counted (axes sends the signal for each): logged only."""
    if request is None or getattr(request, "axes_failures_since_start", None) is None:
        logger.info("log-in refused during a lockout (address %s)", ip_address)
        return
    from caseflow.accounts.services import record_login_lockout

    record_login_lockout(
        username=username or "",
        ip_address=ip_address or "",
        reached=reached(request, getattr(request, "axes_credentials", None)),
        channel=channel_of(request),
    )


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The answer to a log-in a lockout covers (AXES_LOCKOUT_CALLABLE): the desk's page, or
    the API's error body. It does not say whether the account exists."""
    minutes = cooloff_minutes()
    message = _(
        "Too many failed log-ins. Log-in is blocked for %(minutes)s minutes; an administrator "
        "can unblock it sooner."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "too_many_attempts", "message": message, "field": None}, status=429
        )
    else:
        response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
