"""导入计划 in the admin: upload → preview → 确认导入 / 取消, for the lead office only."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from departments.models import Department, DepartmentAlias, DepartmentGroup
from seeds.demo import demo_accounts_ensure
from tasks_app.choices import AssignmentRole
from tasks_app.models import Assignment, ImportDraft, Milestone, Plan, Target, Task, TaskEvent

from .forms import form_values
from .test_import_docx import table_docx

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
UPLOAD = reverse("admin:tasks_app_plan_import")
CHANGELIST = reverse("admin:tasks_app_plan_changelist")


@pytest.fixture
def lead_client(client, primary_plan):
    demo_accounts_ensure("pw-demo-1")
    assert client.login(username="leadoffice", password="pw-demo-1")
    return client


def _upload(client, name: str, data: bytes, fmt: str = "auto"):
    return client.post(UPLOAD, {"document": SimpleUploadedFile(name, data), "format": fmt})


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _counts() -> tuple:
    return tuple(model.objects.count() for model in (
        Plan, Task, Assignment, Milestone, Target, TaskEvent, Department, DepartmentAlias,
        DepartmentGroup))


def test_the_plan_list_links_to_the_import_page(lead_client):
    html = lead_client.get(CHANGELIST).content.decode()
    assert f'href="{UPLOAD}"' in html and "导入计划" in html
    assert "上传并预览" in lead_client.get(UPLOAD).content.decode()


def test_upload_preview_and_confirm_loads_the_plan(lead_client):
    response = _upload(lead_client, "营商环境分工方案.txt", _fixture("notes-fullwidth.txt"))
    draft = ImportDraft.objects.get()
    assert response.url == reverse("admin:tasks_app_plan_import_preview", args=[draft.pk])
    assert (draft.file_name, draft.source_format) == ("营商环境分工方案.txt", "task-list")
    page = lead_client.get(response.url).content.decode()
    for expected in ("松北区2024年优化营商环境重点任务分工方案", "列第一位的为牵头单位，下同",
                     "经开办(自贸办)·牵头部门", "[现有部门]", "区数据局·责任部门", "[新部门]",
                     "各相关部门·责任部门", "[现有部门组]", "无（待牵头办公室分工）",
                     "2025年6月30日", "节点：2024年6月底前建成信用信息共享平台", "未识别的行 7 行",
                     "第22行：三、保障措施", "确认导入", "取消"):
        assert expected in page, expected
    assert Plan.objects.count() == 1  # the primary plan only: the preview wrote nothing
    done = lead_client.post(response.url, {"confirm": "1", "create_all_units": "1"})
    plan = Plan.objects.get(title="松北区2024年优化营商环境重点任务分工方案")
    assert done.url == reverse("admin:tasks_app_plan_change", args=[plan.pk])
    assert plan.source_name == "营商环境分工方案.txt" and plan.tasks.count() == 6
    lead = Assignment.objects.get(task__plan=plan, task__number=1, role=AssignmentRole.LEAD)
    assert lead.department.name == "区政务服务中心"
    assert TaskEvent.objects.filter(task__plan=plan, actor__username="leadoffice").exists()
    assert not ImportDraft.objects.exists()


def test_cancel_writes_nothing_and_forgets_the_upload(lead_client):
    before = _counts()
    response = _upload(lead_client, "计划.md", _fixture("lines-halfwidth.md"))
    lead_client.get(response.url)
    cancelled = lead_client.post(response.url, {"cancel": "1"}, follow=True)
    assert "已取消导入 计划.md，未写入任何数据。" in cancelled.content.decode()
    assert _counts() == before and not ImportDraft.objects.exists()


def test_alias_proposals_are_checkboxes_and_only_ticked_ones_become_aliases(lead_client):
    text = "区2024年清单\n一、园区\n1．建设园区。（牵头单位：经开办；配合单位：市住建局）\n"
    response = _upload(lead_client, "清单.txt", text.encode())
    data = form_values(lead_client.get(response.url).content.decode(), "import_confirm_form")
    assert "accept_alias" not in data  # nothing ticked unless the user ticks it
    page = lead_client.get(response.url).content.decode()
    assert 'name="accept_alias" value="经开办"' in page and 'value="市住建局"' in page
    lead_client.post(response.url, {**data, "confirm": "1", "accept_alias": ["经开办"],
                                    "unit_name": ["市住建局"], "unit_choice": ["create"]})
    assert DepartmentAlias.objects.get(alias="经开办").department.name == "经开办(自贸办)"
    assert Department.objects.filter(name="市住建局").exists()
    assert not Department.objects.filter(name="经开办").exists()


def test_a_word_table_goes_through_the_same_steps(lead_client):
    response = _upload(lead_client, "分工表.docx", table_docx())
    assert "开展营商环境评价" in lead_client.get(response.url).content.decode()
    lead_client.post(response.url, {"confirm": "1", "create_all_units": "1"})
    assert Plan.objects.get(source_format="task-table").tasks.count() == 4


def test_a_document_in_no_known_format_is_refused_on_the_upload_page(lead_client, settings):
    before = _counts()
    article = Path(settings.BASE_DIR) / "seeds" / "background-songbei-2017-interview.txt"
    response = _upload(lead_client, "访谈.txt", article.read_bytes())
    assert response.status_code == 200
    assert "也不符合其他可识别的格式" in response.content.decode()
    pdf = _upload(lead_client, "plan.pdf", b"%PDF-1.4")
    assert "无法读取 PDF 文件" in pdf.content.decode()
    image = _upload(lead_client, "plan.png", b"\x89PNG")
    assert "不支持的文件类型" in image.content.decode()
    old_word = _upload(lead_client, "plan.doc", b"\xd0\xcf\x11\xe0")
    assert "另存为”.docx" in old_word.content.decode()
    assert _counts() == before and not ImportDraft.objects.exists()


def test_only_the_lead_office_can_import_and_only_its_own_drafts(lead_client):
    draft_url = _upload(lead_client, "a.txt", _fixture("notes-fullwidth.txt")).url
    staff = User.objects.create_user("clerk", password="pw-clerk", is_staff=True)
    other = Client()
    other.force_login(staff)
    assert other.get(UPLOAD).status_code == 404
    assert other.get(draft_url).status_code == 404
    assert 'href="/admin/tasks_app/plan/import/"' not in other.get(CHANGELIST).content.decode()
    other.force_login(User.objects.create_superuser("boss", password="pw-boss"))
    assert other.post(draft_url, {"confirm": "1"}).status_code == 404
    assert ImportDraft.objects.count() == 1


def _generated_plan(tasks: int, year: int = 2025) -> bytes:
    lines = [f"松北区{year}年重点任务清单", "一、重点任务"]
    for number in range(1, tasks + 1):
        lines += [f"{number}．推进第{number}项工作。"
                  f"（责任单位：第{number}工作局、区工信局、区财政局，列第一位的为牵头单位）",
                  "（1）2025年6月底前完成第一阶段；", "（2）2025年底前完成。"]
    return "\n".join(lines).encode()


def test_preview_queries_do_not_grow_with_the_document(lead_client):
    def count(tasks: int) -> int:
        url = _upload(lead_client, f"{tasks}.txt", _generated_plan(tasks)).url
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get(url).status_code == 200
        return len(queries)

    assert count(3) == count(15)


def test_confirm_queries_do_not_grow_with_the_document(lead_client):
    def count(tasks: int) -> int:
        url = _upload(lead_client, f"{tasks}.txt", _generated_plan(tasks, year=2020 + tasks)).url
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.post(url, {"confirm": "1", "create_all_units": "1"}
                                    ).status_code == 302
        return len(queries)

    assert count(3) == count(15)
    assert Task.objects.filter(plan__title__startswith="松北区20").count() == 18


def test_units_not_in_the_directory_are_flagged_and_need_a_decision_each(lead_client):
    text = ("区2024年清单\n一、园区\n1．建设园区。（牵头单位：区招商服务中心；配合单位：区数据局、"
            "各街道）\n2．优化服务。（牵头单位：区招商服务中心）\n")
    response = _upload(lead_client, "清单.txt", text.encode())
    page = lead_client.get(response.url).content.decode()
    assert "不在部门名录中的单位" in page and "3 个单位不在部门名录中" in page
    assert page.count('name="unit_choice"') == 3 and "对应到 区发改局" in page
    before = _counts()
    refused = lead_client.post(response.url, {"confirm": "1"}, follow=True).content.decode()
    assert "以下 3 个单位不在部门名录中" in refused and "区招商服务中心" in refused
    partly = {"confirm": "1", "unit_name": ["区招商服务中心", "区数据局", "各街道"],
              "unit_choice": ["create", "", "create"]}
    refused = lead_client.post(response.url, partly, follow=True).content.decode()
    assert "以下 1 个单位不在部门名录中" in refused and _counts() == before
    planning = Department.objects.get(name="区发改局")
    decided = {**partly, "unit_choice": ["create", str(planning.pk), "create"]}
    assert lead_client.post(response.url, decided).status_code == 302
    assert DepartmentAlias.objects.get(alias="区数据局").department == planning
    assert Department.objects.filter(name="区招商服务中心").exists()
    assert not Department.objects.filter(name="区数据局").exists()
    task = Task.objects.get(plan__title="区2024年清单", number=1)
    assert {a.department_id for a in task.assignments.all() if a.department_id} == {
        Department.objects.get(name="区招商服务中心").pk, planning.pk}


def test_an_excel_task_table_goes_through_the_same_steps(lead_client):
    data = (FIXTURES / "corpus" / "deep-district-xlsx.xlsx").read_bytes()
    response = _upload(lead_client, "任务分解表.xlsx", data)
    page = lead_client.get(response.url).content.decode()
    assert "推动先进制造业集群发展" in page and "区工信局·牵头部门" in page
    assert "不在部门名录中的单位" in page and 'name="create_all_units"' in page
    lead_client.post(response.url, {"confirm": "1", "create_all_units": "1"})
    plan = Plan.objects.get(source_format="task-table")
    assert plan.tasks.count() == 15
    assert plan.tasks.get(number=5).due_on.isoformat() == "2024-10-31"
