"""The columnar form of the enterprise-facts interchange records, and the flattening step.

``records_to_frame`` turns interchange records (dicts, as in the JSON Lines files) into a Polars
frame with a fixed schema: scalar facts as columns, annual facts and lists as ``List(Struct)``
columns, ``expert_scores`` as a JSON string. That frame (or its Arrow/Parquet form) is the batch
input of :func:`~kechuang.engine.qualification.batch.evaluate_batch`.

``record_to_row`` is the one-enterprise counterpart used by
:func:`~kechuang.engine.qualification.evaluate.evaluate_record`: the same facts, years picked for
the reference year and the two before, dates parsed, impossible values removed and reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson
import polars as pl

#: How many fiscal years the rules look back: the reference year (as_of.year - 1) and two before.
LOOKBACK = 3

YEAR_INT_FIELDS = ("employees", "tech_staff", "rd_staff", "tech_conversions", "social_insurance_headcount")
YEAR_FLOAT_FIELDS = (
    "operating_revenue", "main_business_revenue", "sales_revenue", "total_income",
    "non_taxable_income", "high_tech_revenue", "rd_expense", "rd_expense_domestic",
    "cost_expense_total", "total_assets", "total_liabilities", "net_profit",
    # listing standards (docs/data-standard-extensions.md, schema 1.2): may be negative
    "net_profit_deducted", "operating_cash_flow", "weighted_roe",
)
YEAR_STR_FIELDS = ("tax_credit_grade",)
YEAR_FIELDS = YEAR_INT_FIELDS + YEAR_FLOAT_FIELDS + YEAR_STR_FIELDS
#: Annual facts that may be negative (losses, cash outflows, a negative return on equity).
SIGNED_YEAR_FIELDS = ("net_profit", "net_profit_deducted", "operating_cash_flow", "weighted_roe")
#: Annual facts that can never be negative.
NON_NEGATIVE_YEAR_FIELDS = tuple(f for f in YEAR_INT_FIELDS + YEAR_FLOAT_FIELDS if f not in SIGNED_YEAR_FIELDS)
#: Staff counts that are part of 职工总数 and so cannot exceed it.
STAFF_SUBSETS = ("tech_staff", "rd_staff")

IP_TYPES_CLASS_1 = ("invention_patent", "defense_patent", "plant_variety", "national_crop_variety",
                    "national_new_drug", "tcm_protected_variety", "ic_layout")
IP_TYPES_CLASS_2 = ("utility_model", "design", "software_copyright")
IP_TYPES = IP_TYPES_CLASS_1 + IP_TYPES_CLASS_2

_YEAR_STRUCT = pl.Struct(
    {"year": pl.Int64}
    | {f: pl.Int64 for f in YEAR_INT_FIELDS}
    | {f: pl.Float64 for f in YEAR_FLOAT_FIELDS}
    | {f: pl.String for f in YEAR_STR_FIELDS}
)
_LISTS: dict[str, dict[str, Any]] = {
    "ip": {"type": pl.String, "granted_on": pl.Date, "acquisition": pl.String, "acquired_on": pl.Date,
           "main_product_related": pl.Boolean, "industrializable": pl.Boolean,
           "high_value": pl.Boolean, "used_in_hnte": pl.Boolean,
           "transferred_out_on": pl.Date, "held_as": pl.String},
    "equity_financing": {"date": pl.Date, "amount": pl.Float64, "qualified_investor": pl.Boolean},
    "awards": {"level": pl.String, "year": pl.Int64, "rank": pl.Int64},
    "standards_led": {"level": pl.String, "year": pl.Int64, "rank": pl.Int64},
    "maker_china": {"year": pl.Int64, "top": pl.Int64},
    "certificates": {"kind": pl.String, "valid_from": pl.Date, "valid_to": pl.Date},
    "incidents": {"kind": pl.String, "date": pl.Date},
}
LIST_FIELDS = tuple(_LISTS)

#: The batch input schema (what ``records_to_frame`` produces and Parquet input must match).
SCHEMA: dict[str, Any] = {
    "uscc": pl.String, "name": pl.String, "registered_on": pl.Date,
    "region_code": pl.String, "industry_code": pl.String,
    "resident_enterprise": pl.Boolean, "restricted_industry": pl.Boolean, "hnte_field": pl.Boolean,
    "strategic_emerging": pl.Boolean, "star_market_sector": pl.Boolean,
    "niche_years": pl.Float64, "market_share": pl.Float64, "market_rank_cn": pl.Int64,
    "rd_institution_level": pl.String, "digital_level": pl.Int64,
    "quality_items": pl.List(pl.String), "srdi_platform_score": pl.Float64,
    "expected_market_value": pl.Float64, "market_value_basis": pl.String, "market_value_date": pl.Date,
    "years": pl.List(_YEAR_STRUCT),
} | {name: pl.List(pl.Struct(fields)) for name, fields in _LISTS.items()} | {
    "expert_scores": pl.String,
}
SCALAR_FIELDS = tuple(k for k, v in SCHEMA.items() if k not in ("years", "expert_scores", *LIST_FIELDS))
#: The annual facts' keys (``_YEAR_STRUCT.to_schema()`` builds a dict per call: 20% of the conversion).
_YEAR_KEYS = tuple(_YEAR_STRUCT.to_schema())
_DATE_FIELDS = {name: tuple(k for k, v in fields.items() if v == pl.Date) for name, fields in _LISTS.items()}


@dataclass(frozen=True)
class Context:
    """The evaluation date and the reference year derived from it (上年度 = as_of.year - 1)."""

    as_of: dt.date

    @property
    def ref_year(self) -> int:
        return self.as_of.year - 1

    def year_of(self, k: int) -> int:
        return self.ref_year - k

    def years_before(self, n: int) -> dt.date:
        """``as_of`` moved back ``n`` calendar years (29 February becomes 28 February)."""
        try:
            return self.as_of.replace(year=self.as_of.year - n)
        except ValueError:
            return self.as_of.replace(year=self.as_of.year - n, day=28)


def year_col(field: str, k: int) -> str:
    """Column name of an annual fact ``k`` years before the reference year."""
    return f"{field}_y{k}"


def _to_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _norm_expert(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def records_to_frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    """Interchange records → the batch input frame (fixed :data:`SCHEMA`, unknown fields dropped).

    Dates are parsed; an unparseable date raises ``ValueError`` naming the record and the field
    (validate records with the facts module first to get every problem at once)."""
    rows = []
    for i, rec in enumerate(records):
        row: dict[str, Any] = {k: rec.get(k) for k in SCHEMA if k not in ("expert_scores",)}
        try:
            row["registered_on"] = _to_date(rec.get("registered_on"))
            row["market_value_date"] = _to_date(rec.get("market_value_date"))
            for name in LIST_FIELDS:
                items = rec.get(name)
                if items is not None:
                    dates = _DATE_FIELDS[name]
                    row[name] = [
                        {**{k: it.get(k) for k in _LISTS[name]}, **{d: _to_date(it.get(d)) for d in dates}}
                        for it in items
                    ]
        except ValueError as exc:
            raise ValueError(f"record {i} ({rec.get('uscc')}): bad date: {exc}") from exc
        if rec.get("years") is not None:
            row["years"] = [{k: y.get(k) for k in _YEAR_KEYS} for y in rec["years"]]
        row["expert_scores"] = _norm_expert(rec.get("expert_scores"))
        rows.append(row)
    return pl.DataFrame(rows, schema=SCHEMA, strict=False)


def frame_to_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The inverse of :func:`records_to_frame`, for what-if and gap analysis on batch rows."""
    out = []
    for row in frame.select([c for c in SCHEMA if c in frame.columns]).iter_rows(named=True):
        rec = {k: v for k, v in row.items()}
        if rec.get("expert_scores") is not None:
            rec["expert_scores"] = orjson.loads(rec["expert_scores"])
        out.append(rec)
    return out


