"""Scale-out on the engines Duban already uses: two web processes (gunicorn), two Celery
workers and one beat (plus a second beat started by mistake) against one database, one
Redis (broker, cache, sessions) and an S3-compatible server (moto). A month of the cycle is
driven through the queue (run_cycle for every day of March 2026, as ``run_cycle --at``
does), attachments are uploaded through both web processes and downloaded through the other;
nothing is lost or doubled."""

import datetime
import re
import sys
import time
from collections import Counter

import boto3
import pytest
import requests
import time_machine
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import transaction
from django.urls import reverse

from config.celery import app
from notifications.choices import DeliveryState
from notifications.models import Notification
from tasks_app.cycle.run import run_cycle
from tasks_app.models import Attachment

from .cycle_support import World, moment
from .e2e_services import (
    Mailbox,
    Process,
    celery_env,
    celery_start,
    free_port,
    redis_start,
    wait_for,
)
from .forms import form_values

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
BUCKET = "duban-scale"
GOOD = {"status": "on_track", "progress": "40", "progress_text": "完成方案起草。",
        "problems": "", "next_steps": "征求意见。"}


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _login(session: requests.Session, base: str, username: str) -> None:
    page = session.get(f"{base}/accounts/login/", timeout=20)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/accounts/login/", timeout=20, allow_redirects=False,
                            data={"username": username, "password": "pw",
                                  "csrfmiddlewaretoken": token},
                            headers={"Referer": f"{base}/accounts/login/"})
    assert response.status_code == 302, response.text[:2000]


def _upload(session: requests.Session, base: str, task_id: int, name: str) -> None:
    url = f"{base}{reverse('portal:report', args=[task_id])}"
    page = session.get(url, timeout=20)
    assert page.status_code == 200, page.text[:2000]
    values = form_values(page.text, "report-form") | GOOD | {"action": "save"}
    values.pop("needs_coordination", None)
    response = session.post(url, data=values, timeout=30, allow_redirects=False,
                            headers={"Referer": url},
                            files={"attachments": (name, b"%PDF-1.4 " + name.encode() * 50,
                                                   "application/pdf")})
    assert response.status_code == 302, response.text[:3000]


