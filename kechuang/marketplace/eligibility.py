"""A product's eligibility as people build and read it: the rule builder's six rows
(qualification, rating grade, size, region, industry, adverse records) to and from the eligibility
JSON the matching engine reads (``kechuang.engine.matching.rules``), and any eligibility in words.

The JSON is the engine's, unchanged: a list of ``condition`` / ``any_of`` clauses over the
marketplace features. ``rule_from_eligibility`` reads what the builder can show into its rows and
keeps every other clause as it is (``extra``), so editing a product never loses a condition the
builder has no row for; ``eligibility_from_rule`` writes the rows back followed by those clauses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kechuang.core import formatting
from kechuang.engine.matching import MATCH_FEATURES
from kechuang.engine.scorecard import DEFAULT_MASTER_SCALE

#: The qualifications (titles) a product can ask for, by the engine's yes/no features.
QUALIFICATIONS = {"tsme": gettext_noop("科技型中小企业"),
                  "hnte": gettext_noop("高新技术企业"),
                  "srdi_sme": gettext_noop("专精特新中小企业"),
                  "little_giant": gettext_noop("专精特新“小巨人”企业"),
                  "gazelle": gettext_noop("瞪羚企业")}
#: Rating grades best first; the engine reads ``grade_rank`` (1 = the best grade).
GRADES = tuple(g for g, _pd in DEFAULT_MASTER_SCALE)
GRADE_RANK = {g: i + 1 for i, g in enumerate(GRADES)}
SIZES = {"micro": gettext_noop("微型"),
         "small": gettext_noop("小型"),
         "medium": gettext_noop("中型"),
         "large": gettext_noop("大型")}
#: GB/T 4754-2017 sections (门类); the engine reads ``industry_section``.
INDUSTRY_SECTIONS = {
    "A": gettext_noop("农、林、牧、渔业"),
    "B": gettext_noop("采矿业"),
    "C": gettext_noop("制造业"),
    "D": gettext_noop("电力、热力、燃气及水生产和供应业"),
    "E": gettext_noop("建筑业"),
    "F": gettext_noop("批发和零售业"),
    "G": gettext_noop("交通运输、仓储和邮政业"),
    "H": gettext_noop("住宿和餐饮业"),
    "I": gettext_noop("信息传输、软件和信息技术服务业"),
    "J": gettext_noop("金融业"),
    "K": gettext_noop("房地产业"),
    "L": gettext_noop("租赁和商务服务业"),
    "M": gettext_noop("科学研究和技术服务业"),
    "N": gettext_noop("水利、环境和公共设施管理业"),
    "O": gettext_noop("居民服务、修理和其他服务业"),
    "P": gettext_noop("教育"),
    "Q": gettext_noop("卫生和社会工作"),
    "R": gettext_noop("文化、体育和娱乐业"),
    "S": gettext_noop("公共管理、社会保障和社会组织"),
    "T": gettext_noop("国际组织"),
}
#: A region's level decides the feature: a district's code, a city's or a province's.
REGION_FEATURES = ("region_code", "region_city", "region_province")
REGION_LEVEL = {"region_code": "district", "region_city": "city", "region_province": "province"}


def region_level(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "district"


@dataclass
class Rule:
    """The builder's rows. An empty ``*_op`` means the row sets no condition."""

    qual_op: str = ""  # "" | "all" | "any"
    quals: list[str] = field(default_factory=list)
    grade_op: str = ""  # "" | "gte"
    grade: str = ""
    size_op: str = ""  # "" | "in" | "not_in"
    sizes: list[str] = field(default_factory=list)
    region_op: str = ""
    regions: list[str] = field(default_factory=list)
    industry_op: str = ""
    industries: list[str] = field(default_factory=list)
    adverse_op: str = ""  # "" | "none" | "at_most"
    adverse_max: int | None = None
    extra: list[dict[str, Any]] = field(default_factory=list)


def _or(names: list[str]) -> str:
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "或" + names[-1]


def _cond(cid: str, title: str, feature: str, op: str, value: Any = None) -> dict[str, Any]:
    out = {"id": cid, "kind": "condition", "title": title, "feature": feature, "op": op}
    if value is not None:
        out["value"] = value
    return out


