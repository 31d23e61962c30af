"""The rules layer stays below services and selectors, and reading pages never writes."""

import ast
import datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from departments.choices import Role
from tasks_app.models import ReportingPeriod

from .cycle_support import moment
from .factories import AssignmentFactory, MembershipFactory, PlanFactory, TaskFactory, UserFactory

RULES = Path(__file__).resolve().parent.parent / "tasks_app" / "rules"
ABOVE = ("services", "selectors", "portal", "api", "records", "documents", "admin")


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def test_the_rules_import_nothing_above_them():
    for path in sorted(RULES.glob("*.py")):
        for name in _imports(path):
            parts = name.lstrip(".").split(".")
            assert not name.startswith("notifications"), (path.name, name)
            assert not (name.startswith("..") and parts[0] in ABOVE), (path.name, name)
            assert not name.startswith(tuple(f"tasks_app.{a}" for a in ABOVE)), (path.name, name)


@pytest.mark.django_db
def test_the_home_page_reads_periods_and_never_opens_one():
    with time_machine.travel(moment(3, 2), tick=False):
        plan = PlanFactory(tracking_start=datetime.date(2026, 1, 1))
        liaison = MembershipFactory(user=UserFactory(username="liaison"), role=Role.LIAISON)
        AssignmentFactory(task=TaskFactory(plan=plan), department=liaison.department)
        client = Client()
        client.force_login(liaison.user)
        assert client.get(reverse("portal:home")).status_code == 200
    assert not ReportingPeriod.objects.exists()
