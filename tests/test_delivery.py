"""Sending: claimed once, the email's shape, failures recorded and retried with backoff,
never blocking other messages; the admin's retry; the Celery wiring."""

import contextlib
import datetime
import email
import socket
from email import policy

import kombu.exceptions
import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from django.test import override_settings
from django.utils import timezone

from config.celery import app
from notifications.choices import Channel, DeliveryState, Kind
from notifications.delivery import LEASE, backoff_seconds, notification_deliver
from notifications.dispatch import RESWEEP_AFTER, InProcess, deliverable_ids, enqueue
from notifications.emails import message_build
from notifications.models import Notification, WebhookEndpoint
from notifications.services import notifications_retry
from notifications.tasks import deliver, resweep

from .cycle_support import World, cycle_at, moment
from .factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = moment(3, 18, 10)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smtp_down():
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                             EMAIL_HOST="127.0.0.1", EMAIL_PORT=_closed_port(), EMAIL_TIMEOUT=2)


def _message(**fields) -> Notification:
    user = fields.pop("recipient", None) or UserFactory()
    defaults = {"kind": Kind.REMINDER, "dedupe_key": f"test:{user.pk}:{len(fields)}",
                "recipient": user, "address": user.email, "subject": "【报送提醒】测试",
                "body_text": "正文", "body_html": "<p>正文</p>", "url": "http://testserver/"}
    return Notification.objects.create(**(defaults | fields))


def test_a_message_is_sent_once_even_when_delivered_twice():
    message = _message()
    assert notification_deliver(message.pk, now=NOW).state == DeliveryState.SENT
    assert notification_deliver(message.pk, now=NOW).state == "skipped"
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (DeliveryState.SENT, 1)


def test_the_email_has_its_kind_a_chinese_subject_both_parts_and_the_page_link():
    with time_machine.travel(moment(1, 5), tick=False):
        world = World()
    cycle_at(moment(3, 18))
    raw = mail.outbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["X-Duban-Kind"] == "reminder"
    assert str(parsed["Subject"]).strip().startswith("【报送提醒】区")  # folded: leading space
    assert b"=?utf-8?" in raw.split(b"\n\n")[0]  # the subject travels encoded
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    period = world.plan.periods.get(month=datetime.date(2026, 3, 1))
    link = f"http://testserver/periods/{period.pk}/report/"
    assert link in text and f'href="{link}?r=' in html  # ?r=: the read receipt
    assert "截止" in text and "<html" in html


def test_a_failed_send_is_recorded_and_retried_later_with_backoff():
    message = _message()
    with _smtp_down():
        outcome = notification_deliver(message.pk, now=NOW)
    assert outcome.state == "retry"
    assert outcome.retry_in == settings.DUBAN_NOTIFY_RETRY_BASE_SECONDS
    message.refresh_from_db()
    assert (message.state, message.attempts) == (DeliveryState.PENDING, 1)
    assert "Connection" in message.last_error
    assert message.next_attempt_at == NOW + datetime.timedelta(seconds=outcome.retry_in)
    assert notification_deliver(message.pk, now=NOW).state == "skipped"  # not due yet
    later = NOW + datetime.timedelta(seconds=outcome.retry_in)
    assert notification_deliver(message.pk, now=later).state == DeliveryState.SENT
    message.refresh_from_db()
    assert (message.state, message.attempts, len(mail.outbox)) == (DeliveryState.SENT, 2, 1)


def test_backoff_doubles_and_is_capped():
    base, cap = settings.DUBAN_NOTIFY_RETRY_BASE_SECONDS, settings.DUBAN_NOTIFY_RETRY_MAX_SECONDS
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [base, 2 * base, 4 * base]
    assert backoff_seconds(30) == cap


def test_a_message_is_retried_until_the_horizon_then_fails_and_can_be_retried(
        django_capture_on_commit_callbacks):
    message = _message()
    Notification.objects.filter(pk=message.pk).update(created_at=NOW)
    horizon = datetime.timedelta(seconds=settings.DUBAN_NOTIFY_HORIZON_SECONDS)
    assert horizon == datetime.timedelta(hours=24)
    at, attempts = NOW, 0
    with _smtp_down():
        while at < NOW + horizon:  # every attempt inside the horizon: retried, never failed
            outcome = notification_deliver(message.pk, now=at)
            attempts += 1
            assert outcome.state == "retry"
            assert outcome.retry_in <= settings.DUBAN_NOTIFY_RETRY_MAX_SECONDS
            at += datetime.timedelta(seconds=outcome.retry_in)
        outcome = notification_deliver(message.pk, now=at)
    assert attempts > 100  # capped backoff: about every ten minutes for a day
    assert outcome.state == DeliveryState.FAILED
    message.refresh_from_db()
    assert (message.state, message.next_attempt_at) == (DeliveryState.FAILED, None)
    assert deliverable_ids(NOW + datetime.timedelta(days=1)) == []
    with django_capture_on_commit_callbacks() as callbacks:
        assert notifications_retry(notification_ids=[message.pk]) == [message.pk]
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (DeliveryState.PENDING, 0)
    assert "Connection" in message.last_error  # the history of the failure stays