def eligibility_from_rule(rule: Rule, region_names: dict[str, str]) -> list[dict[str, Any]]:
    """The engine's eligibility for the builder's rows (assumed checked: ``rule_problems`` is empty)."""
    out: list[dict[str, Any]] = []
    quals = [q for q in QUALIFICATIONS if q in rule.quals]
    if rule.qual_op == "any" and len(quals) > 1:
        out.append({"id": "qualification", "kind": "any_of",
                    "title": "具备以下资质之一：" + "、".join(QUALIFICATIONS[q] for q in quals),
                    "clauses": [_cond(f"qualification_{q}", QUALIFICATIONS[q], q, "is_true") for q in quals]})
    elif rule.qual_op:
        out += [_cond(f"qualification_{q}", QUALIFICATIONS[q], q, "is_true") for q in quals]
    if rule.grade_op == "gte" and rule.grade:
        out.append(_cond("grade", f"评级不低于{rule.grade}", "grade_rank", "<=", GRADE_RANK[rule.grade]))
    if rule.size_op:
        sizes = [s for s in SIZES if s in rule.sizes]
        out.append(_cond("size", _words_list("企业规模", rule.size_op, [SIZES[s] for s in sizes]), "size",
                         rule.size_op, sizes))
    if rule.region_op:
        level = region_level(rule.regions[0])
        feature = {"district": "region_code", "city": "region_city", "province": "region_province"}[level]
        names = [region_names.get(r, r) for r in rule.regions]
        title = ("注册在" + _or(names)) if rule.region_op == "in" else ("注册地不在" + "、".join(names))
        out.append(_cond("region", title, feature, rule.region_op, list(rule.regions)))
    if rule.industry_op:
        secs = [s for s in INDUSTRY_SECTIONS if s in rule.industries]
        out.append(_cond("industry", _words_list("所属行业", rule.industry_op, [INDUSTRY_SECTIONS[s] for s in secs]),
                         "industry_section", rule.industry_op, secs))
    if rule.adverse_op == "none":
        out.append(_cond("adverse", "无不良记录", "adverse_count", "==", 0))
    elif rule.adverse_op == "at_most":
        out.append(_cond("adverse", f"不良记录不超过{rule.adverse_max}条", "adverse_count", "<=", rule.adverse_max))
    taken = {c["id"] for c in out}
    for c in rule.extra:  # kept as they were; an id the rows now use gets a suffix
        c = dict(c)
        while c.get("id") in taken:
            c["id"] = f"{c['id']}_kept"
        taken.add(c.get("id"))
        out.append(c)
    return out


def _words_list(what: str, op: str, names: list[str]) -> str:
    return f"{what}为{_or(names)}" if op == "in" else f"{what}不是{'、'.join(names)}"


def rule_problems(rule: Rule) -> dict[str, str]:
    """Field → why the rows do not make a rule (an operator without a value, or the reverse, …)."""
    p: dict[str, str] = {}
    if rule.qual_op and not rule.quals:
        p["quals"] = _("请选择至少一项资质。")
    elif rule.quals and not rule.qual_op:
        p["qual_op"] = _("已选择资质，请选择“须全部具备”或“具备任一”（或取消所选资质）。")
    if rule.grade_op and not rule.grade:
        p["grade"] = _("请选择评级。")
    elif rule.grade and not rule.grade_op:
        p["grade_op"] = _("已选择评级，请选择“不低于”（或清空评级）。")
    for op_name, values_name, universe, what in (("size_op", "sizes", SIZES, _("企业规模")),
                                                 ("industry_op", "industries", INDUSTRY_SECTIONS, _("行业"))):
        op, values = getattr(rule, op_name), getattr(rule, values_name)
        if op and not values:
            p[values_name] = _("请选择至少一项%(w)s。") % {"w": what}
        elif values and not op:
            p[op_name] = _("已选择%(w)s，请选择“属于”或“不属于”（或取消所选%(w)s）。") % {"w": what}
        elif op == "not_in" and set(values) >= set(universe):
            p[values_name] = _("排除了全部%(w)s，没有企业可以申请。") % {"w": what}
    if rule.region_op and not rule.regions:
        p["regions"] = _("请选择至少一个地区。")
    elif rule.regions and not rule.region_op:
        p["region_op"] = _("已选择地区，请选择“属于”或“不属于”（或取消所选地区）。")
    elif rule.regions and len({region_level(r) for r in rule.regions}) > 1:
        p["regions"] = _("同一条件中的地区须为同一级别（都是区县，或都是地市），请分开选择。")
    if rule.adverse_op == "at_most" and (rule.adverse_max is None or rule.adverse_max < 0):
        p["adverse_max"] = _("请填写允许的不良记录条数（0 或正整数）。")
    return p


