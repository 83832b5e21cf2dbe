"""Rating features of a tech enterprise, computed from interchange records as of a rating date.

Django-free: records in (JSON-ready dicts of the interchange standard, as the adapter reads them
from the theme database *as known at the end of the rating date*), a Polars frame out, one row
per record, so the same function runs in a Spark ``mapPartitions``.

No look-ahead, twice over:

* **transaction time** — the caller passes what was *known* on the rating date (the Django adapter
  uses ``merged_facts(ids, at=end of day)``); a fact recorded later never reaches this module;
* **valid time** — inside a record, anything dated after the rating date is ignored: fiscal years
  not ended before the rating year, IP granted later, loans drawn later, judgments and penalties
  decided later, listings that begin later (and a listing removed on or before the date no longer
  counts).

The reference year is the last fiscal year that ended before the rating date (``as_of.year - 1``);
"two years ago" is ``reference - 2`` (so ``rd_share_change`` is the change over the last two
years). Ratios are ``None`` (missing) when the denominator is unknown or zero: the scorecard puts
missing values in a bin of their own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl

from kechuang.engine.facts.schema import IP_CLASS_I, IP_CLASS_II
from kechuang.engine.qualification import evaluate_batch, evaluate_record, records_to_frame


@dataclass(frozen=True)
class Feature:
    """One rating feature: its name, labels, group, dtype and reason texts by bin direction
    (``low``/``high`` for numeric bins left/right of the best bin, ``missing``, ``category``)."""

    name: str
    label: str
    label_en: str
    group: str
    categorical: bool = False
    reasons: dict[str, str] = field(default_factory=dict)


GROUPS = {
    "human_capital": "人力资本",
    "ip": "知识产权",
    "qualification": "资质",
    "finance": "成长与盈利",
    "leverage": "偿债能力",
    "compliance": "纳税与社保",
    "credit": "信用记录",
}

FEATURES: tuple[Feature, ...] = (
    Feature("tech_staff_ratio", "科技人员占比", "Tech staff ratio", "human_capital",
            reasons={"low": "科技人员占比偏低", "high": "科技人员占比异常偏高（与人员规模不匹配）",
                     "missing": "缺少科技人员数据"}),
    Feature("rd_staff_ratio", "研发人员占比", "R&D staff ratio", "human_capital",
            reasons={"low": "研发人员占比偏低", "high": "研发人员占比异常偏高（与人员规模不匹配）",
                     "missing": "缺少研发人员数据"}),
    Feature("rd_share_change", "近两年研发人员占比变化", "R&D staff ratio change (2 years)",
            "human_capital",
            reasons={"low": "近两年研发人员占比下降", "high": "近两年研发人员占比变化处于不利区间",
                     "missing": "缺少近两年研发人员数据"}),
    Feature("tech_staff_growth", "科技人员增长", "Tech staff growth (log)", "human_capital",
            reasons={"low": "科技人员减少或增长缓慢", "high": "科技人员增长过快",
                     "missing": "缺少科技人员增长数据"}),
    Feature("high_level_talent", "高层次人才数", "High-level talent", "human_capital",
            reasons={"low": "高层次人才少", "high": "高层次人才数处于不利区间",
                     "missing": "缺少高层次人才数据"}),
    Feature("rd_intensity", "研发投入强度", "R&D expense / revenue", "human_capital",
            reasons={"low": "研发投入强度偏低", "high": "研发投入占收入比重过高",
                     "missing": "缺少研发投入数据"}),
    Feature("ip_class1", "Ⅰ类知识产权数", "Class I IP", "ip",
            reasons={"low": "Ⅰ类知识产权少", "high": "Ⅰ类知识产权数处于不利区间",
                     "missing": "缺少知识产权数据"}),
    Feature("ip_class2", "Ⅱ类知识产权数", "Class II IP", "ip",
            reasons={"low": "Ⅱ类知识产权少", "high": "Ⅱ类知识产权数处于不利区间",
                     "missing": "缺少知识产权数据"}),
    Feature("ip_recent_grants", "近两年授权知识产权数", "IP granted in the last 2 years", "ip",
            reasons={"low": "近两年新授权知识产权少", "high": "近两年授权数处于不利区间",
                     "missing": "缺少知识产权数据"}),
    Feature("ip_pledged_share", "已质押知识产权占比", "Share of IP pledged", "ip",
            reasons={"high": "知识产权已较多质押", "low": "知识产权质押情况处于不利区间",
                     "missing": "无可质押的知识产权"}),
    Feature("certificates_valid", "有效资质数", "Valid certificates", "qualification",
            reasons={"low": "有效资质少", "high": "有效资质数处于不利区间",
                     "missing": "缺少资质数据"}),
    Feature("standards_met", "资质评价符合标准数", "Standards met (evaluation engine)",
            "qualification",
            reasons={"low": "资质评价符合的标准少", "high": "资质评价结果处于不利区间",
                     "missing": "缺少资质评价所需数据"}),
    Feature("revenue_growth", "近两年营收增长", "Revenue growth (mean log, 2 years)", "finance",
            reasons={"low": "近两年营业收入下降或增长乏力", "high": "营业收入增长异常",
                     "missing": "缺少近两年营业收入数据"}),
    Feature("net_margin", "净利润率", "Net margin", "finance",
            reasons={"low": "净利润率低或亏损", "high": "净利润率处于不利区间",
                     "missing": "缺少利润数据"}),
    Feature("log_employees", "职工规模（对数）", "ln(employees)", "finance",
            reasons={"low": "企业规模小", "high": "企业规模处于不利区间", "missing": "缺少职工人数"}),
    Feature("age_years", "成立年限", "Age (years)", "finance",
            reasons={"low": "成立时间短", "high": "成立年限处于不利区间", "missing": "缺少成立日期"}),
    Feature("leverage", "资产负债率", "Liabilities / assets", "leverage",
            reasons={"high": "资产负债率偏高", "low": "资产负债率处于不利区间",
                     "missing": "缺少资产负债数据"}),
    Feature("tax_credit_grade", "纳税信用等级", "Tax credit grade", "compliance", categorical=True,
            reasons={"category": "纳税信用等级较低", "missing": "缺少纳税信用等级"}),
    Feature("si_coverage", "社保参保覆盖率", "Social-insurance headcount / employees", "compliance",
            reasons={"low": "社保参保人数少于职工人数", "high": "社保参保覆盖率处于不利区间",
                     "missing": "缺少社保缴纳数据"}),
    Feature("si_years", "近三年社保连续缴纳年数", "Years with social insurance (last 3)",
            "compliance",
            reasons={"low": "社保缴纳不连续", "high": "社保缴纳年数处于不利区间",
                     "missing": "缺少社保缴纳数据"}),
    Feature("overdue_loans", "历史逾期贷款笔数", "Loans ever overdue", "credit",
            reasons={"high": "有贷款逾期记录", "low": "贷款逾期记录处于不利区间",
                     "missing": "缺少信贷记录"}),
    Feature("overdue_now", "当前逾期贷款笔数", "Loans overdue now", "credit",
            reasons={"high": "当前有逾期贷款", "low": "当前逾期情况处于不利区间",
                     "missing": "缺少信贷记录"}),
    Feature("judgments_3y", "近三年被诉裁判文书数", "Judgments as defendant (3 years)", "credit",
            reasons={"high": "近三年作为被告涉诉", "low": "涉诉情况处于不利区间",
                     "missing": "缺少司法数据"}),
    Feature("penalties_3y", "近三年行政处罚数", "Administrative penalties (3 years)", "credit",
            reasons={"high": "近三年受到行政处罚", "low": "行政处罚情况处于不利区间",
                     "missing": "缺少行政处罚数据"}),
    Feature("dishonesty_listed", "列入失信/经营异常名单", "On a dishonesty or abnormal-operation list",
            "credit",
            reasons={"high": "列入严重失信或经营异常名单", "low": "名单情况处于不利区间",
                     "missing": "缺少名单数据"}),
    Feature("incidents_3y", "近三年不良事件数", "Adverse incidents (3 years)", "credit",
            reasons={"high": "近三年发生重大事故或违法失信事件", "low": "不良事件情况处于不利区间",
                     "missing": "缺少不良事件数据"}),
)

#: The groups and reason texts in English, by feature and bin direction: the engine cannot use
#: Django's catalogue, so the second language is data beside the first (the Django layer picks).
GROUPS_EN = {
    "human_capital": "Human capital",
    "ip": "Intellectual property",
    "qualification": "Qualifications",
    "finance": "Growth and profitability",
    "leverage": "Solvency",
    "compliance": "Tax and social insurance",
    "credit": "Credit record",
}

REASONS_EN: dict[str, dict[str, str]] = {
    "tech_staff_ratio": {"low": "Low share of tech staff",
                         "high": "Unusually high share of tech staff (out of line with headcount)",
                         "missing": "No tech staff data"},
    "rd_staff_ratio": {"low": "Low share of R&D staff",
                       "high": "Unusually high share of R&D staff (out of line with headcount)",
                       "missing": "No R&D staff data"},
    "rd_share_change": {"low": "Share of R&D staff fell over the last two years",
                        "high": "Change in the share of R&D staff in an unfavourable range",
                        "missing": "No R&D staff data for the last two years"},
    "tech_staff_growth": {"low": "Tech staff shrinking or growing slowly", "high": "Tech staff growing too fast",
                          "missing": "No tech staff growth data"},
    "high_level_talent": {"low": "Few high-level talents", "high": "Number of high-level talents in an unfavourable range",
                          "missing": "No high-level talent data"},
    "rd_intensity": {"low": "Low R&D intensity", "high": "R&D expense too high relative to revenue",
                     "missing": "No R&D expense data"},
    "ip_class1": {"low": "Few Class I IP", "high": "Number of Class I IP in an unfavourable range",
                  "missing": "No intellectual property data"},
    "ip_class2": {"low": "Few Class II IP", "high": "Number of Class II IP in an unfavourable range",
                  "missing": "No intellectual property data"},
    "ip_recent_grants": {"low": "Little IP granted in the last two years",
                         "high": "IP granted in the last two years in an unfavourable range",
                         "missing": "No intellectual property data"},
    "ip_pledged_share": {"high": "Much of the IP already pledged", "low": "IP pledging in an unfavourable range",
                         "missing": "No IP that could be pledged"},
    "certificates_valid": {"low": "Few valid certificates", "high": "Number of valid certificates in an unfavourable range",
                           "missing": "No certificate data"},
    "standards_met": {"low": "Few standards met in the qualification evaluation",
                      "high": "Qualification evaluation result in an unfavourable range",
                      "missing": "Not enough data for the qualification evaluation"},
    "revenue_growth": {"low": "Operating revenue falling or growing weakly over the last two years",
                       "high": "Unusual operating revenue growth", "missing": "No operating revenue for the last two years"},
    "net_margin": {"low": "Low net margin or loss", "high": "Net margin in an unfavourable range",
                   "missing": "No profit data"},
    "log_employees": {"low": "Small enterprise", "high": "Enterprise size in an unfavourable range",
                      "missing": "No employee count"},
    "age_years": {"low": "Recently established", "high": "Age in an unfavourable range",
                  "missing": "No registration date"},
    "leverage": {"high": "High debt-to-asset ratio", "low": "Debt-to-asset ratio in an unfavourable range",
                 "missing": "No assets and liabilities data"},
    "tax_credit_grade": {"category": "Low tax credit grade", "missing": "No tax credit grade"},
    "si_coverage": {"low": "Fewer people insured than employed", "high": "Social insurance coverage in an unfavourable range",
                    "missing": "No social insurance data"},
    "si_years": {"low": "Social insurance not paid continuously", "high": "Years of social insurance in an unfavourable range",
                 "missing": "No social insurance data"},
    "overdue_loans": {"high": "Loans have been overdue", "low": "Overdue loan record in an unfavourable range",
                      "missing": "No credit record"},
    "overdue_now": {"high": "Loans overdue now", "low": "Current overdue loans in an unfavourable range",
                    "missing": "No credit record"},
    "judgments_3y": {"high": "Sued as a defendant in the last three years", "low": "Litigation in an unfavourable range",
                     "missing": "No court data"},
    "penalties_3y": {"high": "Administrative penalties in the last three years",
                     "low": "Administrative penalties in an unfavourable range", "missing": "No administrative penalty data"},
    "dishonesty_listed": {"high": "On the serious dishonesty or abnormal operation list",
                          "low": "List status in an unfavourable range", "missing": "No list data"},
    "incidents_3y": {"high": "Major accidents or violations in the last three years",
                     "low": "Adverse incidents in an unfavourable range", "missing": "No adverse incident data"},
}

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURES_BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}
CATEGORICAL = frozenset(f.name for f in FEATURES if f.categorical)

#: Output schema: ``uscc`` then every feature (Float64, Utf8 for categoricals).
SCHEMA: dict[str, pl.DataType] = {"uscc": pl.Utf8} | {
    f.name: (pl.Utf8 if f.categorical else pl.Float64) for f in FEATURES}

LISTINGS = frozenset({"serious_dishonesty_list", "abnormal_operation_list"})
DEFAULTED_LOAN = frozenset({"overdue", "written_off"})


def reason_texts(english: bool = False) -> dict[str, dict[str, str]]:
    """``{feature: {direction: text}}`` for :class:`~kechuang.engine.scorecard.Scorecard`, in Chinese
    or, with ``english``, in English."""
    if english:
        return {f.name: REASONS_EN.get(f.name, {}) | {"default": f"{f.label_en} in an unfavourable range"}
                for f in FEATURES}
    return {f.name: dict(f.reasons) | {"default": f"{f.label}处于不利区间"} for f in FEATURES}


@cache
def _reason_tables(english: bool) -> dict[str, dict[str, str]]:
    return reason_texts(english)


def reason_text(code: str, english: bool = False, default: str = "") -> str:
    """A stored reason by its code (``leverage.high``: feature and bin direction) in either language;
    ``default`` (the stored text) for a feature this catalogue does not know."""
    name, _, direction = code.partition(".")
    texts = _reason_tables(english).get(name)
    if texts is None:
        return default or code
    return texts.get(direction) or texts["default"]


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b <= 0:
        return None
    return a / b


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _in_window(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start < day <= end


def record_features(record: Mapping[str, Any], as_of: dt.date,
                    standards_met: int | None = None) -> dict[str, Any]:
    """The features of one interchange record on ``as_of`` (see the module doc)."""
    ref = as_of.year - 1
    years = {int(y["year"]): y for y in (record.get("years") or []) if y.get("year") is not None
             and int(y["year"]) <= ref}
    cur, prev, old = years.get(ref, {}), years.get(ref - 1, {}), years.get(ref - 2, {})
    emp = _num(cur.get("employees"))
    rd_ratio = _ratio(_num(cur.get("rd_staff")), emp)
    base = old if old.get("rd_staff") is not None and old.get("employees") else prev
    rd_ratio_old = _ratio(_num(base.get("rd_staff")), _num(base.get("employees")))
    tech, tech_prev = _num(cur.get("tech_staff")), _num(prev.get("tech_staff"))
    revenues = [_num(years.get(y, {}).get("operating_revenue")) for y in (ref - 2, ref - 1, ref)]
    growths = [math.log(b / a) for a, b in zip(revenues, revenues[1:], strict=False)
               if a is not None and b is not None and a > 0 and b > 0]
    registered = _date(record.get("registered_on"))
    si_years = sum(1 for y in (ref - 2, ref - 1, ref)
                   if (_num(years.get(y, {}).get("social_insurance_headcount")) or 0) > 0)
    si_known = any(years.get(y, {}).get("social_insurance_headcount") is not None
                   for y in (ref - 2, ref - 1, ref))
    two, three = _years_ago(as_of, 2), _years_ago(as_of, 3)

    ip = record.get("ip")
    ip_granted = None if ip is None else [i for i in ip if (_date(i.get("granted_on")) or as_of) <= as_of]
    loans = record.get("loans")
    drawn = None if loans is None else [
        x for x in loans if (_date(x.get("start_on")) or as_of) <= as_of]
    judgments, penalties = record.get("judgments"), record.get("penalties")
    incidents = record.get("incidents")
    certificates = record.get("certificates")

    def count(items, pred):
        return None if items is None else float(sum(1 for i in items if pred(i)))

    def listed(i):
        start, removed = _date(i.get("date")), _date(i.get("removed_on"))
        return (i.get("kind") in LISTINGS and start is not None and start <= as_of
                and (removed is None or removed > as_of))

    pledged = count(ip_granted, lambda i: bool(i.get("pledged"))
                    and (_date(i.get("pledged_on")) or as_of) <= as_of)
    grade = cur.get("tax_credit_grade") or None
    return {
        "uscc": record.get("uscc"),
        "tech_staff_ratio": _ratio(tech, emp),
        "rd_staff_ratio": rd_ratio,
        "rd_share_change": None if rd_ratio is None or rd_ratio_old is None else rd_ratio - rd_ratio_old,
        "tech_staff_growth": (None if tech is None or tech_prev is None
                              else math.log1p(tech) - math.log1p(tech_prev)),
        "high_level_talent": _num(cur.get("high_level_talent")),
        "rd_intensity": _ratio(_num(cur.get("rd_expense")), _num(cur.get("operating_revenue"))),
        "ip_class1": count(ip_granted, lambda i: i.get("type") in IP_CLASS_I),
        "ip_class2": count(ip_granted, lambda i: i.get("type") in IP_CLASS_II),
        "ip_recent_grants": count(ip_granted, lambda i: _in_window(_date(i.get("granted_on")), two, as_of)),
        "ip_pledged_share": None if not ip_granted else pledged / len(ip_granted),
        "certificates_valid": count(certificates, lambda c: (_date(c.get("valid_from")) or as_of) <= as_of
                                    and (_date(c.get("valid_to")) or as_of) >= as_of),
        "standards_met": None if standards_met is None else float(standards_met),
        "revenue_growth": sum(growths) / len(growths) if growths else None,
        "net_margin": _ratio(_num(cur.get("net_profit")), _num(cur.get("operating_revenue"))),
        "log_employees": math.log(emp) if emp is not None and emp > 0 else None,
        "age_years": None if registered is None or registered > as_of else (as_of - registered).days / 365.25,
        "leverage": _ratio(_num(cur.get("total_liabilities")), _num(cur.get("total_assets"))),
        "tax_credit_grade": None if grade is None else str(grade),
        "si_coverage": _ratio(_num(cur.get("social_insurance_headcount")), emp),
        "si_years": float(si_years) if si_known else None,
        "overdue_loans": count(drawn, lambda x: (x.get("max_overdue_days") or 0) > 0
                               or x.get("status") in DEFAULTED_LOAN),
        "overdue_now": count(drawn, lambda x: x.get("status") in DEFAULTED_LOAN),
        "judgments_3y": count(judgments, lambda j: j.get("role") == "defendant"
                              and _in_window(_date(j.get("decided_on")), three, as_of)),
        "penalties_3y": count(penalties, lambda p: _in_window(_date(p.get("decided_on")), three, as_of)),
        "dishonesty_listed": count(incidents, listed),
        "incidents_3y": count(incidents, lambda i: i.get("kind") not in LISTINGS
                              and _in_window(_date(i.get("date")), three, as_of)),
    }


#: Below this many records the engine's one-record path is faster than its batch path (whose
#: fixed cost is ≈ 0.5 s a call against ≈ 4 ms a record); both give the same statuses.
SMALL_BATCH = 64


def standards_met_counts(records: list[Mapping[str, Any]], as_of: dt.date) -> list[int | None]:
    """How many qualification standards (in force on ``as_of``) each record meets, from the
    qualification engine: its one-record path for a few records (online scoring), its vectorised
    batch path otherwise. ``None`` where the engine cannot read a record (the feature is then
    missing, not zero)."""
    if not records:
        return []
    if len(records) < SMALL_BATCH:
        out: list[int | None] = []
        for r in records:
            try:
                results = evaluate_record(dict(r), as_of, None, with_gaps=False)
            except (ValueError, TypeError):
                out.append(None)
                continue
            out.append(sum(1 for x in results if x["status"] == "met"))
        return out
    try:
        frame = records_to_frame([dict(r) for r in records])
        rows = evaluate_batch(frame, as_of, details="none")
    except ValueError:
        return [None] * len(records)
    met = rows.filter(pl.col("status") == "met").group_by("row").len()
    counts = dict(zip(met["row"].to_list(), met["len"].to_list(), strict=True))
    return [int(counts.get(i, 0)) for i in range(len(records))]


def features_frame(records: Iterable[Mapping[str, Any]], as_of: dt.date | str, *,
                   qualifications: bool = True) -> pl.DataFrame:
    """One row per record: ``uscc`` and every feature of :data:`FEATURES` on ``as_of``.

    With ``qualifications`` the qualification engine evaluates the batch once
    (``standards_met``); without it that feature is missing."""
    day = _date(as_of)
    if day is None:
        raise ValueError("as_of is required")
    recs = list(records)
    met = standards_met_counts(recs, day) if qualifications else [None] * len(recs)
    rows = [record_features(r, day, m) for r, m in zip(recs, met, strict=True)]
    # column-wise: several times faster than Polars' dict-of-rows constructor
    return pl.DataFrame({name: pl.Series(name, [r[name] for r in rows], dtype=dtype)
                         for name, dtype in SCHEMA.items()})
