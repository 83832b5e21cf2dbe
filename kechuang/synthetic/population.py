"""Vectorised draws of one chunk of enterprises: who they are, their three fiscal years and their
latent risk. Items (IP, certificates, credit history) are drawn in :mod:`.items`.

A chunk is always :data:`CHUNK` enterprises drawn from its own ``PCG64`` stream
(``SeedSequence(seed, spawn_key=(0, chunk_index))``), so enterprise ``i`` depends only on
``(seed, as_of, region, i)`` and never on how many enterprises are generated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import risk
from .tables import (
    DISTRICTS,
    INDUSTRIAL_DISTRICTS,
    INDUSTRIES,
    SECTOR_NAMES,
    SECTORS,
    TILT_INDUSTRIAL,
    TILT_URBAN,
    URBAN_TECH_DISTRICTS,
)

CHUNK = 1024
N_YEARS = 3
DAYS_PER_YEAR = 365.25

_YEAR0 = 1900
_YEAR_STARTS = np.array([date(y, 1, 1).toordinal() for y in range(_YEAR0, 2201)], dtype=np.int64)


def year_of(ordinal: np.ndarray) -> np.ndarray:
    return _YEAR0 + np.searchsorted(_YEAR_STARTS, ordinal, side="right") - 1


def year_start(year: np.ndarray | int) -> np.ndarray:
    return _YEAR_STARTS[np.asarray(year) - _YEAR0]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


# --- static lookup arrays ------------------------------------------------------------------
DISTRICT_CODES = [d.code for d in DISTRICTS]
IND_CODES = [i.code for i in INDUSTRIES]
IND_SECTOR = np.array([SECTOR_NAMES.index(i.sector) for i in INDUSTRIES])


def _industry_cum() -> np.ndarray:
    """Cumulative industry probabilities per district (rows follow :data:`DISTRICTS`)."""
    rows = []
    for d in DISTRICTS:
        tilt = TILT_URBAN if d.code in URBAN_TECH_DISTRICTS else (
            TILT_INDUSTRIAL if d.code in INDUSTRIAL_DISTRICTS else {})
        w = np.array([i.weight * tilt.get(i.sector, 1.0) for i in INDUSTRIES])
        rows.append(np.cumsum(w / w.sum()))
    return np.array(rows)


IND_CUM = _industry_cum()


def _sector_array(attr: str) -> np.ndarray:
    return np.array([getattr(SECTORS[s], attr) for s in SECTOR_NAMES], dtype=float)


S_RD = _sector_array("rd_median")
S_ZERO_RD = _sector_array("zero_rd")
S_TECH = _sector_array("tech_median")
S_RPE = _sector_array("revenue_per_employee")
S_ASSETS = _sector_array("assets_to_revenue")
S_IP = _sector_array("ip_rate")
S_HNTE = _sector_array("hnte_field")
S_STRATEGIC = _sector_array("strategic")
S_STAR = _sector_array("star")
S_MANUF = _sector_array("manufacturing").astype(bool)


@dataclass
class Chunk:
    """Arrays of one chunk. Firm arrays have shape ``(CHUNK,)``; year arrays ``(CHUNK, 3)`` with
    column 2 the reference year (``as_of.year - 1``)."""

    chunk_index: int
    seed: int
    as_of: date
    rng: np.random.Generator
    index: np.ndarray
    f: dict[str, np.ndarray] = field(default_factory=dict)
    y: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def as_of_ord(self) -> int:
        return self.as_of.toordinal()

    @property
    def fiscal_years(self) -> list[int]:
        return [self.as_of.year - N_YEARS + k for k in range(N_YEARS)]


def rng_for(seed: int, stream: int, chunk_index: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(stream, chunk_index))))


def draw_chunk(chunk_index: int, *, seed: int, as_of: date, region: str) -> Chunk:
    rng = rng_for(seed, 0, chunk_index)
    n = CHUNK
    c = Chunk(chunk_index, seed, as_of, rng, np.arange(chunk_index * n, (chunk_index + 1) * n))
    f = c.f
    _identity(c, n, region)
    _fundamentals(c, n)
    _years(c, n)
    _bunching(c, n)
    _boundary_cases(c, n)
    _risk(c, n)
    f["sector_idx"] = f["sector"]
    return c


def _identity(c: Chunk, n: int, region: str) -> None:
    rng, f = c.rng, c.f
    w = np.array([d.weight for d in DISTRICTS])
    district = np.searchsorted(np.cumsum(w / w.sum()), rng.random(n), side="right")
    district = np.minimum(district, len(DISTRICTS) - 1)
    if region != "370100":
        district[:] = DISTRICT_CODES.index(region)
    u = rng.random(n)
    industry = (u[:, None] > IND_CUM[district]).sum(axis=1)
    f["district"] = district
    f["industry"] = np.minimum(industry, len(INDUSTRIES) - 1)
    f["sector"] = IND_SECTOR[f["industry"]]
    # Age: most sci-tech firms are young; a 7 % tail founded in the last two years.
    age = np.exp(np.log(6.0) + 0.75 * rng.standard_normal(n))
    recent = rng.random(n) < 0.07
    age = np.where(recent, rng.random(n) * 2.0, age)
    age = np.clip(age, 0.02, 40.0)
    f["registered_ord"] = c.as_of_ord - np.round(age * DAYS_PER_YEAR).astype(np.int64)
    f["age"] = (c.as_of_ord - f["registered_ord"]) / DAYS_PER_YEAR
    f["registered_year"] = year_of(f["registered_ord"])


def _fundamentals(c: Chunk, n: int) -> None:
    rng, f = c.rng, c.f
    s = f["sector"]
    age = f["age"]
    f["z_size"] = z_size = rng.standard_normal(n)
    f["u_rd"] = u_rd = rng.standard_normal(n)
    f["quality"] = q = rng.standard_normal(n)
    f["e_risk"] = rng.standard_normal(n)
    young = np.minimum(1.0, (age + 0.3) / 3.0)
    f["employees"] = np.clip(np.exp(np.log(13.0) + 0.3 * np.log1p(age) + 1.25 * z_size) * young, 1, 30000)
    f["rpe"] = S_RPE[s] * np.exp(0.55 * rng.standard_normal(n) + 0.15 * z_size)
    f["assets_ratio"] = S_ASSETS[s] * np.exp(0.45 * rng.standard_normal(n))
    lev = rng.beta(2.2, 2.8, n) - 0.06 * q
    distressed = rng.random(n) < 0.03
    f["leverage"] = np.clip(np.where(distressed, 0.85 + 0.4 * rng.random(n), lev), 0.02, 1.5)
    margin = 0.045 + 0.05 * q + 0.07 * rng.standard_normal(n) - 0.06 * (age < 3)
    f["margin"] = np.clip(margin, -0.9, 0.45)
    f["gazelle"] = gazelle = rng.random(n) < np.where(age < 8, 0.08, 0.03)
    mu_g = 0.05 + 0.10 * rng.standard_normal(n) + 0.03 * q + 0.10 * (age < 5)
    f["mu_g"] = np.where(gazelle, 0.22 + 0.35 * rng.random(n), mu_g)
    f["tech_ratio"] = _sigmoid(np.array([_logit(p) for p in S_TECH])[s] + 0.7 * u_rd
                               + 0.45 * rng.standard_normal(n))
    zero = rng.random(n) < S_ZERO_RD[s] * np.exp(-0.8 * np.maximum(u_rd, 0))
    f["rd_intensity"] = np.where(zero, 0.0, np.clip(
        S_RD[s] * np.exp(0.6 * u_rd + 0.35 * rng.standard_normal(n)), 0.0, 2.5))
    f["rd_staff_share"] = 0.45 + 0.5 * rng.random(n)
    f["mb_share"] = np.clip(rng.beta(9.0, 1.1, n), 0.3, 1.0)
    ht_high = rng.beta(6.0, 2.0, n)
    ht_low = rng.beta(1.2, 3.0, n)
    f["foreign_rd"] = np.where(rng.random(n) < 0.06, 0.05 + 0.55 * rng.random(n), 0.0)
    f["subsidised"] = (rng.random(n) < 0.25 + 0.1 * (u_rd > 0)) & (f["rd_intensity"] > 0)
    f["tax_rate"] = 0.012 + 0.03 * rng.random(n)
    # Top-level qualifiers.
    f["hnte_field"] = rng.random(n) < _sigmoid(np.array([_logit(p) for p in S_HNTE])[s] + 0.5 * u_rd)
    f["ht_share"] = np.where(f["hnte_field"], ht_high, ht_low)
    f["strategic"] = rng.random(n) < S_STRATEGIC[s]
    f["star"] = rng.random(n) < S_STAR[s] * _sigmoid(u_rd)
    f["resident"] = rng.random(n)
    f["restricted"] = rng.random(n)
    f["niche_frac"] = 0.5 + 0.5 * rng.random(n)
    f["share_noise"] = rng.standard_normal(n)
    f["rank_noise"] = rng.random(n)
    inst = 0.6 * u_rd + 0.5 * z_size + 0.7 * rng.standard_normal(n)
    # none 70 %, below municipal 10 %, municipal 12 %, provincial 7.5 %, national 0.5 %.
    f["rd_institution"] = np.searchsorted([0.58, 0.88, 1.48], inst)
    f["rd_institution"] = np.where(inst > 2.7, 4, f["rd_institution"])
    f["digital_level"] = 1 + np.searchsorted([-0.4, 0.7, 1.6], 0.4 * z_size + 0.3 * u_rd
                                             + 0.85 * rng.standard_normal(n))
    f["quality_u"] = rng.random((n, 4))
    f["talent_rate"] = 0.012 * np.exp(0.6 * u_rd)
    f["capital"] = np.exp(np.log(1.5e6) + 0.7 * z_size + 0.8 * rng.standard_normal(n))
    f["missing_top"] = rng.random((n, 8)) < 0.03
    f["expert_u"] = rng.random((n, 6))


def _years(c: Chunk, n: int) -> None:
    """Three fiscal years per firm, built backwards from the reference year."""
    rng, f, y = c.rng, c.f, c.y
    fy = np.array(c.fiscal_years)
    reg = f["registered_ord"]
    ends = year_start(fy + 1) - 1
    starts = year_start(fy)
    active = np.clip((ends[None, :] - np.maximum(reg[:, None], starts[None, :]) + 1) / 365.0, 0.0, 1.0)
    exists = reg[:, None] <= ends[None, :]
    missing_year = (rng.random(n) < 0.03)[:, None] & (rng.integers(0, 2, n)[:, None] == np.arange(3)[None, :])
    y["exists"] = exists & ~missing_year
    g = f["mu_g"][:, None] + 0.08 * rng.standard_normal((n, N_YEARS))
    # Log level relative to the reference year: 0 at column 2, -g2 at 1, -g2-g1 at 0.
    back = np.zeros((n, N_YEARS))
    back[:, 1] = -g[:, 2]
    back[:, 0] = -g[:, 2] - g[:, 1]
    # A young firm cannot have had years before it existed at full scale: scale by active share.
    emp = f["employees"][:, None] * np.exp(0.5 * back + 0.05 * rng.standard_normal((n, N_YEARS)))
    emp = np.maximum(1, np.round(emp * np.sqrt(np.maximum(active, 0.05))))
    rev = (f["employees"] * f["rpe"])[:, None] * np.exp(back) * active
    no_revenue = (rng.random(n) < 0.03) & (f["age"] < 2.0)
    rev = np.where(no_revenue[:, None], 0.0, rev)
    tr = _sigmoid(np.log(f["tech_ratio"] / (1 - f["tech_ratio"]))[:, None]
                  + 0.15 * rng.standard_normal((n, N_YEARS)))
    tech = np.minimum(emp, np.round(emp * tr))
    rd_staff = np.minimum(tech, np.round(tech * f["rd_staff_share"][:, None]))
    ri = f["rd_intensity"][:, None] * np.exp(0.15 * rng.standard_normal((n, N_YEARS)))
    rd = rev * ri
    rd = np.where((rev == 0) & (f["rd_intensity"][:, None] > 0), 2e4 * tech * active, rd)
    pm = f["margin"][:, None] + 0.03 * rng.standard_normal((n, N_YEARS))
    pretax = rev * pm
    cost = rev - pretax
    floor = rd * 1.15 + 0.0
    short = cost < floor
    cost = np.where(short, floor, cost)
    pretax = rev - cost
    net = np.where(pretax > 0, pretax * 0.85, pretax)
    mb = rev * np.clip(f["mb_share"][:, None] + 0.02 * rng.standard_normal((n, N_YEARS)), 0.0, 1.0)
    other = rev * 0.02 * rng.random((n, N_YEARS))
    subsidy = np.where(f["subsidised"][:, None],
                       np.minimum(np.maximum(rev, 1e5) * 0.03 * rng.random((n, N_YEARS)), 2e6), 0.0)
    total_income = rev + other + subsidy
    ht = (total_income - subsidy) * np.clip(f["ht_share"][:, None] + 0.04 * rng.standard_normal((n, N_YEARS)), 0, 1)
    assets = np.maximum(rev / np.maximum(active, 0.2) * f["assets_ratio"][:, None], 1e5) \
        * np.exp(0.7 * back - 0.3 * (1 - active))
    lev = np.clip(f["leverage"][:, None] + 0.04 * rng.standard_normal((n, N_YEARS)), 0.01, 1.6)
    lev[:, 2] = f["leverage"]
    conv_rate = 0.25 + 0.9 * np.log1p(np.maximum(f["rd_intensity"] * 40, 0)) * f["hnte_field"]
    y.update(
        employees=emp, tech_staff=tech, rd_staff=rd_staff, operating_revenue=rev,
        main_business_revenue=mb, sales_revenue=rev, total_income=total_income,
        non_taxable_income=subsidy, high_tech_revenue=ht, rd_expense=rd,
        rd_expense_domestic=rd * (1 - f["foreign_rd"][:, None]), cost_expense_total=cost,
        total_assets=assets, total_liabilities=assets * lev, net_profit=net,
        tech_conversions=rng.poisson(np.repeat(conv_rate[:, None], N_YEARS, axis=1)).astype(float),
        tax_paid=rev * f["tax_rate"][:, None] + np.maximum(pretax, 0) * 0.15,
        high_level_talent=rng.poisson(tech * f["talent_rate"][:, None]).astype(float),
        active=active, g=g,
    )
    y["null_u"] = rng.random((n, N_YEARS, 21))
    y["tax_u"] = rng.standard_normal((n, N_YEARS))
    y["si_u"] = rng.random((n, N_YEARS, 2))


def _bunching(c: Chunk, n: int) -> None:
    """Firms aiming at 高企 manage R&D to just clear the 3-year threshold (5 %/4 %/3 % by sales):
    65 % of the 高企-field firms within 50 % below it lift every year's R&D to 0-15 % above it,
    which piles firms up just over the line as in real filings."""
    rng, f, y = c.rng, c.f, c.y
    sales = y["sales_revenue"] * y["exists"]
    rd3 = (y["rd_expense"] * y["exists"]).sum(axis=1)
    s3 = sales.sum(axis=1)
    ref_sales = y["sales_revenue"][:, 2]
    band = np.where(ref_sales <= 5e7, 0.05, np.where(ref_sales <= 2e8, 0.04, 0.03))
    ratio = np.where(s3 > 0, rd3 / np.maximum(s3, 1.0), 0.0)
    lift = (f["hnte_field"] & (ratio >= 0.5 * band) & (ratio < band) & (rng.random(n) < 0.65))
    target = band * (1.0 + 0.15 * rng.random(n))
    factor = np.where(lift, target / np.maximum(ratio, 1e-9), 1.0)[:, None]
    for col in ("rd_expense", "rd_expense_domestic"):
        y[col] = y[col] * factor
    y["cost_expense_total"] = np.maximum(y["cost_expense_total"], y["rd_expense"] * 1.15)


def _boundary_cases(c: Chunk, n: int) -> None:
    """About 5 % of firms sit exactly on, or one unit below, a qualification threshold in the
    reference year, so evaluators meet the inclusive/exclusive edges (see docs/demo-data.md)."""
    rng, y = c.rng, c.y
    kind = rng.integers(0, 6, n)
    chosen = rng.random(n) < 0.05
    below = rng.random(n) < 0.5
    ref = 2
    emp = y["employees"][:, ref]
    # 0: tech staff exactly 10 % of employees (or one person short).
    m = chosen & (kind == 0) & (emp >= 20)
    e10 = np.round(emp / 10) * 10
    y["employees"][m, ref] = e10[m]
    y["tech_staff"][m, ref] = e10[m] / 10 - below[m]
    y["rd_staff"][m, ref] = np.minimum(y["rd_staff"][m, ref], y["tech_staff"][m, ref])
    # 1: employees exactly 500 or 501 (科技型中小企业 ceiling).
    m = chosen & (kind == 1) & (emp >= 200)
    y["employees"][m, ref] = 500 + below[m]
    y["tech_staff"][m, ref] = np.minimum(y["tech_staff"][m, ref], 500)
    # 2: R&D exactly 5 %/4 %/3 % of sales in every year (高企 band by last-year sales).
    m = chosen & (kind == 2) & (y["operating_revenue"][:, ref] > 1e6)
    rev = np.round(y["operating_revenue"] / 100) * 100
    band = np.where(rev[:, ref] <= 5e7, 0.05, np.where(rev[:, ref] <= 2e8, 0.04, 0.03))
    for col in ("operating_revenue", "sales_revenue"):
        y[col][m] = rev[m]
    y["rd_expense"][m] = rev[m] * band[m, None]
    y["rd_expense_domestic"][m] = y["rd_expense"][m]
    y["cost_expense_total"][m] = np.maximum(y["cost_expense_total"][m], y["rd_expense"][m] * 1.15)
    # 3: sales exactly 5,000万 or 2亿 (高企 R&D bands, 科小 ceiling).
    m = chosen & (kind == 3) & (y["operating_revenue"][:, ref] > 2e7)
    target = np.where(y["operating_revenue"][:, ref] > 1e8, 2e8, 5e7) + below * 100
    scale = target / np.maximum(y["operating_revenue"][:, ref], 1)
    for col in ("operating_revenue", "sales_revenue", "main_business_revenue", "total_income",
                "high_tech_revenue", "rd_expense", "rd_expense_domestic", "cost_expense_total",
                "net_profit", "tax_paid"):
        y[col][m, ref] *= scale[m]
    y["operating_revenue"][m, ref] = target[m]
    y["sales_revenue"][m, ref] = target[m]
    # 4: liabilities exactly 70 % of assets (小巨人, 瞪羚 ceilings).
    m = chosen & (kind == 4)
    assets = np.round(y["total_assets"][:, ref] / 100) * 100
    y["total_assets"][m, ref] = assets[m]
    y["total_liabilities"][m, ref] = assets[m] * 0.7
    c.f["leverage"] = np.where(m, 0.7, c.f["leverage"])
    # 5: high-tech revenue exactly 60 % of 总收入.
    m = chosen & (kind == 5)
    total = np.round((y["total_income"][:, ref] - y["non_taxable_income"][:, ref]) / 100) * 100
    y["non_taxable_income"][m, ref] = 0.0
    y["total_income"][m, ref] = total[m]
    y["high_tech_revenue"][m, ref] = total[m] * 0.6 - below[m] * 100
    # Keep the identities the edits may have broken.
    y["main_business_revenue"] = np.minimum(y["main_business_revenue"], y["operating_revenue"])
    y["high_tech_revenue"] = np.clip(y["high_tech_revenue"], 0.0,
                                     np.maximum(y["total_income"] - y["non_taxable_income"], 0.0))


def _risk(c: Chunk, n: int) -> None:
    f, y = c.f, c.y
    ref = 2
    rev = y["operating_revenue"]
    margin = np.where(rev[:, ref] > 0, y["net_profit"][:, ref] / np.maximum(rev[:, ref], 1.0), -0.5)
    margin = np.where(f["age"] < 1.0, f["margin"], margin)
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.log(np.maximum(rev[:, 1:], 1.0)) - np.log(np.maximum(rev[:, :-1], 1.0))
    full = (y["active"][:, :-1] >= 1.0) & (rev[:, :-1] > 0)
    growth = np.where(full, lg, 0.0).sum(axis=1) / np.maximum(full.sum(axis=1), 1)
    f["risk_growth"] = growth
    f["risk_margin"] = margin
    z = risk.latent_logit(f["leverage"], margin, y["employees"][:, ref], f["age"], growth, f["e_risk"])
    f["logit"] = z
    f["pd"] = risk.pd_from_logit(z)
    f["r"] = risk.standardised(z)
