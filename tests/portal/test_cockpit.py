"""The cockpit is one snapshot of the city for every screen showing it: taken at most a
minute before (the page says when), then taken again."""

import datetime

import pytest
from django.urls import reverse

from tasks_app.choices import Health

from .conftest import add_task

pytestmark = pytest.mark.django_db


def _red(client) -> tuple[int, str]:
    response = client.get(reverse("portal:cockpit"))
    assert response.status_code == 200
    html = response.content.decode()
    return response.context["cockpit"].health[Health.RED], html


def test_every_screen_reads_one_snapshot_for_a_minute_then_a_new_one(
        client, world, travel):
    client.force_login(world.manager)
    before, html = _red(client)
    taken = html[html.index("数据时间"):].split("，")[0]
    add_task(world.task.plan, None, world.department, title="新亮红灯的任务",
             health_override=Health.RED, health_override_reason="滞后")
    travel.shift(datetime.timedelta(seconds=50))
    client.force_login(world.lead_office)  # another reader, the same snapshot
    again, html = _red(client)
    assert again == before and taken in html
    travel.shift(datetime.timedelta(seconds=20))
    after, html = _red(client)
    assert after == before + 1 and taken not in html


def test_a_snapshot_is_shown_in_each_readers_language(client, world):
    client.force_login(world.manager)
    _red(client)  # taken in Chinese
    client.cookies["django_language"] = "en"
    html = client.get(reverse("portal:cockpit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Yellow escalation" in html
    assert [word for word in ("蓝色催报", "黄色督办", "红色督办", "数据时间")
            if word in html] == []


def test_only_the_offices_that_read_everything_see_it(client, world):
    client.force_login(world.liaison)
    assert client.get(reverse("portal:cockpit")).status_code == 404
