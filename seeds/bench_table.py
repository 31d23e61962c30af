"""The benchmark's result as one table: each row a measurement and its target (issue #16,
city scale on a quiet 2-core machine). Targets are printed, not asserted: a busy machine's
numbers say little."""

from collections.abc import Iterator

PORTAL_TARGET = "p50 ≤ 60 ms"
TARGETS = {
    "task_list_api_page_50": "p50 ≤ 25 ms", "task_list_api_page_50_liaison": "p50 ≤ 25 ms",
    "reports_api_page_50": "p50 ≤ 50 ms", "reports_api_page_50_liaison": "p50 ≤ 50 ms",
    "plan_overview": "p50 ≤ 60 ms", "bulletin_pdf_published": "≤ 50 ms",
    "bulletin_xlsx_published": "≤ 50 ms",
    "cockpit_snapshot": "none: at most once a minute, not per request",
}
NO_TARGET = ("admin_", "ledger_export_", "import_primary_plan", "assignments_api")
CONCURRENCY_TARGETS = {
    ("department_home", 10): "≥ 40 req/s", ("department_home", 50): "≥ 40 req/s",
    ("task_list_api_page_50", 10): "≥ 60 req/s", ("task_list_api_page_50", 50): "≥ 60 req/s",
    ("plan_overview", 10): "≥ 20 req/s", ("plan_overview", 50): "≥ 20 req/s",
}

Row = tuple[str, object, object, object, str]


def _target(name: str) -> str:
    if name == "import_primary_plan":
        return "queries constant (bulk writes), not ≤ 10"
    time = TARGETS.get(name, "" if name.startswith(NO_TARGET) else PORTAL_TARGET)
    return ", ".join(part for part in (time, "≤ 10 queries") if part)


def _endpoint_rows(result: dict) -> Iterator[Row]:
    for name, m in result.get("endpoints", {}).items():
        yield name, m["queries"], m["p50_ms"], m["p95_ms"], _target(name)


def _build_rows(result: dict) -> Iterator[Row]:
    ratio = result.get("task_list_sql") or {}
    if ratio:
        yield ("task_list_api / raw SQL (×)", ratio.get("statements", ""),
               ratio.get("ratio"), f"sql {ratio.get('raw_sql_p50_ms')} ms", "≤ 2×")
    cycle = result.get("run_cycle") or {}
    if cycle:
        yield (f"run_cycle at deadline ({cycle.get('messages')} msgs, s)", cycle.get("queries"),
               cycle.get("seconds"), "", "≤ 10 s")
        delivery = cycle.get("delivery") or {}
        yield ("  delivery in-process (s)", delivery.get("queries"), delivery.get("seconds"),
               "", "(workers)")
    for key, target in (("bulletin", "—"), ("assessment", "≤ 3 s")):
        build = result.get(key) or {}
        if build:
            yield (f"{key} for the city, {build.get('plans')} plans (s)", build.get("queries"),
                   build.get("seconds"), "", target)
    tracked = result.get("assessment_tracked") or {}
    if tracked:
        yield (f"  assessment of {tracked.get('year')} tracked,"
               f" {tracked.get('periods', '?')} periods owed (s)",
               tracked.get("queries"), tracked.get("seconds"), "", "≤ 3 s")


def _job_rows(result: dict) -> Iterator[Row]:
    jobs = result.get("export_jobs") or {}
    for name, job in jobs.items():
        if isinstance(job, dict) and "seconds" in job:
            target = "≤ 4 s, ≤ 250 MB" if name.endswith("city") else "—"
            yield (f"{name} (s / peak MB)", "", job["seconds"], f"{job['max_rss_mb']} MB",
                   target)
        elif name == "skipped":
            yield "export jobs", "", "skipped", "", str(job)


def _cost(run: dict, during_jobs: bool) -> str:
    """The machine's CPU per request in the run and the rate that would fill its cores."""
    if "cpu_ms_per_request" not in run:
        return ""
    if during_jobs:  # the export jobs' CPU is in it
        return f"; cpu {run['cpu_ms_per_request']} ms/req with the jobs"
    return (f"; cpu {run['cpu_ms_per_request']} ms/req,"
            f" all cores ≈ {run['cores_full_req_per_s']} req/s")


def _concurrency_rows(result: dict) -> Iterator[Row]:
    runs = result.get("concurrency") or {}
    if "skipped" in runs:
        yield "concurrency (gunicorn + hey)", "", "skipped", "", str(runs["skipped"])
        return
    for name, measured in runs.items():
        for run in measured if isinstance(measured, list) else [measured]:
            if not isinstance(run, dict):
                continue
            if "req_per_s" in run:
                clients = run["clients"]
                target = CONCURRENCY_TARGETS.get((name, clients), "")
                during_jobs = name.endswith("during_2_city_ledger_jobs")
                if during_jobs:
                    target = "p95 ≤ 1500 ms"
                yield (f"{name} c={clients} (req/s; p50/p95 ms)", "",
                       round(run["req_per_s"], 1), f"{run['p50_ms']}/{run['p95_ms']}",
                       f"{target} {run['status']}{_cost(run, during_jobs)}".strip())
            elif "seconds" in run:
                yield ("  city ledger job meanwhile (s / peak MB)", "", run["seconds"],
                       f"{run['max_rss_mb']} MB", "≤ 4 s, ≤ 250 MB")


def table_rows(result: dict) -> list[Row]:
    """Every row of the table, in the order the issue lists its targets."""
    rows = [*_endpoint_rows(result), *_build_rows(result), *_job_rows(result),
            *_concurrency_rows(result)]
    return [(name, "" if q is None else q, "" if a is None else a, "" if b is None else b, t)
            for name, q, a, b, t in rows]
