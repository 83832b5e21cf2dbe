"""Early-warning signals of an enterprise on a date, their evidence and its warning level.

Django-free. Two paths that give the same results (``tests/test_signals.py`` holds them to it):

* :func:`warnings_batch` — vectorised Polars over two frames: one row per enterprise
  (:data:`ENTERPRISE_SCHEMA`: tax grade and social-insurance headcounts of the reference year,
  the latest and previous rating PD) and one row per list item (:data:`ITEM_SCHEMA`: loans,
  judgments, penalties, incidents and the marketplace's guarantee/insurance pay-outs), built from
  interchange records by :func:`records_to_frames` or straight from columns (the benchmark);
* :func:`warning_one` — one interchange record in plain Python, for the enterprise page.

No look-ahead: the caller passes what was *known* at the end of ``as_of`` (transaction time);
inside, an item dated after ``as_of`` (a loan drawn, a judgment or penalty decided, a listing that
begins, a pay-out booked later) feeds no signal and is **flagged** as ``future`` evidence instead —
a fact dated in the future is a data error to look at, not a warning. The reference fiscal year
is ``as_of.year - 1``, as in :mod:`kechuang.engine.rating.features`.

Windows: litigation, penalties and incidents count the 365 days up to ``as_of``; enforcement
cases (执行) 730 days; listings and equity freezes (``incidents`` of kind ``equity_frozen``, schema
1.2) count while not removed (unfrozen) on ``as_of``; overdue counts loans drawn by ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from .rules import ENTERPRISE_SIGNALS, ITEM_SIGNALS, LEVELS, SIGNAL_NAMES, RuleSet

ITEM_SCHEMA: dict[str, pl.DataType] = {
    "uscc": pl.Utf8, "section": pl.Utf8, "ident": pl.Utf8, "kind": pl.Utf8, "role": pl.Utf8,
    "status": pl.Utf8, "date": pl.Date, "removed_on": pl.Date, "amount": pl.Float64,
    "days": pl.Float64, "source": pl.Utf8}
ENTERPRISE_SCHEMA: dict[str, pl.DataType] = {
    "uscc": pl.Utf8, "tax_grade": pl.Utf8, "si_cur": pl.Float64, "si_prev": pl.Float64,
    "pd": pl.Float64, "pd_prev": pl.Float64}

SECTIONS = ("loans", "judgments", "penalties", "incidents")
#: How each section names its item (the fact tables' key) and dates it.
IDENT = {"loans": "contract_number", "judgments": "case_number", "penalties": "document_number",
         "incidents": "kind", "market": "ident"}
DATE = {"loans": "start_on", "judgments": "decided_on", "penalties": "decided_on", "incidents": "date",
        "market": "date"}
DEFAULTED = ("overdue", "written_off")
SEVERE_PENALTIES = ("suspension", "license_revoked")
#: Incidents that hold from their date until removed (listings, a freeze of the enterprise's equity).
LISTS = {"serious_dishonesty_list": "dishonesty_list", "abnormal_operation_list": "abnormal_list",
         "equity_frozen": "equity_freeze"}
YEAR_DAYS, TWO_YEAR_DAYS = 365, 730
MAX_SIGNAL = "overdue_history"  # the one signal that is a maximum (days), not a count
FUTURE = "future"


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _num(value: Any) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Records → frames


def _items(record: Mapping[str, Any], market: Iterable[Mapping[str, Any]] = ()) -> list[dict]:
    uscc = record.get("uscc")
    out = []
    for section in SECTIONS:
        for it in record.get(section) or []:
            amount = it.get("overdue_amount") if section == "loans" and it.get("status") in DEFAULTED else None
            out.append({"uscc": uscc, "section": section, "ident": str(it.get(IDENT[section]) or ""),
                        "kind": it.get("kind"), "role": it.get("role"), "status": it.get("status"),
                        "date": _date(it.get(DATE[section])), "removed_on": _date(it.get("removed_on")),
                        "amount": _num(amount if amount is not None else it.get("amount")),
                        "days": _num(it.get("max_overdue_days")), "source": it.get("_source")})
    for it in market:
        out.append({"uscc": uscc, "section": "market", "ident": str(it.get("ident") or ""), "kind": "default",
                    "role": None, "status": None, "date": _date(it.get("date")), "removed_on": None,
                    "amount": _num(it.get("amount")), "days": None, "source": it.get("source")})
    return out


def _enterprise_row(record: Mapping[str, Any], as_of: dt.date, pd: float | None,
                    pd_prev: float | None) -> dict:
    ref = as_of.year - 1
    years = {int(y["year"]): y for y in (record.get("years") or []) if y.get("year") is not None}
    cur, prev = years.get(ref, {}), years.get(ref - 1, {})
    return {"uscc": record.get("uscc"), "tax_grade": cur.get("tax_credit_grade") or None,
            "si_cur": _num(cur.get("social_insurance_headcount")),
            "si_prev": _num(prev.get("social_insurance_headcount")), "pd": pd, "pd_prev": pd_prev}


def records_to_frames(records: Iterable[Mapping[str, Any]], as_of: dt.date, *,
                      market: Mapping[str, list] | None = None,
                      ratings: Mapping[str, tuple[float | None, float | None]] | None = None,
                      ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(enterprises, items)`` frames for :func:`warnings_batch`. ``market`` maps a USCC to its
    marketplace pay-outs (``{ident, date, amount, source}``), ``ratings`` to ``(pd, pd_prev)``."""
    market, ratings = market or {}, ratings or {}
    ents, items = [], []
    for r in records:
        pd, pd_prev = ratings.get(r.get("uscc"), (None, None))
        ents.append(_enterprise_row(r, as_of, pd, pd_prev))
        items.extend(_items(r, market.get(r.get("uscc"), ())))
    return (pl.DataFrame(ents, schema=ENTERPRISE_SCHEMA, orient="row") if ents else pl.DataFrame(schema=ENTERPRISE_SCHEMA),
            pl.DataFrame(items, schema=ITEM_SCHEMA, orient="row") if items else pl.DataFrame(schema=ITEM_SCHEMA))


