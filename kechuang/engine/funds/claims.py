"""Who is owed what: the claims a year's platform facts give under a set of programmes.

Two paths over the same rule data. :func:`claims_batch` is vectorised (Polars): one frame per
basis (loans, losses, certificates) joined to the enterprises' features, the eligibility as the
matching engine's status expression, the formula as a Polars expression, caps, 就高不重复 and the
per-claimant yearly cap. :func:`claims_loop` does the same one claim at a time in Python (the
baseline of ``bench/bench_funds.py`` and the path a single application is checked on,
:func:`claim_for`); a test keeps both equal to the cent.

Facts per subject
- ``loan_interest``: ``interest_paid`` is the interest the lending bank reported as actually paid
  in the year (the loans frame's optional ``interest_recorded`` column: the sum of the bank's
  repayment records dated in the year up to ``as_of``, null when the bank reported none; the app's
  selector fills it), ``interest_basis`` = ``recorded``. Without records it is the contract
  estimate, ``interest_basis`` = ``estimated``: principal × rate × days / 365, the days of the year
  (and of the programme's period) the loan ran: from disbursement (or 1 January) to maturity,
  default, the period's end or ``as_of``, whichever comes first. ``days_in_period`` is the contract
  days either way (0 when a recorded payment falls after the loan stopped running).
- ``principal_loss``: the loss share booked for the programme's ``loss_party`` (the bank's share of a
  defaulted guaranteed loan by default) in the window.
- ``first_loan``: a loan disbursed in the window to an enterprise with no earlier bank loan.
- ``certificate``: a certificate of one of the programme's kinds that became valid in the window.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any

import polars as pl

from kechuang.engine.matching.features import MATCH_FEATURES
from kechuang.engine.matching.rules import describe, evaluate, status_expr
from kechuang.engine.qualification.nodes import MET

from .programme import Programme

LOANS_SCHEMA = {"loan_id": pl.Int64, "enterprise_id": pl.Int64, "lender_id": pl.Int64, "guarantor_id": pl.Int64,
                "category": pl.String, "principal": pl.Float64, "rate": pl.Float64, "disbursed_on": pl.Date,
                "term_months": pl.Int32, "defaulted_on": pl.Date, "first_loan": pl.Boolean,
                "interest_recorded": pl.Float64}
LOSSES_SCHEMA = {"leg_id": pl.Int64, "loan_id": pl.Int64, "enterprise_id": pl.Int64, "lender_id": pl.Int64,
                 "guarantor_id": pl.Int64, "party": pl.String, "amount": pl.Float64, "loss_total": pl.Float64,
                 "principal": pl.Float64, "booked_on": pl.Date}
CERTS_SCHEMA = {"enterprise_id": pl.Int64, "kind": pl.String, "valid_from": pl.Date}
CLAIMS_SCHEMA = {"programme": pl.String, "exclusive_group": pl.String, "year": pl.Int32, "subject": pl.String,
                 "enterprise_id": pl.Int64, "claimant_id": pl.Int64, "loan_id": pl.Int64, "leg_id": pl.Int64,
                 "principal": pl.Float64, "loan_rate": pl.Float64, "interest_paid": pl.Float64, "principal_loss": pl.Float64,
                 "days_in_period": pl.Int32, "interest_basis": pl.String, "formula_amount": pl.Float64,
                 "amount": pl.Float64}
RECORDED, ESTIMATED = "recorded", "estimated"
_CLAIMANT_COL = {"enterprise": "enterprise_id", "lender": "lender_id", "guarantor": "guarantor_id"}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def window(p: Programme, year: int, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days of ``year`` the programme pays for, as known on ``as_of`` (inclusive), or ``None``."""
    lo = max(dt.date(year, 1, 1), p.period_from)
    hi = min(dt.date(year, 12, 31), p.period_to, as_of)
    return (lo, hi) if lo <= hi else None


def add_months(d: dt.date, n: int) -> dt.date:
    """``d`` plus ``n`` calendar months, clamped to the month's end (Polars' ``offset_by`` rule)."""
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    return dt.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def cents(x: float) -> float:
    """Floor to the cent: a subsidy is “不超过” its formula, never rounded up."""
    return round(math.floor(x * 100.0 + 1e-6) / 100.0, 2)


