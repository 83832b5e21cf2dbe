"""How values read on a page: the one place that turns yuan, fractions, dates, region codes,
booleans and choice values into the forms Chinese finance pages use.

Pure functions of their arguments and the active language (no request, no settings), so
templates, chart data and exports format alike and the rules are unit-tested with exact strings.
In English (the second language) amounts read as ``CNY 16.00 m`` below one billion and
``CNY 1.60 bn`` from there, dates as ``4 Dec 2026``, districts by their English names, Yes/No. The template filters in
``kechuang.core.templatetags.present`` are thin wrappers around these.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kechuang.synthetic.tables import CITY_CODE, DISTRICTS

EMPTY = "—"
_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
_TZ = ZoneInfo("Asia/Shanghai")
_MILLION = Decimal(1_000_000)
_BILLION = Decimal(1_000_000_000)
_REGION_NAMES = {CITY_CODE: "济南市", **{d.code: d.name_zh for d in DISTRICTS}}
_REGION_NAMES_EN = {CITY_CODE: "Jinan", **{d.code: d.name_en for d in DISTRICTS}}
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def english() -> bool:
    """Whether the active language is English (the second language)."""
    return (get_language() or "").startswith("en")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def money(yuan, places: int = 2) -> str:
    """Yuan as 万元 below one 亿 and as 亿元 from there, with thousands separators:
    16000000 → "1,600.00万元", 160000000 → "1.60亿元", None → "—". In English, millions below one
    billion and billions from there: "CNY 16.00 m", "CNY 1.60 bn"."""
    amount = _decimal(yuan)
    if amount is None:
        return EMPTY
    quantum = Decimal(1).scaleb(-places)
    if english():
        unit, divisor = ("bn", _BILLION) if abs(amount) >= _BILLION else ("m", _MILLION)
        scaled = (amount / divisor).quantize(quantum, rounding=ROUND_HALF_UP)
        return f"CNY {scaled:,.{places}f} {unit}"
    unit, divisor = ("亿元", _YI) if abs(amount) >= _YI else ("万元", _WAN)
    scaled = (amount / divisor).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{scaled:,.{places}f}{unit}"


def percent(fraction, places: int = 2) -> str:
    """A stored fraction as a percentage: 0.0365 → "3.65%", 0.0063 → "0.63%"."""
    value = _decimal(fraction)
    if value is None:
        return EMPTY
    scaled = (value * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{scaled:.{places}f}%"


def cn_date(value) -> str:
    """2026-12-04 → "2026年12月4日" ("4 Dec 2026" in English); an aware datetime is shown in
    Asia/Shanghai with its time."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, datetime):
        local = value.astimezone(_TZ) if value.tzinfo else value
        return f"{cn_date(local.date())} {local:%H:%M}"
    if isinstance(value, date):
        if english():
            return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
        return f"{value.year}年{value.month}月{value.day}日"
    try:
        return cn_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def yes_no(value) -> str:
    """True → 是, False → 否, None → —; strings "true"/"false" from JSON facts too."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes"}:
            return _("是")
        if lowered in {"false", "0", "no"}:
            return _("否")
        return value
    return _("是") if value else _("否")


def region_name(code) -> str:
    """A GB/T 2260 code by its name: "370102" → "历下区" ("Lixia District" in English); an unknown
    code is returned as given."""
    if code is None or code == "":
        return EMPTY
    return (_REGION_NAMES_EN if english() else _REGION_NAMES).get(str(code), str(code))


def choice_label(value, choices) -> str:
    """A TextChoices value by its label ("" / None → "—"; an unknown value is returned as given)."""
    if value is None or value == "":
        return EMPTY
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def percent_input(text):
    """What a person types into a percentage field, as the stored fraction: "3.85" or "3.85%" →
    Decimal("0.0385"); blank → None. Text that is not a number is returned unchanged so the service
    rejects it with its own coded error naming the field."""
    if text is None or str(text).strip() == "":
        return None
    cleaned = str(text).strip().rstrip("%％").strip()
    try:
        return Decimal(cleaned) / 100
    except (InvalidOperation, ValueError):
        return text
