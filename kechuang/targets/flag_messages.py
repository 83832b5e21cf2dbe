"""What a value flag says, stored as a code and its parameters and read in the request's language.

A flag is raised by an import or by a person entering an actual, and read later by people who may
use either language, so its message is kept as ``message_code`` + ``message_params`` (plain JSON:
years, the value kind's code, and the plan's own wording — indicator names, units, qualifiers — as
entered). ``message`` keeps the Chinese sentence as well, for the API and the audit trail.
``flag_message`` renders it in the active language, the plan's own wording marked as Chinese
content on an English page; a flag stored before the codes existed is shown as it was written.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop, override

from kechuang.core.formatting import as_entered

from . import choices as c

#: code → message (Chinese msgid, %-placeholders named as in the stored parameters)
MESSAGES = {
    "period": gettext_noop("%(kind)s的年份 %(year)s 超出规划期 %(start)s—%(end)s"),
    "unit": gettext_noop("实际值单位“%(unit)s”与指标单位“%(indicator_unit)s”不一致；请核定后再计入"),
    "unit_converted": gettext_noop("实际值单位“%(unit)s”与指标单位“%(indicator_unit)s”不一致，折合 %(converted)s "
                                   "%(indicator_unit)s；请核定后再计入"),
    "magnitude": gettext_noop("实际值 %(value)s %(unit)s 与该指标其他数值相差千倍以上，疑似单位错误（如万元填作亿元）"),
    "contradiction": gettext_noop("同一规划对 %(year)s 年“%(concept)s”给出不同目标：%(listing)s；"
                                  "请核定采用哪一个（系统不取平均）"),
}
#: one value of a contradiction, and the separator between them
ITEM = gettext_noop("“%(name)s”%(value)s%(unit)s%(qualifier)s（第 %(row)s 行）")
SEPARATOR = gettext_noop("；")
#: parameters that are the plan's own wording (shown as entered, marked as Chinese)
ENTERED = {"unit", "indicator_unit", "concept", "name", "value", "qualifier"}


def _params(params: dict[str, Any], mark: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key == "kind":
            out[key] = c.ValueKind(value).label if value in c.ValueKind.values else value
        elif key == "items":
            continue
        elif mark and key in ENTERED:
            out[key] = conditional_escape(as_entered(value))
        else:
            out[key] = conditional_escape(value) if mark else value
    return out


def _render(code: str, params: dict[str, Any], mark: bool) -> str:
    values = _params(params, mark)
    if code == "contradiction":
        items = [gettext(ITEM) % _params(item, mark) for item in params.get("items", [])]
        values["listing"] = gettext(SEPARATOR).join(items)
    return gettext(MESSAGES[code]) % values


def flag_message(code: str, params: dict[str, Any], stored: str = "") -> SafeString:
    """The flag's message in the active language as page markup (the plan's wording marked)."""
    if code not in MESSAGES:
        return conditional_escape(as_entered(stored))
    return mark_safe(_render(code, params, mark=True))  # noqa: S308 -- every parameter is escaped


def flag_message_text(code: str, params: dict[str, Any], stored: str = "") -> str:
    """The flag's message in the active language as plain text (messages, exports)."""
    return _render(code, params, mark=False) if code in MESSAGES else stored


def flag_message_zh(code: str, params: dict[str, Any]) -> str:
    """The Chinese sentence stored beside the code (the API's ``message`` and the audit trail)."""
    with override("zh-hans"):
        return _render(code, params, mark=False)
