"""Shape a bulletin's stored content for its template (count columns in a fixed order).

The content is a snapshot in the site's language; its labels (task states, health) are
shown in the reader's language.
"""

from common.i18n import translated


def _counts(row: dict, columns: dict) -> dict:
    return {
        "tasks": row["tasks"],
        "status": [row["status"].get(key, 0) for key, _label in columns["status"]],
        "health": [row["health"].get(key, 0) for key, _label in columns["health"]],
    }


def bulletin_tables(content: dict) -> dict:
    """Driver and department rows with their counts aligned to the content's columns."""
    if not content:
        return {}
    columns = content["columns"]
    drivers = [{**row, **_counts(row, columns)} for row in content["drivers"]]
    for row in drivers:
        if row.get("number") is None:
            row["title"] = translated(row["title"])  # 其他督办事项
    departments = [{**row, **_counts(row, columns)} for row in content["departments"]]
    shown = {kind: [[key, translated(label)] for key, label in columns[kind]]
             for kind in ("status", "health")}
    return {"columns": shown, "drivers": drivers, "departments": departments,
            "totals": _counts(content["totals"], columns)}
