"""The facts an innovation-points model may name, computed from interchange records on a date.

Django-free. A points model's indicator formulas, stage rules and bonus / negative items refer to
these names only (checked on load). Each fact is a number (Float64; yes/no facts are 0/1), taken
from the interchange standard (``docs/data-standard-extensions.md``) for the reference year — the
last fiscal year ended before the scoring date, ``as_of.year - 1`` — and counted over the items
known then (IP granted, certificates valid, incidents dated on or before ``as_of``).

``None`` means "not known" as in the standard. The 创新积分制 is scored from government data with
零填报 (nothing filled in by the enterprise): the scorer gives an unknown indicator the lowest
score, never a guess.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from kechuang.engine.facts.schema import IP_CLASS_I, IP_CLASS_II


@dataclass(frozen=True)
class Fact:
    name: str
    zh: str
    en: str
    unit: str = ""  # "yuan", "ratio", "count", "years", "flag" or ""


FACTS: tuple[Fact, ...] = (
    Fact("age_years", "成立年限", "years since registration", "years"),
    Fact("employees", "职工总数", "employees", "count"),
    Fact("employees_prev", "上上年度职工总数", "employees (year before)", "count"),
    Fact("tech_staff", "科技人员数", "tech staff", "count"),
    Fact("rd_staff", "研发人员数", "R&D staff", "count"),
    Fact("high_level_talent", "高层次人才数", "high-level talent", "count"),
    Fact("operating_revenue", "营业收入", "operating revenue", "yuan"),
    Fact("operating_revenue_prev", "上上年度营业收入", "operating revenue (year before)", "yuan"),
    Fact("high_tech_revenue", "高新技术产品（服务）收入", "high-tech product revenue", "yuan"),
    Fact("rd_expense", "研发费用总额", "R&D expense", "yuan"),
    Fact("rd_expense_prev", "上上年度研发费用总额", "R&D expense (year before)", "yuan"),
    Fact("net_profit", "净利润", "net profit", "yuan"),
    Fact("total_assets", "资产总额", "total assets", "yuan"),
    Fact("total_liabilities", "负债总额", "total liabilities", "yuan"),
    Fact("tax_paid", "纳税总额", "taxes paid", "yuan"),
    Fact("social_insurance_headcount", "社保参保人数", "social-insurance headcount", "count"),
    Fact("tech_conversions", "科技成果转化数", "technology conversions", "count"),
    Fact("ip_class1", "Ⅰ类知识产权数", "Class I IP", "count"),
    Fact("ip_class2", "Ⅱ类知识产权数", "Class II IP", "count"),
    Fact("ip_recent_2y", "近两年授权知识产权数", "IP granted in the last 2 years", "count"),
    Fact("ip_high_value", "Ⅰ类高价值知识产权数", "high-value Class I IP", "count"),
    Fact("equity_financing_3y", "近三年股权融资额", "equity financing (3 years)", "yuan"),
    Fact("awards", "科技奖励数", "science and technology awards", "count"),
    Fact("standards_led", "主导制定标准数", "standards led", "count"),
    Fact("rd_institution_level", "研发机构级别（国家4…无0）", "R&D institution level (national 4 … none 0)", ""),
    Fact("certificates_valid", "有效资质数", "valid certificates", "count"),
    Fact("hnte", "有效高新技术企业证书", "valid HNTE certificate", "flag"),
    Fact("srdi_sme", "专精特新中小企业", "SRDI SME", "flag"),
    Fact("little_giant", "专精特新“小巨人”", "Little Giant", "flag"),
    Fact("tax_credit_a", "纳税信用A级", "tax credit grade A", "flag"),
    Fact("incidents_3y", "近三年重大事故或违法失信事件数", "major incidents (3 years)", "count"),
    Fact("penalties_3y", "近三年行政处罚数", "administrative penalties (3 years)", "count"),
    Fact("dishonesty_listed", "列入失信/经营异常名单", "on a dishonesty or abnormal-operation list", "flag"),
    Fact("overdue_now", "当前逾期贷款笔数", "loans overdue now", "count"),
)

FACTS_BY_NAME: dict[str, Fact] = {f.name: f for f in FACTS}
FACT_NAMES: tuple[str, ...] = tuple(f.name for f in FACTS)
FACTS_SCHEMA: dict[str, pl.DataType] = {n: pl.Float64 for n in FACT_NAMES}

_INSTITUTION = {"national": 4.0, "provincial": 3.0, "municipal": 2.0, "below_municipal": 1.0, "none": 0.0}
_LISTINGS = frozenset({"serious_dishonesty_list", "abnormal_operation_list"})
_DEFAULTED = frozenset({"overdue", "written_off"})


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def record_facts(record: Mapping[str, Any], as_of: dt.date) -> dict[str, float | None]:
    """Every fact of :data:`FACTS` for one interchange record on ``as_of``."""
    ref = as_of.year - 1
    years = {int(y["year"]): y for y in (record.get("years") or []) if y.get("year") is not None}
    cur, prev = years.get(ref, {}), years.get(ref - 1, {})
    two, three = _years_ago(as_of, 2), _years_ago(as_of, 3)

    def count(items, pred) -> float | None:
        return None if items is None else float(sum(1 for i in items if pred(i)))

    def upto(day: dt.date | None) -> bool:
        return day is None or day <= as_of

    ip = record.get("ip")
    granted = None if ip is None else [i for i in ip if upto(_date(i.get("granted_on")))]
    certificates = record.get("certificates")
    valid = None if certificates is None else {
        c.get("kind") for c in certificates
        if upto(_date(c.get("valid_from"))) and (_date(c.get("valid_to")) or as_of) >= as_of}
    incidents = record.get("incidents")
    equity = record.get("equity_financing")
    loans = record.get("loans")
    registered = _date(record.get("registered_on"))
    grade = cur.get("tax_credit_grade")

    def listed(i) -> bool:
        start, removed = _date(i.get("date")), _date(i.get("removed_on"))
        return (i.get("kind") in _LISTINGS and start is not None and start <= as_of
                and (removed is None or removed > as_of))

    def flag(kind: str) -> float | None:
        return None if valid is None else float(kind in valid)

    level = record.get("rd_institution_level")
    return {
        "age_years": None if registered is None or registered > as_of else (as_of - registered).days / 365.25,
        "employees": _num(cur.get("employees")),
        "employees_prev": _num(prev.get("employees")),
        "tech_staff": _num(cur.get("tech_staff")),
        "rd_staff": _num(cur.get("rd_staff")),
        "high_level_talent": _num(cur.get("high_level_talent")),
        "operating_revenue": _num(cur.get("operating_revenue")),
        "operating_revenue_prev": _num(prev.get("operating_revenue")),
        "high_tech_revenue": _num(cur.get("high_tech_revenue")),
        "rd_expense": _num(cur.get("rd_expense")),
        "rd_expense_prev": _num(prev.get("rd_expense")),
        "net_profit": _num(cur.get("net_profit")),
        "total_assets": _num(cur.get("total_assets")),
        "total_liabilities": _num(cur.get("total_liabilities")),
        "tax_paid": _num(cur.get("tax_paid")),
        "social_insurance_headcount": _num(cur.get("social_insurance_headcount")),
        "tech_conversions": _num(cur.get("tech_conversions")),
        "ip_class1": count(granted, lambda i: i.get("type") in IP_CLASS_I),
        "ip_class2": count(granted, lambda i: i.get("type") in IP_CLASS_II),
        "ip_recent_2y": count(granted, lambda i: (d := _date(i.get("granted_on"))) is not None and two < d),
        "ip_high_value": count(granted, lambda i: i.get("type") in IP_CLASS_I and bool(i.get("high_value"))),
        "equity_financing_3y": None if equity is None else float(sum(
            _num(e.get("amount")) or 0.0 for e in equity
            if (d := _date(e.get("date"))) is not None and three < d <= as_of)),
        "awards": count(record.get("awards"), lambda a: (a.get("year") or ref) <= ref),
        "standards_led": count(record.get("standards_led"), lambda a: (a.get("year") or ref) <= ref),
        "rd_institution_level": _INSTITUTION.get(level) if level is not None else None,
        "certificates_valid": None if valid is None else float(len(valid)),
        "hnte": flag("hnte"),
        "srdi_sme": flag("srdi_sme"),
        "little_giant": flag("little_giant"),
        "tax_credit_a": None if not grade else float(str(grade) == "A"),
        "incidents_3y": count(incidents, lambda i: i.get("kind") not in _LISTINGS
                              and (d := _date(i.get("date"))) is not None and three < d <= as_of),
        "penalties_3y": count(record.get("penalties"),
                              lambda p: (d := _date(p.get("decided_on"))) is not None and three < d <= as_of),
        "dishonesty_listed": None if incidents is None else float(any(listed(i) for i in incidents)),
        "overdue_now": count(loans, lambda x: x.get("status") in _DEFAULTED
                             and upto(_date(x.get("start_on")))),
    }


def facts_frame(records: Iterable[Mapping[str, Any]], as_of: dt.date) -> pl.DataFrame:
    """One row per record: every fact (Float64, null = not known)."""
    rows = [record_facts(r, as_of) for r in records]
    return pl.DataFrame(rows, schema=FACTS_SCHEMA) if rows else pl.DataFrame(schema=FACTS_SCHEMA)
