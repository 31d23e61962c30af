"""Bulk inserts where Django's ``bulk_create`` is slow on PostgreSQL: large text and JSON
values. Under client-side binding psycopg quotes every value of ``bulk_create``'s UNNEST
arrays in Python (the cycle's 2,585 chase messages, 46 MB of text: 5 s; the assessment's
JSON formulas: a regular expression per quote and per ``\\uXXXX``). On PostgreSQL both
functions stream the rows with COPY, whose values psycopg writes in C; other databases use
``bulk_create``.

- :func:`insert_rows` (the assessment's scores): rows with their ids kept, copied into the
  table.
- :func:`insert_new` / :func:`insert_new_rows` (the cycle's messages and ledger items): rows
  whose unique key is already stored are skipped and the call says which rows it wrote —
  copied into a temporary table, then one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
  (two statements plus the COPY, whatever the number of rows; the table is dropped at
  commit).
"""

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from psycopg import sql
from psycopg.types.json import Jsonb

_names = itertools.count(1)
_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps with options makes one per call


def _copy(cursor, table: sql.Identifier, columns: sql.Composable, rows: Iterable[Sequence]) -> None:
    """COPY ``rows`` into ``table``. It runs on the driver's cursor: Django's execute
    wrappers (query counts, metrics) do not see it."""
    with cursor.cursor.copy(sql.SQL("COPY {table} ({columns}) FROM STDIN").format(
            table=table, columns=columns)) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows given as ``{attname: value}`` (a missing field takes its default; rows
    with the primary key set keep it). One COPY for the rows with a primary key, one for
    those without. No database defaults, expressions or ``pre_save`` (auto_now) fields.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows])
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    for with_pk in (True, False):
        mine = [row for row in rows if (row.get(meta.pk.attname) is not None) is with_pk]
        if not mine:
            continue
        columns = [meta.pk, *fields] if with_pk else fields
        with connection.cursor() as cursor:
            _copy(cursor, sql.Identifier(meta.db_table),
                  sql.SQL(", ").join(sql.Identifier(field.column) for field in columns),
                  _prepared(mine, columns, connection))


def _prepared(rows: Iterable[dict[str, Any]], fields: list[models.Field],
              connection: BaseDatabaseWrapper) -> Iterator[list[Any]]:
    """The rows' values of ``fields`` as PostgreSQL takes them (a missing one: the field's
    default), without Django's preparation where it would change nothing. A JSON list is
    written item by item, each object once however many rows share it (the assessment's
    component of a rule that did not measure a department is one object for all such
    departments), in UTF-8 rather than ``\\uXXXX``. The city's scores: 11 → 7 ms of CPU a
    plan; PostgreSQL's side of the COPY is unchanged."""
    defaults = [field.get_default() for field in fields]
    kinds = [_AS_IS.get(type(field.target_field if field.is_relation else field))
             for field in fields]
    written: dict[int, str] = {}  # id of a shared JSON object → its text; rows hold them

    def json_text(value: list) -> Jsonb:
        items = []
        for item in value:
            text = written.get(id(item))
            if text is None:
                text = written[id(item)] = _JSON.encode(item)
            items.append(text)
        return Jsonb(f"[{','.join(items)}]", dumps=str)

    for row in rows:
        values = []
        for field, default, kind in zip(fields, defaults, kinds, strict=True):
            value = row.get(field.attname, default)
            if value is None or type(value) is kind:
                values.append(value)
            elif isinstance(field, models.JSONField) and type(value) is list \
                    and field.encoder is None:
                values.append(json_text(value))
            else:
                values.append(field.get_db_prep_save(value, connection))
        yield values


# Fields whose get_db_prep_save returns a value of this exact type unchanged on PostgreSQL.
_AS_IS: dict[type[models.Field], type] = {
    **dict.fromkeys((models.AutoField, models.BigAutoField, models.IntegerField,
                     models.BigIntegerField, models.PositiveIntegerField,
                     models.SmallIntegerField, models.PositiveSmallIntegerField), int),
    models.DecimalField: Decimal, models.CharField: str, models.TextField: str,
    models.BooleanField: bool,
}


def insert_new(model: type[models.Model], objs: Sequence[models.Model], *, key: str,
               using: str = "default", batch_size: int = 1000) -> dict | None:
    """Insert ``objs``, skipping those whose unique field ``key`` is already stored (or
    repeated in ``objs``). Returns ``{key value: id}`` of the rows this call inserted, or
    None when the database is not PostgreSQL (rows inserted by ``bulk_create``, ids unknown).

    Defaults and ``auto_now_add`` are applied as ``bulk_create`` applies them; the objects
    get no primary key.
    """
    if not objs:
        return {}
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(
            objs, ignore_conflicts=True, batch_size=batch_size)
        return None
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return insert_new_rows(model, [f.attname for f in fields], (
        [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        for obj in objs), key=key, using=using)


def insert_new_rows(model: type[models.Model], fields: list[str], rows: Iterable[Sequence],
                    *, key: str, using: str = "default", batch_size: int = 1000) -> dict | None:
    """:func:`insert_new` for plain rows: tuples of database values of ``fields`` (attribute
    names, e.g. ``notification_id``), which must name every column without a database
    default. Tens of thousands of rows need no model instances on PostgreSQL."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model._default_manager.using(using).bulk_create(
            objs, ignore_conflicts=True, batch_size=batch_size)
        return None
    meta = model._meta
    columns = sql.SQL(", ").join(sql.Identifier(meta.get_field(name).column)
                                 for name in fields)
    table, temporary = sql.Identifier(meta.db_table), sql.Identifier(
        f"bulk_{meta.db_table}_{next(_names)}")
    # ON COMMIT DROP needs a transaction; inside one (the cycle's steps) no savepoint.
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql.SQL(
            "CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS SELECT {columns} FROM "
            "{table} WITH NO DATA").format(temporary=temporary, columns=columns, table=table)
            .as_string(cursor.cursor))
        _copy(cursor, temporary, columns, rows)
        cursor.execute(sql.SQL(
            "INSERT INTO {table} ({columns}) SELECT {columns} FROM {temporary} "
            "ON CONFLICT ({key}) DO NOTHING RETURNING {pk}, {key}").format(
            table=table, columns=columns, temporary=temporary,
            key=sql.Identifier(meta.get_field(key).column), pk=sql.Identifier(meta.pk.column))
            .as_string(cursor.cursor))
        return {value: pk for pk, value in cursor.fetchall()}
