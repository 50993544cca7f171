"""Drift: rows that no longer match what the audit trail recorded about them.

The hash chains prove that nobody changed the trail; they say nothing about the rows the
trail describes. Someone with database access can run `UPDATE cases_case SET subject = …`
or delete a case's notes, and every chain still verifies. Drift detection compares the two:

- **Watched fields** (`watch`): for every row the trail has entries about (its `target`),
  the last value each watched field was recorded with (the newest entry whose `after`
  names the field) must be the row's value today. An entry with a `before` and no `after`
  records that the row was deleted: the row must then be gone, and a row with entries must
  exist unless such an entry says it was deleted.
- **Recorded parts** (`watch_parts`): an aggregate's entries can list the parts they wrote
  (a case's timeline entries, by id and content hash). Every recorded part must still
  exist with that hash, and no part may exist that the trail does not know (from the first
  recorded one on, or all of them when the chain's first entry records some).

Apps register what they audit when Django starts (`AppConfig.ready`, and every
`AuditedAdmin`). Rows without any entry are not compared: nothing was recorded about them.
See docs/audit-trail.md, "Drift".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from caseflow.core.audit import jsonable
from caseflow.core.models import AuditEntry

# Rows compared per query (also keeps `IN (…)` lists below SQLite's variable limit).
BATCH = 1000
SHOWN = 60  # characters of a value quoted in a report
_ENCODER = DjangoJSONEncoder()


@dataclass(frozen=True)
class Watched:
    model: type[models.Model]
    fields: dict[str, models.Field]


@dataclass(frozen=True)
class Parts:
    """Parts an aggregate's audit entries list under `key` as `[{"id": …, "sha256": …}]`.
    `digests(pks)` answers, for each aggregate primary key, {part id: its hash now}."""

    key: str
    noun: str | Promise
    digests: Callable[[Sequence[Any]], dict[Any, dict[int, str]]]


_WATCHED: dict[str, Watched] = {}
_PARTS: dict[str, Parts] = {}


def watch(model: type[models.Model], fields: Iterable[str]) -> None:
    """Compare these fields of `model`'s rows with their last audited values. Call it for
    fields that change only through audited code (a service or the audited admin), and
    whose entries record them as `snapshot` does (relations as primary keys)."""
    label = model._meta.label_lower
    known = dict(_WATCHED[label].fields) if label in _WATCHED else {}
    for name in fields:
        known[name] = model._meta.get_field(name)  # type: ignore[assignment]
    _WATCHED[label] = Watched(model, known)


def watch_parts(
    model: type[models.Model],
    *,
    key: str,
    noun: str | Promise,
    digests: Callable[[Sequence[Any]], dict[Any, dict[int, str]]],
) -> None:
    """Compare the parts that entries of `model`'s chains record under `key` with the
    parts that exist (see `Parts`)."""
    _PARTS[model._meta.label_lower] = Parts(key, noun, digests)


def watched() -> dict[str, Watched]:
    return dict(_WATCHED)


def part_refs(parts: Iterable[tuple[int, str]]) -> list[dict[str, Any]]:
    """How an entry records parts it wrote: `[{"id": 12, "sha256": "…"}]`."""
    return [{"id": pk, "sha256": digest} for pk, digest in parts]


@dataclass(frozen=True)
class Drift:
    chain: str
    target: str
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.target} (chain {self.chain}): {self.reason}"


@dataclass
class _Target:
    chain: str
    values: dict[str, tuple[Any, int]] = field(default_factory=dict)
    deleted_by: int | None = None
    last_entry: int = 0


@dataclass
class _Recorded:
    chain: str
    refs: dict[int, tuple[str, int]] = field(default_factory=dict)
    complete: bool = False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


_PLAIN = (str, int, bool, type(None))


def _as_recorded(value: Any) -> Any:
    """`value` as `jsonable` would store it; plain values without the JSON round trip (the
    check compares millions of them)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, datetime | date | time | Decimal | UUID):
        return _ENCODER.default(value)
    return jsonable(value)


