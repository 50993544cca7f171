"""Account actions: API tokens (users and teams are configuration, edited in the admin)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
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
        after={"name": name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: User | None, token: ApiToken, channel: str = Channel.API) -> None:
    """Revoke a token at once; requests with it are refused from now on."""
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
        aggregate=token.user,
        after={"prefix": token.prefix},
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
    """Change a user's language or time zone (their own, or anyone's for an administrator)."""
    import zoneinfo

    from caseflow.accounts.models import Language

    if actor is not None and actor.pk != user.pk:
        require(actor, "user.manage")
    changes: dict[str, str] = {}
    if language is not None:
        if language not in Language.values:
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
