"""The two skeletons of an audited change to a record people edit, written once.

Updating (`lock` and `Edit`): lock the row → check the version the writer read → snapshot
the audited fields → set the changes → diff → validate, bump the version, save → one audit
entry with the changed fields before and after. The service keeps what is its own (which
fields may change, its business checks between the steps):

    locked = lock(product, version=version)
    edit = Edit(locked, PRODUCT_FIELDS)
    edit.set(changes)
    if not edit.diff():
        return locked
    edit.save(actor=actor, channel=channel, action="catalog.product_updated")

`save` is `write` (validate, bump, save) then `record` (the audit entry); a service that
writes more between the two (a timeline entry the audit entry names) calls them itself. A
hot record saves only what changed (`only_changed`) and checks only the field rules
(`full=False`) where its service checks the rest and the database holds the constraints.

Archiving (`archive`, `restore`): soft deletion under the row lock, audited, and a no-op on a
record that is archived (restored) already.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.core.audit import audit, snapshot, stale_conflict
from caseflow.core.errors import DomainError
from caseflow.core.validation import validate, validate_fields

M = TypeVar("M", bound=models.Model)


def refuse_unknown(changes: Mapping[str, Any], fields: Sequence[str]) -> None:
    """Refuse a change to a field that is not one of `fields` (before anything is read)."""
    unknown = set(changes) - set(fields)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(_("%(field)s cannot be changed here.") % {"field": name}, field=name)


def lock(
    obj: M,
    *,
    version: int | None = None,
    label: Callable[[M], str] = str,
    queryset: QuerySet[M] | None = None,
) -> M:
    """`obj` read again under a row lock; a `version` older than the row's raises the
    conflict that names who changed it since (`label` says which record it is)."""
    rows = queryset if queryset is not None else type(obj)._default_manager.all()
    locked = rows.select_for_update().get(pk=obj.pk)
    if version is not None and version != _version(locked):
        raise stale_conflict(locked, label=label(locked))
    return locked


class Edit(Generic[M]):
    """One audited change to a locked record: `set`, `diff`, then `save` (see the module)."""

    def __init__(self, obj: M, fields: Sequence[str]) -> None:
        self.obj = obj
        self.fields = tuple(fields)
        self.before = snapshot(obj, self.fields)
        self.after: dict[str, Any] = dict(self.before)
        self.changed: list[str] = []

    def set(self, changes: Mapping[str, Any]) -> None:
        for name, value in changes.items():
            setattr(self.obj, name, value)

    def diff(self) -> list[str]:
        """The audited fields whose value differs from the snapshot, in `fields` order."""
        self.after = snapshot(self.obj, self.fields)
        self.changed = [name for name in self.fields if self.before[name] != self.after[name]]
        return self.changed

    def save(
        self,
        *,
        actor: Any,
        channel: str,
        action: str,
        aggregate: models.Model | None = None,
        exclude: Sequence[str] = (),
        bump: bool = True,
        extra: Mapping[str, tuple[Any, Any]] | None = None,
    ) -> None:
        """Validate, take the next version (`bump`), save, and audit the fields `diff` found
        changed, plus `extra` (name → (before, after)) for what the snapshot does not hold."""
        self.write(exclude=exclude, bump=bump)
        self.record(actor=actor, channel=channel, action=action, aggregate=aggregate, extra=extra)

    def write(
        self,
        *,
        exclude: Sequence[str] = (),
        bump: bool = True,
        full: bool = True,
        only_changed: bool = False,
    ) -> None:
        """Validate (`full`: `full_clean()`, else the field rules only), take the next version
        (`bump`) and save: the whole row, or with `only_changed` the fields `diff` found
        changed, the version and the change time (where the model has them)."""
        if full:
            validate(self.obj, exclude=exclude)
        else:
            validate_fields(self.obj, exclude=exclude)
        if bump:
            _set_version(self.obj, _version(self.obj) + 1)
        if only_changed:
            self.obj.save(update_fields=[*self.changed, *_bookkeeping(self.obj, bump)])
        else:
            self.obj.save()

    def record(
        self,
        *,
        actor: Any,
        channel: str,
        action: str,
        aggregate: models.Model | None = None,
        extra: Mapping[str, tuple[Any, Any]] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> None:
        """The audit entry of the change: the fields `diff` found changed before and after,
        `extra` (name → (before, after)), and `after` (what only the new state carries)."""
        before = {name: self.before[name] for name in self.changed}
        changed_after = {name: self.after[name] for name in self.changed}
        for name, (old, new) in (extra or {}).items():
            before[name], changed_after[name] = old, new
        audit(
            actor=actor,
            channel=channel,
            action=action,
            target=self.obj,
            aggregate=aggregate,
            before=before,
            after={**changed_after, **(after or {})},
        )


def archive(
    obj: M,
    *,
    actor: Any,
    channel: str,
    action: str,
    aggregate: models.Model | None = None,
    also: Mapping[str, Any] | None = None,
) -> tuple[M, bool]:
    """Archive `obj` (soft delete) under its row lock, setting `also` with it; the locked
    row and whether it changed (an archived record stays as it is, unaudited)."""
    locked = lock(obj)
    if locked.archived_at is not None:  # type: ignore[attr-defined]
        return locked, False
    moment = timezone.now()
    also = dict(also or {})
    # what `also` changes is recorded too (verify_audit compares it with the row)
    before = {name: getattr(locked, name) for name in also} or None
    _toggle(locked, archived_at=moment, **also)
    audit(
        actor=actor,
        channel=channel,
        action=action,
        target=locked,
        aggregate=aggregate,
        before=before,
        after={"archived_at": moment, **also},
    )
    return locked, True


def restore(
    obj: M, *, actor: Any, channel: str, action: str, aggregate: models.Model | None = None
) -> tuple[M, bool]:
    """Bring an archived `obj` back under its row lock; the locked row and whether it
    changed (a live record stays as it is, unaudited)."""
    locked = lock(obj)
    archived_at = locked.archived_at  # type: ignore[attr-defined]
    if archived_at is None:
        return locked, False
    _toggle(locked, archived_at=None)
    audit(
        actor=actor,
        channel=channel,
        action=action,
        target=locked,
        aggregate=aggregate,
        before={"archived_at": archived_at},
        after={"archived_at": None},
    )
    return locked, True


def _toggle(obj: models.Model, **values: Any) -> None:
    """Save `values` with the next version and the change time, where the model has them."""
    for name, value in values.items():
        setattr(obj, name, value)
    bump = any(field.name == "version" for field in obj._meta.concrete_fields)
    if bump:
        _set_version(obj, _version(obj) + 1)
    obj.save(update_fields=[*values, *_bookkeeping(obj, bump)])


def _bookkeeping(obj: models.Model, bumped: bool) -> list[str]:
    """The columns a partial save writes besides the changed ones: the version (when it was
    bumped) and the change time, where the model has them."""
    wanted = ("version", "updated_at") if bumped else ("updated_at",)
    names = {field.name for field in obj._meta.concrete_fields}
    return [name for name in wanted if name in names]


def _version(obj: models.Model) -> int:
    return int(obj.version)  # type: ignore[attr-defined]


def _set_version(obj: models.Model, value: int) -> None:
    obj.version = value  # type: ignore[attr-defined]
