"""Horizontal bar charts as server-rendered SVG (no script, no CDN): health by driver
(stacked counts), on-time reporting by department, targets against their readings.

The numbers and coordinates are computed here; ``portal.svg`` draws them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext

from common.i18n import text_cached

from ..choices import Health
from .labels import label as choice_label

HEALTHS = tuple(Health.values)  # in the order the segments are stacked

WIDTH = 560
LABEL_WIDTH = 150
NOTE_WIDTH = 96
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP, BOTTOM = 20, 26
MAX_LABEL = 10  # characters shown before the label is cut (the full text is the tooltip)


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class Bar:
    label: str
    full_label: str
    y: float
    segments: list[Segment]
    note: str

    @property
    def text_y(self) -> float:
        return self.y + BAR_HEIGHT / 2


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    marker: tuple[float, str] | None = None  # a reference line (e.g. 100% of target)
    width: int = WIDTH
    plot_left: int = LABEL_WIDTH
    plot_right: int = WIDTH - NOTE_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return TOP + max(len(self.bars), 1) * ROW_HEIGHT + BOTTOM

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def plot_top(self) -> int:
        return TOP

    @property
    def label_x(self) -> int:
        return self.plot_left - 8

    @property
    def note_x(self) -> int:
        return self.plot_right + 6

    @property
    def middle(self) -> float:
        return (self.plot_left + self.plot_right) / 2


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _scale(value: float, top: float) -> float:
    return (WIDTH - NOTE_WIDTH - LABEL_WIDTH) * (min(value, top) / top if top else 0)


def _y(index: int) -> float:
    return TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2


def _nice_ticks(top: int) -> list[int]:
    step = max(1, -(-top // 4))
    return list(range(0, top + 1, step)) if top else [0]


def health_chart(rows: list[tuple[str, dict[str, int]]]) -> BarChart:
    """One stacked bar per driver: how many tasks are 正常 / 预警 / 滞后 / 未更新."""
    top = max((sum(counts.values()) for _, counts in rows), default=0)
    bars = []
    for index, (label, counts) in enumerate(rows):
        x, segments = float(LABEL_WIDTH), []
        for health in HEALTHS:
            n = counts.get(health, 0)
            if n:
                width = _scale(n, top)
                segments.append(Segment(x, width, f"seg-{health}", _segment_note(
                    label, choice_label(health, "health"), n)))
                x += width
        total = sum(counts.values())
        bars.append(Bar(_short(label), label, _y(index), segments, _tasks_counted(total)))
    ticks = [(LABEL_WIDTH + _scale(t, top), str(t)) for t in _nice_ticks(top)] if top else []
    return BarChart(bars, ticks)


def _tasks_counted(count: int) -> str:
    """"12 项", remembered per language and count (a bar per driver on every plan card)."""
    return text_cached(("tasks_counted", count), lambda: ngettext(
        "%(count)d 项", "%(count)d 项", count) % {"count": count})


def _segment_note(label: str, health: str, count: int) -> str:
    """A segment's tooltip; its wording remembered per language and count (a segment per
    driver and health on every plan card)."""
    wording = text_cached(("segment_note", count), lambda: ngettext(
        "%(label)s：%(health)s %(count)d 项", "%(label)s：%(health)s %(count)d 项", count))
    return wording % {"label": label, "health": health, "count": count}


def percent_chart(rows: list[tuple[str, float | None, str]], *, top: float = 100,
                  marker: tuple[float, str] | None = None, css=None) -> BarChart:
    """One bar per row for a percentage (None: no bar, the note says why).

    ``css(value)`` picks the bar's class; values above ``top`` are drawn at ``top``.
    """
    bars = []
    for index, (label, value, note) in enumerate(rows):
        segments = []
        if value is not None:
            segments.append(Segment(float(LABEL_WIDTH), _scale(value, top),
                                    css(value) if css else "seg-bar", f"{label}：{note}"))
        bars.append(Bar(_short(label), label, _y(index), segments, note))
    step = 25 if top <= 100 else 50
    ticks = [(LABEL_WIDTH + _scale(t, top), f"{t}%") for t in range(0, int(top) + 1, step)]
    line = (LABEL_WIDTH + _scale(marker[0], top), marker[1]) if marker else None
    return BarChart(bars, ticks, line)


def rate_class(value: float) -> str:
    return "seg-green" if value >= 90 else "seg-yellow" if value >= 60 else "seg-red"


def on_time_chart(departments: list[dict], limit: int = 30) -> BarChart:
    """On-time reporting rate by department, lowest first (departments that owed reports)."""
    rows = sorted((d for d in departments if d.get("expected")),
                  key=lambda d: (d["on_time_rate"] if d["on_time_rate"] is not None else 101,
                                 d["name"]))[:limit]
    return percent_chart([(d["name"], d["on_time_rate"],
                           f"{d['on_time_rate']}%（{d['on_time']}/{d['expected']}）")
                          for d in rows], css=rate_class)


def targets_chart(targets: list[dict], limit: int = 30) -> BarChart:
    """Each target's latest reading as a share of its target value (the line is 100%)."""
    rows = []
    for t in targets[:limit]:
        unit = t.get("unit") or ""
        if t.get("attainment") is None:
            note = gettext("未报送") if t.get("actual") is None else f"{t['actual']}{unit}"
        else:
            note = f"{t['attainment']}%"
        rows.append((t["name"], t.get("attainment"), note))
    return percent_chart(rows, top=150, marker=(100, gettext("目标")),
                         css=lambda v: "seg-green" if v >= 100 else "seg-bar")


def driver_label(number: int | None, title: str) -> str:
    return f"（{number}）{title}" if number else title


def plan_charts(item) -> dict:
    """The overview's bar charts of one plan (a selectors.overview.PlanOverview)."""
    health = health_chart([
        (driver_label(row.driver.number, row.driver.title) if row.driver
         else gettext("其他督办事项"),
         row.counts) for row in item.drivers])
    return {"health": health, "targets": targets_chart(item.targets),
            "on_time": on_time_chart(item.bulletin.department_rates) if item.bulletin else None}


def bulletin_charts(content: dict) -> dict:
    """The bulletin page's charts, from its stored content."""
    if not content:
        return {}
    return {"health": health_chart([(driver_label(d["number"], d["title"]), d["health"])
                                    for d in content["drivers"]]),
            "on_time": on_time_chart(content["departments"], limit=60),
            "targets": targets_chart(content["targets"])}
