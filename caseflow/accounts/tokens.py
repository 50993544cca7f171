"""Personal API tokens: `Authorization: Bearer cf_…`. Only a SHA-256 of the secret is kept."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from caseflow.accounts.models import ApiToken, User
from caseflow.core import ratelimit, rows
from caseflow.core.clients import client_ip
from caseflow.core.errors import Refused

PREFIX = "cf_"
# Every API request reads its token and user: one plain statement, not an ORM query to build
# (a fifth of a case creation's CPU went into building it).
_LIVE_TOKENS = rows.Reader(ApiToken, related="user")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def user_for_key(key: str) -> User | None:
    """The active user owning the live token `key`, or None."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    token = _LIVE_TOKENS.first("t.key_hash = %s AND t.revoked_at IS NULL", [hash_key(key)])
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    # Touch at most once a minute: a busy client must not write a row per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _brake_key(request: HttpRequest) -> str:
    return ratelimit.key_for("api-token", client_ip(request, settings.CLIENT_IP_HEADER))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cf_…`. A key has 256 random bits, so it cannot be guessed; still,
    a client address that sent LOGIN_FAILURE_LIMIT_PER_IP unknown keys within the log-in
    cool-off gets 429 for every key until its failures are that old (docs/security.md)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        limit = settings.LOGIN_FAILURE_LIMIT_PER_IP
        key = _brake_key(request)
        if limit and ratelimit.count(key) >= limit:
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            raise Refused(
                429,
                "too_many_attempts",
                _("Too many requests with unknown API tokens from your address. "
                  "Try again in %(minutes)s minutes.") % {"minutes": minutes},
                retry_after=minutes * 60,
            )  # fmt: skip
        user = user_for_key(token)
        if user is None:
            if limit:
                ratelimit.increment(key, window=int(settings.AXES_COOLOFF_TIME.total_seconds()))
            return None
        request.user = user
        return user


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)