def conform(frame: pl.DataFrame | Any) -> pl.DataFrame:
    """Accept a Polars frame or an Arrow table/record batch; add missing columns as nulls, cast to
    :data:`SCHEMA`. Columns beyond the schema are kept (the batch path ignores them)."""
    if not isinstance(frame, pl.DataFrame):
        frame = pl.from_arrow(frame)
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in SCHEMA.items() if c not in frame.columns]
    if missing:
        frame = frame.with_columns(missing)
    wrong = [pl.col(c).cast(t) for c, t in SCHEMA.items() if frame.schema[c] != t]
    if wrong:
        frame = frame.with_columns(wrong)
    return frame


# ---------------------------------------------------------------------------------------------
# The one-enterprise row: the same columns the batch path derives, as a dict.


@dataclass
class Issue:
    """A problem with a fact: the fact's path, a code, and messages in Chinese and English."""

    fact: str
    code: str
    message_zh: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"fact": self.fact, "code": self.code, "message_zh": self.message_zh,
                "message_en": self.message_en}


def _num(v: Any) -> Any:
    if isinstance(v, bool):
        return None
    return v


def record_to_row(record: dict[str, Any], ctx: Context) -> tuple[dict[str, Any], list[Issue]]:
    """One interchange record → the flat row the rules read, plus the issues found on the way.

    Impossible values (negative amounts, more tech staff than employees, a registration date after
    ``as_of``) are reported and removed, so the clauses that need them become ``unknown``."""
    issues: list[Issue] = []
    row: dict[str, Any] = {k: record.get(k) for k in SCALAR_FIELDS}
    try:
        row["registered_on"] = _to_date(record.get("registered_on"))
    except ValueError:
        issues.append(Issue("registered_on", "bad_date", f"成立日期格式错误: {record.get('registered_on')!r}",
                            f"registered_on is not an ISO date: {record.get('registered_on')!r}"))
        row["registered_on"] = None
    if row["registered_on"] is not None and row["registered_on"] > ctx.as_of:
        issues.append(Issue("registered_on", "future_date",
                            f"成立日期 {row['registered_on']} 晚于评价日 {ctx.as_of}",
                            f"registered_on {row['registered_on']} is after the evaluation date {ctx.as_of}"))
        row["registered_on"] = None
    _market_value(row, record, ctx, issues)
    by_year: dict[int, dict[str, Any]] = {}
    for y in record.get("years") or ():
        if isinstance(y, dict) and isinstance(y.get("year"), int) and y["year"] not in by_year:
            by_year[y["year"]] = y
    for k in range(LOOKBACK):
        year = ctx.year_of(k)
        src = by_year.get(year, {})
        for f in YEAR_FIELDS:
            row[year_col(f, k)] = _num(src.get(f)) if f not in YEAR_STR_FIELDS else src.get(f)
        for f in NON_NEGATIVE_YEAR_FIELDS:
            v = row[year_col(f, k)]
            if v is not None and v < 0:
                issues.append(Issue(f"years[{year}].{f}", "negative", f"{year}年 {f} 为负数 ({v})",
                                    f"years[{year}].{f} is negative ({v})"))
                row[year_col(f, k)] = None
        emp = row[year_col("employees", k)]
        for f in STAFF_SUBSETS:
            v = row[year_col(f, k)]
            if v is not None and emp is not None and v > emp:
                issues.append(Issue(f"years[{year}].{f}", "exceeds_employees",
                                    f"{year}年 {f} ({v}) 大于职工总数 ({emp})",
                                    f"years[{year}].{f} ({v}) is greater than employees ({emp})"))
                row[year_col(f, k)] = None
        rd, rev = row[year_col("rd_expense", k)], row[year_col("operating_revenue", k)]
        if rd is not None and rev is not None and rev > 0 and rd > 100 * rev:
            issues.append(Issue(f"years[{year}].rd_expense", "implausible",
                                f"{year}年研发费用 ({rd:,.0f}) 超过营业收入 ({rev:,.0f}) 的100倍，请核实",
                                f"years[{year}].rd_expense ({rd:,.0f}) is over 100 times operating revenue ({rev:,.0f}); please check"))
    for name in LIST_FIELDS:
        items = record.get(name)
        if items is None:
            row[name] = None
            continue
        dates = _DATE_FIELDS[name]
        clean = []
        for i, it in enumerate(items):
            item = {k: it.get(k) for k in _LISTS[name]}
            for d in dates:
                try:
                    item[d] = _to_date(it.get(d))
                except ValueError:
                    issues.append(Issue(f"{name}[{i}].{d}", "bad_date", f"{name}[{i}].{d} 日期格式错误",
                                        f"{name}[{i}].{d} is not an ISO date"))
                    item[d] = None
            if name == "ip" and item["type"] not in IP_TYPES:
                issues.append(Issue(f"ip[{i}].type", "unknown_ip_type",
                                    f"未知的知识产权类型 {item['type']!r}（不计入Ⅰ类或Ⅱ类）",
                                    f"unknown IP type {item['type']!r} (counted in neither class)"))
            if name == "ip" and item["granted_on"] is not None and item["granted_on"] > ctx.as_of:
                issues.append(Issue(f"ip[{i}].granted_on", "future_date",
                                    f"ip[{i}] 授权日 {item['granted_on']} 晚于评价日（不计入）",
                                    f"ip[{i}].granted_on {item['granted_on']} is after the evaluation date (not counted)"))
            clean.append(item)
        row[name] = clean
    experts = record.get("expert_scores")
    if isinstance(experts, str):
        experts = orjson.loads(experts)
    row["expert_scores"] = experts if isinstance(experts, dict) else {}
    return row, issues


