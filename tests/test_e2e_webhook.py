"""The group-robot channel against a real HTTP server on 127.0.0.1: WeCom / DingTalk style
JSON, the kind in a header, an error answered by the robot retried until it is accepted."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine

from notifications.choices import DeliveryState, WebhookFlavor
from notifications.delivery import notification_deliver
from notifications.models import Notification, WebhookEndpoint

from .cycle_support import World, cycle_at, moment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


class Robot(BaseHTTPRequestHandler):
    """Answers each POST with the next scripted (status, body); records what it got."""

    def do_POST(self):  # noqa: N802 — http.server's name
        length = int(self.headers["Content-Length"])
        self.server.received.append((dict(self.headers), json.loads(self.rfile.read(length))))
        status, body = self.server.answers.pop(0) if self.server.answers else (200, {})
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    server.received, server.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def world():
    with time_machine.travel(moment(3, 2), tick=False):
        return World()


def _hook(world, robot, flavor) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name="甲局工作群", flavor=flavor, department=world.jia,
        url=f"http://127.0.0.1:{robot.server_port}/cgi-bin/webhook/send?key=test")


def test_the_department_robot_gets_a_wecom_markdown_message(world, robot):
    _hook(world, robot, WebhookFlavor.WECOM)
    robot.answers = [(200, {"errcode": 0, "errmsg": "ok"})]
    cycle_at(moment(3, 26))
    ((headers, body),) = robot.received
    assert headers["X-Duban-Kind"] == "chase"
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**【逾期催报】区甲局") and "1. 甲局独立任务" in content
    assert "[打开督办系统](http://testserver/periods/" in content
    assert Notification.objects.get(webhook__isnull=False).state == DeliveryState.SENT


def test_a_robot_error_is_recorded_and_the_message_retried_until_accepted(world, robot):
    _hook(world, robot, WebhookFlavor.DINGTALK)
    robot.answers = [(500, {}), (200, {"errcode": 310000, "errmsg": "keywords not in content"}),
                     (200, {"errcode": 0, "errmsg": "ok"})]
    cycle_at(moment(3, 26))
    message = Notification.objects.get(webhook__isnull=False)
    assert (message.state, message.attempts) == (DeliveryState.PENDING, 1)
    assert "HTTP 500" in message.last_error
    later = moment(3, 26, 9, 31)
    assert notification_deliver(message.pk, now=later).state == "retry"
    message.refresh_from_db()
    assert "errcode 310000" in message.last_error
    outcome = notification_deliver(message.pk, now=later + datetime.timedelta(minutes=5))
    assert outcome.state == DeliveryState.SENT
    assert len(robot.received) == 3
    assert {json.dumps(body, sort_keys=True) for _, body in robot.received} == {
        json.dumps(robot.received[0][1], sort_keys=True)}  # the same message each time
    assert robot.received[0][1]["markdown"]["title"].startswith("【逾期催报】")
