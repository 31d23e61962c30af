"""Server-rendered SVG charts: the numbers are computed here, ``portal.svg`` draws them."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext

from common.formatting import cn_month

from ..workdays import month_start

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 24, 12, 30


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value: float
    count: int


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: list[ChartPoint]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def middle(self) -> float:
        return (self.plot_left + self.plot_right) / 2

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _months_ending(month: datetime.date, count: int) -> list[datetime.date]:
    months = [month_start(month)]
    while len(months) < count:
        months.insert(0, month_start(months[0] - datetime.timedelta(days=1)))
    return months


def progress_chart(series: list[tuple[datetime.date, float, int]], last_month: datetime.date,
                   months: int = 12) -> LineChart:
    """A percentage line over the ``months`` months ending with ``last_month``.

    ``series`` holds (month, value 0-100, number of reports); months without data are gaps.
    """
    axis = _months_ending(last_month, months)
    step = (WIDTH - LEFT - RIGHT) / max(len(axis) - 1, 1)
    height = HEIGHT - TOP - BOTTOM
    values = {month: (value, count) for month, value, count in series}
    points = []
    for i, month in enumerate(axis):
        if month in values:
            value, count = values[month]
            points.append(ChartPoint(LEFT + i * step, TOP + height * (1 - value / 100),
                                     cn_month(month), round(value, 1), count))
    labels = [(LEFT + i * step, gettext("%(month)d月") % {"month": m.month}
               if m.month != 1 or i == 0 else cn_month(m))
              for i, m in enumerate(axis) if i % 2 == (len(axis) - 1) % 2]
    ticks = [(TOP + height * (1 - v / 100), v) for v in (0, 25, 50, 75, 100)]
    return LineChart(WIDTH, HEIGHT, points, labels, ticks)
