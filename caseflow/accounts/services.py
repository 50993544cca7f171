"""Account actions: API tokens (users and teams are configuration, edited in the admin)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import ApiToken, User
from caseflow.accounts.roles import require
from caseflow.accounts.tokens import hash_key, new_key
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel


@transaction.atomic
def create_api_token(
    *,
    actor: User | None,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    channel: str = Channel.API,
) -> tuple[ApiToken, str]:
    """A new personal token for `user`; returns the row and the secret (shown only once)."""
    if actor is not None and actor.pk != user.pk:
        require(actor, "token.manage_any")
    if not user.is_active:
        raise DomainError(_("This user is deactivated."), field="user")
    name = name.strip()
    if not name:
        raise DomainError(_("Name the token after where it is used."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry date is in the past."), field="expires_at")
    key = new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:10], key_hash=hash_key(key), expires_at=expires_at
    )
    audit(
        actor=actor,
        channel=channel,
        action="token.created",
        target=token,
        aggregate=user,
        after={
            "name": name,
            "prefix": token.prefix,
            "user": user.pk,
            "expires_at": expires_at,
            "revoked_at": None,
        },
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken, channel: str = Channel.API) -> None:
    """Revoke a token at once and for good; requests with it are refused from now on.

    Nothing brings a revoked token back: no service un-revokes, the admin shows `revoked_at`
    and `expires_at` read-only, and the database refuses any UPDATE that changes them once
    set (accounts migration 0003). A new token is the way back."""
    if actor is not None and actor.pk != token.user_id:
        require(actor, "token.manage_any")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit(
        actor=actor,
        channel=channel,
        action="token.revoked",
        target=token,
        aggregate=User(pk=token.user_id),
        before={"revoked_at": None},
        after={"prefix": token.prefix, "revoked_at": token.revoked_at},
    )


@transaction.atomic
def set_preferences(
    *,
    actor: User | None,
    user: User,
    language: str | None = None,
    time_zone: str | None = None,
    channel: str = Channel.UI,
) -> User:
    """Change a user's language or time zone (their own, or anyone's for an administrator).
    Language "" means none chosen: the browser's language is used."""
    import zoneinfo

    from caseflow.accounts.models import Language

    if actor is not None and actor.pk != user.pk:
        require(actor, "user.manage")
    changes: dict[str, str] = {}
    if language is not None:
        if language and language not in Language.values:
            raise DomainError(_("Unknown language."), field="language")
        changes["language"] = language
    if time_zone is not None:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise DomainError(_("Unknown time zone."), field="time_zone") from None
        changes["time_zone"] = time_zone
    changed = {k: v for k, v in changes.items() if getattr(user, k) != v}
    if not changed:
        return user
    before = {k: getattr(user, k) for k in changed}
    for name, value in changed.items():
        setattr(user, name, value)
    user.save(update_fields=list(changed))
    audit(
        actor=actor, channel=channel, action="user.preferences", target=user, before=before,
        after=changed,
    )  # fmt: skip
    return user


# --- log-in lockouts (caseflow.accounts.lockout) ----------------------------------------------


def _lockout_target(username: str, ip_address: str | None) -> tuple[models.Model | None, bool]:
    """What a lockout's audit entry is about: the account when the name is one (its chain), else
    the newest failure row of that name and address. (target, is_account)"""
    from axes.models import AccessAttempt

    user = User.objects.filter(username=username).first() if username else None
    if user is not None:
        return user, True
    attempt = (
        AccessAttempt.objects.filter(username=username or None, ip_address=ip_address or None)
        .order_by("-attempt_time")
        .first()
    )
    return attempt, False


@transaction.atomic
def record_login_lockout(
    *, username: str, ip_address: str, reached: dict[str, int], channel: str = Channel.UI
) -> None:
    """Audit that failed log-ins started a lockout. A name that is nobody's account is not
    written into the trail (people type passwords into the name field): the entry then
    belongs to the failure row, which axes forgets after the cool-off."""
    from caseflow.accounts.lockout import cooloff_minutes

    target, is_account = _lockout_target(username, ip_address)
    if target is None:
        return
    minutes = cooloff_minutes()
    audit(
        actor=None,
        channel=channel,
        action="login.locked_out",
        target=target,
        after={
            "account": username if is_account else None,
            "ip_address": ip_address or None,
            "limits": reached,
            "until": timezone.now() + timedelta(minutes=minutes),
        },
    )


@transaction.atomic
def unlock_login(
    *,
    actor: User | None,
    username: str | None = None,
    ip_address: str | None = None,
    attempt_ids: Iterable[int] | None = None,
    channel: str = Channel.ADMIN,
) -> int:
    """Forget failed log-ins, ending the lockouts they caused: of an account (`username`), of
    a client address, or the given failure rows. Each account (or unknown name) and address
    unlocked gets an audit entry. Returns how many failed log-ins were forgotten."""
    from axes.models import AccessAttempt

    require(actor, "user.manage")
    if username is None and ip_address is None and attempt_ids is None:
        raise DomainError(_("Say what to unlock: an account, an address or attempts."))
    attempts = AccessAttempt.objects.select_for_update().order_by("username", "ip_address", "id")
    if attempt_ids is not None:
        attempts = attempts.filter(pk__in=list(attempt_ids))
    if username is not None:
        attempts = attempts.filter(username=username)
    if ip_address is not None:
        attempts = attempts.filter(ip_address=ip_address)
    rows = list(attempts)
    groups: dict[tuple[str | None, str | None], int] = {}
    for row in rows:
        key = (row.username, row.ip_address)
        groups[key] = groups.get(key, 0) + row.failures_since_start
    for (name, address), failures in groups.items():
        target, is_account = _lockout_target(name or "", address)
        if target is None:
            continue
        audit(
            actor=actor,
            channel=channel,
            action="login.unlocked",
            target=target,
            before={"failures": failures},
            after={"account": name if is_account else None, "ip_address": address},
        )
    AccessAttempt.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return sum(groups.values())
