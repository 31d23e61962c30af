"""The project's benchmark: query counts and server time of the main pages and endpoints.

Each measurement runs a request (or a build) several times and reports the query count of
one run and the p50/p95 of the wall time. Pages are requested through Django's test client,
so the time includes URL routing, middleware, the view, the ORM and rendering — the server
time of the request without the network.
"""

import datetime
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from departments.choices import Role
from departments.models import Membership
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Assignment, Plan, ProgressReport, Task

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


def measure(action: Callable[[], object], *, runs: int, warmup: int = 1) -> Measurement:
    """Run ``action`` warmup + runs times; queries of the last run, times of the runs."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            action()
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Measurement(len(queries), round(statistics.median(times), 2), round(p95, 2), runs)


def get_page(client: Client, url: str) -> Callable[[], object]:
    def action():
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return action


def busiest_liaison() -> User:
    """The liaison of the department with the most task parts: the heaviest home page."""
    department_id = (Assignment.objects.values("department_id").annotate(n=Count("id"))
                     .order_by("-n").values_list("department_id", flat=True).first())
    membership = Membership.objects.filter(department_id=department_id,
                                           role=Role.LIAISON).select_related("user").first()
    return membership.user


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


def run_benchmark(*, runs: int) -> dict:
    """Measure everything that exists; returns the JSON-ready result."""
    liaison, lead = busiest_liaison(), lead_office_user()
    liaison_client, lead_client = client_for(liaison), client_for(lead)
    endpoints: dict[str, Measurement] = {}
    endpoints["admin_task_changelist"] = measure(
        get_page(lead_client, "/admin/tasks_app/task/"), runs=runs)
    endpoints["import_primary_plan"] = measure(import_primary_plan, runs=max(3, runs // 3))
    del liaison_client
    result = {
        "database": f"{connection.vendor} {connection.Database.__name__}",
        "measured_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "sizes": sizes(),
        "endpoints": {name: asdict(m) for name, m in endpoints.items()},
    }
    return result
