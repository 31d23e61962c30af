"""Importing the Harbin New Area 2024 work plan: focus areas, bold-titled items, targets."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from tasks_app.choices import TargetKind
from tasks_app.importing import parse_document, read_document
from tasks_app.importing.loader import plan_load
from tasks_app.models import Target

SEED = Path(settings.BASE_DIR) / "seeds" / "harbin-new-area-2024-work-plan.txt"

AREAS = {
    1: ("聚焦实体经济 提升产业发展能级",
        ["坚定不移聚产业集群", "千方百计促招商引资", "全力以赴抓项目建设"]),
    2: ("聚焦科技创新 加快培育新质生产力",
        ["强化科技创新主体培育", "加强科创平台载体建设", "加快构建科技创新生态",
         "大力引育创新人才"]),
    3: ("聚焦深化改革 持续优化一流营商环境",
        ["深化“放管服”改革", "深化要素市场化配置", "激发民营经济活力"]),
    4: ("聚焦向北开放 着力构建高水平对外开放格局",
        ["打造对俄合作核心窗口", "畅通国际贸易通道", "全面提升开放层级"]),
    5: ("聚焦引领示范 着力增强战略支撑能力",
        ["创建现代化农业发展示范田", "创建文旅融合发展示范区", "创建冰雪体育示范区"]),
    6: ("突出精致建管 全面提升城乡环境品质",
        ["提升城市承载能力", "建设宜居和美乡村", "加强生态环境保护"]),
    7: ("加强民生保障 巩固发展社会各项事业",
        ["抓好教育医疗两件大事", "扎实推进就业创业", "强化公共服务保障"]),
    8: ("夯实安全基石 全力维护社会和谐稳定",
        ["筑牢安全生产防线", "防范化解重点领域风险", "完善社会治理体系"]),
    9: ("切实加强政府自身建设 全面打造高素质干部队伍",
        ["坚持党的领导,让讲政治成为硬核“标配”", "全面依法行政,让重法治成为显著“标志”",
         "提升能力作风,让专业化成为鲜明“标签”", "务实担当作为,让抓落实成为实干“底色”",
         "严格正风肃纪,让守底线成为基本“标准”"]),
}
# 经济社会发展预期目标: six numeric growth targets; the 同步 goal shares a bullet with one of them.
ANNUAL = [
    ("进出口总额", Decimal("30"), "%", "以上"),
    ("一般公共预算收入", Decimal("6"), "%", "左右"),
    ("城乡居民收入", None, "", "与经济增长同步"),
    ("社会消费品零售总额", Decimal("8"), "%", "左右"),
    ("固定资产投资", Decimal("10"), "%", "左右"),
    ("地区生产总值", Decimal("6.5"), "%", "左右"),
    ("规上工业增加值", Decimal("9.5"), "%", "以上"),
]
# Item-level goals → targets of the item's driver: (driver, name, value, unit, qualifier, kind).
ITEM_GOALS = [
    (1, "招商引资项目数量", Decimal("100"), "个", "力争突破", TargetKind.QUANTITY),
    (1, "协议引资额", Decimal("1000"), "亿元", "达到", TargetKind.QUANTITY),
    (1, "实际利用内外资", Decimal("20"), "%", "以上", TargetKind.GROWTH),
    (1, "新开工省市重点项目", Decimal("100"), "个", "以上", TargetKind.QUANTITY),
    (1, "年度投资额", Decimal("150"), "亿元", "以上", TargetKind.QUANTITY),
    (2, "净增高新技术企业", Decimal("200"), "家", "以上", TargetKind.QUANTITY),
    (2, "高新技术企业总数", Decimal("1500"), "家", "突破", TargetKind.QUANTITY),
    (2, "培育产教融合实践中心", Decimal("20"), "个", "力争", TargetKind.QUANTITY),
    (2, "产教融合型企业", Decimal("40"), "家", "达到", TargetKind.QUANTITY),
    (3, "新登记企业", Decimal("1"), "万户", "以上", TargetKind.QUANTITY),
    (4, "新增育外贸备案企业", Decimal("30"), "户", "以上", TargetKind.QUANTITY),
    (5, "旅游收入", Decimal("30"), "%", "以上", TargetKind.GROWTH),
    (7, "新增学位", Decimal("5800"), "个", "计划", TargetKind.QUANTITY),
]
# Headline, subtitle, byline, lead paragraph and the "聚焦9方面重点工作" summary.
NOT_UNDERSTOOD = [3, 5, 7, 11, 13, 14, 15, 16]


@pytest.fixture(scope="module")
def parsed():
    return parse_document(read_document(SEED))


@pytest.fixture(scope="module")
def flowing_text() -> str:
    """The document as one string without markdown bold and without line breaks."""
    return "".join(line.strip() for line in read_document(SEED).replace("**", "").splitlines())


def test_the_format_is_recognised_and_the_header_read(parsed):
    assert parsed.source_format == "focus-areas"
    assert (parsed.issuer, parsed.title, parsed.period_end) == (
        "哈尔滨新区", "哈尔滨新区2024年工作计划", 2024)
    assert parsed.code.startswith("哈尔滨新区-2024-")


def test_focus_areas_become_drivers_holding_their_bold_titled_items(parsed):
    assert {d.number: (d.title, [t.title for t in d.tasks]) for d in parsed.drivers} == AREAS
    assert [t.number for t in parsed.tasks] == list(range(1, 31))


def test_item_text_is_verbatim_and_runs_on_over_page_breaks(parsed, flowing_text):
    for task in parsed.tasks:
        assert task.text in flowing_text
        assert task.text.startswith(task.title + "。")
        assert task.units == []
    investment = parsed.tasks[1]
    assert investment.text == (
        "千方百计促招商引资。坚持把招商引资作为拼经济的“一号工程”,瞄准世界500强、国内100强和"
        "行业50强聚焦发力,加快推动一批制造业链主项目、科技创新潜力项目和外资项目签约落地。力争全年"
        "招商引资项目数量突破100个,协议引资额达到千亿元,实际利用内外资同比增长20%以上。")
    assert parsed.tasks[-1].text == "严格正风肃纪,让守底线成为基本“标准”。"


def test_the_annual_targets_are_growth_targets_without_a_driver(parsed):
    annual = [t for t in parsed.targets if t.driver_number is None]
    assert [(t.name, t.value, t.unit, t.qualifier) for t in annual] == ANNUAL
    assert all(t.kind == TargetKind.GROWTH and t.year == 2024 for t in annual)


def test_item_level_goals_become_targets_of_the_items_driver(parsed, flowing_text):
    goals = [t for t in parsed.targets if t.driver_number is not None]
    assert [(t.driver_number, t.name, t.value, t.unit, t.qualifier, t.kind)
            for t in goals] == ITEM_GOALS
    for goal in goals:
        assert goal.source_text in flowing_text and goal.year == 2024
    assert goals[6].source_text.endswith("确保全年净增高新技术企业200家以上,总数突破1500家。")


def test_the_headline_byline_and_summary_are_listed_not_imported(parsed):
    assert [number for number, _ in parsed.unparsed] == NOT_UNDERSTOOD


@pytest.mark.django_db
def test_loaded_item_goals_hang_on_their_driver(parsed):
    plan = plan_load(parsed).plan
    goal = Target.objects.get(plan=plan, name="招商引资项目数量")
    assert (goal.driver.number, goal.value, goal.qualifier) == (1, Decimal("100"), "力争突破")
    assert Target.objects.get(plan=plan, name="地区生产总值").driver is None
    assert plan.targets.count() == 20 and plan.tasks.count() == 30


def test_a_goal_named_twice_is_listed_instead_of_overwriting_the_first():
    again = "确保全年新登记企业1万户以上。力争全年招商引资项目数量突破200个。"
    text = read_document(SEED).replace("确保全年新登记企业1万户以上。", again)
    parsed = parse_document(text)
    assert [t.value for t in parsed.targets if t.name == "招商引资项目数量"] == [Decimal("100")]
    assert (41, "指标重名：力争全年招商引资项目数量突破200个。") in parsed.unparsed
