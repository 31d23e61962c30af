"""Parse by scoring: the best format wins, the preview shows the score and the runner-up, and a
low score imports nothing without an explicit yes (admin checkbox, import_plan flag)."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from seeds.demo import demo_accounts_ensure
from tasks_app.importing import parse_document
from tasks_app.models import ImportDraft, Plan

UPLOAD = reverse("admin:tasks_app_plan_import")

DOUBTFUL = """松北区2025年重点任务清单
一、重点任务
1.推进审批改革。〔牵头:见附表一〕
2.优化营商环境。〔牵头:见附表二〕
3.扩大有效投资。〔牵头:见附表三〕
"""

SEED_STYLE_BUT_NOT = """哈经开委发〔2024〕3号
某区2024年实施方案
二、主要任务
1.推进审批改革。(区审批局牵头,区司法局配合)
2.优化营商环境。(区营商局牵头,各街道配合)
3.扩大有效投资。(区发改局负责)
"""


def test_the_best_scoring_format_wins_and_names_the_runner_up():
    plan = parse_document(SEED_STYLE_BUT_NOT)
    assert plan.source_format == "task-list" and plan.score.score >= 90
    assert [len(task.units) for task in plan.tasks] == [2, 2, 1]
    assert plan.alternatives and plan.alternatives[0].format != "task-list"


@pytest.mark.django_db
def test_a_result_without_units_needs_confirmation_and_says_why(tmp_path):
    plan = parse_document(DOUBTFUL)
    assert len(plan.tasks) == 3 and plan.needs_confirmation
    assert not any(task.units for task in plan.tasks)
    path = tmp_path / "plan.txt"
    path.write_text(DOUBTFUL, encoding="utf-8")
    out = StringIO()
    call_command("import_plan", str(path), "--dry-run", stdout=out)
    assert "识别得分：" in out.getvalue() and "3 项任务中只有 0 项读出了责任单位" in out.getvalue()


@pytest.mark.django_db
def test_import_plan_refuses_a_low_score_unless_accepted(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(DOUBTFUL, encoding="utf-8")
    with pytest.raises(CommandError, match="未导入.*--accept-low-score"):
        call_command("import_plan", str(path), stdout=StringIO())
    assert not Plan.objects.exists()
    call_command("import_plan", str(path), "--accept-low-score", "--create-units",
                 stdout=StringIO())
    assert Plan.objects.get().tasks.count() == 3


@pytest.mark.django_db
def test_the_admin_imports_a_low_score_only_when_confirmed(client, primary_plan):
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    plans = Plan.objects.count()
    response = client.post(UPLOAD, {"document": SimpleUploadedFile(
        "plan.txt", DOUBTFUL.encode()), "format": "auto"})
    preview_url = response.url
    page = client.get(preview_url).content.decode()
    assert "识别结果存疑" in page and 'name="confirm_low_score"' in page and "识别得分" in page
    refused = client.post(preview_url, {"confirm": "1"}, follow=True).content.decode()
    assert "低于 60，未导入" in refused and Plan.objects.count() == plans
    assert ImportDraft.objects.exists()
    client.post(preview_url, {"confirm": "1", "confirm_low_score": "1"})
    assert Plan.objects.count() == plans + 1 and not ImportDraft.objects.exists()


@pytest.mark.django_db
def test_the_preview_shows_which_note_gave_which_units(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(SEED_STYLE_BUT_NOT, encoding="utf-8")
    out = StringIO()
    call_command("import_plan", str(path), "--dry-run", stdout=out)
    assert "依据：(区审批局牵头,区司法局配合) → 区审批局、区司法局" in out.getvalue()


CORPUS = __import__("pathlib").Path(__file__).parent / "fixtures" / "plans" / "corpus"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["dongguan.pdf", "neijiang.gb18030.txt", "lishan.docx"])
def test_the_admin_previews_pdf_gb18030_and_word_tables(client, primary_plan, name):
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    response = client.post(UPLOAD, {"document": SimpleUploadedFile(
        name, (CORPUS / name).read_bytes()), "format": "auto"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response.url).content.decode()
    assert "识别得分" in page and "识别结果存疑" not in page
    assert {"dongguan.pdf": "市残联", "neijiang.gb18030.txt": "市发展改革委",
            "lishan.docx": "全区经济运行各专班"}[name] in page
