"""The admin's two bases: `ReadOnlyAdmin` for records nobody may change by hand, and
`AuditedAdmin`, the one way configuration rows change in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from modeltranslation.translator import NotRegistered, translator

from caseflow.core import drift
from caseflow.core.audit import audit, jsonable
from caseflow.core.models import AuditEntry, Channel, Sequence

# What the audit trail records for a secret (a password): whether it is set, never its value.
MASK = "********"


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records nobody may change by hand: browse and search here; changes go through
    the services (audited)."""

    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Every change made through this admin writes an audit entry (channel `admin`, actor
    the admin user) in the transaction of the change, in the row's own chain:

    - adding: `<model>.created` with every editable field (`after`);
    - changing (the form or `list_editable`): `<model>.updated` naming the fields that
      changed, `before` and `after`, many-to-many fields (team members, a group's
      permissions) as sorted primary keys;
    - inline rows: the same, each in its own chain;
    - deleting (the delete page, the bulk "delete selected" action, an inline's delete
      box): `<model>.deleted` with the row as it was (`before`) and no `after`. A deletion
      that would take other rows along or empty their fields is refused: deactivate or
      archive instead.

    A save that changes nothing writes nothing. Secrets (`audit_secret_fields`) are recorded
    as set or not, never by value. Admin actions of subclasses must call services (which
    audit). The recorded fields, less secrets and `audit_volatile_fields` (fields something
    else changes without an audit entry, e.g. `last_login`), are compared with the rows by
    `verify_audit` (core.drift). `caseflow/core/tests/test_admin_audit.py` walks every
    registered admin and fails for one that changes rows without an entry.
    """

    audit_secret_fields: tuple[str, ...] = ()
    audit_volatile_fields: tuple[str, ...] = ()
    # Models whose rows a deletion may take along without an entry (leases, caches).
    audit_transient_models: tuple[str, ...] = ()

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        compared = [
            f.name
            for f in _recorded_fields(model)
            if f.name not in self.audit_secret_fields + self.audit_volatile_fields
        ]
        if compared:
            drift.watch(model, compared)

    # --- saving -----------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change and not form.has_changed():
            return  # nothing to write (an inline may still change: save_formset)
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        # Deleted rows are recorded before they go (afterwards they have no primary key).
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:
                # as stored: the form may have changed the instance before it was ticked
                row = type(inline_form.instance)._base_manager.get(pk=inline_form.instance.pk)
                _write(request, "deleted", row, before=_state(row), after=None)
        super().save_formset(request, form, formset, change)
        pending = _pending(request)
        pending += [(row, None) for row in formset.new_objects]
        changed = {id(row) for row, _names in formset.changed_objects}
        pending += [(f.instance, f) for f in formset.initial_forms if id(f.instance) in changed]

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if not change:
            _write(request, "created", obj, before=None, after=self.audit_state(obj))
        else:
            names = _changed_fields(form)
            if names:
                before = {name: _initial_value(form, name) for name in names}
                _write(
                    request,
                    "updated",
                    obj,
                    before=self._masked(before, before=True),
                    after=self.audit_state(obj, names),
                )
        # Inline rows after their parent, so a new parent's chain starts with its creation.
        pending = _pending(request)
        while pending:
            row, inline_form = pending.pop(0)
            if inline_form is None:
                _write(request, "created", row, before=None, after=_state(row))
            elif names := _changed_fields(inline_form):
                before = {name: _initial_value(inline_form, name) for name in names}
                _write(request, "updated", row, before=before, after=_state(row, names))

    def audit_state(self, obj: models.Model, names: list[str] | None = None) -> dict[str, Any]:
        """The recorded fields of `obj` (or only `names`), secrets masked."""
        return self._masked(_state(obj, names), before=False)

    def _masked(self, values: dict[str, Any], *, before: bool) -> dict[str, Any]:
        for name in self.audit_secret_fields:
            if name in values:
                values[name] = MASK if values[name] else ""
        return values

    # --- deleting ---------------------------------------------------------------------------

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        blocked = self._taken_along(list(objs))
        return deleted, counts, perms_needed, [*protected, *blocked]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._record_deletions(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic(using=router.db_for_write(self.model)):
            self._record_deletions(request, list(queryset))
            super().delete_queryset(request, queryset)

    def _record_deletions(self, request: HttpRequest, objs: list[models.Model]) -> None:
        """One entry per row the deletion removes: the rows and their children of the same
        model (everything else was refused in `get_deleted_objects`)."""
        if not objs:
            return
        collector = Collector(using=router.db_for_write(self.model))
        collector.collect(objs)
        for row in collector.data.get(self.model, ()):
            _write(request, "deleted", row, before=self.audit_state(row), after=None)

    def _taken_along(self, objs: list[models.Model]) -> list[str]:
        """Rows of other models that deleting `objs` would delete or change: the refusal."""
        if not objs:
            return []
        collector = Collector(using=router.db_for_write(self.model))
        try:
            collector.collect(objs)
        except (ProtectedError, RestrictedError):
            return []  # Django lists those itself
        found: list[str] = []

        def allowed(model: type[models.Model]) -> bool:
            owner = model._meta.auto_created
            return (
                model is self.model
                or model._meta.label_lower in self.audit_transient_models
                or (owner is not False and owner is self.model)  # our own many-to-many rows
            )

        for model, rows in collector.data.items():
            if not allowed(model):
                found += [f"{capfirst(model._meta.verbose_name)}: {row}" for row in rows]
        for batch in collector.fast_deletes:
            batch_model = _model_of(batch)
            if batch_model is not None and not allowed(batch_model) and _any(batch):
                found.append(_("%(rows)s (deleted along with it)") % {
                    "rows": capfirst(batch_model._meta.verbose_name_plural)
                })  # fmt: skip
        for (model_field, _value), batches in collector.field_updates.items():
            if any(_any(batch) for batch in batches):
                found.append(_("%(rows)s: %(field)s would be emptied") % {
                    "rows": capfirst(model_field.model._meta.verbose_name_plural),
                    "field": model_field.verbose_name,
                })  # fmt: skip
        if found:
            found.append(
                _("Deactivate or archive it instead; a deletion may not change other rows.")
            )
        return found

    # --- anything else the admin logs (the password page) -------------------------------------

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._fallback(request, obj, message, "created")
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._fallback(request, obj, message, "updated")
        return super().log_change(request, obj, message)

    def _fallback(self, request: HttpRequest, obj: Any, message: Any, verb: str) -> None:
        """A change Django logs but `save_related` did not see (a view of its own, such as
        the password page): recorded with Django's description of it."""
        if not message or _key(obj) in _audited(request):
            return
        verb, after = self.audit_fallback(request, obj, message, verb)
        with transaction.atomic(using=router.db_for_write(self.model)):
            _write(request, verb, obj, before=None, after=after)

    def audit_fallback(
        self, request: HttpRequest, obj: Any, message: Any, verb: str
    ) -> tuple[str, dict[str, Any]]:
        return verb, {"admin_message": message}