def _same(model_field: models.Field, recorded: Any, current: Any) -> bool:
    if model_field.many_to_many:
        return sorted(recorded or []) == sorted(current)
    current = _as_recorded(current)
    if recorded == current:
        return True
    if None in (recorded, current):
        return False
    if isinstance(model_field, models.DecimalField):
        try:
            return Decimal(str(recorded)) == Decimal(str(current))
        except InvalidOperation:
            return False
    if isinstance(model_field, models.DateTimeField):
        # the same instant, recorded in another time zone (both cut to milliseconds)
        when, now = parse_datetime(str(recorded)), parse_datetime(str(current))
        return when is not None and when == now
    return False


class DriftCheck:
    """Fed the entries of whole chains in `seq` order (`feed`), reports drift in batches
    (`chain_done` after each chain, `finish` at the end). Memory stays bounded by BATCH
    targets, however many chains there are."""

    def __init__(self, batch: int = BATCH) -> None:
        self.batch = batch
        self.targets: dict[str, dict[str, _Target]] = {}
        self.recorded: dict[str, dict[str, _Recorded]] = {}
        self.pending = 0
        self.rows = 0  # rows compared so far
        self.parts = 0  # parts (timeline entries) compared so far

    def feed(self, entry: AuditEntry) -> None:
        after, entry_id = entry.after, entry.id
        spec = _WATCHED.get(entry.target_type)
        if spec is not None:
            rows = self.targets.setdefault(entry.target_type, {})
            state = rows.get(entry.target_id)
            if state is None:
                state = rows[entry.target_id] = _Target(entry.chain)
                self.pending += 1
            state.last_entry = entry_id
            if after is None:
                if entry.before is not None:  # what it was, and nothing after: deleted
                    state.deleted_by = entry_id
                    state.values.clear()
            elif isinstance(after, dict):
                state.deleted_by = None
                for name, value in after.items():
                    if name in spec.fields:
                        state.values[name] = (value, entry_id)
        if not _PARTS or not isinstance(after, dict):
            return
        label, _sep, pk = entry.chain.rpartition(":")
        parts = _PARTS.get(label)
        if parts is None:
            return
        refs = after.get(parts.key)
        if not refs:
            return
        chains = self.recorded.setdefault(label, {})
        record = chains.get(pk)
        if record is None:
            record = chains[pk] = _Recorded(entry.chain)
            self.pending += 1
        if entry.seq == 1:
            record.complete = True
        for ref in refs:
            record.refs[int(ref["id"])] = (str(ref["sha256"]), entry_id)

    def chain_done(self) -> Iterator[Drift]:
        if self.pending >= self.batch:
            yield from self.finish()

    def finish(self) -> Iterator[Drift]:
        targets, recorded = self.targets, self.recorded
        self.targets, self.recorded, self.pending = {}, {}, 0
        for label, rows in targets.items():
            self.rows += len(rows)
            yield from _compare_rows(_WATCHED[label], rows)
        for label, chains in recorded.items():
            self.parts += sum(len(record.refs) for record in chains.values())
            yield from _compare_parts(label, _PARTS[label], chains)


def _current_rows(spec: Watched, pks: list[Any], names: set[str]) -> dict[Any, dict[str, Any]]:
    """The rows' values of the watched fields in `names` (only what some entry recorded:
    a case's long texts are read only for the cases whose entries name them)."""
    model = spec.model
    fields = [f for name, f in spec.fields.items() if name in names]
    plain = [f for f in fields if not f.many_to_many]
    ordered = [f.name for f in plain]
    rows: dict[Any, dict[str, Any]] = {}
    for pk, *values in model._base_manager.filter(pk__in=pks).values_list(
        "pk", *[f.attname for f in plain]
    ):
        rows[pk] = dict(zip(ordered, values, strict=True))
    for m2m in (f for f in fields if f.many_to_many):
        through = m2m.remote_field.through  # type: ignore[union-attr]
        source = through._meta.get_field(m2m.m2m_field_name()).attname  # type: ignore[attr-defined]
        target = through._meta.get_field(m2m.m2m_reverse_field_name()).attname  # type: ignore[attr-defined]
        for row in rows.values():
            row[m2m.name] = []
        links = through._base_manager.filter(**{f"{source}__in": list(rows)})
        for owner, other in links.values_list(source, target):
            rows[owner][m2m.name].append(other)
    return rows


