"""The project's benchmark: query counts and server time of the main pages and endpoints.

Each measurement runs a request (or a build) several times and reports the query count of
one run and the p50/p95 of the wall time. Pages are requested through Django's test client,
so the time includes URL routing, middleware, the view, the ORM and rendering — the server
time of the request without the network.
"""

import datetime
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, Model
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from departments.access import access_for
from departments.choices import Role
from departments.models import Membership
from notifications.dispatch import InProcess
from notifications.models import Notification, NotificationItem
from tasks_app.cycle.run import run_cycle
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import (
    Assessment,
    Assignment,
    Bulletin,
    DepartmentScore,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Task,
)
from tasks_app.selectors.bulletins import bulletin_compute
from tasks_app.selectors.cockpit import cockpit as cockpit_data
from tasks_app.services.assessments import assessment_compute
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish
from tasks_app.services.periods import period_ensure
from tasks_app.workdays import add_months, add_working_days, month_start

from .bench_serving import measure_concurrency, measure_export_jobs

SCALES = {
    "small": {"plans": 4, "tasks_per_plan": 50, "departments": 40, "users": 200, "months": 6},
    "city": {"plans": 50, "tasks_per_plan": 200, "departments": 400, "users": 3000,
             "months": 24},
}
PRIMARY_SEED = Path(settings.BASE_DIR) / "seeds" / "hjkwf-2023-1-implementation-plan.txt"


@dataclass
class Measurement:
    queries: int
    p50_ms: float
    p95_ms: float
    runs: int
    extra: dict = field(default_factory=dict)


class _Counting:
    """Counts the queries run inside the block (no log, so no 9,000-entry limit)."""

    def __enter__(self) -> "_Counting":
        self.count = 0
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)

    def __len__(self) -> int:
        return self.count


def _summary(times: list[float], queries: int) -> Measurement:
    times = sorted(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Measurement(queries, round(statistics.median(times), 2), round(p95, 2), len(times))


def _timed(action: Callable[[], object]) -> tuple[float, int]:
    """Milliseconds and queries of one run."""
    with _Counting() as queries:
        started = time.perf_counter()
        action()
        return (time.perf_counter() - started) * 1000, len(queries)


def measure(action: Callable[[], object], *, runs: int, warmup: int = 1) -> Measurement:
    """Run ``action`` warmup + runs times; queries of the last run, times of the runs."""
    for _ in range(warmup):
        action()
    runs_timed = [_timed(action) for _ in range(runs)]
    return _summary([ms for ms, _ in runs_timed], runs_timed[-1][1])


def measure_in_rounds(actions: dict[str, Callable[[], object]], *,
                      runs: int) -> dict[str, Measurement]:
    """Each action once to warm up, then rounds of one run of every action: a burst of
    the host's neighbours (seconds on a shared virtual machine) slows a round of all the
    pages, not every run of the one page measured then."""
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    queries: dict[str, int] = {}
    for _ in range(runs):
        for name, action in actions.items():
            ms, queries[name] = _timed(action)
            times[name].append(ms)
    return {name: _summary(times[name], queries[name]) for name in actions}


def get_page(client: Client, url: str) -> Callable[[], object]:
    def action():
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return action


def busiest_liaison() -> User:
    """The liaison of the department with the most task parts: the heaviest home page."""
    liaisons = Membership.objects.filter(role=Role.LIAISON)
    department_id = (Assignment.objects
                     .filter(department_id__in=liaisons.values("department_id"))
                     .values("department_id").annotate(n=Count("id"))
                     .order_by("-n", "department_id").values_list("department_id", flat=True)
                     .first())
    return (liaisons.filter(department_id=department_id).select_related("user")
            .order_by("pk").first().user)


def head_of(liaison: User) -> User:
    """The head (负责人) of the liaison's department: the head's review queue."""
    return (Membership.objects.filter(role=Role.HEAD,
                                      department_id__in=access_for(liaison).department_ids)
            .select_related("user").order_by("pk").first().user)


def lead_office_user() -> User:
    user = Membership.objects.filter(role=Role.LEAD_OFFICE).select_related("user").first().user
    user.is_staff = True
    user.is_superuser = True  # the admin's changelist as the lead office sees it
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def client_for(user: User) -> Client:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def import_primary_plan() -> None:
    """Import the primary plan into a transaction that is rolled back (repeatable)."""
    text = read_document(PRIMARY_SEED)
    with transaction.atomic():
        plan_load(parse_document(text))
        transaction.set_rollback(True)


def sizes() -> dict:
    return {
        "plans": Plan.objects.count(), "tasks": Task.objects.count(),
        "departments": Membership.objects.values("department_id").distinct().count(),
        "users": User.objects.count(), "assignments": Assignment.objects.count(),
        "reports": ProgressReport.objects.count(),
    }


def _fixed_work() -> int:
    """The same pure-Python work on every run: strings, a sort, a dict (≈ 10 ms)."""
    words = sorted(f"{i * 7919 % 10007:05d}" for i in range(20_000))
    return len({word[:3]: word for word in words})


def host_speed(runs: int = 30) -> dict:
    """How fast this machine ran a fixed piece of Python just now (p50 and fastest, ms).

    A virtual machine's neighbours slow it without showing in its load average: pages
    measured in two runs compare in proportion to this number."""
    times = [_timed(_fixed_work)[0] for _ in range(runs)]
    return {"p50_ms": round(statistics.median(times), 2), "min_ms": round(min(times), 2)}


def raw_sql_ms(statements: list[str], runs: int) -> float:
    """p50 time of executing the same SQL statements directly with the DB cursor."""
    times = []
    with connection.cursor() as cursor:
        for _ in range(runs + 1):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[1:])


