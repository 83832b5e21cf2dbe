"""Units of amount the plans use and how they convert; used to spot actuals entered in the wrong
unit (亿元 vs 万元)."""

from __future__ import annotations

from decimal import Decimal

#: Yuan per unit.
AMOUNT_UNITS = {"元": Decimal(1), "万元": Decimal(10) ** 4, "亿元": Decimal(10) ** 8, "万亿元": Decimal(10) ** 12}
COUNT_UNITS = {"个": 1, "家": 1, "只": 1, "支": 1, "笔": 1, "人": 1, "场": 1}


def conversion_factor(from_unit: str, to_unit: str) -> Decimal | None:
    """Multiply a value in ``from_unit`` by this to express it in ``to_unit``; ``None`` when the
    units are not both amounts."""
    if from_unit in AMOUNT_UNITS and to_unit in AMOUNT_UNITS:
        return AMOUNT_UNITS[from_unit] / AMOUNT_UNITS[to_unit]
    return None


def magnitude_suspect(value: float, reference: float, *, factor: float = 1000.0) -> bool:
    """A value 1,000 times larger or smaller than a reference value of the same indicator (its
    target, baseline or last actual) looks like an amount typed in another unit (万元 for 亿元 is
    10,000×)."""
    if value <= 0 or reference <= 0:
        return False
    ratio = value / reference
    return ratio >= factor or ratio <= 1.0 / factor