def _compare_rows(spec: Watched, targets: dict[str, _Target]) -> Iterator[Drift]:
    label = spec.model._meta.label_lower
    pk_field: Any = spec.model._meta.pk
    keyed = {pk_field.to_python(target_id): target_id for target_id in targets}
    recorded = {name for state in targets.values() for name in state.values}
    rows = _current_rows(spec, list(keyed), recorded)
    for pk, target_id in keyed.items():
        state = targets[target_id]
        name = f"{label}:{target_id}"
        row = rows.get(pk)
        if row is None:
            if state.deleted_by is None:
                yield Drift(
                    state.chain,
                    name,
                    state.last_entry,
                    _("the row is gone, but the audit trail does not record its deletion "
                      "(last entry %(entry)s)") % {"entry": state.last_entry},
                )  # fmt: skip
            continue
        if state.deleted_by is not None:
            yield Drift(
                state.chain,
                name,
                state.deleted_by,
                _("the row exists, but the audit trail recorded its deletion (entry %(entry)s)")
                % {"entry": state.deleted_by},
            )
            continue
        for field_name, (recorded, entry_id) in state.values.items():
            model_field = spec.fields[field_name]
            if not _same(model_field, recorded, row[field_name]):
                current = row[field_name]
                if model_field.many_to_many:
                    current = sorted(current)
                yield Drift(
                    state.chain,
                    name,
                    entry_id,
                    _("%(field)s is %(current)s, but the audit trail last recorded "
                      "%(recorded)s (entry %(entry)s)")
                    % {
                        "field": field_name,
                        "current": _show(jsonable(current)),
                        "recorded": _show(recorded),
                        "entry": entry_id,
                    },
                )  # fmt: skip


def _compare_parts(label: str, parts: Parts, chains: dict[str, _Recorded]) -> Iterator[Drift]:
    from django.apps import apps

    model = apps.get_model(label)
    pk_field: Any = model._meta.pk
    keyed = {pk_field.to_python(pk): pk for pk in chains}
    existing = parts.digests(list(keyed))
    noun = str(parts.noun)
    for pk, chain_pk in keyed.items():
        record = chains[chain_pk]
        name = f"{label}:{chain_pk}"
        now = existing.get(pk, {})
        first = min(record.refs)
        covered = {i: d for i, d in now.items() if record.complete or i >= first}
        if len(covered) != len(record.refs):
            yield Drift(
                record.chain,
                name,
                None,
                _("%(noun)s count: %(rows)s now, the audit trail recorded %(recorded)s")
                % {"noun": noun, "rows": len(covered), "recorded": len(record.refs)},
            )
        for part_id, (digest, entry_id) in sorted(record.refs.items()):
            found = now.get(part_id)
            if found is None:
                yield Drift(
                    record.chain,
                    name,
                    entry_id,
                    _("%(noun)s %(id)s, recorded by entry %(entry)s, is missing")
                    % {"noun": noun, "id": part_id, "entry": entry_id},
                )
            elif found != digest:
                yield Drift(
                    record.chain,
                    name,
                    entry_id,
                    _("%(noun)s %(id)s was changed after entry %(entry)s recorded it")
                    % {"noun": noun, "id": part_id, "entry": entry_id},
                )
        for part_id in sorted(set(covered) - set(record.refs)):
            yield Drift(
                record.chain,
                name,
                None,
                _("%(noun)s %(id)s is not in the audit trail (written behind Caseflow's back)")
                % {"noun": noun, "id": part_id},
            )
