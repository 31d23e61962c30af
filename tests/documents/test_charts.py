"""Bar charts: geometry computed on the server, drawn as SVG by the template."""

from tasks_app.portal.bar_charts import health_chart, on_time_chart, targets_chart


def test_health_bars_stack_the_counts_on_one_scale():
    chart = health_chart([("(1)产业强区驱动", {"green": 2, "red": 2}),
                          ("(2)营商环境驱动", {"yellow": 1})])
    first, second = chart.bars
    assert [s.css for s in first.segments] == ["seg-green", "seg-red"]
    assert first.segments[0].width == first.segments[1].width
    assert second.segments[0].width * 2 == first.segments[0].width
    assert first.note == "4 项" and chart.ticks[-1][1] == "4"


def test_on_time_rates_are_listed_lowest_first_and_coloured():
    chart = on_time_chart([
        {"name": "区甲局", "expected": 4, "on_time": 4, "on_time_rate": 100.0},
        {"name": "区乙局", "expected": 4, "on_time": 1, "on_time_rate": 25.0},
        {"name": "区丙局", "expected": 0, "on_time": 0, "on_time_rate": None}])
    assert [b.full_label for b in chart.bars] == ["区乙局", "区甲局"]
    assert [b.segments[0].css for b in chart.bars] == ["seg-red", "seg-green"]
    assert chart.bars[0].note == "25.0%（1/4）"


def test_targets_are_drawn_against_a_target_line():
    chart = targets_chart([{"name": "地区生产总值", "unit": "亿元", "actual": 750,
                            "attainment": 50.0},
                           {"name": "实际利用外资", "unit": "亿美元", "actual": None,
                            "attainment": None}])
    reached, missing = chart.bars
    assert chart.marker is not None and chart.marker[1] == "目标"
    assert reached.segments[0].width * 2 == chart.marker[0] - chart.plot_left
    assert missing.segments == [] and missing.note == "未报送"


def test_long_labels_are_cut_with_the_full_text_kept():
    chart = health_chart([("(3)实施高水平对外开放战略驱动", {"green": 1})])
    assert chart.bars[0].label.endswith("…") and len(chart.bars[0].label) == 10
    assert chart.bars[0].full_label == "(3)实施高水平对外开放战略驱动"