def _deadline_chase_moment() -> tuple[ReportingPeriod, datetime.datetime]:
    """09:30 on the first working day after the next report deadline: the blue chase.

    The next deadline, not a past one: the cycle rightly ignores parts assigned after a
    deadline, and the synthetic parts are created today.
    """
    today = timezone.localdate()
    plan = Plan.objects.select_related("schedule").order_by("pk").first()
    period = period_ensure(plan, today)
    if period.deadline < today:
        period = period_ensure(plan, add_months(month_start(today), 1))
    day = add_working_days(period.deadline, 1)
    return period, timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))


def measure_run_cycle() -> dict:
    """One full run_cycle at a report deadline — deciding and handing out, as beat does —
    then the delivery of its messages in-process through the locmem email backend (in
    production Celery workers do this part, one message per task)."""
    period, moment = _deadline_chase_moment()
    # The benchmark database is disposable: forget messages of an earlier run (--keepdb).
    NotificationItem.objects.all().delete()
    Notification.objects.all().delete()
    handed_out: list[int] = []
    with _Counting() as queries:
        started = time.perf_counter()
        result = run_cycle(moment, dispatch=lambda ids, now: handed_out.extend(ids))
        seconds = time.perf_counter() - started
    sender = InProcess()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), \
            _Counting() as sending:
        started = time.perf_counter()
        sender(handed_out, moment)
        send_seconds = time.perf_counter() - started
    with _Counting() as again:
        second = run_cycle(moment, dispatch=InProcess())
    return {
        "at": moment.isoformat(), "period": str(period), "seconds": round(seconds, 2),
        "queries": len(queries), "messages": sum(result.decided.values()),
        "by_kind": {str(kind): n for kind, n in result.decided.items()},
        "delivery": {"seconds": round(send_seconds, 2), "queries": len(sending),
                     "sent": sum(n for (state, _), n in sender.outcomes.items()
                                 if state == "sent")},
        "second_run": {"messages": sum(second.decided.values()), "queries": len(again)},
    }


def measure_builds(plans: list[Plan], build: Callable[[Plan], object],
                   prepare: Callable[[], object] | None = None) -> dict:
    """Build one document per plan (the whole city): total seconds and queries, in a
    transaction rolled back; ``prepare`` changes the data first, in it, untimed."""
    with transaction.atomic():
        if prepare is not None:
            prepare()
        with _Counting() as queries:
            started = time.perf_counter()
            for plan in plans:
                build(plan)
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"plans": len(plans), "seconds": round(seconds, 2), "queries": len(queries)}


def measure_assessment_tracked(plans: list[Plan], year: int) -> dict:
    """The city's assessment of a year its plans tracked, as a real office computes it.

    The synthetic plans track from this month, so last year's assessment (above) owes no
    report and its timeliness rule reads nothing. Here, in a transaction rolled back, every
    plan tracks from ``year``'s January and every part was given the month before it: the
    year's periods are owed (twelve a plan where the data covers the year: city scale),
    and their reports counted. Only the assessments are timed, not the rewrite of the
    dates."""
    start = datetime.date(year, 1, 1)
    tracked_from = {plan.pk: plan.tracking_start for plan in plans}

    def track_the_year() -> None:
        Plan.objects.filter(pk__in=tracked_from).update(tracking_start=start)
        Assignment.objects.filter(task__plan__in=plans).update(created_at=timezone.make_aware(
            datetime.datetime(year - 1, 12, 1, 9)))
        for plan in plans:
            plan.tracking_start = start

    try:
        built = measure_builds(plans, lambda plan: assessment_compute(plan, year),
                               prepare=track_the_year)
    finally:
        for plan in plans:  # rolled back in the database; the callers' objects too
            plan.tracking_start = tracked_from[plan.pk]
        _compact(Assignment, Plan, Assessment, DepartmentScore)
    periods = ReportingPeriod.objects.filter(plan__in=plans, month__year=year).count()
    return {"year": year, "periods": periods, **built}