# ---------------------------------------------------------------------------------------------
# The one-enterprise path


def classify_item(item: Mapping[str, Any], as_of: dt.date) -> str | None:
    """The signal an item (a row of :data:`ITEM_SCHEMA`) feeds on ``as_of``, :data:`FUTURE` when
    it is dated later, ``None`` when it feeds none."""
    section, day = item["section"], item["date"]
    if day is not None and day > as_of:
        return FUTURE
    if section == "loans":
        if item["status"] in DEFAULTED:
            return "overdue_now"
        return "overdue_history" if (item["days"] or 0) > 0 else None
    if section == "market":
        return "market_default" if day is not None else None
    if day is None:
        return None
    age = (as_of - day).days
    if section == "judgments":
        if item["role"] != "defendant":
            return None
        if item["kind"] == "enforcement":
            return "enforcement" if age < TWO_YEAR_DAYS else None
        return "litigation" if age < YEAR_DAYS else None
    if section == "penalties":
        if age >= YEAR_DAYS:
            return None
        return "penalty_severe" if item["kind"] in SEVERE_PENALTIES else "penalty"
    if section == "incidents":
        if item["kind"] in LISTS:
            removed = item["removed_on"]
            return LISTS[item["kind"]] if removed is None or removed > as_of else None
        return "incident" if age < YEAR_DAYS else None
    return None


def enterprise_values(row: Mapping[str, Any]) -> dict[str, float | None]:
    """The enterprise-level signals from a row of :data:`ENTERPRISE_SCHEMA`."""
    grade = row["tax_grade"]
    cur, prev = row["si_cur"], row["si_prev"]
    pd, pd_prev = row["pd"], row["pd_prev"]
    return {"tax_grade": None if grade is None else {"C": 1.0, "D": 2.0}.get(grade, 0.0),
            "si_drop": None if cur is None or prev is None or prev <= 0 else max(0.0, 1.0 - cur / prev),
            "pd_ratio": None if pd is None or pd_prev is None or pd_prev <= 0 else pd / pd_prev,
            "pd": pd}


def signal_level(rule, value: float | None) -> int:
    if value is None:
        return 0
    level = 0
    for t in rule.thresholds:
        if value >= t.min:
            level = t.level
    return level


def combine(levels: Mapping[str, int], rules: RuleSet) -> int:
    """An enterprise's level from its signals' levels: the highest, raised by the escalations."""
    level = max(levels.values(), default=0)
    for e in rules.escalations:
        if sum(1 for v in levels.values() if v >= e.level) >= e.signals:
            level = max(level, e.to)
    return level


