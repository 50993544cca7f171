"""Model rows read and written with one plain statement, for the few hottest paths.

Building an ORM query (filter, compile, joins) or an ORM INSERT costs a few tenths of a
millisecond of CPU each, several times what the database needs to answer a lookup by key
or to store a row. The API token on every request and the references and first rows of every
new case go through here instead (docs/performance.md, "API creation after issue 11").

The statements are derived from the models' own field lists once per process and database,
and the values pass through the conversions the ORM applies (`pre_save` and
`get_db_prep_save` on the way in, the fields' and the backend's converters on the way out),
so the instances are the ones the ORM would have built. `insert` sends no `pre_save` or
`post_save` signal (like `bulk_create`): use it only for rows nobody listens to.
"""

# The SQL here is assembled from the models' table and column names only; values are always
# query parameters, and WHERE clauses come from this project's code.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Select:
    sql: str  # without WHERE
    names: list[str]  # attnames of the model's columns, in order
    related_names: list[str]  # attnames of the joined model's columns, after them
    converters: list[tuple[int, list[Callable[..., Any]], Any]]  # (column, functions, Col)
    by_pk: str  # the WHERE clause for the model's primary key


class Reader(Generic[M]):
    """Rows of `model`, optionally joined with the row its non-null foreign key `related`
    points to, found by a WHERE clause written against the aliases `t` (the model) and `r`
    (the related row):

        tokens = Reader(ApiToken, related="user")
        token = tokens.first("t.key_hash = %s AND t.revoked_at IS NULL", [digest])
        token.user  # already loaded
    """

    def __init__(self, model: type[M], *, related: str | None = None) -> None:
        self.model = model
        self.related: models.ForeignKey[Any, Any] | None = None
        self.related_model: type[models.Model] | None = None
        if related:
            field = model._meta.get_field(related)
            if not isinstance(field, models.ForeignKey) or field.null:
                raise ValueError(f"{related} is not a non-null foreign key of {model.__name__}")
            self.related, self.related_model = field, field.related_model  # type: ignore[assignment]
        self._shapes: dict[str, _Select] = {}

    def _shape(self, alias: str) -> _Select:
        shape = self._shapes.get(alias)
        if shape is None:
            shape = self._shapes[alias] = self._build(alias)
        return shape

    def _build(self, alias: str) -> _Select:
        connection = connections[alias]
        quote = connection.ops.quote_name
        meta = self.model._meta
        cols = [f.get_col(meta.db_table) for f in meta.concrete_fields]
        sql = f"FROM {quote(meta.db_table)} t"
        related_names: list[str] = []
        if self.related is not None and self.related_model is not None:
            target = self.related_model._meta
            sql += (
                f" JOIN {quote(target.db_table)} r"
                f" ON r.{quote(target.pk.column)} = t.{quote(self.related.column)}"
            )
            cols += [f.get_col(target.db_table) for f in target.concrete_fields]
            related_names = [f.attname for f in target.concrete_fields]
        own = len(meta.concrete_fields)
        columns = [
            f"{'t' if i < own else 'r'}.{quote(c.target.column)}" for i, c in enumerate(cols)
        ]
        converters = []
        for index, col in enumerate(cols):
            # the backend's first, then the field's: the order the ORM applies them in
            functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if functions:
                converters.append((index, functions, col))
        return _Select(
            sql=f"SELECT {', '.join(columns)} {sql}",
            names=[f.attname for f in meta.concrete_fields],
            related_names=related_names,
            converters=converters,
            by_pk=f"t.{quote(meta.pk.column)} = %s",
        )

    def first(self, where: str, params: Sequence[Any]) -> M | None:
        """The row matching `where` (written for one row: a key), or None."""
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        shape = self._shape(alias)
        with connection.cursor() as cursor:
            cursor.execute(f"{shape.sql} WHERE {where}", params)
            row = cursor.fetchone()
        if row is None:
            return None
        if shape.converters:
            row = list(row)
            for index, functions, col in shape.converters:
                value = row[index]
                for convert in functions:
                    value = convert(value, col, connection)
                row[index] = value
        own = len(shape.names)
        obj = self.model.from_db(alias, shape.names, row[:own])
        if self.related is not None and self.related_model is not None:
            related = self.related_model.from_db(alias, shape.related_names, row[own:])
            self.related.set_cached_value(obj, related)
        return obj

    def get(self, pk: Any) -> M | None:
        """The row with primary key `pk`, or None."""
        return self.first(self._shape(router.db_for_read(self.model)).by_pk, [pk])


@dataclass(frozen=True)
class _Insert:
    fields: list[models.Field]
    sql: str  # INSERT … VALUES (…), plus RETURNING the key where the database can


_inserts: dict[tuple[type[models.Model], str, bool], _Insert] = {}


def insert_statement(obj: models.Model, *, using: str) -> tuple[str, list[Any]]:
    """`INSERT` of `obj`'s columns (the key too when it is set) and its parameters,
    `RETURNING` the key when it is not set and the database can; `auto_now(_add)` fields are
    filled in on `obj` as `save()` would."""
    model = type(obj)
    with_pk = obj.pk is not None
    key = (model, using, with_pk)
    shape = _inserts.get(key)
    connection = connections[using]
    if shape is None:
        quote = connection.ops.quote_name
        meta = model._meta
        fields = [f for f in meta.concrete_fields if with_pk or f is not meta.auto_field]
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if not with_pk and connection.features.can_return_columns_from_insert:
            sql += f" RETURNING {quote(meta.pk.column)}"
        shape = _inserts[key] = _Insert(fields=fields, sql=sql)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in shape.fields]
    return shape.sql, params


def insert(obj: models.Model) -> None:
    """Store the new row `obj` with one INSERT and set its key (no signals)."""
    using = router.db_for_write(type(obj))
    connection = connections[using]
    # As save() does: a related object saved after it was assigned lends its key now, and
    # an unsaved one is refused.
    obj._prepare_related_fields_for_save(operation_name="insert")  # type: ignore[attr-defined]
    sql, params = insert_statement(obj, using=using)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if obj.pk is None:
            if connection.features.can_return_columns_from_insert:
                obj.pk = cursor.fetchone()[0]
            else:
                obj.pk = cursor.lastrowid
    obj._state.adding = False
    obj._state.db = using


def reserve_pk(model: type[models.Model]) -> int | None:
    """A key for a row of `model` that this transaction will insert later, drawn from the
    table's own sequence where the database has one (PostgreSQL); None elsewhere (SQLite
    gives keys only by inserting). Rows that point to it can then be written first: Django
    creates PostgreSQL's foreign keys DEFERRABLE INITIALLY DEFERRED, checked at COMMIT."""
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s))",
            [connection.ops.quote_name(meta.db_table), meta.pk.column],
        )
        return int(cursor.fetchone()[0])