def rule_from_eligibility(raw: list[dict[str, Any]] | None) -> Rule:
    """The builder's rows for a stored eligibility; clauses no row can show go to ``extra``."""
    rule = Rule()
    for c in raw or []:
        if not (isinstance(c, dict) and _take(rule, c)):
            rule.extra.append(c)
    rule.quals = [q for q in QUALIFICATIONS if q in rule.quals]  # the builder's order
    return rule


def _values(c: dict[str, Any]) -> list | None:
    if c.get("op") in ("in", "not_in") and isinstance(c.get("value"), list) and c["value"]:
        return list(c["value"])
    if c.get("op") == "==" and isinstance(c.get("value"), str):
        return [c["value"]]
    return None


def _take(rule: Rule, c: dict[str, Any]) -> bool:
    """Read one top-level clause into a free row of ``rule``; False when no row can hold it."""
    kind, feature, op, value = c.get("kind"), c.get("feature"), c.get("op"), c.get("value")
    if kind == "any_of":
        kids = c.get("clauses") or []
        feats = [k.get("feature") for k in kids if isinstance(k, dict)]
        if (rule.qual_op or len(kids) < 2 or len(feats) != len(kids) or len(set(feats)) != len(feats)
                or any(k.get("kind") != "condition" or k.get("op") != "is_true" or k.get("feature") not in QUALIFICATIONS
                       for k in kids)):
            return False
        rule.qual_op, rule.quals = "any", feats
        return True
    if kind != "condition":
        return False
    if feature in QUALIFICATIONS and op == "is_true" and rule.qual_op in ("", "all") and feature not in rule.quals:
        rule.qual_op = "all"
        rule.quals.append(feature)
        return True
    if feature == "grade_rank" and op in ("<=", "<") and not rule.grade_op and isinstance(value, int | float) \
            and not isinstance(value, bool):
        rank = int(value) - (1 if op == "<" else 0)
        if value == int(value) and 1 <= rank <= len(GRADES):
            rule.grade_op, rule.grade = "gte", GRADES[rank - 1]
            return True
        return False
    values = _values(c)
    in_op = "not_in" if op == "not_in" else "in"
    if feature == "size" and values and not rule.size_op and set(values) <= set(SIZES):
        rule.size_op, rule.sizes = in_op, values
        return True
    if feature in REGION_FEATURES and values and not rule.region_op and all(
            isinstance(v, str) and len(v) == 6 and v.isdigit() and region_level(v) == REGION_LEVEL[feature]
            for v in values):
        rule.region_op, rule.regions = in_op, values
        return True
    if feature == "industry_section" and values and not rule.industry_op and set(values) <= set(INDUSTRY_SECTIONS):
        rule.industry_op, rule.industries = in_op, values
        return True
    if feature == "adverse_count" and not rule.adverse_op and isinstance(value, int) and not isinstance(value, bool):
        if op == "==" and value == 0:
            rule.adverse_op = "none"
            return True
        if op in ("<=", "<") and value - (op == "<") >= 0:
            rule.adverse_op, rule.adverse_max = "at_most", value - (op == "<")
            return True
    return False


# --- in words --------------------------------------------------------------------------------


#: comparison operators in words (``_(OP_WORDS[op])`` in the request's language)
OP_WORDS = {">=": gettext_noop("不低于"),
            "<=": gettext_noop("不高于"),
            ">": gettext_noop("高于"),
            "<": gettext_noop("低于"),
            "==": gettext_noop("为"),
            "!=": gettext_noop("不为"),
            "in": gettext_noop("为"),
            "not_in": gettext_noop("不是")}


def _or_words(names: list[str]) -> str:
    """"A、B或C" ("A, B or C" in English)."""
    return names[0] if len(names) == 1 else _("、").join(names[:-1]) + _("或") + names[-1]


def _region_word(code, region_names: dict[str, str]) -> str:
    """A region by its name in the request's language (the platform's districts have an English
    name; any other by the name the caller gives)."""
    shown = formatting.region_name(code)
    return shown if shown != str(code) else region_names.get(code, str(code))


