"""English through Django i18n: the key pages, a service's error and the catalogue itself.

Chinese is the default (the other tests assert it); switching the language to English
must leave no Chinese on a page except plan data and records kept as written (names,
task text, stored history and snapshots), which are stripped before looking.
"""

import ast
import datetime
import gettext
import html
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from departments.choices import Role
from notifications.choices import Kind
from notifications.emails import render
from notifications.models import Notification
from tasks_app.services.bulletins import bulletin_generate
from tasks_app.services.lifecycle.slips import slip_issue
from tasks_app.services.reports import validate_report_data

from .factories import MembershipFactory, UserFactory
from .portal.conftest import add_task, as_user, pdf, travel, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
DATA_APPS = {"tasks_app", "departments", "notifications", "auth"}


@pytest.fixture(autouse=True)
def _site_language_afterwards():
    """A request in English leaves English active in this thread: later tests expect Chinese."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _strings(value) -> list[str]:
    """Every string inside a stored value (JSON snapshots included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.items() for part in item for s in _strings(part)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def stored_texts() -> list[str]:
    """Plan data and records as written: every text value stored in the database."""
    texts: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in DATA_APPS:
            continue
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for row in model.objects.values_list(*fields):
            texts.update(s.strip() for value in row for s in _strings(value) if s.strip())
    return sorted(texts, key=len, reverse=True)


def leftover_chinese(page: str) -> list[str]:
    """Chinese left on the page once data and the language menu's own names are removed."""
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    for stored in stored_texts():
        text = text.replace(stored, " ")
    text = text.replace("简体中文", " ")  # the language menu names each language in itself
    return [line.strip() for line in text.splitlines() if HAN.search(line)]


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


def assert_english(response) -> str:
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert 'lang="en"' in page
    assert leftover_chinese(page) == []
    return page


def test_the_login_page_is_in_english_with_accept_language(client):
    page = assert_english(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Log in to Duban" in page


def test_the_login_page_stays_chinese_by_default(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录督办系统" in page and 'lang="zh-hans"' in page


def test_the_department_home_is_in_english(as_user, world):  # noqa: F811
    world.report(submit=True)
    page = assert_english(english(as_user(world.liaison)).get(reverse("portal:home")))
    assert "Department tasks" in page and "Responsible department" in page


def test_the_task_page_is_in_english(as_user, world):  # noqa: F811
    world.report(submit=True)
    client = english(as_user(world.lead_liaison))
    page = assert_english(client.get(reverse("portal:task", args=[world.task.pk])))
    assert "Lead department" in page and "Milestones" in page


def test_the_report_form_is_in_english(as_user, world):  # noqa: F811
    client = english(as_user(world.liaison))
    page = assert_english(client.get(reverse("portal:report", args=[world.task.pk])))
    assert "Save draft" in page and "Progress this period" in page


def test_the_reviews_page_is_in_english(as_user, world):  # noqa: F811
    world.report(submit=True)
    page = assert_english(english(as_user(world.head)).get(reverse("portal:reviews")))
    assert "Review" in page


def test_the_overview_is_in_english(as_user, world):  # noqa: F811
    world.report(submit=True)
    page = assert_english(english(as_user(world.manager)).get(reverse("portal:overview")))
    assert "Supervision overview" in page


def test_the_notification_history_is_in_english(as_user, world):  # noqa: F811
    Notification.objects.create(
        channel="email", kind=Kind.REMINDER, dedupe_key="test:1", recipient=world.liaison,
        address="resp.liaison@duban.example", subject="【报送提醒】区责任局", body_text="您好",
        url="http://testserver/", state="sent")
    client = english(as_user(world.liaison))
    page = assert_english(client.get(reverse("notifications:history")))
    assert "My notifications" in page and "Report reminder" in page


def test_the_bulletin_list_is_in_english(as_user, world):  # noqa: F811
    bulletin_generate(plan=world.task.plan, year=2026, quarter=1)
    client = english(as_user(world.manager))
    page = assert_english(client.get(reverse("records:bulletins")))
    assert "Quarterly bulletin" in page and "Draft" in page


def test_the_admin_index_is_in_english(client, db):
    user = UserFactory(username="office", is_staff=True)
    MembershipFactory(user=user, department=None, role=Role.LEAD_OFFICE)
    client.force_login(user)
    page = assert_english(english(client).get(reverse("admin:index")))
    assert "Supervision administration" in page


def test_a_service_refuses_in_english_when_english_is_active():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_report_data({"status": "on_track", "progress": 140}, submitting=False)
    assert refused.value.message_dict == {"progress": ["Progress must be from 0 to 100."]}


def test_a_lifecycle_refusal_names_the_field_in_english(world):  # noqa: F811
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        slip_issue(task=world.task, department=world.department, reason=" ",
                   actor=world.lead_office, respond_by=datetime.date(2026, 3, 30))
    assert refused.value.message_dict == {"reason": ["Give the reason for the slip."]}


def test_the_same_refusal_is_chinese_by_default():
    translation.activate(settings.LANGUAGE_CODE)
    with pytest.raises(ValidationError) as refused:
        validate_report_data({"status": "on_track", "progress": 140}, submitting=False)
    assert refused.value.message_dict == {"progress": ["进度必须在 0 到 100 之间。"]}


def test_an_email_goes_out_in_chinese_whatever_the_language_of_the_sender(world):  # noqa: F811
    with translation.override("en"):  # the lead office works in English
        slip_issue(sign=True, task=world.task, department=world.department, reason="请尽快报送",
                   actor=world.lead_office, respond_by=datetime.date(2026, 3, 30))
    message = Notification.objects.get(recipient=world.liaison, kind=Kind.SLIP)
    assert message.subject.startswith("【督办单】")
    assert "您好" in message.body_text and "请认真研究落实" in message.body_text


def test_the_email_templates_are_translated():
    slip = {"number": "A-1", "item": "1. Task", "items": ["1. Task"], "reason": "",
            "required_response": "",
            "level": "Red", "item_due_on": "", "respond_by": "2026-03-30", "url": "u",
            "pdf_url": "p"}
    context = {"recipient": {"name": "Li"}, "slips": [slip], "first": slip, "count": 1,
               "addressee": "Finance Bureau"}
    with translation.override("en"):
        rendered = render("slip", context)
    assert rendered.subject == "[Supervision slip] A-1: Finance Bureau · 1. Task"
    assert rendered.text.startswith("Dear Li,")
    assert not HAN.search(rendered.text + rendered.html)


def test_the_api_schema_is_described_in_english_on_request(client, db):
    client.force_login(UserFactory(username="reader"))
    english_schema = client.get("/api/schema/?format=json&lang=en").json()
    chinese_schema = client.get("/api/schema/?format=json").json()
    assert english_schema["info"]["title"] == "Duban API"
    assert chinese_schema["info"]["title"] == "督办 Duban API"
    error = english_schema["components"]["schemas"]["Error"]["description"]
    assert error == "The one format of every error response."


# ---------------------------------------------------------------- the catalogue

def _unquote(line: str) -> str:
    return ast.literal_eval(line[line.index('"'):])


def po_entries(path: Path) -> list[dict]:
    """A tiny .po reader: context, id, plural id, strings, flags of every entry."""
    entries, entry, field = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if isinstance(field, int):
                entry["msgstr"][field] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            keyword = line.split(" ", 1)[0]
            plural = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            field = int(plural.group(1)) if plural else keyword
            if keyword == "msgstr":
                field = 0
            if isinstance(field, int):
                entry["msgstr"][field] = _unquote(line)
            else:
                entry[field] = _unquote(line)
    return [e for e in entries if e["msgid"]]


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    entries = po_entries(CATALOGUE / "django.po")
    assert len(entries) > 1500
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())
                    or ("msgid_plural" in e and len(e["msgstr"]) != 2)]
    assert untranslated == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_the_compiled_catalogue_is_not_older_than_the_po():
    """What the .mo says is what the .po says (run compilemessages after editing the .po;
    file times are not compared because git does not keep them)."""
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog
    expected = {}
    for e in po_entries(CATALOGUE / "django.po"):
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            expected.update({(key, n): text for n, text in e["msgstr"].items()})
        else:
            expected[key] = e["msgstr"][0]
    assert {k: v for k, v in catalogue.items() if k != ""} == expected


TRANSLATION_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
                     "pgettext_lazy"}
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:, )?)+)")


