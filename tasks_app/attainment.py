"""How far a target is reached: one rule for the bulletin and the assessment."""

import datetime
from decimal import Decimal

from .choices import TargetKind


def attainment(kind: str, target_value: Decimal | None, actual: Decimal | None) -> float | None:
    """Share of the target reached, 0…1 (capped), or None when it cannot be said.

    Totals and growth rates: actual ÷ target. Rankings (名次, lower is better):
    reached when the rank is at or above the target rank, else target ÷ actual.
    """
    if target_value is None or actual is None or target_value <= 0:
        return None
    if kind == TargetKind.RANKING:
        share = 1.0 if actual <= target_value else float(target_value / actual)
    else:
        share = float(actual / target_value)
    return max(0.0, min(share, 1.0))


def plain_number(value: Decimal | None) -> int | float | None:
    """A Decimal as a JSON number: 1500.0000 → 1500, 1.5000 → 1.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def percent(share: float | None, digits: int = 1) -> float | None:
    return None if share is None else round(share * 100, digits)


def expected_value(*, kind: str, target_value: Decimal | None, target_year: int | None,
                   baseline: Decimal | None, start_year: int | None, month: datetime.date,
                   is_year_to_date: bool) -> Decimal | None:
    """Where a monthly reading should stand on the way to the target, or None when the plan
    does not say enough to tell.

    - 增速 (growth rate): the target rate itself, every month.
    - 总量, year-to-date readings: the year's goal × months elapsed ÷ 12; the year's goal is
      the target in its own year, and on a straight line from the baseline (the year before
      the plan's first year) before it.
    - 总量, cumulative readings: the straight line from the baseline to the target, by month.
    - 排名: the target rank itself (a rank is compared with it as it is).
    """
    if target_value is None or target_year is None:
        return None
    if kind in (TargetKind.GROWTH, TargetKind.RANKING):
        return target_value
    if month.year > target_year:
        return None
    if is_year_to_date:
        if month.year == target_year:
            goal = target_value
        elif baseline is not None and start_year is not None and month.year >= start_year:
            span = target_year - start_year + 1
            goal = baseline + (target_value - baseline) * (month.year - start_year + 1) / span
        else:
            return None
        return goal * month.month / 12
    if baseline is None or start_year is None:
        return None
    months = (target_year - start_year + 1) * 12
    elapsed = (month.year - start_year) * 12 + month.month
    return baseline + (target_value - baseline) * max(0, elapsed) / months


def target_expected(target, month: datetime.date, is_year_to_date: bool) -> Decimal | None:
    """:func:`expected_value` for a Target (its plan's first year starts the path)."""
    return expected_value(kind=target.kind, target_value=target.value, target_year=target.year,
                          baseline=target.baseline, start_year=target.plan.period_start,
                          month=month, is_year_to_date=is_year_to_date)


def is_behind(kind: str, expected: Decimal | None, actual: Decimal) -> bool:
    """A reading lags its path (for a rank: a larger number than the target rank)."""
    if expected is None:
        return False
    return actual > expected if kind == TargetKind.RANKING else actual < expected
