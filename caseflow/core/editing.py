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
from caseflow.core.validation import validate

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
        validate(self.obj, exclude=exclude)
        if bump:
            _set_version(self.obj, _version(self.obj) + 1)
        self.obj.save()
        before = {name: self.before[name] for name in self.changed}
        after = {name: self.after[name] for name in self.changed}
        for name, (old, new) in (extra or {}).items():
            before[name], after[name] = old, new
        audit(
            actor=actor,
            channel=channel,
            action=action,
            target=self.obj,
            aggregate=aggregate,
            before=before,
            after=after,
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
    fields = list(values)
    names = {field.name for field in obj._meta.concrete_fields}
    if "version" in names:
        _set_version(obj, _version(obj) + 1)
        fields.append("version")
    if "updated_at" in names:
        fields.append("updated_at")
    obj.save(update_fields=fields)


def _version(obj: models.Model) -> int:
    return int(obj.version)  # type: ignore[attr-defined]


def _set_version(obj: models.Model, value: int) -> None:
    obj.version = value  # type: ignore[attr-defined]
