"""End to end: a real redis-server, Celery worker and beat (subprocesses whose clock starts on
the blue chase day, 2026-03-26 09:00), a real SMTP server on 127.0.0.1. The deadline of
2026-03-25 passes through the cycle; the messages are read back from the SMTP server.
"""

import datetime
import time

import pytest
import time_machine
from django.db import transaction

from notifications.choices import DeliveryState
from notifications.models import Notification

from .cycle_support import World, moment
from .e2e_services import (
    Mailbox,
    celery_env,
    celery_start,
    free_port,
    redis_start,
    wait_for,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CLOCK = "2026-03-26T09:00:00+08:00"


@pytest.fixture(scope="module")
def cycle_services(django_db_setup, tmp_path_factory):
    """redis-server, a Celery worker and beat ticking every second; an SMTP port."""
    logs = tmp_path_factory.mktemp("e2e-cycle")
    smtp_port = free_port()
    started = []
    try:
        redis_process, broker = redis_start(logs)
        started.append(redis_process)
        env = celery_env(broker, smtp_port)
        worker = celery_start("worker", ["worker", "--pool", "solo", "--loglevel", "INFO",
                                         "--without-mingle", "--without-gossip",
                                         "--without-heartbeat", "-n", "e2e@%h"], logs, env,
                              CLOCK)
        started.append(worker)
        wait_for(lambda: "ready." in worker.output(), 60, "Celery worker 就绪")
        beat = celery_start("beat", ["beat", "--loglevel", "INFO", "--schedule",
                                     str(logs / "beat-schedule")], logs, env, CLOCK)
        started.append(beat)
        wait_for(lambda: "tasks_app.tasks.tick" in worker.output(), 30,
                 "beat 触发 tick")
        yield {"smtp_port": smtp_port, "worker": worker, "beat": beat}
    finally:
        for process in reversed(started):
            process.stop()


def _world() -> World:
    """Committed at once, so that a tick never sees half of it."""
    with time_machine.travel(moment(3, 2), tick=False), transaction.atomic():
        return World()


def _chase_messages(mailbox: Mailbox, count: int, services) -> list:
    def arrived():
        return len(mailbox.received()) >= count
    wait_for(arrived, 60, f"收到 {count} 封邮件\n{services['worker'].output()[-3000:]}")
    time.sleep(3)  # three more ticks: nothing may arrive twice
    return mailbox.received()


def test_a_deadline_runs_through_celery_and_arrives_by_smtp(cycle_services):
    mailbox = Mailbox(cycle_services["smtp_port"]).start()
    try:
        world = _world()
        messages = _chase_messages(mailbox, 2, cycle_services)
    finally:
        mailbox.stop()
    assert sorted(m["To"] for m in messages) == ["jia.liaison@duban.example",
                                                 "yi.liaison@duban.example"]
    period = world.plan.periods.get(month=datetime.date(2026, 3, 1))
    for message in messages:
        assert message["X-Duban-Kind"] == "chase"
        assert str(message["Subject"]).strip().startswith("【逾期催报】")
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert f"http://duban.test/periods/{period.pk}/report/" in text
        assert "2026年3月进展报送已于2026年3月25日截止" in text and "<html" in html
    assert set(Notification.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_a_message_refused_by_a_down_smtp_server_arrives_once_when_it_is_back(cycle_services):
    world = _world()
    jia = world.people["jia.liaison"]

    def failed_once():
        return Notification.objects.filter(recipient=jia, attempts__gte=1,
                                           state=DeliveryState.PENDING).exclude(last_error="")

    failure = wait_for(failed_once, 60, "第一次发送失败并记录").get()
    assert "Connection" in failure.last_error
    mailbox = Mailbox(cycle_services["smtp_port"]).start()
    try:
        messages = _chase_messages(mailbox, 2, cycle_services)
    finally:
        mailbox.stop()
    assert sorted(m["To"] for m in messages) == ["jia.liaison@duban.example",
                                                 "yi.liaison@duban.example"]
    sent = Notification.objects.get(recipient=jia)
    assert sent.state == DeliveryState.SENT and sent.attempts >= 2
