"""Vectorised draws of the variable-length parts of a chunk: IP portfolios, certificates,
equity rounds, awards, standards, 创客中国 results and the credit history (loans, judgments,
penalties, incidents).

Each list is a flat table: ``owner`` (row of the firm in the chunk) plus per-item arrays, and
``offsets`` so firm ``k`` owns rows ``offsets[k]:offsets[k + 1]``.
"""

from __future__ import annotations

import numpy as np

from . import risk
from .identifiers import patent_check_digits, scrambled
from .population import CHUNK, IND_SECTOR, S_IP, S_MANUF, Chunk, year_of, year_start
from .tables import (
    ACQUISITION_WEIGHTS,
    CLASS_I_TYPES,
    INDUSTRIES,
    IP_TYPES,
    JUDGMENT_KINDS,
    LENDERS,
    LOAN_KINDS,
    PENALTY_AUTHORITIES,
    PENALTY_KINDS,
    SECTOR_NAMES,
    SECTORS,
)

IP_CAP = 60
#: Application-number families: (type digit for the check, formatted per type in records).
_TYPE_DIGIT = {"invention_patent": 1, "defense_patent": 1, "utility_model": 2, "design": 3,
               "software_copyright": 0, "ic_layout": 5, "plant_variety": 0,
               "national_crop_variety": 0, "national_new_drug": 0, "tcm_protected_variety": 0}
_T_INDEX = {t: k for k, t in enumerate(IP_TYPES)}
_MIX_CUM = np.array([np.cumsum(SECTORS[s].ip_mix) / sum(SECTORS[s].ip_mix) for s in SECTOR_NAMES])
_CAT_TYPE = np.array([_T_INDEX[t] for t in ("invention_patent", "utility_model", "design",
                                            "software_copyright")])
_SPECIAL = np.array([_T_INDEX[i.special] if i.special else _T_INDEX["invention_patent"]
                     for i in INDUSTRIES])
_CLASS_I = np.array([t in CLASS_I_TYPES for t in IP_TYPES])
_PATENT = np.array([t in ("invention_patent", "utility_model", "design", "defense_patent")
                    for t in IP_TYPES])
_DIGIT = np.array([_TYPE_DIGIT[t] for t in IP_TYPES])