# --- helpers ---------------------------------------------------------------------------------


def translated_fields(model: type[models.Model]) -> frozenset[str]:
    """The fields of `model` that django-modeltranslation keeps per language (`name` beside
    `name_en`, `name_de`, `name_es`): reading one gives the active language's value."""
    try:
        return frozenset(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return frozenset()


def _recorded_fields(model: type[models.Model]) -> list[models.Field]:
    """Editable concrete fields (not the automatic primary key) and many-to-many fields.
    A translated field counts by its languages (`name_en`, `name_de`, `name_es`), not by
    `name`, whose value depends on who reads it."""
    shadowed = translated_fields(model)
    fields: list[models.Field] = [
        f
        for f in model._meta.concrete_fields
        if f.editable
        and not (f.primary_key and isinstance(f, models.AutoField))
        and f.name not in shadowed
    ]
    return fields + [f for f in model._meta.many_to_many if f.editable]  # type: ignore[misc]


def _model_of(batch: Any) -> type[models.Model] | None:
    model = getattr(batch, "model", None)
    if model is None and batch:
        model = type(next(iter(batch)))
    return model


def _any(batch: Any) -> bool:
    exists = getattr(batch, "exists", None)
    return bool(exists()) if exists is not None else bool(batch)


def _state(obj: models.Model, names: list[str] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for model_field in _recorded_fields(type(obj)):
        if names is not None and model_field.name not in names:
            continue
        if model_field.many_to_many:
            manager = getattr(obj, model_field.name)
            values[model_field.name] = sorted(manager.values_list("pk", flat=True))
        else:
            values[model_field.name] = getattr(obj, model_field.attname)
    return values


def _changed_fields(form: ModelForm) -> list[str]:
    recorded = {f.name for f in _recorded_fields(form._meta.model)}
    return [name for name in form.changed_data if name in recorded]


def _initial_value(form: ModelForm, name: str) -> Any:
    """A field's value when the form was shown (as the row was): `form.initial` holds the
    row's values (relations as primary keys, many-to-many as the related rows)."""
    value = form.initial.get(name)
    if form._meta.model._meta.get_field(name).many_to_many:
        return sorted(getattr(item, "pk", item) for item in value or ())
    return value


def _key(obj: models.Model) -> tuple[str, str]:
    return (obj._meta.label_lower, str(obj.pk))


def _audited(request: HttpRequest) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] | None = getattr(request, "_caseflow_audited", None)
    if found is None:
        found = set()
        request._caseflow_audited = found  # type: ignore[attr-defined]
    return found


def _pending(request: HttpRequest) -> list[Any]:
    found: list[Any] | None = getattr(request, "_caseflow_audit_pending", None)
    if found is None:
        found = []
        request._caseflow_audit_pending = found  # type: ignore[attr-defined]
    return found


def _write(
    request: HttpRequest,
    verb: str,
    obj: models.Model,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit(
        actor=request.user,
        channel=Channel.ADMIN,
        action=f"{obj._meta.model_name}.{verb}",
        target=obj,
        before=jsonable(before),
        after=jsonable(after),
    )
    _audited(request).add(_key(obj))


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail: readable with the capability `audit.view` (accounts.permissions)."""

    list_display = ("created_at", "chain", "seq", "actor_label", "channel", "action")
    list_filter = ("channel", "action")
    search_fields = ("=chain", "=target_id", "actor_label")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    list_display = ("name", "period", "last_value")