def _compact(*models: type[Model]) -> None:
    """Rewrite the tables a rolled-back measure wrote (PostgreSQL, outside a transaction).
    Rolled back, every part's rewritten row is dead but its space stays in the table: with
    ``--keepdb`` the 35,051 parts took 33 MB after many runs instead of 8.7 MB, and every
    scan of them (the overview's tallies) in the next runs read all of it."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM FULL ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _latest_full_quarter() -> tuple[int, int]:
    today = timezone.localdate()
    quarter = (today.month - 1) // 3  # the quarter before the current one
    return (today.year, quarter) if quarter else (today.year - 1, 4)


def _pages(liaison: User, manager: User, lead: User) -> dict[str, tuple[Client, str]]:
    department_ids = access_for(liaison).department_ids
    task = (Task.objects.filter(assignments__department_id__in=department_ids)
            .annotate(n=Count("reports")).order_by("-n", "pk").first())
    period = period_ensure(task.plan, timezone.localdate())
    liaison_client, manager_client = client_for(liaison), client_for(manager)
    lead_client, head_client = client_for(lead), client_for(head_of(liaison))
    return {
        "department_home": (liaison_client, "/"),
        "task_page": (liaison_client, f"/tasks/{task.pk}/"),
        "monthly_report_page": (liaison_client, f"/periods/{period.pk}/report/"),
        "plan_overview": (manager_client, "/overview/"),
        "task_list_api_page_50": (lead_client, "/api/v1/tasks/?page_size=50"),
        "task_list_api_page_50_liaison": (liaison_client, "/api/v1/tasks/?page_size=50"),
        "reviews_page": (liaison_client, "/reviews/"),
        "todo_panel": (liaison_client, "/todo/"),
        # The head's queue, and its count that the menu asks for on every page; the lead
        # office's, over every report of the city awaiting review.
        "reviews_page_head": (head_client, "/reviews/"),
        "review_count_head": (head_client, "/reviews/count/"),
        "reviews_page_lead_office": (lead_client, "/reviews/"),
        "review_count_lead_office": (lead_client, "/reviews/count/"),
        # The city's pages for leaders: every plan's targets, every plan at a glance.
        "indicators_page_manager": (manager_client, "/indicators/"),
        "cockpit": (manager_client, "/cockpit/"),
        "indicators_page": (liaison_client, "/indicators/"),
        "slips_page": (liaison_client, "/slips/"),
        "bulletins_page": (liaison_client, "/bulletins/"),
        # Every plan's bulletins, as the lead office and the API read them.
        "bulletins_page_manager": (manager_client, "/bulletins/"),
        "bulletin_list_api": (lead_client, "/api/v1/bulletins/"),
        "notifications_page": (liaison_client, "/notifications/"),
        "supervision_desk": (lead_client, "/desk/"),
        "supervision_desk_reports": (lead_client, "/desk/reports/"),  # its owed-reports panel
        "admin_task_changelist": (lead_client, "/admin/tasks_app/task/"),
        # A department's ledger is built in the request; a plan's or the city's is an export
        # job (measured below in a fresh process, as a Celery worker builds it).
        "ledger_export_department": (liaison_client, "/ledger.xlsx"),
        "ledger_export_department_api": (liaison_client, "/api/v1/tasks/ledger/"),
        "reports_api_page_50": (lead_client, "/api/v1/reports/?page_size=50"),
        "reports_api_page_50_liaison": (liaison_client, "/api/v1/reports/?page_size=50"),
        "assignments_api_page_50": (lead_client, "/api/v1/assignments/?page_size=50"),
        "admin_plan_changelist": (lead_client, "/admin/tasks_app/plan/"),
        "admin_task_change": (lead_client, f"/admin/tasks_app/task/{task.pk}/change/"),
        "admin_history_changelist": (lead_client, "/admin/tasks_app/taskevent/"),
    }


def _sql_ratio(client: Client, url: str, endpoint: Measurement, runs: int) -> dict:
    """Server time of the API page relative to running its own SQL statements directly."""
    with CaptureQueriesContext(connection) as queries:
        get_page(client, url)()
    statements = [q["sql"] for q in queries.captured_queries
                  if q["sql"].lstrip().upper().startswith("SELECT")]
    raw = raw_sql_ms(statements, runs)
    return {"ratio": round(endpoint.p50_ms / raw, 2) if raw else None,
            "endpoint_p50_ms": endpoint.p50_ms, "raw_sql_p50_ms": round(raw, 2),
            "statements": len(statements)}


# Static URLs without a collectstatic run (the manifest lookup is an in-memory dict anyway).
PLAIN_STATIC = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def quarter_bulletins(lead: User) -> Bulletin:
    """Every plan's bulletin of the latest full quarter, as the cycle drafts them (once: the
    pages are measured as an office sees them, each plan with its bulletin); the first
    plan's published (returned)."""
    year, quarter = _latest_full_quarter()
    drafted = set(Bulletin.objects.filter(year=year, quarter=quarter)
                  .values_list("plan_id", flat=True))
    for plan in Plan.objects.exclude(pk__in=drafted).order_by("pk"):
        bulletin_generate(plan=plan, year=year, quarter=quarter, actor=lead)
    bulletin = Bulletin.objects.select_related("plan").get(
        plan=Plan.objects.order_by("pk").first(), year=year, quarter=quarter)
    if bulletin.state == Bulletin.State.DRAFT:
        bulletin = bulletin_publish(bulletin, actor=lead)
    return bulletin


