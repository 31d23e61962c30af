"""Plans in common government styles (format task-list): notes, unit lines, deadlines, nesting."""

import datetime
from pathlib import Path

import pytest

from departments.models import Department, DepartmentAlias
from tasks_app.choices import AssignmentRole, TaskStatus
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.deadlines import deadline_in_text, parse_deadline
from tasks_app.importing.loader import plan_load
from tasks_app.models import Assignment, Milestone, Task

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
LEAD, RESP = AssignmentRole.LEAD, AssignmentRole.RESPONSIBLE
D = datetime.date


def _parse(name: str):
    return parse_document(read_document(FIXTURES / name))


def _units(task) -> list[tuple[str, str]]:
    return [(unit.name, unit.role) for unit in task.units]


@pytest.fixture(scope="module")
def notes():
    return _parse("notes-fullwidth.txt")


@pytest.fixture(scope="module")
def lines():
    return _parse("lines-halfwidth.md")


def test_full_width_notes_give_every_task_its_units(notes):
    assert notes.source_format == "task-list"
    assert {task.number: (task.title, _units(task)) for task in notes.tasks} == {
        1: ("推进政务服务“一网通办”", [("区政务服务中心", LEAD), ("区数据局", RESP)]),
        2: ("深化“一件事一次办”改革",
            [("经开办(自贸办)", LEAD), ("区住建局(交通)", RESP), ("区行审大厅", RESP)]),
        3: ("优化惠企政策兑现服务", [("区财政局", LEAD), ("区工信局", RESP), ("区商务局", RESP)]),
        4: ("加强市场主体培育", []),
        5: ("开展涉企收费专项治理", [("区发改局", LEAD), ("区市场局", LEAD), ("区财政局", RESP)]),
        6: ("推进信用体系建设", [("区发改局", LEAD), ("各相关部门", RESP)]),
    }


def test_headings_with_tasks_become_drivers(notes):
    assert [(d.number, d.title, len(d.tasks)) for d in notes.drivers] == [
        (1, "提升政务服务效能", 3), (2, "优化市场环境", 3)]


def test_task_text_is_verbatim_with_its_note(notes):
    assert notes.tasks[1].text == ("深化“一件事一次办”改革。完成时限：2025年6月。"
                                   "（责任单位：经开办(自贸办)，区住建局(交通)、区行审大厅）")


def test_a_note_spanning_two_lines_is_joined(notes):
    assert notes.tasks[2].text.endswith("（牵头单位：区财政局；配合单位：区工信局、区商务局）")
    assert _units(notes.tasks[2])[-1] == ("区商务局", RESP)


def test_the_first_is_lead_rule_is_recorded_applied_and_not_a_unit(notes):
    assert notes.rules == ["列第一位的为牵头单位，下同"]
    names = {unit.name for task in notes.tasks for unit in task.units}
    assert not any("第一位" in name or "下同" in name for name in names)
    assert _units(notes.tasks[1])[0] == ("经开办(自贸办)", LEAD)  # listed first → lead
    assert _units(notes.tasks[5])[0] == ("区发改局", LEAD)


def test_a_rule_stated_at_the_end_applies_to_earlier_tasks_but_not_to_deputies(lines):
    assert lines.rules == ["注:各项任务责任单位中,列第一位的为牵头单位。"]
    assert _units(lines.tasks[1]) == [("区城管局", LEAD), ("各街道办事处", RESP)]
    assert _units(lines.tasks[3]) == [("区发改局", RESP)]  # 协办单位 stays a deputy


def test_unit_lines_and_deputy_keys(lines):
    assert {task.number: _units(task) for task in lines.tasks} == {
        1: [("区住建局", LEAD), ("区财政局", RESP), ("区城管局", RESP)],
        2: [("区城管局", LEAD), ("各街道办事处", RESP)],
        3: [("区住建局", LEAD), ("区城管局", LEAD), ("区自然资源局", RESP)],
        4: [("区发改局", RESP)],
        5: [],
    }


def test_deadlines_become_due_dates(notes, lines):
    assert [task.due_on for task in notes.tasks] == [
        D(2024, 12, 31), D(2025, 6, 30), None, None, None, D(2024, 12, 31)]
    assert [task.due_on for task in lines.tasks] == [
        D(2025, 12, 31), D(2025, 12, 31), None, D(2025, 9, 30), None]


def test_nested_numbering_becomes_dated_milestones(notes):
    task = notes.tasks[5]
    assert [(m.title, m.due_on) for m in task.milestones] == [
        ("2024年6月底前建成信用信息共享平台", D(2024, 6, 30)),
        ("2024年底前实现信用报告“全程网办”", D(2024, 12, 31)),
    ]
    assert task.text == ("推进信用体系建设。\n（1）2024年6月底前建成信用信息共享平台；\n"
                         "（2）2024年底前实现信用报告“全程网办”。")


