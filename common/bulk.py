"""Bulk inserts that skip rows whose unique key exists and say which rows they wrote.

``bulk_create(ignore_conflicts=True)`` neither returns the new ids nor is fast for large text
columns on PostgreSQL: with client-side binding psycopg quotes every value of the UNNEST
arrays in Python (the cycle's 2,585 chase messages, 46 MB of text, took 5 s). On PostgreSQL
:func:`insert_new` streams the rows with COPY into a temporary table and inserts them from
there with ``ON CONFLICT DO NOTHING RETURNING`` (two statements plus the COPY, whatever the
number of rows; the table is dropped at commit); elsewhere it falls back to ``bulk_create``
and cannot tell what it wrote.
"""

import itertools
from collections.abc import Iterable, Sequence

from django.db import connections, models, transaction
from psycopg import sql

_names = itertools.count(1)


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
        # The COPY runs on the driver's cursor: Django's execute wrappers do not see it.
        with cursor.cursor.copy(sql.SQL("COPY {temporary} ({columns}) FROM STDIN").format(
                temporary=temporary, columns=columns)) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(sql.SQL(
            "INSERT INTO {table} ({columns}) SELECT {columns} FROM {temporary} "
            "ON CONFLICT ({key}) DO NOTHING RETURNING {pk}, {key}").format(
            table=table, columns=columns, temporary=temporary,
            key=sql.Identifier(meta.get_field(key).column), pk=sql.Identifier(meta.pk.column))
            .as_string(cursor.cursor))
        return {value: pk for pk, value in cursor.fetchall()}
