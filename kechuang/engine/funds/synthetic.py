"""SYNTHETIC populations for the claims benchmark and the batch/loop tests: enterprises with the
matching features, loans, booked losses and certificates. Random, seeded, and not data about any
real enterprise."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from .claims import CERTS_SCHEMA, LOANS_SCHEMA, LOSSES_SCHEMA

DISTRICTS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117")
CATEGORIES = ("credit", "ip_pledge", "talent", "tech_transfer", "srdi", "first_loan", "secured")
SIZES = ("micro", "small", "medium", "large")


def population(n_enterprises: int, n_loans: int, seed: int = 13, year: int = 2026) -> dict[str, pl.DataFrame]:
    """``enterprises`` (features), ``loans`` (about half of those running in ``year`` with the interest
    their bank reported as paid in the year, ``interest_recorded``; the others null), ``losses`` (≈2% of loans defaulted, guaranteed 20:20:40:20)
    and ``certs`` (≈10% of enterprises with a certificate that became valid in ``year``)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_enterprises + 1, dtype=np.int64)
    region = np.array(DISTRICTS)[rng.integers(0, len(DISTRICTS), n_enterprises)]
    region = np.where(rng.random(n_enterprises) < 0.05, "370302", region)  # a few outside Jinan
    enterprises = pl.DataFrame({
        "enterprise_id": ids,
        "region_code": region,
        "size": np.array(SIZES)[rng.choice(4, n_enterprises, p=[0.45, 0.35, 0.15, 0.05])],
        "ip_class1_count": rng.poisson(0.8, n_enterprises).astype(np.float64),
        "adverse_count": (rng.random(n_enterprises) < 0.06).astype(np.float64),
        "hnte": rng.random(n_enterprises) < 0.25,
        "tsme": rng.random(n_enterprises) < 0.45,
        "tier": np.array(["none", "tech-innovative-sme", "srdi-sme", "little-giant"])[
            rng.choice(4, n_enterprises, p=[0.55, 0.33, 0.1, 0.02])],
    }).with_columns((pl.col("region_code").str.slice(0, 4) + "00").alias("region_city"))
    ent = rng.integers(1, n_enterprises + 1, n_loans).astype(np.int64)
    start = dt.date(year - 2, 1, 1)
    disbursed = np.datetime64(start) + rng.integers(0, 3 * 365, n_loans).astype("timedelta64[D]")
    defaulted = rng.random(n_loans) < 0.02
    default_on = disbursed + rng.integers(60, 400, n_loans).astype("timedelta64[D]")
    loans = pl.DataFrame({
        "loan_id": np.arange(1, n_loans + 1, dtype=np.int64),
        "enterprise_id": ent,
        "lender_id": rng.integers(1, 41, n_loans).astype(np.int64),
        "guarantor_id": np.where(rng.random(n_loans) < 0.3, rng.integers(41, 51, n_loans), 0).astype(np.int64),
        "category": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), n_loans)],
        "principal": np.round(rng.lognormal(14.0, 0.9, n_loans), -3),
        "rate": np.round(rng.uniform(0.03, 0.06, n_loans), 4),
        "disbursed_on": disbursed,
        "term_months": rng.choice(np.array([6, 12, 24, 36], dtype=np.int32), n_loans),
        "defaulted_on": np.where(defaulted, default_on, np.datetime64("NaT")),
        "first_loan": rng.random(n_loans) < 0.08,
    })
    running = ((pl.col("disbursed_on") <= dt.date(year, 12, 31))
               & (pl.col("disbursed_on").dt.offset_by(pl.format("{}mo", pl.col("term_months"))) > dt.date(year, 1, 1)))
    reported = pl.Series(rng.random(n_loans) < 0.5) & loans.select(running).to_series()
    paid = (loans["principal"] * loans["rate"] * pl.Series(rng.uniform(0.1, 1.0, n_loans))).round(2)
    loans = loans.with_columns(pl.when(reported).then(paid).otherwise(None).alias("interest_recorded")).with_columns(pl.when(pl.col("guarantor_id") == 0).then(None).otherwise(pl.col("guarantor_id")).alias("guarantor_id")
                    ).cast(LOANS_SCHEMA)
    bad = loans.filter(pl.col("defaulted_on").is_not_null() & pl.col("guarantor_id").is_not_null())
    outstanding = (bad["principal"] * pl.Series(rng.uniform(0.3, 1.0, bad.height))).round(2)
    losses = pl.concat([
        pl.DataFrame({"leg_id": bad["loan_id"], "loan_id": bad["loan_id"], "enterprise_id": bad["enterprise_id"],
                      "lender_id": bad["lender_id"], "guarantor_id": bad["guarantor_id"],
                      "party": [party] * bad.height, "amount": (outstanding * share / 100).round(2),
                      "loss_total": outstanding, "principal": bad["principal"],
                      "booked_on": bad["defaulted_on"] + dt.timedelta(days=30)})
        for party, share in (("national", 20), ("provincial", 20), ("city", 40), ("bank", 20))
    ]).cast(LOSSES_SCHEMA) if bad.height else pl.DataFrame(schema=LOSSES_SCHEMA)
    has_cert = rng.random(n_enterprises) < 0.1
    certs = pl.DataFrame({
        "enterprise_id": ids[has_cert],
        "kind": np.array(["hnte", "tsme", "srdi_sme"])[rng.integers(0, 3, int(has_cert.sum()))],
        "valid_from": np.datetime64(dt.date(year, 1, 1)) + rng.integers(0, 365, int(has_cert.sum())).astype("timedelta64[D]"),
    }).cast(CERTS_SCHEMA)
    return {"enterprises": enterprises, "loans": loans, "losses": losses, "certs": certs}


def as_rows(pop: dict[str, pl.DataFrame]) -> dict:
    """The same population as the per-claim loop reads it: rows as dicts, features by enterprise."""
    feats = {r["enterprise_id"]: r for r in pop["enterprises"].iter_rows(named=True)}
    return {"loans": pop["loans"].to_dicts(), "losses": pop["losses"].to_dicts(), "certs": pop["certs"].to_dicts(),
            "features": feats}