def test_header_number_issuer_and_date(lines):
    assert (lines.code, lines.title) == ("松政办发〔2025〕3号", "松北区2025年城市更新重点工作安排")
    assert (lines.issuer, lines.signed_on) == ("松北区人民政府办公室", D(2025, 2, 10))
    assert [t.title for t in lines.tasks][2:] == [
        "建设口袋公园20个", "推进城市照明节能改造(2025年9月底前完成主干道改造)", "开展城市家具更新"]


def test_lines_outside_tasks_are_listed_as_not_understood(notes, lines):
    assert notes.unparsed == [
        (3, "为持续优化营商环境，结合我区实际，制定本方案。"), (5, "一、总体要求"),
        (6, "坚持问题导向，对标先进地区，全面提升营商环境水平。"), (8, "二、重点任务"),
        (22, "三、保障措施"), (23, "（一）加强组织领导。各责任单位要明确分管领导和联络员。"),
        (24, "（二）强化督促检查。区营商局每季度通报进展情况。"),
    ]
    assert lines.unparsed == []


def test_full_and_half_width_punctuation_read_alike(notes):
    half = (FIXTURES / "notes-fullwidth.txt").read_text(encoding="utf-8").translate(
        str.maketrans("（）：；，", "():;,"))
    parsed = parse_document(half)
    assert [(t.title, _units(t), t.due_on) for t in parsed.tasks] == [
        (t.title, _units(t), t.due_on) for t in notes.tasks]


def test_a_plan_without_a_number_gets_a_stable_code_from_issuer_title_and_year(notes):
    text = (FIXTURES / "notes-fullwidth.txt").read_text(encoding="utf-8")
    assert parse_document(text).code == notes.code
    assert notes.code.startswith("无文号-2024-")
    other = parse_document(text.replace("营商环境重点任务", "营商环境攻坚任务", 1))
    assert other.code != notes.code


def test_headings_one_two_are_tasks_when_nothing_is_numbered_one_two():
    parsed = parse_document("区2024年重点工作\n一、项目建设\n"
                            "（一）推进园区建设。（区发改局牵头，区住建局配合）\n"
                            "（二）加快道路施工。（责任单位：区住建局）\n")
    assert [(d.title, [t.title for t in d.tasks]) for d in parsed.drivers] == [
        ("项目建设", ["推进园区建设", "加快道路施工"])]
    assert _units(parsed.tasks[0]) == [("区发改局", LEAD), ("区住建局", RESP)]


@pytest.mark.django_db
def test_loading_keeps_units_verbatim_and_milestones(notes):
    plan = plan_load(notes).plan
    assert Department.objects.filter(name__in=["经开办(自贸办)", "区住建局(交通)"]).count() == 2
    leads = Assignment.objects.filter(task__plan=plan, task__number=5, role=LEAD)
    assert sorted(a.source_text for a in leads) == ["区发改局", "区市场局"]
    assert Task.objects.get(plan=plan, number=4).status == TaskStatus.NEW
    assert Task.objects.get(plan=plan, number=2).due_on == D(2025, 6, 30)
    assert list(Milestone.objects.filter(task__plan=plan).values_list("due_on", flat=True)) == [
        D(2024, 6, 30), D(2024, 12, 31)]
    assert list(DepartmentAlias.objects.values_list("alias", flat=True)) == [
        "经开区办(自贸办)"]  # the reference list's only alias; the document added none
    plan_load(notes)
    assert Milestone.objects.filter(task__plan=plan).count() == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("2024年底前", D(2024, 12, 31)),
    ("2024年年底前完成", D(2024, 12, 31)),
    ("2025年6月", D(2025, 6, 30)),
    ("2025年2月底前", D(2025, 2, 28)),
    ("2024年6月15日前", D(2024, 6, 15)),
    ("2024年上半年", D(2024, 6, 30)),
    ("2025年第三季度", D(2025, 9, 30)),
    ("长期坚持", None),
])
def test_deadline_fields(text, expected):
    assert parse_deadline(text) == expected


def test_a_goal_horizon_is_not_a_deadline():
    assert deadline_in_text("到2026年,营业收入力争达到6000亿元") is None
    assert deadline_in_text("2024年6月底前启动,2025年底前建成") == D(2025, 12, 31)


def test_a_sentence_caught_as_a_unit_name_is_listed_not_created():
    sentence = "各部门要按照职责分工切实履行主体责任并将工作进展情况按月报送区营商局" * 2
    parsed = parse_document(
        f"区2024年清单\n一、任务\n1．推进改革。（责任单位：区发改局、{sentence}）\n")
    assert _units(parsed.tasks[0]) == [("区发改局", RESP)]
    assert parsed.unparsed == [(3, f"单位名称过长：{sentence}")]