def test_two_webs_two_workers_two_beats_lose_and_double_nothing(tmp_path):
    redis_process, broker = redis_start(tmp_path)
    smtp_port, s3_port = free_port(), free_port()
    mailbox = Mailbox(smtp_port).start()
    started = [redis_process]
    s3 = f"http://127.0.0.1:{s3_port}"
    storage_env = {"DUBAN_S3_BUCKET": BUCKET, "DUBAN_S3_ENDPOINT_URL": s3,
                   "DUBAN_S3_REGION": "us-east-1", "DUBAN_S3_ACCESS_KEY": "test",
                   "DUBAN_S3_SECRET_KEY": "test"}
    env = celery_env(broker, smtp_port, DUBAN_CYCLE_INTERVAL_SECONDS="3600",
                     DUBAN_NOTIFY_RESWEEP_SECONDS="1", DUBAN_BEAT_LOOP_SECONDS="1",
                     DUBAN_CACHE_URL=broker.rsplit("/", 1)[0] + "/1",
                     DUBAN_STATICFILES_STORAGE=(
                         "django.contrib.staticfiles.storage.StaticFilesStorage"),
                     DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0",
                     DJANGO_SECURE_HSTS_SECONDS="0", DJANGO_ALLOWED_HOSTS="127.0.0.1",
                     **storage_env)
    try:
        moto = Process("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                "-p", str(s3_port)], tmp_path)
        started.append(moto)
        client = boto3.client("s3", endpoint_url=s3, region_name="us-east-1",
                               aws_access_key_id="test", aws_secret_access_key="test")
        wait_for(lambda: _answers(f"{s3}/"), 60, "moto 启动")
        client.create_bucket(Bucket=BUCKET)

        webs = []
        for name in ("web1", "web2"):
            port = free_port()
            started.append(Process(name, [f"{sys.prefix}/bin/gunicorn", "config.wsgi",
                                          "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                                   tmp_path, env=env))
            webs.append(f"http://127.0.0.1:{port}")
        clock = datetime.datetime.now(datetime.UTC).isoformat()
        workers = [celery_start(name, ["worker", "--concurrency", "2", "--loglevel", "INFO",
                                       "--without-mingle", "--without-gossip",
                                       "-n", f"{name}@%h"], tmp_path, env, clock)
                   for name in ("w1", "w2")]
        beats = [celery_start(name, ["beat", "--loglevel", "INFO", "--schedule",
                                     str(tmp_path / f"{name}-schedule")], tmp_path, env, clock)
                 for name in ("beat1", "beat2")]
        started += workers + beats
        for web in webs:
            wait_for(lambda w=web: _answers(f"{w}/healthz"), 90, f"{web} 启动")
        for worker in workers:
            wait_for(lambda w=worker: " ready." in w.output(), 90, "worker 就绪")

        with time_machine.travel(moment(3, 2), tick=False), transaction.atomic():
            world = World()
        hasher = PBKDF2PasswordHasher()
        for user in world.people.values():  # the web processes use the production hashers
            user.password = hasher.encode("pw", hasher.salt(), iterations=1000)
            user.save(update_fields=["password"])

        # A month of the cycle through the queue: every day of March 2026 at 09:30, the
        # messages published to this Redis for the two workers.
        broker_before = app.conf.broker_url
        app.close()
        app.conf.broker_url = broker
        try:
            day = datetime.date(2026, 3, 1)
            while day.month == 3:
                at = moment(3, day.day)
                with time_machine.travel(at, tick=False):
                    result = run_cycle(at)
                assert not result.failed_steps
                day += datetime.timedelta(days=1)
        finally:
            app.close()
            app.conf.broker_url = broker_before

        # Uploads through both web processes, one login (the session lives in the database
        # and the Redis cache, so either process knows it).
        session = requests.Session()
        _login(session, webs[0], "jia.liaison")
        _upload(session, webs[0], world.task1.pk, "一号.pdf")
        _upload(session, webs[1], world.task2.pk, "二号.pdf")

        decided = Notification.objects.count()
        assert decided > 5
        wait_for(lambda: Notification.objects.filter(state=DeliveryState.SENT).count()
                 == decided, 120, "全部发送")
        wait_for(lambda: len(mailbox.received()) >= decided, 30, "邮件到达")
        for beat in beats:  # both beats have run a few loops
            wait_for(lambda b=beat: "开始调度" in b.output() or "待命" in b.output(), 30,
                     "beat 选出调度者")
        time.sleep(3)  # more resweeps from the leading beat: nothing may arrive again

        attachments = list(Attachment.objects.order_by("original_name"))
        assert [a.original_name for a in attachments] == ["一号.pdf", "二号.pdf"]
        keys = {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET)["Contents"]}
        assert {f"media/{a.file.name}" for a in attachments} == keys
        for attachment, other in zip(attachments, reversed(webs)):  # served by the other web
            url = f"{other}{reverse('portal:attachment', args=[attachment.pk])}"
            response = session.get(url, timeout=20)
            assert response.status_code == 200
            assert response.content.startswith(b"%PDF-1.4 ")
    finally:
        for process in reversed(started):
            process.stop()
        mailbox.stop()

    received = mailbox.received()
    per_id = Counter(message["Message-ID"] for message in received)
    assert len(per_id) == decided and set(per_id.values()) == {1}  # none lost, none doubled
    sent_by = {w.name: w.output().count("succeeded in") for w in workers}
    assert all(sent_by.values()), sent_by  # both workers took part
    leading = [b for b in beats if "开始调度" in b.output()]
    standby = [b for b in beats if "待命" in b.output() and "开始调度" not in b.output()]
    assert len(leading) == 1 and len(standby) == 1
    assert "Sending due task" not in standby[0].output()
