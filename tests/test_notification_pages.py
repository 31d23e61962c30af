"""Everyone's own notification history; digest settings for leaders; the admin's view."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.choices import Role
from notifications.choices import DeliveryState, DigestFrequency, Kind
from notifications.models import DigestSubscription, Notification
from seeds.demo import demo_accounts_ensure

from .factories import DepartmentFactory, MembershipFactory, UserFactory
from .forms import form_values

pytestmark = pytest.mark.django_db
HISTORY = reverse("notifications:history")
DIGEST = reverse("notifications:digest")


def _notify(user, count: int, state=DeliveryState.SENT, prefix="n") -> list[Notification]:
    return Notification.objects.bulk_create([
        Notification(kind=Kind.CHASE, dedupe_key=f"{prefix}:{user.pk}:{i}", recipient=user,
                     address=user.email, subject=f"【逾期催报】第{i}条", body_text=f"正文{i}",
                     state=state)
        for i in range(count)])


@pytest.fixture
def liaison(client):
    user = MembershipFactory(role=Role.LIAISON, user=UserFactory(username="owner")).user
    client.force_login(user)
    return user


def test_the_history_lists_my_messages_and_nobody_elses(client, liaison):
    _notify(liaison, 2)
    _notify(UserFactory(username="outsider"), 1, prefix="other")
    html = client.get(HISTORY).content.decode()
    assert "【逾期催报】第0条" in html and "【逾期催报】第1条" in html
    assert html.count("<tr>") == 3  # header and my two messages
    assert "逾期催报" in html
    mine = Notification.objects.get(recipient=liaison, dedupe_key__endswith=":0")
    assert "正文0" in client.get(reverse("notifications:notice", args=[mine.pk])).content.decode()


def test_the_history_needs_a_login(client):
    assert client.get(HISTORY).status_code == 302


def test_the_history_runs_the_same_queries_for_few_and_many_messages(client, liaison):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HISTORY).status_code == 200
        return len(queries)

    _notify(liaison, 2)
    few = count()
    _notify(liaison, 60, prefix="more")
    assert count() == few


def test_a_liaison_has_no_digest_settings(client, liaison):
    assert client.get(DIGEST).status_code == 404
    assert "设置督办摘要" not in client.get(HISTORY).content.decode()


def test_a_manager_chooses_the_digest_frequency_and_scope(client):
    manager = MembershipFactory(role=Role.MANAGER, department=None).user
    department = DepartmentFactory(name="区工信局")
    client.force_login(manager)
    assert "设置督办摘要的频率和范围" in client.get(HISTORY).content.decode()
    response = client.post(DIGEST, {"frequency": "daily", "departments": [department.pk]})
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get(user=manager)
    assert subscription.frequency == DigestFrequency.DAILY
    assert list(subscription.departments.all()) == [department]
    assert form_values(client.get(DIGEST).content.decode())["frequency"] == "daily"


def test_the_digest_day_time_and_contents_are_chosen_with_buttons_and_boxes(client):
    manager = MembershipFactory(role=Role.MANAGER, department=None).user
    client.force_login(manager)
    page = client.get(DIGEST).content.decode()
    # Radio buttons, boxes to tick and a time field: no Ctrl-click <select multiple>, no JSON.
    form = page.split("digest-form")[1].split("</form>")[0]
    assert "<select" not in form and 'type="time"' in form
    assert 'type="checkbox" name="contents" value="red"' in page
    assert 'type="radio" name="weekday" value="4"' in page
    response = client.post(DIGEST, {"frequency": "weekly", "weekday": "4", "send_time": "17:30",
                                    "contents": ["red", "missing"]})
    assert response.status_code == 302
    subscription = DigestSubscription.objects.get(user=manager)
    assert (subscription.weekday, subscription.send_time.strftime("%H:%M"),
            subscription.contents) == (4, "17:30", ["red", "missing"])
    values = form_values(client.get(DIGEST).content.decode())
    assert values["weekday"] == "4" and values["send_time"] == "17:30"
    bad = client.post(DIGEST, {"frequency": "weekly", "weekday": "9", "contents": ["json"]})
    assert bad.status_code == 200 and "weekday" in bad.context["form"].errors


def test_the_lead_office_sees_every_message_and_retries_failed_ones(client, primary_plan,
                                                                     django_capture_on_commit_callbacks):
    demo_accounts_ensure("pw-demo-1")
    client.login(username="leadoffice", password="pw-demo-1")
    failed = _notify(UserFactory(username="someone"), 1, state=DeliveryState.FAILED)[0]
    Notification.objects.filter(pk=failed.pk).update(attempts=6, last_error="SMTP 连接失败")
    url = reverse("admin:notifications_notification_changelist")
    page = client.get(f"{url}?state__exact=failed").content.decode()
    assert "【逾期催报】第0条" in page and "SMTP 连接失败" in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"action": "retry_failed", "_selected_action": [failed.pk]},
                               follow=True)
    assert "已重新发送 1 条失败的通知" in response.content.decode()
    failed.refresh_from_db()
    assert failed.state == DeliveryState.PENDING and len(callbacks) == 1
