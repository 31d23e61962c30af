"""Schemathesis against the live schema, on a real server on 127.0.0.1, as a liaison and as
the lead office: every operation, every check; no 5xx, no schema violation."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tasks_app.models import (
    Assessment,
    Bulletin,
    DepartmentScore,
    Meeting,
    MeetingDecision,
    ProgressReport,
)
from tasks_app.services.reports import Filing, report_save
from tasks_app.services.targets import target_reading_save

from .conftest import GOOD, World, build_world

CONFIG = Path(__file__).with_name("schemathesis.toml")
MAX_EXAMPLES = os.environ.get("DUBAN_SCHEMATHESIS_EXAMPLES", "8")


class _PromptHandler(QuietWSGIRequestHandler):
    # Answer keep-alive requests at once: without TCP_NODELAY every response waits ~40 ms
    # for the client's delayed ACK, and thousands of requests take minutes instead of seconds.
    disable_nagle_algorithm = True


class _ServerThread(LiveServerThread):
    def _create_server(self, connections_override=None):
        return self.server_class((self.host, self.port), _PromptHandler,
                                 allow_reuse_address=False,
                                 connections_override=connections_override)


@pytest.fixture
def server(transactional_db) -> str:
    """Django on 127.0.0.1 (a thread of this process), on the test database."""
    thread = _ServerThread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def _config(w: World, directory: Path) -> Path:
    """The checked-in settings, plus dictionaries of real ids so that most requests reach the
    services instead of stopping at a 404 or an unknown id."""
    ids = {
        "ids": sorted({w.shared.pk, w.grouped.pk, *ProgressReport.objects.values_list("pk",
                                                                                   flat=True)}),
        "tasks": [w.shared.pk, w.grouped.pk, w.others.pk],
        "periods": [w.period.pk],
        "departments": [w.lead.pk, w.resp.pk],
        "targets": [w.target.pk, w.foreign_target.pk],
    }
    lines = [CONFIG.read_text(encoding="utf-8")]
    for name, values in ids.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {values}\n")
    lines.append("[parameters]")
    for key, name in (("path.id", "ids"), ("body.task", "tasks"), ("body.period", "periods"),
                      ("body.department", "departments"), ("body.target", "targets")):
        lines.append(f'"{key}" = {{ dictionary = "{name}", probability = 0.7 }}')
    path = directory / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _records(w: World, today: datetime.date) -> None:
    """Something in every list: reports, readings, history, meetings, bulletins, scores."""
    report_save(filing=Filing(w.shared, w.resp.pk, w.period), data=GOOD, user=w.liaison,
                submit=True)
    report_save(filing=Filing(w.shared, w.lead.pk, w.period), data=GOOD, user=w.lead_liaison)
    target_reading_save(target=w.target, month=today, value=Decimal("321.5"), user=w.liaison,
                        note="快报数,全年目标在年底完成。")  # behind its path: a note is due
    meeting = Meeting.objects.create(plan=w.plan, held_on=today, title="月度专题会议")
    decision = MeetingDecision.objects.create(meeting=meeting, text="协调用地指标。",
                                              follow_up_task=w.shared)
    decision.departments.add(w.resp)
    Bulletin.objects.create(plan=w.plan, year=today.year, quarter=1, number="第1期",
                            state=Bulletin.State.PUBLISHED, content={"summary": "总体平稳"},
                            published_at=timezone.now())
    assessment = Assessment.objects.create(plan=w.plan, year=today.year - 1,
                                           state=Assessment.State.PUBLISHED,
                                           weights={"reports": 60, "targets": 40})
    DepartmentScore.objects.create(assessment=assessment, department=w.resp,
                                   components=[{"name": "报送", "score": 55}],
                                   computed_total=Decimal("90"), total=Decimal("90"), rank=1)


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("who", ["liaison", "office"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(server, who, tmp_path):
    today = timezone.localdate()
    world = build_world(today.replace(day=1))
    _records(world, today)
    token = Token.objects.create(user=getattr(world, who))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file", str(_config(world, tmp_path)),
        "--no-color", "run", f"{server}/api/schema/",
        "--header", f"Authorization: Token {token.key}",
        "--checks", "all", "--max-examples", MAX_EXAMPLES, "--seed", "20260320",
        "--workers", "1", "--request-timeout", "20",
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path,
                            timeout=900, check=False)  # a busy 2-core machine
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-25000:]
    assert "No issues found" in output or "passed" in output, output[-5000:]
