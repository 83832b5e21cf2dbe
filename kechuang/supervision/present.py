"""Words for the engine's error codes and the indicator values (Chinese msgids)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from kechuang.core.formatting import cn_date, money


def error_message(err: dict[str, Any]) -> str:
    """The reason of one validation error in words (the row and field are shown beside it)."""
    p = err.get("params") or {}
    code = err.get("code")
    messages = {
        "missing": _("必填项为空。"),
        "not_number": _("“%(value)s”不是数字（金额以元填写）。"),
        "negative": _("金额不能为负数（收到 %(value)s）。"),
        "not_flag": _("只能填 1（是）或 0（否），收到 %(value)s。"),
        "unknown_type": _("未知的机构类型“%(value)s”，可选：%(allowed)s。"),
        "type_mismatch": _("机构类型“%(value)s”与登记的类型“%(registered)s”不符。"),
        "unknown_org": _("许可证编号 %(value)s 未登记，或不在您可报送的范围内。"),
        "bad_frequency": _("报告频度“%(value)s”无效，应为“月报”或“季报”。"),
        "bad_period": _("报告期末“%(value)s”无效：应为月末日期，季报应为季末日期（如 2026-09-30）。"),
        "future_period": _("报告期末 %(value)s 晚于今天（%(today)s），该期尚未结束。"),
        "duplicate_in_file": _("同一机构同一报告期在文件中重复（首次出现在第 %(first)s 行）。"),
        "already_reported": _("该机构 %(value)s 的报表已报送过，不能重复报送。"),
        "subtotal": _("勾稽关系不符：%(lhs_label)s（%(lhs_value)s 元）应 %(op)s %(rhs_label)s（%(rhs_value)s 元）。"),
        "unknown_column": _("第 %(column)s 列的表头不是模板中的列。"),
        "missing_column": _("缺少模板中的这一列。"),
    }
    text = messages.get(code, str(code))
    try:
        return text % {k: _shown(v) for k, v in p.items()} if p else text.replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return text


def _shown(value):
    """A parameter as the page shows it: ``<=`` as ≤, an ISO date as a date in words."""
    if value == "<=":
        return "≤"
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return cn_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def error_rows(errors: list[dict[str, Any]], field_labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    labels = field_labels or {}
    return [{"sheet": e.get("sheet", ""), "row": e.get("row"), "field": labels.get(e.get("field"), e.get("field")),
             "code": e.get("code"), "reason": error_message(e)} for e in errors]


def format_value(value, unit: str) -> str:
    if value is None:
        return "—"
    v = float(value)
    if unit == "times":
        return _("%(v)s 倍") % {"v": f"{v:.2f}"}
    if unit == "ratio":
        return f"{v * 100:.2f}%"
    return money(v)
