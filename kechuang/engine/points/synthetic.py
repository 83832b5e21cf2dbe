"""Synthetic facts for tests and the benchmark (not real enterprises): a NumPy generator of a
facts frame with plausible scales, correlated through a latent "innovativeness", some values
unknown (null) as in government feeds."""

from __future__ import annotations

import numpy as np
import polars as pl

from .facts import FACT_NAMES

DISTRICT_CODES = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115",
                  "370116", "370117", "370124", "370126")


def synthetic_facts(n: int, seed: int = 7, missing: float = 0.05) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(keys, facts)``: keys are ``enterprise_id`` and ``region_code``; facts every fact (Float64)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)  # latent innovativeness
    age = rng.gamma(2.0, 3.5, size=n)
    emp = np.maximum(1, np.round(np.exp(rng.normal(3.2, 1.0, size=n) + 0.3 * z)))
    rev = np.exp(rng.normal(16.0, 1.5, size=n) + 0.4 * z)
    rd = rev * np.clip(rng.normal(0.04 + 0.02 * z, 0.02), 0, 0.5)
    out = {
        "age_years": age,
        "employees": emp,
        "employees_prev": np.maximum(1, np.round(emp * np.exp(rng.normal(-0.05, 0.15, size=n)))),
        "tech_staff": np.round(emp * np.clip(rng.normal(0.25 + 0.08 * z, 0.1), 0, 1)),
        "rd_staff": np.round(emp * np.clip(rng.normal(0.15 + 0.06 * z, 0.08), 0, 1)),
        "high_level_talent": rng.poisson(np.exp(0.5 * z - 0.5)).astype(float),
        "operating_revenue": rev,
        "operating_revenue_prev": rev * np.exp(rng.normal(-0.1, 0.3, size=n)),
        "high_tech_revenue": rev * np.clip(rng.normal(0.4 + 0.15 * z, 0.2), 0, 1),
        "rd_expense": rd,
        "rd_expense_prev": rd * np.exp(rng.normal(-0.08, 0.25, size=n)),
        "net_profit": rev * rng.normal(0.05, 0.1, size=n),
        "total_assets": rev * np.exp(rng.normal(0.2, 0.4, size=n)),
        "total_liabilities": rev * np.exp(rng.normal(-0.5, 0.5, size=n)),
        "tax_paid": rev * np.clip(rng.normal(0.04, 0.015, size=n), 0, None),
        "social_insurance_headcount": np.round(emp * rng.uniform(0.6, 1.0, size=n)),
        "tech_conversions": rng.poisson(np.exp(0.6 * z - 1.0)).astype(float),
        "ip_class1": rng.poisson(np.exp(0.8 * z - 0.3)).astype(float),
        "ip_class2": rng.poisson(np.exp(0.5 * z + 0.8)).astype(float),
        "ip_recent_2y": rng.poisson(np.exp(0.6 * z)).astype(float),
        "ip_high_value": rng.poisson(np.exp(0.8 * z - 2.0)).astype(float),
        "equity_financing_3y": np.where(rng.random(n) < 0.15 + 0.1 * (z > 1), np.exp(rng.normal(15.5, 1.2, size=n)), 0.0),
        "awards": rng.poisson(np.exp(0.7 * z - 2.5)).astype(float),
        "standards_led": rng.poisson(np.exp(0.7 * z - 2.2)).astype(float),
        "rd_institution_level": np.clip(np.round(rng.normal(1 + 0.8 * z, 1)), 0, 4),
        "certificates_valid": rng.poisson(np.exp(0.5 * z - 0.2)).astype(float),
        "hnte": (rng.random(n) < 1 / (1 + np.exp(-(z - 0.5)))).astype(float),
        "srdi_sme": (rng.random(n) < 1 / (1 + np.exp(-(z - 1.5)))).astype(float),
        "little_giant": (rng.random(n) < 1 / (1 + np.exp(-(z - 3.0)))).astype(float),
        "tax_credit_a": (rng.random(n) < 0.4).astype(float),
        "incidents_3y": rng.poisson(0.02, size=n).astype(float),
        "penalties_3y": rng.poisson(0.06, size=n).astype(float),
        "dishonesty_listed": (rng.random(n) < 0.01).astype(float),
        "overdue_now": rng.poisson(0.03, size=n).astype(float),
    }
    cols = {}
    for name in FACT_NAMES:
        v = out[name].astype(np.float64)
        if missing and name != "age_years":
            v = np.where(rng.random(n) < missing, np.nan, v)
        cols[name] = v
    facts = pl.DataFrame(cols).fill_nan(None)
    keys = pl.DataFrame({"enterprise_id": np.arange(1, n + 1, dtype=np.int64),
                         "region_code": np.array(DISTRICT_CODES)[rng.integers(0, len(DISTRICT_CODES), size=n)]})
    return keys, facts