def _market_value(row: dict[str, Any], record: dict[str, Any], ctx: Context, issues: list[Issue]) -> None:
    """The expected market value and its date: a bad or future date and a negative value are
    reported and removed (the listing standards then read the market value as unknown)."""
    try:
        row["market_value_date"] = _to_date(record.get("market_value_date"))
    except ValueError:
        issues.append(Issue("market_value_date", "bad_date",
                            f"市值估算日期格式错误: {record.get('market_value_date')!r}",
                            f"market_value_date is not an ISO date: {record.get('market_value_date')!r}"))
        row["market_value_date"] = None
    if row["market_value_date"] is not None and row["market_value_date"] > ctx.as_of:
        issues.append(Issue("market_value_date", "future_date",
                            f"市值估算日期 {row['market_value_date']} 晚于评价日 {ctx.as_of}",
                            f"market_value_date {row['market_value_date']} is after the evaluation date {ctx.as_of}"))
        row["market_value_date"] = None
    mv = _num(row.get("expected_market_value"))
    if mv is not None and mv < 0:
        issues.append(Issue("expected_market_value", "negative", f"预计市值为负数 ({mv})",
                            f"expected_market_value is negative ({mv})"))
        mv = None
    row["expected_market_value"] = mv


def sanitise_frame(frame: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """The batch counterpart of :func:`record_to_row`: pick the reference-year columns and drop the
    same impossible values (vectorised)."""
    ref = ctx.ref_year
    entries = [
        pl.col("years").list.eval(pl.element().filter(pl.element().struct.field("year") == ref - k)).list.first().alias(f"_year{k}")
        for k in range(LOOKBACK)
    ]
    out = frame.with_columns(entries)
    out = out.with_columns(
        pl.col(f"_year{k}").struct.field(*YEAR_FIELDS).name.suffix(f"_y{k}") for k in range(LOOKBACK)
    ).drop([f"_year{k}" for k in range(LOOKBACK)])
    fixes = [pl.when(pl.col("registered_on") <= ctx.as_of).then(pl.col("registered_on")).alias("registered_on"),
             pl.when(pl.col("market_value_date") <= ctx.as_of).then(pl.col("market_value_date")).alias("market_value_date"),
             pl.when(pl.col("expected_market_value") >= 0).then(pl.col("expected_market_value"))
             .alias("expected_market_value")]
    for k in range(LOOKBACK):
        for f in NON_NEGATIVE_YEAR_FIELDS:
            c = year_col(f, k)
            fixes.append(pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c))
    out = out.with_columns(fixes)
    staff = []
    for k in range(LOOKBACK):
        emp = pl.col(year_col("employees", k))
        for f in STAFF_SUBSETS:
            c = year_col(f, k)
            staff.append(pl.when(pl.col(c) <= emp).then(pl.col(c)).when(emp.is_null()).then(pl.col(c)).alias(c))
    return out.with_columns(staff)