def warning_one(record: Mapping[str, Any], as_of: dt.date, rules: RuleSet, *,
                market: Iterable[Mapping[str, Any]] = (), pd: float | None = None,
                pd_prev: float | None = None) -> dict[str, Any]:
    """One enterprise: ``{uscc, values, levels, level, evidence, future}`` (levels as names)."""
    values: dict[str, float | None] = {name: 0.0 for name in ITEM_SIGNALS}
    evidence: list[dict] = []
    future: list[dict] = []
    for item in _items(record, market):
        signal = classify_item(item, as_of)
        if signal is None:
            continue
        ev = _evidence(item, signal)
        if signal == FUTURE:
            future.append(ev)
            continue
        evidence.append(ev)
        if signal == MAX_SIGNAL:
            values[signal] = max(values[signal] or 0.0, item["days"] or 0.0)
        else:
            values[signal] = (values[signal] or 0.0) + 1.0
    values.update(enterprise_values(_enterprise_row(record, as_of, pd, pd_prev)))
    return _result(record.get("uscc"), values, rules, evidence, future)


def _evidence(item: Mapping[str, Any], signal: str) -> dict[str, Any]:
    return {"signal": signal, "section": item["section"], "ident": item["ident"], "kind": item["kind"],
            "date": None if item["date"] is None else item["date"].isoformat(),
            "amount": item["amount"], "days": item["days"], "source": item["source"]}


def _order(e: dict) -> tuple:
    return (e["signal"], e["section"], e["ident"], e["date"] or "")


def _result(uscc, values: dict, rules: RuleSet, evidence: list, future: list) -> dict[str, Any]:
    by_name = rules.by_name
    levels = {name: signal_level(by_name[name], values[name]) if name in by_name else 0
              for name in SIGNAL_NAMES}
    level = combine(levels, rules)
    return {"uscc": uscc, "values": values, "levels": {k: LEVELS[v] for k, v in levels.items()},
            "level": LEVELS[level], "evidence": sorted(evidence, key=_order), "future": sorted(future, key=_order)}


# ---------------------------------------------------------------------------------------------
# The vectorised batch path


def _classify_expr(as_of: dt.date) -> pl.Expr:
    d, sec = pl.col("date"), pl.col("section")
    age = (pl.lit(as_of) - d).dt.total_days()
    defendant = pl.col("role") == "defendant"
    kind = pl.col("kind")
    listed = pl.col("removed_on").is_null() | (pl.col("removed_on") > pl.lit(as_of))
    return (pl.when(d.is_not_null() & (d > pl.lit(as_of))).then(pl.lit(FUTURE))
            .when(sec == "loans").then(
                pl.when(pl.col("status").is_in(DEFAULTED)).then(pl.lit("overdue_now"))
                .when(pl.col("days").fill_null(0) > 0).then(pl.lit("overdue_history")))
            .when(sec == "market").then(pl.when(d.is_not_null()).then(pl.lit("market_default")))
            .when(d.is_null()).then(pl.lit(None, pl.Utf8))
            .when(sec == "judgments").then(
                pl.when(defendant & (kind == "enforcement") & (age < TWO_YEAR_DAYS)).then(pl.lit("enforcement"))
                .when(defendant & (kind != "enforcement") & (age < YEAR_DAYS)).then(pl.lit("litigation")))
            .when(sec == "penalties").then(
                pl.when(age >= YEAR_DAYS).then(pl.lit(None, pl.Utf8))
                .when(kind.is_in(SEVERE_PENALTIES)).then(pl.lit("penalty_severe"))
                .otherwise(pl.lit("penalty")))
            .when(sec == "incidents").then(
                pl.when(kind.is_in(list(LISTS))).then(
                    pl.when(listed).then(kind.replace_strict(LISTS, default=None)))
                .when(age < YEAR_DAYS).then(pl.lit("incident")))
            .otherwise(pl.lit(None, pl.Utf8)).alias("signal"))