def _cents_expr(e: pl.Expr) -> pl.Expr:
    return ((e * 100.0 + 1e-6).floor() / 100.0).round(2)


def _features(enterprises: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=pl.Boolean if f.dtype == "bool" else pl.Float64 if f.dtype == "number"
                      else pl.String).alias(f.name) for f in MATCH_FEATURES.values() if f.name not in enterprises.columns]
    return enterprises.with_columns(missing) if missing else enterprises


# ---------------------------------------------------------------------------------------------
# The batch path


def _subjects(p: Programme, year: int, as_of: dt.date, loans: pl.DataFrame, losses: pl.DataFrame,
              certs: pl.DataFrame) -> pl.LazyFrame | None:
    w = window(p, year, as_of)
    if w is None:
        return None
    lo, hi = w
    nulls = {"loan_id": pl.Int64, "leg_id": pl.Int64, "principal": pl.Float64, "interest_paid": pl.Float64,
             "principal_loss": pl.Float64, "days_in_period": pl.Int32, "loan_rate": pl.Float64,
             "loss_total": pl.Float64, "interest_basis": pl.String}

    def fill(lf: pl.LazyFrame) -> pl.LazyFrame:
        have = set(lf.collect_schema().names())
        return lf.with_columns([pl.lit(None, dtype=t).alias(k) for k, t in nulls.items() if k not in have])

    if p.basis in ("loan_interest", "first_loan"):
        lf = loans.lazy()
        if p.loan_categories:
            lf = lf.filter(pl.col("category").is_in(list(p.loan_categories)))
        lf = lf.rename({"rate": "loan_rate"})
        if p.basis == "first_loan":
            lf = lf.filter(pl.col("first_loan") & pl.col("disbursed_on").is_between(lo, hi))
            lf = lf.with_columns(pl.format("first_loan:{}", pl.col("loan_id")).alias("subject"))
        else:
            maturity = pl.col("disbursed_on").dt.offset_by(pl.format("{}mo", pl.col("term_months")))
            end = pl.min_horizontal(maturity, pl.col("defaulted_on").fill_null(maturity),
                                    pl.lit(hi + dt.timedelta(days=1)))
            start = pl.max_horizontal(pl.col("disbursed_on"), pl.lit(lo))
            days = (end - start).dt.total_days().cast(pl.Int32)
            recorded = pl.col("interest_recorded")
            estimate = pl.col("principal") * pl.col("loan_rate") * pl.col("days_in_period").cast(pl.Float64) / 365.0
            lf = (lf.with_columns(days.clip(lower_bound=0).alias("days_in_period"))
                  .filter((pl.col("days_in_period") > 0) | recorded.is_not_null())
                  .with_columns(pl.when(recorded.is_not_null()).then(recorded).otherwise(estimate).alias("interest_paid"),
                                pl.when(recorded.is_not_null()).then(pl.lit(RECORDED)).otherwise(pl.lit(ESTIMATED))
                                .alias("interest_basis"),
                                pl.format("loan:{}", pl.col("loan_id")).alias("subject")))
    elif p.basis == "principal_loss":
        lf = (losses.lazy().filter((pl.col("party") == p.loss_party) & pl.col("booked_on").is_between(lo, hi))
              .rename({"amount": "principal_loss"})
              .with_columns(pl.format("loss:{}", pl.col("leg_id")).alias("subject")))
    else:
        lf = (certs.lazy().filter(pl.col("kind").is_in(list(p.certificate_kinds))
                                  & pl.col("valid_from").is_between(lo, hi))
              .with_columns(pl.format("cert:{}:{}:{}", pl.col("enterprise_id"), pl.col("kind"),
                                      pl.col("valid_from")).alias("subject"),
                            pl.lit(None, dtype=pl.Int64).alias("lender_id"),
                            pl.lit(None, dtype=pl.Int64).alias("guarantor_id")))
    lf = fill(lf).with_columns(pl.col(_CLAIMANT_COL[p.claimant]).alias("claimant_id"))
    return lf.filter(pl.col("claimant_id").is_not_null())