def clause_words(c: dict[str, Any], region_names: dict[str, str]) -> str:
    """One clause as a phrase in the request's language ("为高新技术企业", "评级不低于BBB",
    "注册在历下区或历城区"; "is a High-tech enterprise (HNTE)", "rated BBB or better", …).

    A clause the builder has no words for reads as its title in Chinese (the product's own words)
    and by its feature's English name, operator and value in English."""
    kind, feature, op, value = c.get("kind"), c.get("feature"), c.get("op"), c.get("value")
    if kind in ("any_of", "all_of"):
        kids = [k for k in c.get("clauses") or [] if isinstance(k, dict)]
        if not kids:
            return str(c.get("title", ""))
        if kind == "any_of" and all(k.get("feature") in QUALIFICATIONS and k.get("op") == "is_true" for k in kids):
            titles = [_(QUALIFICATIONS[k["feature"]]) for k in kids]
            if len(titles) == 1:
                return _("为%(title)s") % {"title": titles[0]}
            return _("为%(titles)s之一") % {"titles": _or_words(titles)}
        words = [clause_words(k, region_names) for k in kids]
        if kind == "any_of":
            return _("满足以下之一：%(clauses)s") % {"clauses": _("；").join(words)}
        return _("同时%(clauses)s") % {"clauses": _("、").join(words)}
    if feature in QUALIFICATIONS and op in ("is_true", "is_false"):
        return (_("为%(title)s") if op == "is_true" else _("不是%(title)s")) % {"title": _(QUALIFICATIONS[feature])}
    if feature == "grade_rank" and op in ("<=", "<") and isinstance(value, int | float):
        rank = int(value) - (1 if op == "<" else 0)
        if 1 <= rank <= len(GRADES):
            return _("评级不低于%(grade)s") % {"grade": GRADES[rank - 1]}
    values = _values(c)
    if values is not None:
        neg = op in ("not_in", "!=")
        if feature in REGION_FEATURES:
            names = [_region_word(v, region_names) for v in values]
            if neg:
                return _("注册地不在%(regions)s") % {"regions": _("、").join(names)}
            return _("注册在%(regions)s") % {"regions": _or_words(names)}
        if feature == "size":
            return _list_words(_("企业规模"), neg, [_(SIZES[v]) if v in SIZES else str(v) for v in values])
        if feature == "industry_section":
            return _list_words(_("所属行业"), neg,
                               [_(INDUSTRY_SECTIONS[v]) if v in INDUSTRY_SECTIONS else str(v) for v in values])
    if feature == "adverse_count" and isinstance(value, int):
        if op == "==" and value == 0:
            return _("无不良记录")
        if op in ("<=", "<"):
            return _("不良记录不超过%(n)s条") % {"n": value - (op == "<")}
    f = MATCH_FEATURES.get(feature)
    title = c.get("title")
    if title and not (f and formatting.english()):
        return str(title)
    label = (f.en if formatting.english() else f.zh) if f else str(feature)
    if op == "is_true":
        return _("为%(title)s") % {"title": label}
    if op == "is_false":
        return _("不是%(title)s") % {"title": label}
    shown = _("、").join(map(str, value)) if isinstance(value, list) else value
    return _("%(feature)s%(op)s%(value)s") % {"feature": label, "op": _(OP_WORDS.get(op, op)) if op in OP_WORDS
                                               else op, "value": shown}


def _list_words(what: str, neg: bool, names: list[str]) -> str:
    if neg:
        return _("%(what)s不是%(names)s") % {"what": what, "names": _("、").join(names)}
    return _("%(what)s为%(names)s") % {"what": what, "names": _or_words(names)}


def eligibility_phrases(raw: list[dict[str, Any]] | None, region_names: dict[str, str]) -> list[str]:
    """Each clause of an eligibility as a phrase in the request's language."""
    return [clause_words(c, region_names) for c in raw or [] if isinstance(c, dict)]


def eligibility_words(raw: list[dict[str, Any]] | None, region_names: dict[str, str]) -> str:
    """The whole eligibility in one sentence: "须为高新技术企业，且评级不低于BBB，且无不良记录"."""
    phrases = eligibility_phrases(raw, region_names)
    if not phrases:
        return _("不限：所有企业均可申请。")
    return _("须%(clauses)s。") % {"clauses": _("，且").join(phrases)}