def test_a_failing_message_does_not_block_the_others():
    hook = WebhookEndpoint.objects.create(name="坏机器人", url=f"http://127.0.0.1:{_closed_port()}/",
                                          for_managers=True)
    first, second = _message(), _message()
    broken = _message(channel=Channel.WEBHOOK, recipient=None, webhook=hook,
                      address=hook.url, dedupe_key="test:webhook")
    sender = InProcess()
    sender([broken.pk, first.pk, second.pk], NOW)
    assert len(mail.outbox) == 2
    assert sender.outcomes[DeliveryState.SENT, Kind.REMINDER] == 2
    assert sender.outcomes["retry", Kind.REMINDER] == 1


def test_a_message_whose_sender_died_is_handed_out_again_after_the_lease():
    message = _message()
    Notification.objects.filter(pk=message.pk).update(state=DeliveryState.SENDING,
                                                      next_attempt_at=NOW + LEASE)
    assert deliverable_ids(NOW) == []
    assert deliverable_ids(NOW + LEASE + datetime.timedelta(seconds=1)) == [message.pk]


def test_a_handed_out_message_is_handed_out_again_after_the_resweep_delay():
    message = _message()
    assert datetime.timedelta(minutes=1) >= RESWEEP_AFTER  # recovery well inside 2 minutes
    assert deliverable_ids(NOW) == [message.pk]
    assert deliverable_ids(NOW + RESWEEP_AFTER / 2) == []
    assert deliverable_ids(NOW + RESWEEP_AFTER + datetime.timedelta(seconds=1)) == [message.pk]


def test_the_resweep_task_hands_out_lost_messages_between_cycles(
        django_capture_on_commit_callbacks):
    message = _message()
    deliverable_ids(timezone.now() - 2 * RESWEEP_AFTER)  # handed out, its task lost
    # Resweep rightly waits while the broker's queue holds tasks; earlier tests may have
    # queued some with no worker to run them (nothing to empty when no broker runs).
    with contextlib.suppress(kombu.exceptions.OperationalError):
        app.control.purge()
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            resweep.delay()
    finally:
        app.conf.task_always_eager = False
    message.refresh_from_db()
    assert message.state == DeliveryState.SENT and len(mail.outbox) == 1
    assert "duban-resweep" in settings.CELERY_BEAT_SCHEDULE


def test_every_copy_of_a_message_carries_the_same_message_id():
    message = _message()
    first = message_build(message).message()["Message-ID"]
    again = message_build(Notification.objects.get(pk=message.pk)).message()["Message-ID"]
    other = message_build(_message(dedupe_key="test:other")).message()["Message-ID"]
    assert first == again != other
    assert first.startswith(f"<duban.{message.pk}.") and first.endswith("@localhost>")
    notification_deliver(message.pk, now=NOW)
    assert mail.outbox[0].message()["Message-ID"] == first


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_recorded_once_the_database_is_back(monkeypatch):
    message = _message()
    real_update = QuerySet.update
    failures = []

    def flaky_update(queryset, **fields):
        if fields.get("state") == DeliveryState.SENT and len(failures) < 2:
            failures.append(fields)
            raise OperationalError("server closed the connection unexpectedly")
        return real_update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    monkeypatch.setattr("notifications.delivery.time.sleep", lambda seconds: None)
    assert notification_deliver(message.pk, now=NOW).state == DeliveryState.SENT
    message.refresh_from_db()
    assert len(failures) == 2 and message.state == DeliveryState.SENT


def test_the_deliver_task_is_retried_when_the_database_fails(monkeypatch):
    calls = []

    def database_down(notification_id):
        calls.append(notification_id)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("notifications.tasks.notification_deliver", database_down)
    retried = []
    monkeypatch.setattr(deliver, "retry", lambda **kw: retried.append(kw) or Retry())
    with pytest.raises(Retry):
        deliver.run(7)
    assert calls == [7] and retried[0]["countdown"] > 0
    assert isinstance(retried[0]["exc"], OperationalError)


def test_enqueued_messages_are_published_after_commit_to_the_deliver_task(
        django_capture_on_commit_callbacks):
    message = _message()
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            enqueue([message.pk], NOW)
            assert mail.outbox == []  # nothing leaves before the commit
    finally:
        app.conf.task_always_eager = False
    assert len(mail.outbox) == 1


def test_the_beat_entry_runs_the_tick_task():
    app.loader.import_default_modules()  # as a worker does at start: every app's tasks module
    assert settings.CELERY_BEAT_SCHEDULE["duban-cycle-tick"]["task"] == "tasks_app.tasks.tick"
    assert {"tasks_app.tasks.tick", "notifications.tasks.deliver"} <= set(app.tasks)
