"""Certificates consistent with the generated facts.

For each kind a rough eligibility test is computed from the reference year (the official rules
are in shared/reference/qualification-standards.md; the evaluator applies them exactly). Most
eligible firms hold the certificate, a few ineligible ones still hold one granted on earlier
figures, and some hold an expired earlier certificate. Dates: 高企 batches are issued in
December and valid 3 years; 科技型中小企业 registrations in March–September, valid 1 year;
专精特新 / 小巨人 / 创新型 / 瞪羚 valid 3 years; 科技和创新型中小企业 from 2026-07 only.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .population import CHUNK, Chunk

#: Probability that a firm meeting only the 2022 rules still holds a 专精特新 / 小巨人 title granted on
#: earlier figures (the documented exceptions: holders the engine finds not meeting the 2026 rules).
EXCEPTION_P = 0.03

#: (kind, validity in years) in output order.
KINDS: tuple[tuple[str, int], ...] = (
    ("hnte", 3), ("tsme", 1), ("innovative_sme", 3), ("tech_innovation_sme", 3),
    ("srdi_sme", 3), ("little_giant", 3), ("gazelle", 3),
)


def _band(x: np.ndarray, cuts, points) -> np.ndarray:
    return np.asarray(points)[np.searchsorted(cuts, x, side="right")]


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(b > 0, a / np.maximum(b, 1e-9), 0.0)


def eligibility(c: Chunk) -> dict[str, np.ndarray]:
    f, y = c.f, c.y
    ref = 2
    emp, tech = y["employees"][:, ref], y["tech_staff"][:, ref]
    sales, rd = y["sales_revenue"][:, ref], y["rd_expense"][:, ref]
    assets = y["total_assets"][:, ref]
    lev = _ratio(y["total_liabilities"][:, ref], assets)
    tech_ratio = _ratio(tech, emp)
    rd_ratio = _ratio(rd, sales)
    rd_cost = _ratio(rd, y["cost_expense_total"][:, ref])
    exists = y["exists"]
    rd3 = (y["rd_expense"] * exists).sum(axis=1)
    sales3 = (y["sales_revenue"] * exists).sum(axis=1)
    hnte_band = np.where(sales <= 5e7, 0.05, np.where(sales <= 2e8, 0.04, 0.03))
    ht = _ratio(y["high_tech_revenue"][:, ref], y["total_income"][:, ref] - y["non_taxable_income"][:, ref])
    ci, cii = f["ip_class_i"], f["ip_class_ii"]
    hnte = (f["hnte_field"] & (tech_ratio >= 0.1) & (_ratio(rd3, sales3) >= hnte_band) & (ht >= 0.6)
            & ((ci >= 1) | (cii >= 4)) & (f["age"] >= 1.0))
    tsme_score = (_band(tech_ratio, [0.1, 0.15, 0.2, 0.25, 0.3], [0, 4, 8, 12, 16, 20])
                  + np.maximum(_band(rd_ratio, [0.02, 0.03, 0.04, 0.05, 0.06], [0, 10, 20, 30, 40, 50]),
                               _band(rd_cost, [0.1, 0.15, 0.2, 0.25, 0.3], [0, 10, 20, 30, 40, 50]))
                  + np.where(ci >= 1, 30, np.minimum(cii, 4) * 6))
    tsme = ((emp <= 500) & (sales <= 2e8) & (assets <= 2e8) & (tech_ratio >= 0.1)
            & (tsme_score >= 60) & ~f["incident_recent"])
    rev = y["operating_revenue"]
    g1 = _ratio(rev[:, 2] - rev[:, 1], rev[:, 1])
    cagr = np.where((rev[:, 0] > 0) & exists[:, 0], np.sqrt(_ratio(rev[:, 2], rev[:, 0])) - 1, -1.0)
    innovative = ((rd_ratio >= 0.02) & ((ci + cii) >= 1) & (g1 >= 0.0) & (lev <= 0.75))
    niche = f["niche_years"]
    srdi = ((niche >= 2) & (rd >= 1e6) & (rd_ratio >= 0.03)
            & ((rev[:, 2] >= 1e7) | (f["equity_2y"] >= 2e7)) & (lev <= 0.8))
    rd_ok = np.where(rev[:, 2] >= 1e8, rd_ratio >= 0.03,
                     np.where(rev[:, 2] >= 5e7, rd_ratio >= 0.06, False))
    little = (srdi & (niche >= 3) & (lev <= 0.7) & (f["market_share"] >= 0.1) & (ci >= 2) & rd_ok
              & (f["rd_institution"] >= 2))
    gz_band = np.where(rev[:, 2] > 4e8, 0.10, np.where(rev[:, 2] > 1e8, 0.15,
                                                        np.where(rev[:, 2] > 2e7, 0.20, 0.25)))
    gazelle = ((f["age"] >= 3) & (lev < 0.7) & (rev[:, 2] >= 1e7) & (cagr >= gz_band)
               & (rd_ratio >= np.where(rev[:, 2] >= 1e8, 0.025, 0.05))
               & ((f["ip_invention"] >= 2) | (f["ip_util_soft"] >= 8)))
    # The 2026 rules (工信部企业〔2025〕 专精特新 / 小巨人, in force from 2026; the engine's
    # srdi-sme-2026 and little-giant-2026): the objective conditions on the reference year y0 and
    # the year before y1. A valid 科技型/创新型 title (srdi26.1), the platform score (srdi26.9) and
    # the market-position review (srdi26.8, manual) are settled when the certificates are drawn.
    main_share = _ratio(y["main_business_revenue"][:, ref], rev[:, ref])
    rd_y1 = y["rd_expense"][:, ref - 1]
    rd_r1 = _ratio(rd_y1, rev[:, ref - 1])
    rd_r0 = _ratio(rd, rev[:, ref])
    srdi26 = ((niche >= 3) & ((rev[:, ref] >= 1.5e7) | (f["equity_2y"] >= 2e7)) & (main_share >= 0.8)
              & (lev <= 0.8) & (rd >= 1e6) & (rd_y1 >= 1e6) & (rd_r0 >= 0.03) & (rd_r1 >= 0.03)
              & ((ci >= 1) | (f["rd_institution"] >= 3)))
    cagr2 = np.where((rev[:, 0] > 0) & exists[:, 0], np.sqrt(_ratio(rev[:, 2], rev[:, 0])) - 1, -1.0)
    little26 = (srdi26 & (rev[:, ref] >= 5e7) & (main_share >= 0.9) & (cagr2 >= 0.05) & (lev <= 0.75)
                & (rd + rd_y1 >= 1.2e7) & (ci >= 4)
                & ((f["market_share"] >= 0.1) | (f["market_rank"] <= 3)))
    return dict(hnte=hnte, tsme=tsme, innovative_sme=innovative, srdi_sme=srdi,
                little_giant=little, gazelle=gazelle, srdi_sme_2026=srdi26, little_giant_2026=little26)


def draw_certificates(c: Chunk) -> None:
    """Sets ``c.certs[kind] = (holds_current, current_from, holds_previous, previous_from)``."""
    rng, f = c.rng, c.f
    n = CHUNK
    el = eligibility(c)
    c.eligible = el
    as_of = c.as_of
    year = as_of.year
    reg = f["registered_ord"]
    tech = f["hnte_field"]
    certs: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}

    def batch(years_back: np.ndarray, month: int, day0: int, spread: int) -> np.ndarray:
        base = np.array([date(year - k, month, day0).toordinal() for k in range(0, 8)])
        return base[years_back] + rng.integers(0, spread, n)

    def settle(kind: str, p: np.ndarray, issued: np.ndarray, min_age_days: int, years: int,
               p_prev: float) -> None:
        ok = (issued <= as_of.toordinal()) & (issued - reg >= min_age_days)
        holds = (rng.random(n) < p) & ok
        prev = issued - round(years * 365.25)
        has_prev = holds & (rng.random(n) < p_prev) & (prev - reg >= min_age_days)
        certs[kind] = (holds, issued, has_prev, prev)

    # 高企: December batches of the last three years.
    issued = batch(rng.integers(1, 4, n), 12, 1, 26)
    settle("hnte", np.where(el["hnte"], 0.88, 0.06 * tech), issued, 365, 3, 0.45)
    # An expired 高企 certificate of a firm that did not renew.
    lapsed = ~certs["hnte"][0] & tech & (rng.random(n) < 0.06)
    old = batch(rng.integers(4, 7, n), 12, 1, 26)
    lapsed &= old - reg >= 365
    h, i, hp, pv = certs["hnte"]
    certs["hnte"] = (h, i, hp | lapsed, np.where(lapsed, old, pv))
    # 科技型中小企业: this year's registration if already open, else last year's.
    yb = np.full(n, 0 if as_of >= date(year, 3, 1) else 1)
    start = batch(yb, 3, 1, 1)
    end = min(as_of.toordinal(), date(year, 9, 30).toordinal()) if yb[0] == 0 else date(year - 1, 9, 30).toordinal()
    issued = start + np.floor(rng.random(n) * np.maximum(end - start, 1)).astype(np.int64)
    settle("tsme", np.where(el["tsme"], 0.6, 0.01), issued, 0, 1, 0.6)
    # 创新型 (63号, 2022-08 to 2026-03); 科技和创新型 (2号) from 2026-07.
    issued = batch(rng.integers(1, 4, n), 6, 1, 200)
    issued = np.minimum(issued, date(2026, 3, 31).toordinal())
    settle("innovative_sme", np.where(el["innovative_sme"] | el["hnte"], 0.35, 0.01), issued, 365, 3, 0.0)
    tis_start = date(2026, 7, 1).toordinal()
    issued = tis_start + rng.integers(0, 120, n)
    p = np.where(el["tsme"] | certs["innovative_sme"][0], 0.2, 0.0) * (as_of.toordinal() >= tis_start)
    settle("tech_innovation_sme", p, issued, 365, 3, 0.0)
    # 专精特新 and 小巨人: mid-year batches; 小巨人 needs a 专精特新 title. Held by firms meeting the
    # rules in force (2026: a valid 科技型/创新型 title and the objective conditions), so the
    # engine's verdict agrees with the certificate for most holders; EXCEPTION_SHARE of holders
    # were granted on the 2022 rules' figures and no longer meet them (the pages show them as such).
    tier1 = certs["tsme"][0] | certs["innovative_sme"][0] | certs["tech_innovation_sme"][0]
    issued = batch(rng.integers(0, 3, n), 6, 20, 30)
    settle("srdi_sme", np.where(el["srdi_sme_2026"] & tier1, 0.85,
                                np.where(el["srdi_sme"] | el["little_giant"], EXCEPTION_P, 0.0)), issued, 2 * 365, 3, 0.3)
    issued = batch(rng.integers(0, 3, n), 7, 25, 20)
    settle("little_giant", np.where(el["little_giant_2026"], 0.8, np.where(el["little_giant"], EXCEPTION_P, 0.0))
           * certs["srdi_sme"][0], issued, 3 * 365, 3, 0.2)
    issued = batch(rng.integers(1, 3, n), 10, 10, 60)
    settle("gazelle", np.where(el["gazelle"], 0.85, 0.0), issued, 3 * 365, 3, 0.0)
    c.certs = certs
    # Items already used for a 高企 application: granted before a held certificate's start.
    h, i, hp, pv = certs["hnte"]
    latest = np.where(h, i, np.where(hp, pv, np.iinfo(np.int64).min))
    ip = c.ip
    ip["used_in_hnte"] = (ip["granted"] < latest[ip["owner"]]) & (ip["used_u"] < 0.75)
    # 专精特新发展评价得分: computed by the national platform for firms that took part.
    # Holders meeting the 2026 rules scored at least 50 (小巨人 60): the score is one of the rules.
    took_part = el["srdi_sme"] | el["srdi_sme_2026"] | certs["srdi_sme"][0] | (rng.random(n) < 0.03)
    score = 52 + 10 * (el["srdi_sme"] | certs["srdi_sme"][0]) + 9 * rng.standard_normal(n)
    floor = np.where(certs["little_giant"][0] & el["little_giant_2026"], 60.0,
                     np.where(certs["srdi_sme"][0] & el["srdi_sme_2026"], 50.0, 0.0))
    score = np.maximum(score, floor + 8 * rng.random(n))
    f["srdi_score"] = np.where(took_part, np.round(np.clip(score, 0, 100), 1), np.nan)
    _hnte_holders_report(c)


#: Fields a 高企 holder reports every year in the 高企 annual report (高新技术企业年报): known for holders.
HNTE_REPORTED = frozenset({"employees", "tech_staff", "operating_revenue", "sales_revenue", "total_income",
                           "non_taxable_income", "high_tech_revenue", "rd_expense", "rd_expense_domestic",
                           "total_assets", "total_liabilities", "tech_conversions"})


def _hnte_holders_report(c: Chunk) -> None:
    """Makes the facts of 高企 holders follow their certificate, as 专精特新's certificates follow the
    2026 rules: a recognised firm files the 高企 annual report (its figures and its 技术领域 are known,
    ``f["hnte_reported"]``) and converts its R&D at the pace the 71-point innovation assessment asks:
    at least 4 科技成果转化 a year (band B, 19–24 points), so the engine's upper bound clears 70 and its
    verdict is ``manual_review`` (every objective condition met, the expert items left) for most
    holders. Holders granted on earlier figures still fail their objective conditions (the exceptions).
    Drawn last, from the chunk's stream, so no other field of any firm moves."""
    holders = c.certs["hnte"][0]
    c.f["hnte_reported"] = holders
    conv = c.y["tech_conversions"]
    lift = 4 + c.rng.poisson(1.5, conv.shape)
    c.y["tech_conversions"] = np.where(holders[:, None], np.maximum(conv, lift), conv)