def classify_items(items: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """``items`` with the ``signal`` each feeds (or ``future``), the rest dropped."""
    return items.with_columns(_classify_expr(as_of)).filter(pl.col("signal").is_not_null())


def _level_expr(rule, col: str) -> pl.Expr:
    expr = pl.lit(0, pl.Int8)
    for t in rule.thresholds:
        expr = pl.when(pl.col(col) >= t.min).then(pl.lit(t.level, pl.Int8)).otherwise(expr)
    return expr.fill_null(0).alias(f"lv_{col}")


def warnings_batch(enterprises: pl.DataFrame, items: pl.DataFrame, as_of: dt.date,
                   rules: RuleSet) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(results, evidence)``: per enterprise every signal's value, ``lv_<signal>`` (0–4), ``level``
    (0–4) and ``future`` (how many items were dated after ``as_of``); per used or future item its
    evidence (``uscc``, ``signal`` and the item's columns)."""
    classified = classify_items(items, as_of)
    used = classified.filter(pl.col("signal") != FUTURE)
    aggs = [pl.col("days").filter(pl.col("signal") == name).max().alias(name) if name == MAX_SIGNAL
            else (pl.col("signal") == name).sum().cast(pl.Float64).alias(name) for name in ITEM_SIGNALS]
    per = used.group_by("uscc").agg(aggs)
    fut = classified.filter(pl.col("signal") == FUTURE).group_by("uscc").agg(pl.len().alias("future"))
    grade = pl.col("tax_grade")
    si_cur, si_prev, pd, pd_prev = pl.col("si_cur"), pl.col("si_prev"), pl.col("pd"), pl.col("pd_prev")
    frame = (enterprises.lazy()
             .join(per.lazy(), on="uscc", how="left", maintain_order="left")
             .join(fut.lazy(), on="uscc", how="left", maintain_order="left")
             .with_columns([pl.col(n).fill_null(0.0) for n in ITEM_SIGNALS]
                           + [pl.col("future").fill_null(0).cast(pl.Int64),
                              pl.when(grade.is_null()).then(None).when(grade == "C").then(1.0)
                              .when(grade == "D").then(2.0).otherwise(0.0).alias("tax_grade"),
                              pl.when(si_cur.is_null() | si_prev.is_null() | (si_prev <= 0)).then(None)
                              .otherwise(pl.max_horizontal(pl.lit(0.0), 1.0 - si_cur / si_prev)).alias("si_drop"),
                              pl.when(pd.is_null() | pd_prev.is_null() | (pd_prev <= 0)).then(None)
                              .otherwise(pd / pd_prev).alias("pd_ratio")]))
    by_name = rules.by_name
    frame = frame.with_columns([_level_expr(by_name[n], n) if n in by_name
                                else pl.lit(0, pl.Int8).alias(f"lv_{n}") for n in SIGNAL_NAMES])
    lv = [pl.col(f"lv_{n}") for n in SIGNAL_NAMES]
    level = pl.max_horizontal(lv)
    for e in rules.escalations:
        fired = pl.sum_horizontal([(c >= e.level).cast(pl.Int8) for c in lv])
        level = pl.when(fired >= e.signals).then(pl.max_horizontal(level, pl.lit(e.to, pl.Int8))).otherwise(level)
    results = frame.with_columns(level.cast(pl.Int8).alias("level")).select(
        ["uscc", *SIGNAL_NAMES, *(f"lv_{n}" for n in SIGNAL_NAMES), "level", "future"]).collect()
    return results, classified


def batch_rows(results: pl.DataFrame, evidence: pl.DataFrame) -> list[dict[str, Any]]:
    """The batch results in :func:`warning_one`'s shape (for tests and the adapter)."""
    ev: dict[str, list] = {}
    fut: dict[str, list] = {}
    for item in evidence.iter_rows(named=True):
        (fut if item["signal"] == FUTURE else ev).setdefault(item["uscc"], []).append(
            _evidence(item, item["signal"]))
    out = []
    for row in results.iter_rows(named=True):
        uscc = row["uscc"]
        out.append({"uscc": uscc, "values": {n: row[n] for n in SIGNAL_NAMES},
                    "levels": {n: LEVELS[row[f"lv_{n}"]] for n in SIGNAL_NAMES},
                    "level": LEVELS[row["level"]], "evidence": sorted(ev.get(uscc, []), key=_order),
                    "future": sorted(fut.get(uscc, []), key=_order)})
    return out


__all__ = ["ENTERPRISE_SCHEMA", "ENTERPRISE_SIGNALS", "FUTURE", "ITEM_SCHEMA", "batch_rows",
           "classify_item", "classify_items", "combine", "records_to_frames", "warning_one", "warnings_batch"]
