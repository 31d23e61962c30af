"""A published bulletin's and a final assessment's PDF is rendered once, kept in storage and
served from there; drafts and assessments still open to contests are rendered each time."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse

from tasks_app import tasks as celery_tasks
from tasks_app.documents import stored
from tasks_app.models import Assessment, Bulletin
from tasks_app.records import views as record_views
from tasks_app.services.assessments import assessment_finalise
from tasks_app.services.bulletins import bulletin_generate, bulletin_publish

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _forget(document) -> None:
    name = stored.stored_name(document, "zh-hans")
    if name and default_storage.exists(name):
        default_storage.delete(name)


def _refuse_rendering(monkeypatch) -> None:
    def refuse(document):
        raise AssertionError("rendered again")

    monkeypatch.setattr(record_views, "bulletin_pdf", refuse)
    monkeypatch.setattr(record_views, "assessment_pdf", refuse)


def test_a_published_bulletin_is_rendered_once_then_read_from_storage(records, client,
                                                                      monkeypatch):
    _forget(records.bulletin)
    client.force_login(records.office)
    url = reverse("records:bulletin_pdf", args=[records.bulletin.pk])
    first = client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    assert default_storage.exists(stored.stored_name(records.bulletin, "zh-hans"))
    _refuse_rendering(monkeypatch)
    again = client.get(url)
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]


def test_the_worker_renders_it_at_publish_in_the_site_language(records, monkeypatch):
    _forget(records.bulletin)
    celery_tasks.store_pdf("bulletin", records.bulletin.pk)
    name = stored.stored_name(records.bulletin, "zh-hans")
    assert default_storage.open(name, "rb").read().startswith(b"%PDF")


def test_publishing_queues_the_rendering_after_commit(records, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(celery_tasks.store_pdf, "apply_async",
                        lambda args, **options: queued.append(args))
    with time_machine.travel(datetime.datetime(2026, 7, 10, 9, tzinfo=SHANGHAI)), \
            django_capture_on_commit_callbacks(execute=True):
        bulletin = bulletin_publish(bulletin_generate(plan=records.plan, year=2026, quarter=2))
    assert queued == [("bulletin", bulletin.pk)]


def test_drafts_and_open_assessments_are_not_kept(records):
    with time_machine.travel(datetime.datetime(2026, 7, 10, 9, tzinfo=SHANGHAI)):
        draft = bulletin_generate(plan=records.plan, year=2026, quarter=2)
    assert draft.state == Bulletin.State.DRAFT and stored.stored_name(draft) is None
    assert records.assessment.state == Assessment.State.PUBLISHED
    assert stored.stored_name(records.assessment) is None


def test_a_final_assessment_is_kept_and_its_name_follows_its_content(
        records, client, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(celery_tasks.store_pdf, "apply_async",
                        lambda args, **options: queued.append(args))
    with time_machine.travel(datetime.datetime(2027, 2, 20, 9, tzinfo=SHANGHAI)), \
            django_capture_on_commit_callbacks(execute=True):
        final = assessment_finalise(assessment=records.assessment, user=records.office)
    assert queued == [("assessment", final.pk)]
    _forget(final)
    client.force_login(records.office)
    url = reverse("records:assessment_pdf", args=[final.pk])
    first = client.get(url).content
    _refuse_rendering(monkeypatch)
    assert client.get(url).content == first
    name = stored.stored_name(final, "zh-hans")
    final.scores.update(adjustment=1)
    assert stored.stored_name(final, "zh-hans") != name


def test_each_language_has_its_own_file(records):
    zh = stored.stored_name(records.bulletin, "zh-hans")
    assert zh != stored.stored_name(records.bulletin, "en") and zh.endswith("-zh-hans.pdf")


def test_the_xlsx_of_a_fixed_document_is_kept_too(records, client, monkeypatch):
    """The worker stores the .xlsx beside the PDF at publish; downloads read it."""
    name = stored.stored_name(records.bulletin, "zh-hans", extension="xlsx")
    if default_storage.exists(name):
        default_storage.delete(name)
    celery_tasks.store_pdf("bulletin", records.bulletin.pk)
    name = stored.stored_name(records.bulletin, "zh-hans", extension="xlsx")
    assert name.endswith("-zh-hans.xlsx") and default_storage.exists(name)
    kept = default_storage.open(name, "rb").read()

    def refuse(document):
        raise AssertionError("built again")

    monkeypatch.setattr(record_views, "bulletin_workbook", refuse)
    client.force_login(records.office)
    response = client.get(reverse("records:bulletin_xlsx", args=[records.bulletin.pk]))
    assert response.status_code == 200 and response.content == kept
    with time_machine.travel(datetime.datetime(2026, 7, 10, 9, tzinfo=SHANGHAI)):
        draft = bulletin_generate(plan=records.plan, year=2026, quarter=2)
    assert stored.stored_name(draft, extension="xlsx") is None  # a draft is built each time