def _code_messages() -> set[tuple[str, str]]:
    """(context, message) of every translated literal in the code and the templates."""
    found: set[tuple[str, str]] = set()
    root = Path(settings.BASE_DIR)
    for path in root.glob("*/**/*.py"):
        if {"tests", "migrations", ".venv", "var"} & set(path.relative_to(root).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(getattr(node, "func", None), "id", None)
            if not isinstance(node, ast.Call) or name not in TRANSLATION_CALLS:
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant)
                    and isinstance(a.value, str)]
            if name.startswith("p") and len(args) >= 2:
                found.add((args[0], args[1]))
            elif args and not name.startswith("p"):
                found.add(("", args[0]))
    from django.utils.translation.template import templatize
    for path in [*root.glob("*/templates/**/*.*"), *root.glob("templates/**/*.*"),
                 *root.glob("*/jinja2/**/*.*")]:
        for call, arguments in TEMPLATE_CALL.findall(templatize(path.read_text())):
            strings = [ast.literal_eval(s) for s in re.findall(r"u'(?:[^'\\]|\\.)*'",
                                                                 arguments)]
            found.add((strings[0], strings[1]) if call.startswith("p") else ("", strings[0]))
    return found


def test_every_message_in_the_code_is_in_the_catalogue():
    """makemessages has been run since the code last changed its messages."""
    known = {(e.get("msgctxt", ""), e["msgid"]) for e in po_entries(CATALOGUE / "django.po")}
    assert sorted(_code_messages() - known) == []


def test_remembered_translations_follow_the_reader_and_a_changed_catalogue():
    """common.i18n.text_cached: one answer per language, forgotten when settings change."""
    from django.test import override_settings

    from common.formatting import cn_date
    from tasks_app.choices import Health
    from tasks_app.portal.labels import label

    day = datetime.date(2026, 3, 31)
    for language in ("zh-hans", "en", "zh-hans"):
        with translation.override(language):
            assert label("red", "health") == str(Health.RED.label)
            assert cn_date(day) == translation.gettext("%(year)d年%(month)d月%(day)d日") % {
                "year": 2026, "month": 3, "day": 31}
    with translation.override("zh-hans"):
        assert cn_date(day) == "2026年3月31日"
        # No catalogue of ours: the source text.
        with override_settings(LOCALE_PATHS=[]), translation.override("en"):
            assert label("red", "health") == "滞后"


def test_counted_wording_is_remembered_per_language_and_count():
    """portal.wording keeps each counted text per language and count: English still
    chooses the plural form by the number."""
    from tasks_app.portal.wording import departments_to_report

    with translation.override("en"):
        assert departments_to_report(1) == "1 department still to report"
        assert departments_to_report(2) == "2 departments still to report"
    with translation.override("zh-hans"):
        assert departments_to_report(1) == "1 个部门待报送"
    with translation.override("en"):
        assert departments_to_report(1) == "1 department still to report"
