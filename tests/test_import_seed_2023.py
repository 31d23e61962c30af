"""Importing the Harbin New Area 2023 work plan: ten numbered areas, titled items, seven targets."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tasks_app.choices import TargetKind, TaskStatus
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Assignment, Plan, Target, Task

SEED = Path(settings.BASE_DIR) / "seeds" / "harbin-new-area-2023-work-plan.txt"

# Area number → (driver title as the heading writes it, without its final 。; item titles).
AREAS = {
    1: ("聚焦制度创新,在全面深化改革的探索实践中践行新区使命",
        ["系统推进行政管理体制改革", "统筹推进重点领域改革", "驰而不息优化营商环境"]),
    2: ("聚焦高水平对外开放,在全面深化国际合作中践行新区使命",
        ["持续深化制度型开放", "提升金融服务开放水平", "不断扩大外贸规模", "广泛搭建对外合作平台"]),
    3: ("聚焦科技创新,在全面激活发展新动能中践行新区使命",
        ["强力推进深哈产业园建设", "建设高水平科技创新平台", "大力培育科技创新主体",
         "深入推进产教融合"]),
    4: ("加快构建现代产业体系,在全面提高产业支撑能力中彰显新区担当",
        ["大力推进招商引资和项目建设", "提升工业经济产业能级", "久久为功打造经济新引擎",
         "提升现代农业发展水平"]),
    5: ("大力发展民营经济,在全面激发市场活力中厚植新区优势",
        ["拓宽民营企业发展空间", "完善企业梯度培育机制", "提高发展要素供给能力"]),
    6: ("坚持扩大内需战略基点,在全面融入双循环中展示新区作为",
        ["推动消费恢复扩容", "增加高品质产品供给", "稳定房地产市场"]),
    7: ("打造高品质现代化城市,在全面提升功能品质中展现新区形象",
        ["提升城市承载功能", "提升精细化管理水平", "优化自然生态环境"]),
    8: ("兜牢民生保障底线,在全面增进民生福祉中体现新区温度",
        ["健全就业和社会保障体系", "加快发展各项社会事业", "全面落实疫情防控新要求"]),
    9: ("提升基层治理水平,在全面统筹发展和安全中夯实新区责任",
        ["筑牢安全生产防线", "全面推进“平安新区”建设", "切实维护社会稳定"]),
    10: ("加强政府自身建设,在全面提升行政效能中展现新区作风",
         ["突出政治引领", "严格依法行政", "强化行政效能", "建设廉洁政府"]),
}
# (name, value, unit, qualifier, source line) — growth targets and the one "in step" goal.
TARGETS = [
    ("地区生产总值", Decimal("6.5"), "%", "左右", "全区地区生产总值增长6.5%左右"),
    ("规模以上工业增加值", Decimal("9"), "%", "左右", "规模以上工业增加值增长9%左右"),
    ("社会消费品零售总额", Decimal("7"), "%", "左右", "社会消费品零售总额增长7%左右"),
    ("固定资产投资", Decimal("10"), "%", "左右", "固定资产投资增长10%左右"),
    ("一般公共预算收入", Decimal("10"), "%", "", "一般公共预算收入增长10%"),
    ("进出口总额和实际利用外资", Decimal("30"), "%", "以上", "进出口总额和实际利用外资增长30%以上"),
    ("城乡居民人均可支配收入", None, "", "与GDP增速同步", "城乡居民人均可支配收入与GDP增速同步"),
]
# The news lead, the ten area introductions (long opening sentence) and the editor's line.
NOT_UNDERSTOOD = [1, 11, 16, 22, 28, 34, 39, 44, 49, 54, 59, 64]


@pytest.fixture(scope="module")
def parsed():
    return parse_document(read_document(SEED))


@pytest.fixture(scope="module")
def source_lines() -> list[str]:
    return read_document(SEED).splitlines()


def test_the_format_is_recognised_and_the_header_read(parsed):
    assert parsed.source_format == "numbered-areas"
    assert (parsed.issuer, parsed.title) == ("哈尔滨新区", "哈尔滨新区2023年工作计划")
    assert (parsed.period_start, parsed.period_end) == (2023, 2023)
    assert parsed.code.startswith("哈尔滨新区-2023-")


def test_the_code_is_the_same_on_every_parse(parsed):
    assert parse_document(read_document(SEED)).code == parsed.code


def test_ten_areas_become_drivers_holding_their_titled_items(parsed):
    assert {d.number: (d.title, [t.title for t in d.tasks]) for d in parsed.drivers} == AREAS
    assert [t.number for t in parsed.tasks] == list(range(1, 35))


def test_each_task_is_its_source_paragraph_verbatim(parsed, source_lines):
    for task in parsed.tasks:
        assert task.text == source_lines[task.line - 1]
        assert task.text.startswith(task.title + "。")
        assert task.units == [] and task.due_on is None


def test_the_seven_annual_targets_are_growth_targets(parsed):
    found = [(t.name, t.value, t.unit, t.qualifier, t.source_text) for t in parsed.targets]
    assert found == TARGETS
    assert all(t.kind == TargetKind.GROWTH and t.year == 2023 for t in parsed.targets)
    assert all(t.driver_number is None and t.units == [] for t in parsed.targets)


def test_introductions_the_lead_and_the_editor_line_are_listed_not_imported(parsed, source_lines):
    assert [number for number, _ in parsed.unparsed] == NOT_UNDERSTOOD
    assert all(text == source_lines[number - 1] for number, text in parsed.unparsed)


@pytest.mark.django_db
def test_loaded_tasks_arrive_unassigned_for_the_lead_office(parsed):
    plan = plan_load(parsed).plan
    assert plan.tasks.count() == 34 and plan.drivers.count() == 10
    assert not Assignment.objects.filter(task__plan=plan).exists()
    assert set(plan.tasks.values_list("status", flat=True)) == {TaskStatus.NEW}
    gdp = Target.objects.get(plan=plan, name="地区生产总值")
    assert (gdp.kind, gdp.value, gdp.unit, gdp.qualifier, gdp.year) == (
        TargetKind.GROWTH, Decimal("6.5"), "%", "左右", 2023)


@pytest.mark.django_db
def test_importing_twice_keeps_one_plan_and_changes_nothing():
    call_command("import_plan", str(SEED), stdout=StringIO())
    out = StringIO()
    call_command("import_plan", str(SEED), stdout=out)
    assert "无变化" in out.getvalue()
    assert Plan.objects.count() == 1 and Task.objects.count() == 34
