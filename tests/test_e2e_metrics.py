"""/metrics under gunicorn with several workers: django-prometheus's request and database
counts are summed over every worker (Prometheus multiprocess mode), whichever worker answers
the scrape, and the cycle's own metrics are there too."""

import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from notifications.choices import DeliveryState, Kind
from notifications.models import Notification

from .factories import UserFactory
from .web_processes import gunicorn_start, web_env, worker_pids

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
REQUESTS = 60


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read().decode()


def _value(text: str, sample: str) -> float:
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert found, f"{sample} not in:\n{text[:3000]}"
    return float(found.group(1))


def test_every_worker_counts_in_one_metrics_page(tmp_path):
    user = UserFactory()
    Notification.objects.create(kind=Kind.REMINDER, dedupe_key="m:1", recipient=user,
                                address=user.email, subject="【报送提醒】", body_text="正文",
                                state=DeliveryState.PENDING)
    metrics_dir = tmp_path / "metrics"
    web, base = gunicorn_start("web", tmp_path, web_env(PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)),
                               workers=2, worker_class="sync")
    try:
        pids = worker_pids(web)
        # Sync workers take one request at a time: concurrent logins and pages reach both.
        with ThreadPoolExecutor(8) as pool:
            pages = list(pool.map(lambda n: _get(f"{base}/accounts/login/"), range(REQUESTS)))
        assert all("csrfmiddlewaretoken" in page for page in pages)
        served = {int(m.group(1)) for f in metrics_dir.glob("*.db")
                  if (m := re.search(r"_(\d+)\.db$", f.name))}
        assert set(pids) <= served, (served, pids)  # both workers answered some

        totals = []
        for _scrape in range(4):  # whichever worker answers, it reports every worker's
            text = _get(f"{base}/metrics")
            logins = _value(text, 'django_http_requests_latency_seconds_by_view_method_count'
                                  '{method="GET",view="login"}')
            assert logins == REQUESTS
            totals.append(_value(text, 'django_http_requests_total_by_method_total'
                                       '{method="GET"}'))
        # Each scrape is one request more (the first counts the start-up probes too).
        assert totals[0] >= REQUESTS + 1
        assert totals == [totals[0] + n for n in range(4)], totals
        assert 'duban_notifications{channel="email",kind="reminder",state="pending"} 1.0' in text
        assert "django_db_execute_total" in text  # database metrics (django_prometheus.db)
    finally:
        web.stop()
    # (No Redis here: the cycle's Redis metrics are left out with a logged warning.)
    assert "Internal Server Error" not in web.output() and "[ERROR]" not in web.output(), \
        web.output()