# The bench's users sign in without the second factor (the pages are measured, not the login).
@override_settings(STORAGES=PLAIN_STATIC, DUBAN_2FA_ROLES=[], DUBAN_2FA_DEPARTMENTS=False)
def run_benchmark(*, runs: int, concurrency_seconds: int = 0) -> dict:
    """Measure every page, endpoint and build; returns the JSON-ready result."""
    speed_at_start = host_speed()
    liaison, lead = busiest_liaison(), lead_office_user()
    manager = Membership.objects.filter(role=Role.MANAGER).select_related("user").first().user
    bulletin = quarter_bulletins(lead)
    endpoints = measure_in_rounds({name: get_page(client, url) for name, (client, url)
                                   in _pages(liaison, manager, lead).items()}, runs=runs)
    # The cockpit's page reads a snapshot of the city taken at most once a minute: its cost.
    endpoints["cockpit_snapshot"] = measure(lambda: cockpit_data(timezone.now()), runs=runs)
    endpoints["bulletin_pdf_published"] = measure(  # the warm-up renders and stores it
        get_page(client_for(lead), f"/bulletins/{bulletin.pk}/pdf/"), runs=runs)
    endpoints["bulletin_xlsx_published"] = measure(
        get_page(client_for(lead), f"/bulletins/{bulletin.pk}/xlsx/"), runs=runs)
    plan_id = Plan.objects.order_by("pk").values_list("pk", flat=True).first()
    endpoints["import_primary_plan"] = measure(import_primary_plan, runs=max(3, runs // 3))
    client, url = _pages(liaison, manager, lead)["task_list_api_page_50"]
    ratio = _sql_ratio(client, url, endpoints["task_list_api_page_50"], runs)
    plans = list(Plan.objects.select_related("schedule"))
    year, quarter = _latest_full_quarter()
    return {
        "database": f"{connection.vendor} {connection.Database.__name__}",
        "cores": os.cpu_count(),
        "measured_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "sizes": sizes(),
        "endpoints": {name: asdict(m) for name, m in endpoints.items()},
        "task_list_sql_ratio": ratio["ratio"],
        "task_list_sql": ratio,
        "bulletin": {"year": year, "quarter": quarter, **measure_builds(
            plans, lambda plan: bulletin_compute(plan, year, quarter))},
        "assessment": {"year": year - 1, **measure_builds(
            plans, lambda plan: assessment_compute(plan, year - 1))},
        "assessment_tracked": measure_assessment_tracked(plans, year - 1),
        "run_cycle": measure_run_cycle(),
        "export_jobs": measure_export_jobs(lead, plan_id),
        "concurrency": (measure_concurrency(liaison=liaison, manager=manager, lead=lead,
                                            plan_id=plan_id, seconds=concurrency_seconds)
                        if concurrency_seconds else {"skipped": "--concurrency-seconds 0"}),
        "host_speed": {"at_start": speed_at_start, "at_end": host_speed()},
    }
