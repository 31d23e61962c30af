"""Shape a bulletin's stored content for its template (count columns in a fixed order)."""


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
    departments = [{**row, **_counts(row, columns)} for row in content["departments"]]
    return {"columns": columns, "drivers": drivers, "departments": departments,
            "totals": _counts(content["totals"], columns)}
