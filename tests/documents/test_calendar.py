"""The calendar feed: a secret per-user .ics address with deadlines, meetings, due dates."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.ics import CalendarEvent, escape, fold, ics_calendar
from tasks_app.models import Meeting, Milestone
from tasks_app.services.calendar_feed import calendar_feed_issue

from ..factories import AssignmentFactory, DepartmentFactory
from ..portal.conftest import add_task

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def events(text: str) -> list[dict]:
    found, current = [], None
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def feed(client, user) -> str:
    key = calendar_feed_issue(user=user).key
    client.logout()
    response = client.get(reverse("notifications:calendar", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode("utf-8")


def test_text_is_escaped_and_long_lines_are_folded_between_characters():
    assert escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "推动产业集聚发展" * 10
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_a_calendar_is_valid_icalendar_in_shanghai_time():
    text = ics_calendar([CalendarEvent("x@duban", datetime.date(2026, 3, 25), "截止,提醒")],
                        name="督办", now=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC))
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "X-WR-TIMEZONE:Asia/Shanghai" in lines and "TZID:Asia/Shanghai" in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 1
    assert "DTSTART;VALUE=DATE:20260325" in lines and "DTEND;VALUE=DATE:20260326" in lines
    assert "SUMMARY:截止\\,提醒" in lines and "DTSTAMP:20260301T000000Z" in lines


def test_a_liaisons_feed_has_its_deadlines_meetings_and_task_dates(client, world):
    Meeting.objects.create(plan=world.task.plan, held_on=datetime.date(2026, 3, 31),
                           title="2026年3月月度专题会议")
    found = {e["SUMMARY"]: e for e in events(feed(client, world.liaison))}
    assert "进展报送截止：2026年3月（测试委发〔2026〕1号）" in found
    assert found["进展报送截止：2026年3月（测试委发〔2026〕1号）"]["DTSTART;VALUE=DATE"] == (
        world.period.deadline.strftime("%Y%m%d"))
    assert "进展报送截止：2026年6月（测试委发〔2026〕1号）" in found  # not opened yet
    assert "2026年3月月度专题会议" in found
    due = found[f"任务到期：{world.task.number}. 推动产业集聚"]
    assert due["DTSTART;VALUE=DATE"] == "20261231"
    assert "节点到期：完成规划编制" in found
    assert not any("别人的任务" in summary for summary in found)


def test_managers_get_every_task(client, world):
    summaries = {e["SUMMARY"] for e in events(feed(client, world.manager))}
    assert f"任务到期：{world.other_task.number}. 别人的任务" in summaries


def test_regenerating_the_address_revokes_the_old_one(client, world):
    client.force_login(world.liaison)
    client.post(reverse("portal:profile"), {"action": "calendar"})
    old = calendar_feed_issue(user=world.liaison).key
    page = client.get(reverse("portal:profile")).content.decode()
    assert reverse("notifications:calendar", args=[old]) in page
    client.post(reverse("portal:profile"), {"action": "calendar_regenerate"})
    new = calendar_feed_issue(user=world.liaison).key
    assert new != old
    assert client.get(reverse("notifications:calendar", args=[old])).status_code == 404
    assert client.get(reverse("notifications:calendar", args=[new])).status_code == 200


def test_the_feed_runs_a_constant_number_of_queries(client, world):
    key = calendar_feed_issue(user=world.manager).key
    url = reverse("notifications:calendar", args=[key])

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = measure()
    for i in range(5):
        task = add_task(world.task.plan, world.task.driver, DepartmentFactory(), title=f"新{i}")
        AssignmentFactory(task=task, department=world.department)
        Milestone.objects.create(task=task, title=f"节点{i}", due_on=datetime.date(2026, 9, 1))
        Meeting.objects.create(plan=world.task.plan, held_on=datetime.date(2026, 4, 1 + i),
                               title=f"会议{i}")
    assert measure() == small <= 10  # 7 for the feed, 3 for its audit row (#13)
