"""``import_plan PATH --format … --dry-run --accept-aliases``: preview, codes, aliases, errors."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from departments.models import Department, DepartmentAlias, DepartmentGroup
from tasks_app.models import Assignment, Plan, Target, Task

SEEDS = Path(settings.BASE_DIR) / "seeds"
NEW_AREA_2023 = SEEDS / "harbin-new-area-2023-work-plan.txt"
NEW_AREA_2024 = SEEDS / "harbin-new-area-2024-work-plan.txt"
# Units of every kind once the primary plan is in: a department, an alias, a group, a new
# group, a new department, and two look-alikes (brackets dropped; 市 for 区).
UNITS_PLAN = """松北区2024年重点任务清单
一、园区建设
1．推进园区建设。（责任单位：区工信局、经开区办(自贸办)、各相关部门、区内各街道、区数据局）
2．完善配套设施。（牵头单位：经开办；配合单位：市住建局）
"""


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("import_plan", *map(str, args), "--create-units", stdout=out)
    return out.getvalue().strip().splitlines()


def _counts() -> tuple:
    return tuple(model.objects.count() for model in (
        Plan, Task, Assignment, Target, Department, DepartmentAlias, DepartmentGroup))


@pytest.fixture
def units_plan(tmp_path) -> Path:
    path = tmp_path / "清单.txt"
    path.write_text(UNITS_PLAN, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_dry_run_prints_the_preview_and_writes_nothing():
    lines = _run(NEW_AREA_2023, "--dry-run")
    text = "\n".join(lines)
    assert lines[0].startswith("计划：哈尔滨新区-2023-") and "哈尔滨新区2023年工作计划" in lines[0]
    assert "格式：numbered-areas" in text and "战略驱动 10 个：" in text
    assert "  (9) 提升基层治理水平,在全面统筹发展和安全中夯实新区责任 — 3 项任务" in lines
    assert "任务 34 项（未分工 34 项）：" in lines and "  1. 系统推进行政管理体制改革" in lines
    assert "  地区生产总值 左右6.5%(2023年,增速指标)" in lines
    assert "未识别的行 12 行（不会导入）：" in lines and "  第64行：责任编辑:王俊芳" in lines
    assert "试运行" in lines[-2] and lines[-1] == f"plan: {lines[0].split()[0][3:]}"
    assert _counts() == (0, 0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_the_last_line_names_the_code_export_plan_finds():
    code = _run(NEW_AREA_2024)[-1].removeprefix("plan: ")
    out = StringIO()
    call_command("export_plan", code, stdout=out)
    data = json.loads(out.getvalue())
    assert data["plan"]["title"] == "哈尔滨新区2024年工作计划"
    assert len(data["drivers"]) == 9 and len(data["targets"]) == 20


@pytest.mark.django_db
def test_the_same_document_gets_the_same_code_on_every_run():
    first, second = _run(NEW_AREA_2024), _run(NEW_AREA_2024)
    assert first[-1] == second[-1] and "无变化：数据库已与文件一致。" in second
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_format_option_forces_a_parser():
    forced = _run(NEW_AREA_2023, "--format", "numbered-areas")
    assert forced[-1].startswith("plan: 哈尔滨新区-2023-")
    with pytest.raises(CommandError, match="未找到“### 标题”下以粗体标题开头的事项"):
        _run(NEW_AREA_2023, "--format", "focus-areas")
    assert Plan.objects.count() == 1


@pytest.mark.django_db
def test_a_document_in_no_known_format_gives_a_clear_error_and_writes_nothing():
    with pytest.raises(CommandError) as error:
        _run(SEEDS / "background-party-school-articles.txt")
    assert "未找到文号" in str(error.value) and "也不符合其他可识别的格式" in str(error.value)
    assert _counts() == (0, 0, 0, 0, 0, 0, 0)


def test_every_unit_is_matched_in_the_preview(primary_plan, units_plan):
    lines = _run(units_plan, "--dry-run")
    assert ("     单位：区工信局[责任部门·现有部门]、"
            "经开区办(自贸办)[责任部门·现有别名 → 经开办(自贸办)]、"
            "各相关部门[责任部门·现有部门组]、区内各街道[责任部门·新部门组]、"
            "区数据局[责任部门·新部门]") in lines
    assert ("     单位：经开办[牵头部门·新部门（建议设为别名） → 经开办(自贸办)]、"
            "市住建局[责任部门·新部门（建议设为别名） → 区住建局]") in lines
    assert "  经开办 → 经开办(自贸办)(未采纳，将新建部门；用 --accept-aliases 采纳)" in lines


def test_look_alike_names_are_never_merged_silently(primary_plan, units_plan):
    lines = _run(units_plan)
    assert "新增部门 经开办（与现有部门 经开办(自贸办) 相似，未设为别名）" in lines
    assert Department.objects.filter(name__in=["经开办", "市住建局"]).count() == 2
    assert not DepartmentAlias.objects.filter(alias__in=["经开办", "市住建局"]).exists()


def test_accepted_aliases_join_the_known_department(primary_plan, units_plan):
    lines = _run(units_plan, "--accept-aliases")
    assert "新增别名 经开办 → 经开办(自贸办)" in lines
    assert DepartmentAlias.objects.get(alias="市住建局").department.name == "区住建局"
    assert not Department.objects.filter(name__in=["经开办", "市住建局"]).exists()
    lead = Assignment.objects.get(task__plan__title="松北区2024年重点任务清单", role="lead")
    assert (lead.department.name, lead.source_text) == ("经开办(自贸办)", "经开办")


def test_one_alias_can_be_accepted_alone(primary_plan, units_plan):
    _run(units_plan, "--accept-alias", "经开办")
    assert DepartmentAlias.objects.filter(alias="经开办").exists()
    assert Department.objects.filter(name="市住建局").exists()


def test_accepting_a_name_the_document_does_not_have_is_reported(primary_plan, units_plan):
    lines = _run(units_plan, "--accept-alias", "区不存在局")
    assert "忽略别名 区不存在局：文件中没有这个单位名称" in lines
    assert not DepartmentAlias.objects.filter(alias="区不存在局").exists()


@pytest.mark.django_db
def test_units_not_in_the_directory_need_create_units_or_a_mapping(tmp_path):
    from departments.models import Department, DepartmentAlias
    from tasks_app.models import Plan

    path = tmp_path / "清单.txt"
    path.write_text("区2024年清单\n一、园区\n1．建设园区。（牵头单位：区招商服务中心；"
                    "配合单位：区财政局）\n", encoding="utf-8")
    finance = Department.objects.create(name="财政局", code="cz")
    out = StringIO()
    call_command("import_plan", str(path), "--dry-run", stdout=out)
    assert "不在部门名录中的单位（须确认新建或对应到现有部门）：" in out.getvalue()
    with pytest.raises(CommandError, match="以下 2 个单位不在部门名录中.*--create-units"):
        call_command("import_plan", str(path), stdout=StringIO())
    assert not Plan.objects.exists()
    with pytest.raises(CommandError, match="以下 1 个单位不在部门名录中.*导入：区招商服务中心；"):
        call_command("import_plan", str(path), "--map-unit", "区财政局=财政局",
                     stdout=StringIO())
    call_command("import_plan", str(path), "--map-unit", "区财政局=财政局", "--create-units",
                 stdout=StringIO())
    assert DepartmentAlias.objects.get(alias="区财政局").department == finance
    assert Plan.objects.get().tasks.get().assignments.count() == 2
