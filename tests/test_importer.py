"""Importing 哈经开委发〔2023〕1号: every task, unit, alias, group and target, idempotently."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from departments.models import Department, DepartmentAlias, DepartmentGroup
from tasks_app.choices import AssignmentRole, TaskStatus
from tasks_app.importing import ImportFailed, parse_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Assignment, Driver, Plan, Target, TargetAssignment, Task, TaskEvent

from .conftest import PRIMARY_CODE, PRIMARY_SEED

# (lead units, responsible units) exactly as the 〔…〕 notes of 三、重点任务 write them.
EXPECTED_UNITS = {
    1: ([], []),
    2: ([], ["区委组织部", "区委编办", "区人社局", "区财政局"]),
    3: (["经开办(自贸办)"], ["区国资办", "动漫基地", "区内各相关国企"]),
    4: ([], ["区委组织部", "区委编办", "区人社局", "区财政局"]),
    5: ([], ["区纪委监委"]),
    6: (["经开办(自贸办)"], ["区营商局", "区工信局", "区企投局", "区区域合作局", "区发改局",
                            "区统计局", "区财政局", "区人社局", "区市场局", "税务局经开区分局",
                            "市生态环境局平房分局", "区应急局"]),
    7: ([], ["区营商局", "区发改局", "区工信局", "区商务局", "区区域合作局", "经开办(自贸办)"]),
    8: ([], ["经开办(自贸办)", "区营商局", "区行审大厅", "区建审大厅", "各相关部门"]),
    9: ([], ["区营商局", "区发改局", "区工信局", "区财政局", "区商务局", "区住建局(交通)",
             "区金融办"]),
    10: ([], ["区发改局", "区工信局", "区商务局", "区区域合作局", "区企投局", "区金融办"]),
    11: ([], ["区发改局", "区工信局", "区商务局", "区区域合作局", "动漫基地", "区内各相关国企"]),
    12: ([], ["区发改局", "区工信局", "区商务局", "区住建局", "区金融办", "区司法局"]),
    13: ([], ["市自然资源和规划局平房分局", "区住建局"]),
    14: ([], ["区财政局", "区金融办"]),
    15: ([], ["区商务局", "区财政局", "区发改局", "区工信局", "区金融办"]),
    16: ([], ["区工信局", "区区域合作局", "区教育局"]),
    17: ([], ["区人社局", "区工信局", "区发改局", "区财政局", "区教育局"]),
    18: ([], ["区区域合作局", "经开办(自贸办)", "区企投局"]),
    19: ([], ["区商务局", "区工信局", "区发改局", "区区域合作局"]),
    20: (["经开办(自贸办)"], ["全区各相关部门"]),
}
DRIVERS = {
    1: ("深化高效率改革创新战略驱动", 5),
    2: ("打造高标准营商环境战略驱动", 4),
    3: ("推动高效能产业振兴战略驱动", 5),
    4: ("促进高层次科技创新战略驱动", 3),
    5: ("实现高水平对外开放", 3),
}
GROUPS = {"各相关部门", "全区各相关部门", "区内各相关国企"}


def _export() -> dict:
    out = StringIO()
    call_command("export_plan", PRIMARY_CODE, stdout=out)
    return json.loads(out.getvalue())


def test_plan_header_is_read_from_the_document(primary_plan):
    assert primary_plan.code == PRIMARY_CODE
    assert primary_plan.issuer == "哈尔滨经济技术开发区管理委员会"
    assert primary_plan.signed_on.isoformat() == "2023-06-05"
    assert primary_plan.published_on.isoformat() == "2023-06-09"
    assert (primary_plan.period_start, primary_plan.period_end) == (2023, 2026)
    assert primary_plan.parent_policy == "哈政办发〔2023〕12号"
    assert primary_plan.title.startswith("哈尔滨经济技术开发区暨中国(黑龙江)自由贸易试验区")
    assert primary_plan.lead_office.name == "经开办(自贸办)"


def test_drivers_come_from_the_headings_of_section_three_verbatim(primary_plan):
    drivers = Driver.objects.filter(plan=primary_plan).order_by("number")
    assert {d.number: (d.title, d.tasks.count()) for d in drivers} == DRIVERS


def test_tasks_have_title_before_first_full_stop_and_verbatim_text(primary_plan, primary_text):
    tasks = Task.objects.filter(plan=primary_plan).order_by("number")
    assert [t.number for t in tasks] == list(range(1, 21))
    task4 = tasks.get(number=4)
    assert task4.title == "建立管委会KPI(关键绩效指标)薪酬制度考核体系"
    for task in tasks:
        assert f"{task.number}.{task.text}" in primary_text  # verbatim, character for character
        assert task.text.startswith(task.title + "。")


def test_every_task_gets_the_units_of_its_note_in_document_order(primary_plan):
    assert {
        task["number"]: (task["lead"], task["responsible"])
        for driver in _export()["drivers"] for task in driver["tasks"]
    } == EXPECTED_UNITS


def test_units_with_brackets_stay_whole_departments(primary_plan):
    for name in ("经开办(自贸办)", "区住建局(交通)", "市自然资源和规划局平房分局"):
        assert Department.objects.filter(name=name).exists()
    assert not Department.objects.filter(name__in=["经开办", "自贸办)", "区住建局(交通"]).exists()


def test_alias_resolves_to_the_same_department(primary_plan):
    office = Department.objects.get(name="经开办(自贸办)")
    assert DepartmentAlias.objects.get(alias="经开区办(自贸办)").department == office
    assert not Department.objects.filter(name="经开区办(自贸办)").exists()
    assert primary_plan.lead_office == office


def test_collectives_become_groups_not_departments(primary_plan):
    assert set(DepartmentGroup.objects.values_list("name", flat=True)) >= GROUPS
    assert not Department.objects.filter(name__in=GROUPS).exists()
    part = Assignment.objects.get(task__plan=primary_plan, task__number=20,
                                  role=AssignmentRole.RESPONSIBLE)
    assert part.department is None and part.group.name == "全区各相关部门"


def test_task_one_has_no_department_and_waits_for_the_lead_office(primary_plan):
    task = Task.objects.get(plan=primary_plan, number=1)
    assert not task.assignments.exists()
    assert task.status == TaskStatus.NEW
    assert Task.objects.get(plan=primary_plan, number=2).status == TaskStatus.PENDING_ACK


def test_targets_of_main_goals_with_values_units_and_parts(primary_plan):
    targets = {t["name"]: t for t in _export()["targets"]}
    expected = {
        "GDP": (1500, "亿元"), "营业收入": (6000, "亿元"), "工业总产值": (2500, "亿元"),
        "建筑业产值": (500, "亿元"), "服务业(含批零住餐业和房地产业)营业收入": (3000, "亿元"),
        "高新技术企业": (650, "家"), "进出口总额": (300, "亿元"),
        "实际利用外资规模": (1.5, "亿美元"),
    }
    assert {name: (t["value"], t["unit"]) for name, t in targets.items()} == expected
    assert all(t["year"] == 2026 for t in targets.values())
    for part in ("工业总产值", "建筑业产值", "服务业(含批零住餐业和房地产业)营业收入"):
        assert targets[part]["parent"] == "营业收入"
    assert Target.objects.get(name="实际利用外资规模").value == Decimal("1.5")


def test_targets_carry_the_units_of_their_paragraph_note(primary_plan):
    gdp = Target.objects.get(plan=primary_plan, name="GDP")
    lead = gdp.assignments.get(role=AssignmentRole.LEAD)
    assert lead.department.name == "经开办(自贸办)"
    assert gdp.assignments.filter(role=AssignmentRole.RESPONSIBLE).count() == 11
    exports = Target.objects.get(plan=primary_plan, name="进出口总额")
    names = [a.source_text for a in exports.assignments.order_by("position")]
    assert names[:3] == ["区营商局", "区区域合作局", "区企投局"] and len(names) == 11
    assert exports.driver.number == 5


def test_ranking_goals_are_kept_apart_from_numeric_targets(primary_plan):
    goals = {goal["name"]: goal["value"] for goal in _export()["ranking_goals"]}
    assert goals == {"国家级经开区第一方阵": None, "中部地区前5名": 5}


def test_export_is_utf8_json_with_the_required_shape(primary_plan):
    out = StringIO()
    call_command("export_plan", PRIMARY_CODE, stdout=out)
    assert "哈经开委发〔2023〕1号" in out.getvalue()  # not ASCII-escaped
    data = json.loads(out.getvalue())
    assert set(data["plan"]) >= {"code", "title", "issuer", "signed_on", "period_start",
                                 "period_end"}
    assert data["plan"]["signed_on"] == "2023-06-05"
    assert len(data["drivers"]) == 5
    assert sum(len(d["tasks"]) for d in data["drivers"]) == 20


def _counts() -> tuple:
    return tuple(model.objects.count() for model in (
        Plan, Driver, Task, Assignment, Target, TargetAssignment, Department, DepartmentGroup,
        DepartmentAlias, TaskEvent))


def test_reimporting_the_same_document_changes_nothing(primary_plan):
    before = _counts()
    out = StringIO()
    call_command("import_plan", str(PRIMARY_SEED), stdout=out)
    assert _counts() == before
    assert "无变化" in out.getvalue()
    assert out.getvalue().strip().splitlines()[-1] == f"plan: {PRIMARY_CODE}"


def test_reimport_keeps_what_the_lead_office_did_after_the_first_import(primary_plan):
    from tasks_app.services.assignments import assignment_add

    task1 = Task.objects.get(plan=primary_plan, number=1)
    office = Department.objects.get(name="经开办(自贸办)")
    assignment_add(task=task1, role=AssignmentRole.LEAD, department=office, actor=None)
    call_command("import_plan", str(PRIMARY_SEED), stdout=StringIO())
    assert task1.assignments.get().department == office


@pytest.mark.django_db
def test_dry_run_prints_the_changes_and_writes_nothing():
    out = StringIO()
    call_command("import_plan", str(PRIMARY_SEED), "--dry-run", stdout=out)
    assert "新增任务 1. 推进开发区管理体制改革" in out.getvalue()
    assert "试运行" in out.getvalue()
    assert _counts() == (0,) * 10


def _broken(primary_text: str, old: str, new: str) -> str:
    assert old in primary_text
    return primary_text.replace(old, new, 1)


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("〔责任部门:区纪委监委〕", "〔责任部门:区纪委监委", 43, "未闭合"),
    ("7.政策引导助力企业发展", "8.政策引导助力企业发展", 49, "任务序号应为 7"),
    ("〔责任部门:区纪委监委〕", "〔负责部门:区纪委监委〕", 43, "无法识别的分工说明"),
    ("责任部门:区财政局、区金融办〕", "责任部门:区财政局、、区金融办〕", 65, "空的单位名称"),
])
@pytest.mark.django_db
def test_a_malformed_document_names_the_line_and_writes_nothing(
    tmp_path, primary_text, old, new, line, message
):
    path = tmp_path / "broken.txt"
    path.write_text(_broken(primary_text, old, new), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_plan", str(path), stdout=StringIO())
    assert f"第{line}行" in str(error.value) and message in str(error.value)
    assert _counts() == (0,) * 10


@pytest.mark.django_db
def test_a_foreign_document_is_refused_with_a_clear_message(settings):
    article = settings.BASE_DIR / "seeds" / "background-songbei-2017-interview.txt"
    with pytest.raises(CommandError, match="第1行：未找到文号"):
        call_command("import_plan", str(article), stdout=StringIO())
    assert Plan.objects.count() == 0


def test_parsing_is_pure_and_reports_the_line_of_a_task(primary_text):
    with pytest.raises(ImportFailed) as error:
        parse_document(primary_text.replace("(一)深化高效率改革创新战略驱动", "(二)深化"))
    assert error.value.line == 33


@pytest.mark.django_db
def test_a_note_spanning_two_lines_is_joined(primary_text):
    text = primary_text.replace("〔责任部门:区纪委监委〕", "〔责任部门:\n区纪委监委〕")
    plan = plan_load(parse_document(text)).plan
    assert Task.objects.get(plan=plan, number=5).assignments.get().department.name == "区纪委监委"
