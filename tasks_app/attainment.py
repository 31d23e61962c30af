"""How far a target is reached: one rule for the bulletin and the assessment."""

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
