"""The roster import: parsing, preview by row, one transaction, idempotent re-import,
deactivation (never deletion), handover with open messages, groups, invitations."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from departments.choices import PersonAction, Role
from departments.models import DepartmentGroup, Membership, Person, PersonEvent, RosterImport
from departments.people import invitation_tokens, roster_confirm, roster_draft_create
from departments.roster import roster_parse, roster_plan, roster_template
from notifications.choices import Channel, DeliveryState, Kind
from notifications.delivery import notification_deliver
from notifications.models import Notification

from .factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "部门", "角色", "手机", "邮箱", "钉钉用户ID(选填)", "企业微信用户ID(选填)",
          "部门组(选填)"]


def _csv(*rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def world():
    gxj = DepartmentFactory(name="区工信局", code="gxj")
    swj = DepartmentFactory(name="区商务局", code="swj")
    lead = MembershipFactory(user=UserFactory(username="leadoffice", is_staff=True),
                             department=None, role=Role.LEAD_OFFICE).user
    return type("World", (), {"gxj": gxj, "swj": swj, "lead": lead})


GROUP = "各相关部门"
ROWS = [
    ["张三", "区工信局", "联络员", "13800000001", "zhangsan@example.gov.cn", "ding-1", "", GROUP],
    ["李四", "区工信局", "负责人", "13800000002", "lisi@example.gov.cn", "", "", ""],
    ["王五", "区商务局", "联络员", "13800000003", "wangwu@example.gov.cn", "", "wx-5", GROUP],
    ["赵六", "", "领导", "13800000004", "", "", "", ""],
]


def _import(world, rows, name="名单.csv"):
    draft = roster_draft_create(file_name=name, data=_csv(*rows), user=world.lead)
    return draft, roster_confirm(draft=draft, user=world.lead)


def test_template_round_trips_through_the_parser():
    data = roster_template()
    rows = roster_parse("模板.xlsx", data)
    assert [row["name"] for row in rows] == ["张三", "李四"]
    assert rows[0]["groups"] == "各相关部门"
    assert load_workbook(io.BytesIO(data)).sheetnames == ["人员名单", "说明"]


def test_file_level_problems_are_refused():
    with pytest.raises(ValidationError, match="请上传 .xlsx 或 .csv"):
        roster_parse("名单.txt", b"x")
    with pytest.raises(ValidationError, match="缺少必填列"):
        roster_parse("名单.csv", "姓名,手机\n张三,13800000001\n".encode())


def test_import_creates_people_roles_groups_and_invitations(world):
    draft, summary = _import(world, ROWS)
    assert summary["new"] == 4 and summary["invited"] == 4
    zhang = User.objects.get(email="zhangsan@example.gov.cn")
    assert str(zhang) == "张三" and zhang.username == "zhangsan@example.gov.cn"
    assert not zhang.has_usable_password()
    assert zhang.person.mobile == "13800000001" and zhang.person.dingtalk_userid == "ding-1"
    assert Membership.objects.filter(user=zhang, department=world.gxj, role=Role.LIAISON).exists()
    zhao = User.objects.get(first_name="赵六")
    assert zhao.username == "13800000004"
    assert Membership.objects.get(user=zhao).department is None
    group = DepartmentGroup.objects.get(name="各相关部门")
    assert set(group.members.all()) == {world.gxj, world.swj}
    invitations = Notification.objects.filter(kind=Kind.INVITATION, channel=Channel.EMAIL)
    assert invitations.count() == 3  # 赵六 has no email (and SMS is not configured)
    assert RosterImport.objects.get().confirmed_at is not None

    # the invitation goes out through the outbox and its link sets a password once
    mail.outbox.clear()
    note = invitations.get(recipient=zhang)
    assert notification_deliver(note.pk).state == DeliveryState.SENT
    body = mail.outbox[0].body
    assert "张三，您好" in body and "zhangsan@example.gov.cn" in body
    assert re.search(r"http://testserver/accounts/activate/\S+/", body)


def test_re_import_is_idempotent(world):
    _import(world, ROWS)
    counts = (User.objects.count(), Membership.objects.count(), PersonEvent.objects.count(),
              Notification.objects.count())
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*ROWS), user=world.lead)
    plan = roster_plan(draft.rows, actor=world.lead)
    assert not plan.has_changes and len(plan.unchanged) == 4
    roster_confirm(draft=draft, user=world.lead)
    assert (User.objects.count(), Membership.objects.count(), PersonEvent.objects.count(),
            Notification.objects.count()) == counts


def test_bad_rows_are_named_and_nothing_is_saved(world):
    rows = [*ROWS,
            ["", "区工信局", "联络员", "13800000009", "x@example.gov.cn", "", "", ""],
            ["孙七", "区不存在局", "联络员", "13800000010", "", "", "", ""],
            ["周八", "区工信局", "科员", "12345", "bad-mail", "", "", ""]]
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*rows), user=world.lead)
    plan = roster_plan(draft.rows, actor=world.lead)
    messages = {(p.line, p.column): p.message for p in plan.problems}
    assert messages[6, "姓名"] == "姓名不能为空"
    assert "区不存在局" in messages[7, "部门"]
    assert "科员" in messages[8, "角色"]
    assert "12345" in messages[8, "手机"] and "bad-mail" in messages[8, "邮箱"]
    with pytest.raises(ValidationError, match="5 处问题"):
        roster_confirm(draft=draft, user=world.lead)
    assert User.objects.count() == 1 and not Notification.objects.exists()
    assert not DepartmentGroup.objects.exists()


def test_leaver_is_deactivated_and_liaison_handover_moves_open_messages(world):
    _import(world, ROWS)
    zhang = User.objects.get(first_name="张三")
    open_chase = Notification.objects.create(
        channel=Channel.EMAIL, kind=Kind.CHASE, dedupe_key="chase:x:user", recipient=zhang,
        address=zhang.email, subject="催报", body_text="…")
    rows = [["钱九", "区工信局", "联络员", "13800000011", "qianjiu@example.gov.cn", "", "",
             "各相关部门"], *ROWS[1:]]
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*rows), user=world.lead)
    plan = roster_plan(draft.rows, actor=world.lead)
    assert [u.first_name for u in plan.deactivated] == ["张三"]
    assert [(h.old, h.new.name) for h in plan.handovers] == [(zhang, "钱九")]
    summary = roster_confirm(draft=draft, user=world.lead)
    assert summary["moved_messages"] == 1
    zhang.refresh_from_db()
    assert not zhang.is_active and not zhang.memberships.exists()
    assert User.objects.filter(pk=zhang.pk).exists()  # never deleted
    qian = User.objects.get(first_name="钱九")
    open_chase.refresh_from_db()
    assert open_chase.recipient == qian and open_chase.address == "qianjiu@example.gov.cn"
    actions = set(PersonEvent.objects.filter(user=zhang).values_list("action", flat=True))
    assert {PersonAction.HANDOVER_OUT, PersonAction.DEACTIVATED,
            PersonAction.ROLE_REMOVED} <= actions
    assert PersonEvent.objects.get(user=qian, action=PersonAction.HANDOVER_IN).other == zhang

    # coming back: reactivated, the same account
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*ROWS, rows[0]), user=world.lead)
    plan = roster_plan(draft.rows, actor=world.lead)
    assert [p.name for p in plan.changed] == ["张三"] and plan.changed[0].reactivate
    roster_confirm(draft=draft, user=world.lead)
    zhang.refresh_from_db()
    assert zhang.is_active


def test_changes_are_listed(world):
    _import(world, ROWS)
    rows = [list(row) for row in ROWS]
    rows[1][3] = "13900000002"
    rows[1][2] = "联络员"
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*rows), user=world.lead)
    plan = roster_plan(draft.rows, actor=world.lead)
    (li,) = plan.changed
    assert li.changes == ["手机：13800000002 → 13900000002"]
    assert li.labels == {"roles": ["区工信局联络员"], "added": ["区工信局联络员"],
                         "removed": ["区工信局部门负责人"]}


def test_only_the_lead_office_imports(world):
    liaison = MembershipFactory(department=world.gxj).user
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        roster_draft_create(file_name="名单.csv", data=_csv(*ROWS), user=liaison)


def test_admin_upload_preview_confirm_and_resend(client, world):
    from seeds.demo import lead_office_group
    world.lead.groups.add(lead_office_group())
    world.lead.set_password("pw")
    world.lead.save()
    client.force_login(world.lead)
    response = client.get(reverse("admin:departments_roster_template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    response = client.post(reverse("admin:departments_roster_upload"),
                           {"file": SimpleUploadedFile("名单.csv", _csv(*ROWS))})
    assert response.status_code == 302
    preview = client.get(response.url)
    assert "新增 4 人" in preview.content.decode()
    response = client.post(response.url, {"confirm": "1"}, follow=True)
    assert "新增 4 人" in response.content.decode()
    people = reverse("admin:departments_person_changelist")
    page = client.get(people + "?state=pending").content.decode()
    assert "张三" in page and "未激活" in page
    zhang = User.objects.get(first_name="张三")
    response = client.post(people, {"action": "resend_invitations",
                                    "_selected_action": [zhang.person.pk]}, follow=True)
    assert "已重新发送 1 份邀请" in response.content.decode()
    assert Notification.objects.filter(recipient=zhang, kind=Kind.INVITATION).count() == 2
    assert Person.objects.get(user=zhang).invitations_sent == 2


def test_invitation_link_sets_the_password_once(client, world):
    _import(world, ROWS)
    zhang = User.objects.get(first_name="张三")
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode
    url = reverse("invitation_accept", args=[urlsafe_base64_encode(force_bytes(zhang.pk)),
                                             invitation_tokens.make_token(zhang)])
    response = client.get(url, follow=True)
    assert "设置登录密码" in response.content.decode()
    response = client.post(response.redirect_chain[-1][0],
                           {"new_password1": "Duban-2026-long", "new_password2": "Duban-2026-long"})
    assert response.status_code == 302
    zhang.refresh_from_db()
    assert zhang.check_password("Duban-2026-long") and zhang.person.activated_at
    client.logout()
    assert "已使用或已过期" in client.get(url, follow=True).content.decode()


def test_invitations_go_by_sms_too_but_not_at_night(world, settings):
    settings.DUBAN_SMS_PROVIDER = "aliyun"
    settings.DUBAN_QUIET_HOURS = "00:00-23:59"  # whenever this runs, it is night
    _import(world, ROWS[:1])
    sms = Notification.objects.get(kind=Kind.INVITATION, channel=Channel.SMS)
    assert sms.address == "13800000001" and sms.url.startswith("http://testserver/accounts/")
    assert sms.next_attempt_at is not None and sms.next_attempt_at > sms.created_at  # held
    assert Notification.objects.get(kind=Kind.INVITATION, channel=Channel.EMAIL) \
        .next_attempt_at is None


def test_the_person_page_ticks_channels_and_checks_addresses(client, world):
    """人员 page: channels are ticked per message kind (no JSON to type); the mobile and the
    钉钉/企业微信 ids are checked; a channel without its address is refused, field by field;
    the change is in the person's history."""
    from seeds.demo import lead_office_group

    from .forms import form_values

    world.lead.groups.add(lead_office_group())
    client.force_login(world.lead)
    _import(world, ROWS[:1])
    zhang = User.objects.get(first_name="张三")
    url = reverse("admin:departments_person_change", args=[zhang.person.pk])
    page = client.get(url).content.decode()
    assert 'name="channels__chase" value="sms"' in page and 'type="checkbox"' in page
    assert "<textarea" not in page and '{"' not in page  # nothing typed as JSON
    values = form_values(page, "person_form")

    bad = {**values, "mobile": "12345", "dingtalk_userid": "钉 钉", "wecom_userid": "",
           "channels__chase": ["email", "wecom"], "channels__*": ["email"]}
    response = client.post(url, bad)
    assert response.status_code == 200  # the form again, with the problems by field
    errors = response.context["adminform"].form.errors
    assert "12345" in errors["mobile"][0]
    assert "钉钉用户ID" in errors["dingtalk_userid"][0]
    assert errors["wecom_userid"] == ["选择了“企业微信应用消息”渠道，须填写企业微信用户ID。"]
    assert Person.objects.get(user=zhang).channels == {}  # nothing half-saved

    good = {**values, "mobile": "+86 138-0000-0009", "dingtalk_userid": "ding-zs",
            "wecom_userid": "", "channels__chase": ["sms", "dingtalk", "email"],
            "channels__*": ["email"]}
    assert client.post(url, good).status_code == 302
    person = Person.objects.get(user=zhang)
    assert person.mobile == "13800000009" and person.dingtalk_userid == "ding-zs"
    assert person.channels == {"*": ["email"], "chase": ["email", "sms", "dingtalk"]}
    event = PersonEvent.objects.filter(user=zhang, action=PersonAction.CHANGED).get()
    assert "手机" in event.detail and "接收渠道" in event.detail and event.actor == world.lead
    page = client.get(url).content.decode()
    assert re.search(r'name="channels__chase" value="sms"[^>]*checked', page)
    assert not re.search(r'name="channels__reminder" value="sms"[^>]*checked', page)

    unticked = {**form_values(page, "person_form"), "channels__chase": [], "channels__*": []}
    assert client.post(url, unticked).status_code == 302
    assert Person.objects.get(user=zhang).channels == {}  # back to the system default


def test_roster_rows_with_malformed_im_ids_are_named(world):
    rows = [["张三", "区工信局", "联络员", "13800000001", "zs@example.gov.cn", "ding 1", "", ""]]
    draft = roster_draft_create(file_name="名单.csv", data=_csv(*rows), user=world.lead)
    (problem,) = roster_plan(draft.rows, actor=world.lead).problems
    assert problem.line == 2 and "ding 1" in problem.message and "钉钉" in problem.column