def flat(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return offsets, np.repeat(np.arange(len(counts)), counts)


def _pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.minimum(np.searchsorted(np.cumsum(w / w.sum()), rng.random(size), side="right"),
                      len(w) - 1)


def _uniform_dates(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray,
                   power: float = 1.0) -> np.ndarray:
    u = rng.random(len(lo)) ** power
    lo = np.minimum(lo, hi)
    return lo + np.floor(u * (hi - lo)).astype(np.int64)


def draw_ip(c: Chunk) -> None:
    rng, f = c.rng, c.f
    n = CHUNK
    s = f["sector"]
    emp = c.y["employees"][:, 2]
    lam = (S_IP[s] * 2.6 * (emp / 12.0) ** 0.45 * np.exp(0.55 * f["u_rd"])
           * np.minimum(1.0, (f["age"] + 0.3) / 4.0) * rng.gamma(0.9, 1 / 0.9, n))
    counts = np.minimum(rng.poisson(lam), IP_CAP)
    offsets, owner = flat(counts)
    m = len(owner)
    cat = (rng.random(m)[:, None] > _MIX_CUM[s[owner]]).sum(axis=1)
    cat = np.minimum(cat, 4)
    types = np.where(cat == 4, _SPECIAL[f["industry"][owner]], _CAT_TYPE[np.minimum(cat, 3)])
    acq = np.minimum(np.searchsorted(np.cumsum(ACQUISITION_WEIGHTS), rng.random(m), side="right"), 3)
    as_of = c.as_of_ord
    reg = f["registered_ord"][owner]
    self_lo = np.maximum(reg + 180, as_of - 15 * 365)
    acq = np.where((acq == 0) & (self_lo >= as_of - 2), 1, acq)
    granted_self = _uniform_dates(rng, self_lo, np.full(m, as_of - 1), power=0.6)
    granted_acq = _uniform_dates(rng, np.full(m, as_of - 15 * 365), np.full(m, as_of - 30), 0.8)
    granted = np.where(acq == 0, granted_self, granted_acq)
    acquired = _uniform_dates(rng, np.maximum(granted, reg), np.full(m, as_of - 1))
    is_inv = (types == _T_INDEX["invention_patent"]) | (types == _T_INDEX["defense_patent"])
    is_soft = types == _T_INDEX["software_copyright"]
    lag = np.where(is_inv, 1 + np.minimum(rng.poisson(1.2, m), 4),
                   np.where(is_soft, 0, rng.integers(0, 2, m)))
    app_year = np.maximum(year_of(granted) - lag, 1985)
    # Application age decides the "maintained > 10 years" route to high value.
    old = (as_of - year_start(app_year)) > 10 * 365
    high_value = _CLASS_I[types] & (old | (rng.random(m) < 0.07))
    related = rng.random(m) < 0.82
    # Ordinal within (firm, type, application year), for unique numbers; drop past 10.
    key = (owner * 16 + types) * 64 + (app_year - 1985) % 64
    order = np.argsort(key, kind="stable")
    ks = key[order]
    start = np.ones(m, dtype=bool)
    start[1:] = ks[1:] != ks[:-1]
    pos = np.arange(m)
    run_start = np.maximum.accumulate(np.where(start, pos, 0))
    ordinal = np.empty(m, dtype=np.int64)
    ordinal[order] = pos - run_start
    keep = ordinal < 10
    gidx = c.index[owner] * 10 + ordinal
    wide = gidx >= 10**7
    serial = np.where(wide, scrambled(gidx, c.seed, 31, 10**8), scrambled(gidx, c.seed, 30, 10**7))
    check = patent_check_digits(app_year, _DIGIT[types], serial, wide)
    ip = dict(
        owner=owner, type=types, acquisition=acq, granted=granted, acquired=acquired,
        app_year=app_year, serial=serial, wide=wide, check=check, high_value=high_value,
        related=related, industrializable=related & (rng.random(m) < 0.7),
        pledged=_PATENT[types] & (rng.random(m) < 0.025), used_u=rng.random(m),
        pledged_on=_uniform_dates(rng, np.maximum(granted, acquired * (acq != 0)), np.full(m, as_of - 1)),
        subject=rng.integers(0, 1 << 30, m), version=1 + np.minimum(rng.poisson(0.8, m), 5),
    )
    ip = {k: v[keep] for k, v in ip.items()}
    counts = np.bincount(ip["owner"], minlength=n)
    c.ip_offsets, _ = flat(counts)
    c.ip = ip
    class_i = _CLASS_I[ip["type"]] & ip["related"]
    f["ip_class_i"] = np.bincount(ip["owner"], weights=class_i, minlength=n)
    f["ip_class_ii"] = np.bincount(ip["owner"], weights=~_CLASS_I[ip["type"]] & ip["related"], minlength=n)
    f["ip_invention"] = np.bincount(ip["owner"], weights=is_inv[keep], minlength=n)
    f["ip_util_soft"] = np.bincount(
        ip["owner"], weights=np.isin(ip["type"], [_T_INDEX["utility_model"], _T_INDEX["software_copyright"]]),
        minlength=n)
    f["ip_count"] = counts
    f["ip_self_class_i"] = np.bincount(ip["owner"], weights=class_i & (ip["acquisition"] == 0), minlength=n)



def draw_side_lists(c: Chunk) -> None:
    """Equity rounds, awards, standards, 创客中国, market position."""
    rng, f = c.rng, c.f
    n = CHUNK
    as_of, year = c.as_of_ord, c.as_of.year
    reg = f["registered_ord"]
    tech = IND_SECTOR[f["industry"]] != SECTOR_NAMES.index("trade_other")
    lam = 0.03 + 0.7 * f["gazelle"] + 0.2 * (tech & (f["age"] < 6)) * (f["u_rd"] > 0)
    counts = np.minimum(rng.poisson(lam), 5)
    off, owner = flat(counts)
    lo = np.maximum(reg[owner], as_of - 5 * 365)
    c.equity = dict(
        offsets=off,
        date=_uniform_dates(rng, lo, np.full(len(owner), as_of - 1)),
        amount=np.round(np.exp(np.log(8e6) + 0.5 * f["z_size"][owner] + 1.0 * rng.standard_normal(len(owner))), -4),
        qualified=rng.random(len(owner)) < 0.8,
    )
    eq_recent = np.zeros(n)
    two_years = c.equity["date"] >= as_of - 2 * 365
    np.add.at(eq_recent, owner, np.where(two_years & c.equity["qualified"], c.equity["amount"], 0.0))
    f["equity_2y"] = eq_recent
    signal = 0.7 * f["u_rd"] + 0.6 * f["z_size"]
    first_year = np.maximum(f["registered_year"], year - 6)
    # Awards: provincial often, national rarely.
    prov = rng.random(n) < _sig(-4.6 + signal)
    nat = rng.random(n) < _sig(-7.2 + signal)
    counts = prov.astype(int) + nat
    off, owner = flat(counts)
    first = np.arange(len(owner)) == off[owner]
    level = np.where(first & prov[owner], 1, 0)  # 0 national, 1 provincial
    yr_lo = np.minimum(first_year[owner], year - 1)
    c.awards = dict(offsets=off, level=level,
                    year=yr_lo + np.floor(rng.random(len(owner)) * (year - yr_lo)).astype(int),
                    rank=1 + np.minimum(rng.geometric(0.35, len(owner)) - 1, 9))
    counts = np.minimum(rng.poisson(np.exp(-3.8 + signal)), 5)
    off, owner = flat(counts)
    yr_lo = np.minimum(np.maximum(f["registered_year"], year - 8)[owner], year - 1)
    c.standards = dict(offsets=off, level=_pick(rng, (0.07, 0.33, 0.60), len(owner)),
                       year=yr_lo + np.floor(rng.random(len(owner)) * (year - yr_lo)).astype(int),
                       rank=1 + np.minimum(rng.geometric(0.3, len(owner)) - 1, 7))
    maker = (rng.random(n) < 0.012 * tech * (1 + f["gazelle"] * 3)) & (f["age"] > 1)
    off, owner = flat(maker.astype(int))
    yr_lo = np.minimum(np.maximum(f["registered_year"], year - 4)[owner], year - 1)
    c.maker = dict(offsets=off, year=yr_lo + np.floor(rng.random(len(owner)) * (year - yr_lo)).astype(int),
                   top=np.where(rng.random(len(owner)) < 0.15, 50, 500))
    ref_end = year_start(year) - 1
    f["niche_years"] = np.round(np.maximum(0.0, (ref_end - reg) / 365.25) * f["niche_frac"], 1)
    rev = c.y["operating_revenue"][:, 2]
    share = np.exp(np.log(0.005) + 0.7 * np.log(np.maximum(rev, 1e5) / 1e7) + 1.0 * f["share_noise"])
    f["market_share"] = np.clip(share, 1e-5, 0.65)
    f["market_rank"] = np.maximum(1, np.round(0.03 / f["market_share"] * (0.3 + 1.4 * f["rank_noise"])))


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def draw_credit(c: Chunk) -> None:
    """Loans, judgments, penalties and incidents: all driven by the standardised latent risk."""
    rng, f = c.rng, c.f
    n = CHUNK
    as_of = c.as_of_ord
    reg = f["registered_ord"]
    r = f["r"]
    rev = np.maximum(c.y["operating_revenue"][:, 2], 5e5)
    settled_in = reg < as_of - 90  # no credit history in the first three months
    # Loans.
    has = rng.random(n) < _sig(-0.2 + 0.6 * f["z_size"] + 0.5 * (f["age"] > 2) + 0.15 * r)
    counts = np.where(has & settled_in, 1 + np.minimum(rng.poisson(0.4 + 0.35 * np.maximum(f["z_size"], 0)), 5), 0)
    off, owner = flat(counts)
    m = len(owner)
    kind = _pick(rng, [k[2] for k in LOAN_KINDS], m)
    kind_names = [k[0] for k in LOAN_KINDS]
    ip_pledge = kind == kind_names.index("ip_pledge")
    kind = np.where(ip_pledge & (f["ip_invention"][owner] == 0), kind_names.index("credit"), kind)
    mortgage = kind == kind_names.index("mortgage")
    term = np.where(mortgage, rng.choice([12, 36, 60], m), rng.choice([6, 12, 12, 12, 24], m))
    start = _uniform_dates(rng, np.maximum(reg[owner] + 30, as_of - 3 * 365), np.full(m, as_of - 10))
    due = start + np.round(term * 30.44).astype(np.int64)
    amount = np.maximum(np.round(rev[owner] * (0.03 + 0.2 * rng.random(m)), -4), 1e5)
    ro = r[owner]
    overdue_hist = rng.random(m) < _sig(-3.4 + 1.3 * ro)
    days = np.where(overdue_hist, np.minimum(rng.geometric(1 / 25, m), 360), 0)
    current_overdue = (due >= as_of) & (rng.random(m) < _sig(-6.0 + 1.6 * ro))
    days = np.where(current_overdue, np.maximum(days, rng.integers(1, 80, m)), days)
    written_off = (due < as_of) & (days >= 180) & (rng.random(m) < 0.5)
    # 0 outstanding, 1 repaid, 2 overdue, 3 written off
    status = np.where(current_overdue, 2, np.where(written_off, 3, np.where(due < as_of, 1, 0)))
    unpaid = current_overdue | written_off
    c.loans = dict(
        offsets=off, lender=_pick(rng, [b[2] for b in LENDERS], m), kind=kind, amount=amount,
        start=start, due=due, status=status, days=days,
        overdue_amount=np.where(unpaid, np.round(amount * (0.05 + 0.5 * rng.random(m)), 2), 0.0),
        serial=scrambled(c.index[owner], c.seed, 40, 10**8), ordinal=np.arange(m) - off[owner],
    )
    # Judgments.
    lam = 0.05 * np.exp(0.8 * r) * (np.maximum(c.y["employees"][:, 2], 1) / 20) ** 0.3 * settled_in
    counts = np.minimum(rng.poisson(lam), 8)
    off, owner = flat(counts)
    m = len(owner)
    decided = _uniform_dates(rng, np.maximum(reg[owner] + 60, as_of - 5 * 365), np.full(m, as_of - 1))
    c.judgments = dict(
        offsets=off, decided=decided,
        role=np.where(rng.random(m) < _sig(0.2 + 0.6 * r[owner]), 1, np.where(rng.random(m) < 0.93, 0, 2)),
        kind=_pick(rng, [k[2] for k in JUDGMENT_KINDS], m),
        amount=np.round(np.exp(np.log(3e5) + 1.2 * rng.standard_normal(m)), 2),
        number=1 + rng.integers(0, 20000, m), appeal=rng.random(m) < 0.12,
    )
    # Penalties.
    lam = 0.04 * np.exp(0.7 * r) * settled_in
    counts = np.minimum(rng.poisson(lam), 5)
    off, owner = flat(counts)
    m = len(owner)
    kind = _pick(rng, [k[1] for k in PENALTY_KINDS], m)
    c.penalties = dict(
        offsets=off, authority=_pick(rng, [a[2] for a in PENALTY_AUTHORITIES], m), kind=kind,
        decided=_uniform_dates(rng, np.maximum(reg[owner] + 60, as_of - 5 * 365), np.full(m, as_of - 1)),
        amount=np.where(kind == 1, 0.0, np.round(np.exp(np.log(2e4) + 1.1 * rng.standard_normal(m)), -2)),
        number=1 + rng.integers(0, 3000, m),
    )
    # Incidents: rates per kind (safety, quality, environment, research, abnormal, dishonest).
    manuf = S_MANUF[f["sector"]].astype(float)
    base = np.stack([0.0015 * manuf, 0.001 * manuf, 0.0015 * (1 + manuf), 0.0003 * np.ones(n),
                     0.02 * np.ones(n), 0.003 * np.ones(n)], axis=1)
    slope = np.array([0.5, 0.5, 0.5, 0.3, 0.9, 1.1])
    hit = (rng.random((n, 6)) < base * np.exp(slope[None, :] * r[:, None])) & settled_in[:, None]
    counts = hit.sum(axis=1)
    off, owner = flat(counts)
    kinds = np.nonzero(hit)[1]
    m = len(owner)
    date_ = _uniform_dates(rng, np.maximum(reg[owner] + 60, as_of - 4 * 365), np.full(m, as_of - 1))
    removable = kinds == 4
    removed = removable & (rng.random(m) < 0.55) & (date_ < as_of - 60)
    c.incidents = dict(offsets=off, kind=kinds, date=date_, removed=removed,
                       removed_on=_uniform_dates(rng, date_ + 30, np.full(m, as_of - 1)))
    last2 = np.zeros(n, dtype=bool)
    recent = date_ >= year_start(c.as_of.year - 1)
    np.logical_or.at(last2, owner, recent & (kinds != 4) | (recent & ~removed))
    f["incident_recent"] = last2


def tax_grades(c: Chunk) -> np.ndarray:
    """Grade index per (firm, year): 0 A, 1 B, 2 C, 3 D, 4 M (first year)."""
    s = 0.8 * c.f["r"][:, None] + 0.6 * c.y["tax_u"]
    g = np.searchsorted(risk.TAX_GRADE_CUTS, s)
    first = c.f["registered_year"][:, None] == np.array(c.fiscal_years)[None, :]
    return np.where(first, 4, g)


def social_insurance(c: Chunk) -> tuple[np.ndarray, np.ndarray]:
    """Covered headcount per (firm, year) and a mask of years with a gap (null) in the record."""
    r = c.f["r"][:, None]
    u = c.y["si_u"]
    cover = np.clip(0.97 - 0.08 * np.maximum(r, 0) + 0.08 * (u[:, :, 0] - 0.5), 0.2, 1.0)
    gap = u[:, :, 1] < 0.015 + 0.25 * (r > 1.3)
    return np.round(c.y["employees"] * cover), gap