def claims_batch(programmes: list[Programme], year: int, as_of: dt.date, *, loans: pl.DataFrame | None = None,
                 losses: pl.DataFrame | None = None, certs: pl.DataFrame | None = None,
                 enterprises: pl.DataFrame, taken: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every claim owed for ``year`` (``CLAIMS_SCHEMA``), after caps, 就高不重复 and the yearly caps.

    ``taken`` (``subject``, ``exclusive_group``) lists subjects already claimed: they are left out."""
    loans = loans if loans is not None else empty(LOANS_SCHEMA)
    if "interest_recorded" not in loans.columns:
        loans = loans.with_columns(pl.lit(None, dtype=pl.Float64).alias("interest_recorded"))
    losses = losses if losses is not None else empty(LOSSES_SCHEMA)
    certs = certs if certs is not None else empty(CERTS_SCHEMA)
    # One chunk each: Polars 2.1 panics filtering a multi-chunk string column before a format.
    loans, losses, certs = loans.rechunk(), losses.rechunk(), certs.rechunk()
    feats = _features(enterprises).rechunk().lazy()
    parts: list[pl.LazyFrame] = []
    for p in programmes:
        lf = _subjects(p, year, as_of, loans, losses, certs)
        if lf is None:
            continue
        lf = lf.join(feats, on="enterprise_id", how="inner").filter(status_expr(p.eligibility) == MET)
        amount = p.formula.expr()
        if p.cap_per_claim is not None:
            amount = pl.min_horizontal(amount, pl.lit(p.cap_per_claim))
        parts.append(lf.select(
            pl.lit(p.key).alias("programme"), pl.lit(p.exclusive_group).alias("exclusive_group"),
            pl.lit(year, pl.Int32).alias("year"), "subject", "enterprise_id", "claimant_id", "loan_id", "leg_id",
            "principal", "loan_rate", "interest_paid", "principal_loss", "days_in_period", "interest_basis",
            p.formula.expr().alias("formula_amount"), _cents_expr(amount.clip(lower_bound=0.0)).alias("amount"))
            .filter(pl.col("amount") > 0))
    if not parts:
        return empty(CLAIMS_SCHEMA)
    out = pl.concat(parts, how="vertical_relaxed")
    if taken is not None and taken.height:
        out = out.join(taken.lazy().select("subject", "exclusive_group").unique(),
                       on=["subject", "exclusive_group"], how="anti")
    # 就高不重复: one claim per subject within an exclusive group, the highest (then the first programme).
    out = (out.sort(["amount", "programme"], descending=[True, False])
           .unique(subset=["subject", "exclusive_group"], keep="first", maintain_order=True))
    caps = {p.key: p.cap_per_claimant_year for p in programmes if p.cap_per_claimant_year is not None}
    if caps:
        cap = pl.col("programme").replace_strict(caps, default=None, return_dtype=pl.Float64)
        out = (out.sort(["programme", "claimant_id", "subject"])
               .with_columns(pl.col("amount").cum_sum().over(["programme", "claimant_id"]).alias("_cum"))
               .with_columns(pl.when(cap.is_null()).then(pl.col("amount"))
                             .otherwise(_cents_expr(pl.min_horizontal(
                                 pl.col("amount"), (cap - (pl.col("_cum") - pl.col("amount"))).clip(lower_bound=0.0))))
                             .alias("amount"))
               .drop("_cum").filter(pl.col("amount") > 0))
    return out.sort(["programme", "claimant_id", "subject"]).collect().cast(CLAIMS_SCHEMA)


# ---------------------------------------------------------------------------------------------
# The per-claim path


def subject_facts(p: Programme, year: int, as_of: dt.date, kind: str, row: dict[str, Any]) -> dict[str, Any] | None:
    """The facts of one subject row (a loan, loss or certificate dict in the batch schemas) under
    ``p`` for ``year``, or ``None`` when the row is outside the programme (category, window, party)."""
    w = window(p, year, as_of)
    if w is None:
        return None
    lo, hi = w
    out: dict[str, Any] = {"loan_id": None, "leg_id": None, "principal": None, "interest_paid": None,
                           "principal_loss": None, "days_in_period": None, "loan_rate": None, "loss_total": None,
                           "interest_basis": None}
    if p.basis in ("loan_interest", "first_loan"):
        if kind != "loan" or (p.loan_categories and row["category"] not in p.loan_categories):
            return None
        out.update(loan_id=row["loan_id"], principal=row["principal"], loan_rate=row["rate"])
        if p.basis == "first_loan":
            if not row["first_loan"] or not lo <= row["disbursed_on"] <= hi:
                return None
            out["subject"] = f"first_loan:{row['loan_id']}"
        else:
            maturity = add_months(row["disbursed_on"], row["term_months"])
            end = min(maturity, row["defaulted_on"] or maturity, hi + dt.timedelta(days=1))
            days = max((end - max(row["disbursed_on"], lo)).days, 0)
            recorded = row.get("interest_recorded")
            if days <= 0 and recorded is None:
                return None
            if recorded is not None:
                out.update(interest_paid=recorded, interest_basis=RECORDED)
            else:
                out.update(interest_paid=row["principal"] * row["rate"] * float(days) / 365.0, interest_basis=ESTIMATED)
            out.update(days_in_period=days, subject=f"loan:{row['loan_id']}")
    elif p.basis == "principal_loss":
        if kind != "loss" or row["party"] != p.loss_party or not lo <= row["booked_on"] <= hi:
            return None
        out.update(loan_id=row["loan_id"], leg_id=row["leg_id"], principal=row["principal"],
                   principal_loss=row["amount"], loss_total=row["loss_total"], subject=f"loss:{row['leg_id']}")
    else:
        if kind != "cert" or row["kind"] not in p.certificate_kinds or not lo <= row["valid_from"] <= hi:
            return None
        out["subject"] = f"cert:{row['enterprise_id']}:{row['kind']}:{row['valid_from']}"
    claimant = row.get(_CLAIMANT_COL[p.claimant])
    if claimant is None:
        return None
    out.update(enterprise_id=row["enterprise_id"], claimant_id=claimant)
    return out


def claim_for(p: Programme, year: int, as_of: dt.date, kind: str, row: dict[str, Any], features: dict[str, Any],
              declared: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """One subject's claim under ``p`` before the yearly cap (``amount`` after the per-claim cap),
    with the eligibility's reasons; ``None`` when the subject is outside the programme. A claim
    whose eligibility is not met carries ``eligible = False`` and ``amount = 0``."""
    facts = subject_facts(p, year, as_of, kind, row)
    if facts is None:
        return None
    status, conds = evaluate(p.eligibility, features)
    raw = p.formula({**facts, **(declared or {})})
    amount = 0.0
    if raw is not None and status == MET:
        amount = min(raw, p.cap_per_claim) if p.cap_per_claim is not None else raw
        amount = cents(max(amount, 0.0))
    return {**facts, "programme": p.key, "exclusive_group": p.exclusive_group, "year": year,
            "formula_amount": raw, "amount": amount, "eligible": status == MET, "status": status,
            "reasons": [describe(c, st, v) for c, st, v in conds]}


def claims_loop(programmes: list[Programme], year: int, as_of: dt.date, *, loans: list[dict], losses: list[dict],
                certs: list[dict], features: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The same claims as :func:`claims_batch`, one subject at a time (rows as dicts)."""
    found: list[dict[str, Any]] = []
    for p in programmes:
        for kind, rows in (("loan", loans), ("loss", losses), ("cert", certs)):
            for row in rows:
                feats = features.get(row["enterprise_id"])
                if feats is None:
                    continue
                c = claim_for(p, year, as_of, kind, row, feats)
                if c is not None and c["amount"] > 0:
                    found.append(c)
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for c in sorted(found, key=lambda c: (-c["amount"], c["programme"])):
        best.setdefault((c["subject"], c["exclusive_group"]), c)
    caps = {p.key: p.cap_per_claimant_year for p in programmes}
    used: dict[tuple[str, int], float] = {}
    out = []
    for c in sorted(best.values(), key=lambda c: (c["programme"], c["claimant_id"], c["subject"])):
        cap = caps.get(c["programme"])
        if cap is not None:
            k = (c["programme"], c["claimant_id"])
            before = used.get(k, 0.0)
            used[k] = before + c["amount"]
            c = {**c, "amount": cents(min(c["amount"], max(cap - before, 0.0)))}
        if c["amount"] > 0:
            out.append(c)
    return out
