"""Liveness, readiness and metrics without outside services (Redis is a closed port here;
tests/test_e2e_readyz.py drives a real redis-server and beat)."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from notifications.choices import Channel, DeliveryState, Kind
from notifications.models import Notification
from ops import health

from .e2e_services import free_port
from .factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_redis():
    with override_settings(DUBAN_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"):
        yield


def _message(state: str, *, age: datetime.timedelta, **fields) -> Notification:
    user = UserFactory()
    message = Notification.objects.create(
        kind=fields.pop("kind", Kind.REMINDER), dedupe_key=f"ops:{user.pk}", recipient=user,
        address=user.email, subject="【报送提醒】测试", body_text="正文", state=state, **fields)
    Notification.objects.filter(pk=message.pk).update(created_at=timezone.now() - age)
    return message


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"


def test_readyz_is_red_and_names_redis_and_beat_when_redis_is_down(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["migrations"]["ok"] and checks["outbox"]["ok"]
    assert not checks["redis"]["ok"] and "Connection" in checks["redis"]["detail"]
    assert not checks["beat"]["ok"]


@override_settings(DUBAN_READY_OUTBOX_STUCK_SECONDS=600)
def test_the_outbox_is_stuck_when_a_due_message_waits_longer_than_the_limit():
    waiting = _message(DeliveryState.PENDING, age=datetime.timedelta(minutes=5))
    assert health.outbox().ok
    Notification.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11))
    check = health.outbox()
    assert not check.ok and "1 条" in check.detail
    # Waiting for a retry in the future (channel down) is not stuck.
    Notification.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    assert health.outbox().ok


def test_metrics_count_messages_by_state_kind_and_channel(client):
    _message(DeliveryState.PENDING, age=datetime.timedelta(minutes=30))
    sent = _message(DeliveryState.SENT, age=datetime.timedelta(minutes=2), kind=Kind.CHASE,
                    channel=Channel.EMAIL, attempts=1)
    Notification.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - datetime.timedelta(minutes=2) + datetime.timedelta(seconds=90))
    text = client.get("/metrics").content.decode()
    assert 'duban_notifications{channel="email",kind="reminder",state="pending"} 1.0' in text
    assert 'duban_notifications{channel="email",kind="chase",state="sent"} 1.0' in text
    oldest = next(line for line in text.splitlines()
                  if line.startswith("duban_notifications_oldest_unsent_age_seconds "))
    assert 1790 < float(oldest.split()[1]) < 1900
    assert "duban_notification_delivery_latency_seconds_count 1.0" in text
    latency = next(line for line in text.splitlines()
                   if line.startswith("duban_notification_delivery_latency_seconds_sum"))
    assert 85 < float(latency.split()[1]) < 95
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus's own
