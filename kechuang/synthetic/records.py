"""Turn a drawn chunk into interchange records (JSON-ready dicts, enterprise-facts v1 field
names plus the agreed optional extensions).

All arrays are converted to Python lists once per chunk; the loop over firms only indexes lists
and builds dicts, which is where the time goes.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from kechuang.engine.facts.uscc import make_uscc

from . import identifiers
from .certificates import HNTE_REPORTED, KINDS
from .items import social_insurance, tax_grades
from .population import (
    DISTRICT_CODES,
    IND_CODES,
    Chunk,
)
from .tables import (
    EXPERT_SCORE_ITEMS,
    INCIDENT_KINDS,
    IP_TYPES,
    JUDGMENT_KINDS,
    JUDGMENT_ROLES,
    LENDERS,
    LOAN_KINDS,
    LOAN_STATUSES,
    PENALTY_AUTHORITIES,
    PENALTY_KINDS,
    SECTOR_NAMES,
    SECTORS,
    TITLE_FORMS,
    TITLE_SUBJECTS,
)

_DATE0 = date(1950, 1, 1).toordinal()
_ISO: list[str] = []


def iso(ordinal: int) -> str:
    if not _ISO:
        d0 = date(1950, 1, 1)
        _ISO.extend((d0 + timedelta(days=k)).isoformat() for k in range(date(2101, 1, 1).toordinal() - _DATE0))
    return _ISO[ordinal - _DATE0]


def _plus_years_minus_day(ordinal: int, years: int) -> int:
    d = date.fromordinal(ordinal)
    try:
        end = d.replace(year=d.year + years)
    except ValueError:  # 29 February
        end = d.replace(year=d.year + years, day=28)
    return end.toordinal() - 1


#: (field, kind, share of nulls): kind "i" integer, "m" money (2 decimals).
YEAR_FIELDS: tuple[tuple[str, str, float], ...] = (
    ("employees", "i", 0.02), ("tech_staff", "i", 0.03), ("rd_staff", "i", 0.04),
    ("operating_revenue", "m", 0.02), ("main_business_revenue", "m", 0.03),
    ("sales_revenue", "m", 0.03), ("total_income", "m", 0.03), ("non_taxable_income", "m", 0.05),
    ("high_tech_revenue", "m", 0.05), ("rd_expense", "m", 0.03), ("rd_expense_domestic", "m", 0.05),
    ("cost_expense_total", "m", 0.03), ("total_assets", "m", 0.02), ("total_liabilities", "m", 0.02),
    ("net_profit", "m", 0.02), ("tech_conversions", "i", 0.05), ("tax_paid", "m", 0.04),
    ("high_level_talent", "i", 0.05),
)
_GRADES = ("A", "B", "C", "D", "M")
_INSTITUTION = ("none", "below_municipal", "municipal", "provincial", "national")
_QUALITY = ("provincial_quality_award", "quality_system_cert", "own_brand", "standard_drafting")
_STD_LEVELS = ("international", "national", "industry")


def _column(arr: np.ndarray, kind: str, null: np.ndarray) -> np.ndarray:
    """An object array of Python ints or 2-decimal floats, ``None`` where ``null``."""
    if kind == "i":
        obj = np.round(arr).astype(np.int64).astype(object)
    else:
        obj = np.round(arr, 2).astype(object)
    obj[null] = None
    return obj


def _nice_capital(x: np.ndarray) -> np.ndarray:
    mag = 10.0 ** np.floor(np.log10(np.maximum(x, 1e5)))
    return np.maximum(np.round(x / mag * 2) / 2 * mag, 1e5)


def _ip_number(t: int, year: int, serial: int, wide: bool, check: int) -> str:
    s = f"{serial:08d}" if wide else f"{serial:07d}"
    ch = "X" if check == 10 else str(check)
    if t == 0:
        return f"ZL{year} 1 {s}.{ch}"
    if t == 7:
        return f"ZL{year} 2 {s}.{ch}"
    if t == 8:
        return f"ZL{year} 3 {s}.{ch}"
    if t == 9:
        return f"{year}SR{s}"
    if t == 1:
        return f"GF{year} 1 {s}.{ch}"
    if t == 6:
        return f"BS.{year}5{s}.{ch}"
    if t == 2:
        return f"CNA{year}{s}.{ch}"
    if t == 3:
        return f"国审{year}{s}"
    if t == 4:
        return f"国药准字H{year}{s}"
    return f"ZYB{year}{s}"


def _ip_title(t: int, subjects: tuple[str, ...], code: int, trade: str, version: int) -> str:
    subj = subjects[code % len(subjects)]
    if t in (0, 1):
        return f"一种{subj}{TITLE_FORMS[(code >> 8) % len(TITLE_FORMS)]}"
    if t == 7:
        return f"一种{subj}装置"
    if t == 8:
        return f"{subj}终端（外观设计）"
    if t == 9:
        return f"{trade}{subj}系统V{version}.0"
    if t == 6:
        return f"{subj}芯片版图"
    if t in (2, 3):
        return f"济研{10 + code % 90}号"
    if t == 4:
        return f"{subj}（新药）"
    return f"{subj}颗粒"


def _dicts(keys: tuple[str, ...], *columns: list) -> list[dict]:
    return [dict(zip(keys, vals, strict=False)) for vals in zip(*columns, strict=False)]


def _per_firm(offsets: list[int], items: list[dict], limit: int) -> list[list[dict]]:
    return [items[offsets[k]:offsets[k + 1]] for k in range(limit)]


def _isos(ordinals: np.ndarray) -> list[str]:
    iso(_DATE0)  # builds the table
    table = _ISO
    return [table[o - _DATE0] for o in ordinals.tolist()]


_YEAR_KEYS = ("year", *(name for name, _, _ in YEAR_FIELDS), "tax_credit_grade",
              "social_insurance_headcount")
_IP_KEYS = ("type", "granted_on", "acquisition", "acquired_on", "main_product_related",
            "industrializable", "high_value", "used_in_hnte", "number", "title", "pledged",
            "pledged_on")
_ACQ = ("self_developed", "transferred", "gifted", "merger")


def _years(c: Chunk, limit: int) -> list[list[dict]]:
    y = c.y
    null_u = y["null_u"][:limit]
    reported = c.f["hnte_reported"][:limit, None]
    cols = [_column(y[name][:limit], kind, (null_u[:, :, k + 1] < p) & ~(reported & (name in HNTE_REPORTED)))
            for k, (name, kind, p) in enumerate(YEAR_FIELDS)]
    grades = np.array((*_GRADES, None), dtype=object)[
        np.where(null_u[:, :, 19] < 0.03, 5, tax_grades(c)[:limit])]
    si, gap = social_insurance(c)
    cols.append(grades)
    cols.append(_column(si[:limit], "i", gap[:limit]))
    rows = []
    for t, year in enumerate(c.fiscal_years):
        rows.append(_dicts(_YEAR_KEYS, [year] * limit, *(col[:, t].tolist() for col in cols)))
    exists = y["exists"][:limit].tolist()
    r0, r1, r2 = rows
    return [[r for r, e in zip((r0[k], r1[k], r2[k]), exists[k], strict=True) if e]
            for k in range(limit)]


def _ip(c: Chunk, trades: list[str], limit: int) -> list[list[dict]]:
    ip = c.ip
    offsets = c.ip_offsets.tolist()
    m = offsets[limit]
    ip = {k: v[:m] for k, v in ip.items()}
    types = ip["type"].tolist()
    acq = ip["acquisition"].tolist()
    acquired = _isos(ip["acquired"])
    owner = ip["owner"].tolist()
    sectors = c.f["sector"].tolist()
    numbers = [_ip_number(*a) for a in zip(types, ip["app_year"].tolist(), ip["serial"].tolist(),
                                           ip["wide"].tolist(), ip["check"].tolist(), strict=True)]
    titles = [_ip_title(t, TITLE_SUBJECTS[SECTOR_NAMES[sectors[o]]], code, trades[o], v)
              for t, o, code, v in zip(types, owner, ip["subject"].tolist(), ip["version"].tolist(),
                                       strict=True)]
    items = _dicts(
        _IP_KEYS, [IP_TYPES[t] for t in types], _isos(ip["granted"]), [_ACQ[a] for a in acq],
        [None if a == 0 else d for a, d in zip(acq, acquired, strict=True)],
        ip["related"].tolist(), ip["industrializable"].tolist(), ip["high_value"].tolist(),
        ip["used_in_hnte"].tolist(), numbers, titles, ip["pledged"].tolist(),
        [d if p else None for p, d in zip(ip["pledged"].tolist(), _isos(ip["pledged_on"]), strict=True)])
    return _per_firm(offsets, items, limit)


def _lists(c: Chunk, limit: int) -> dict[str, list[list[dict]]]:
    out: dict[str, list[list[dict]]] = {}
    eq = c.equity
    out["equity_financing"] = _per_firm(eq["offsets"].tolist(), _dicts(
        ("date", "amount", "qualified_investor"), _isos(eq["date"]), eq["amount"].tolist(),
        eq["qualified"].tolist()), limit)
    aw = c.awards
    out["awards"] = _per_firm(aw["offsets"].tolist(), _dicts(
        ("level", "year", "rank"), [("national", "provincial")[v] for v in aw["level"].tolist()],
        aw["year"].tolist(), aw["rank"].tolist()), limit)
    st = c.standards
    out["standards_led"] = _per_firm(st["offsets"].tolist(), _dicts(
        ("level", "year", "rank"), [_STD_LEVELS[v] for v in st["level"].tolist()],
        st["year"].tolist(), st["rank"].tolist()), limit)
    mk = c.maker
    out["maker_china"] = _per_firm(mk["offsets"].tolist(), _dicts(
        ("year", "top"), mk["year"].tolist(), mk["top"].tolist()), limit)
    inc = c.incidents
    items = _dicts(("kind", "date"), [INCIDENT_KINDS[v] for v in inc["kind"].tolist()],
                   _isos(inc["date"]))
    for item, removed, on in zip(items, inc["removed"].tolist(), _isos(inc["removed_on"]), strict=True):
        if removed:
            item["removed_on"] = on
    out["incidents"] = _per_firm(inc["offsets"].tolist(), items, limit)
    lo = c.loans
    start = _isos(lo["start"])
    out["loans"] = _per_firm(lo["offsets"].tolist(), _dicts(
        ("contract_number", "lender", "kind", "amount", "start_on", "due_on", "status",
         "max_overdue_days", "overdue_amount"),
        [f"{LENDERS[b][1]}-{s[:4]}-{LOAN_KINDS[kd][1]}-{n:08d}-{o + 1:02d}" for b, s, kd, n, o in zip(
            lo["lender"].tolist(), start, lo["kind"].tolist(), lo["serial"].tolist(),
            lo["ordinal"].tolist(), strict=True)],
        [LENDERS[b][0] for b in lo["lender"].tolist()], [LOAN_KINDS[k][0] for k in lo["kind"].tolist()],
        lo["amount"].tolist(), start, _isos(lo["due"]),
        [LOAN_STATUSES[s] for s in lo["status"].tolist()], lo["days"].tolist(),
        lo["overdue_amount"].tolist()), limit)
    ju = c.judgments
    decided = _isos(ju["decided"])
    courts = ["鲁01" + DISTRICT_CODES[d][4:6] for d in c.f["district"].tolist()]
    owner = np.repeat(np.arange(len(ju["offsets"]) - 1), np.diff(ju["offsets"])).tolist()
    out["judgments"] = _per_firm(ju["offsets"].tolist(), _dicts(
        ("case_number", "decided_on", "role", "kind", "amount"),
        [f"（{d[:4]}）鲁01民终{num}号" if appeal and kd < 2 else
         f"（{d[:4]}）{courts[o]}{JUDGMENT_KINDS[kd][1]}{num}号"
         for d, num, appeal, o, kd in zip(decided, ju["number"].tolist(), ju["appeal"].tolist(),
                                          owner, ju["kind"].tolist(), strict=True)],
        decided, [JUDGMENT_ROLES[r] for r in ju["role"].tolist()],
        [JUDGMENT_KINDS[k][0] for k in ju["kind"].tolist()], ju["amount"].tolist()), limit)
    pe = c.penalties
    decided = _isos(pe["decided"])
    auth = pe["authority"].tolist()
    out["penalties"] = _per_firm(pe["offsets"].tolist(), _dicts(
        ("document_number", "decided_on", "authority", "kind", "amount"),
        [f"{PENALTY_AUTHORITIES[a][1]}〔{d[:4]}〕{num}号"
         for a, d, num in zip(auth, decided, pe["number"].tolist(), strict=True)],
        decided, [PENALTY_AUTHORITIES[a][0] for a in auth],
        [PENALTY_KINDS[k][0] for k in pe["kind"].tolist()],
        pe["amount"].tolist()), limit)
    return out


def _certificates(c: Chunk, limit: int) -> list[list[dict]]:
    out: list[list[dict]] = [[] for _ in range(limit)]
    for kind, years in KINDS:
        holds, issued, had, previous = (a[:limit] for a in c.certs[kind])
        for flags, starts in ((had, previous), (holds, issued)):
            for k, start in zip(np.flatnonzero(flags).tolist(), starts[flags].tolist(), strict=True):
                out[k].append({"kind": kind, "valid_from": iso(start),
                               "valid_to": iso(_plus_years_minus_day(start, years))})
    return out


def build_records(c: Chunk, limit: int) -> list[dict]:
    f = c.f
    seed = c.seed
    n = limit
    sl = slice(0, n)
    trades = identifiers.trade_names(c.index, seed)
    serials = identifiers.org_serials(c.index[sl], f["registered_year"][sl], seed)
    districts = [DISTRICT_CODES[d] for d in f["district"][sl].tolist()]
    mt = f["missing_top"][sl].copy()
    mt[f["hnte_reported"][sl], 0] = False  # a 高企 certificate names its 技术领域

    def opt(arr: np.ndarray, k: int) -> list:
        obj = arr[sl].astype(object)
        obj[mt[:, k]] = None
        return obj.tolist()

    known_share = ((f["quality_u"][sl, 0] < 0.45) | c.eligible["srdi_sme"][sl]
                   | c.certs["srdi_sme"][0][sl])
    share = np.round(f["market_share"][sl], 4).astype(object)
    share[~known_share] = None
    rank = f["market_rank"][sl].astype(np.int64).astype(object)
    rank[~known_share | mt[:, 5]] = None
    inst = np.array((*_INSTITUTION, None), dtype=object)[np.where(mt[:, 6], 5, f["rd_institution"][sl])]
    ru, xu = f["resident"][sl], f["restricted"][sl]
    resident = np.where(ru < 0.996, True, np.where(ru < 0.998, False, None)).tolist()
    restricted = np.where(xu < 0.985, False, np.where(xu < 0.988, True, None)).tolist()
    srdi_score = f["srdi_score"][sl].astype(object)
    srdi_score[np.isnan(f["srdi_score"][sl])] = None
    qu = f["quality_u"][sl]
    manuf = np.array([SECTORS[s].manufacturing for s in SECTOR_NAMES])[f["sector"][sl]]
    has_std = np.diff(c.standards["offsets"])[sl] > 0
    quality_flags = np.stack([qu[:, 1] < 0.015 + 0.03 * (f["z_size"][sl] > 1),
                              qu[:, 2] < np.where(manuf, 0.55, 0.3),
                              qu[:, 3] < 0.35, has_std | (qu[:, 0] > 0.97)], axis=1)
    quality = [[q for q, on in zip(_QUALITY, row, strict=True) if on] for row in quality_flags.tolist()]
    maxima = np.array([m for _, m in EXPERT_SCORE_ITEMS])
    scored = ((c.eligible["hnte"] | c.certs["hnte"][0])[sl] & (qu[:, 3] > 0.9)).tolist()
    # Experts score in integers, mostly in the upper half of each item's range.
    points = np.round(maxima * (0.35 + 0.65 * f["expert_u"][sl])).astype(int).tolist()
    keys = tuple(key for key, _ in EXPERT_SCORE_ITEMS)
    expert = [dict(zip(keys, p, strict=True)) if s else None for s, p in zip(scored, points, strict=True)]
    wu = ((c.index[sl] * 2654435761 + seed) % 100_003).tolist()
    big = (c.y["employees"][sl, 2] > 200).tolist()
    sectors = f["sector"][sl].tolist()
    names = []
    for k in range(n):
        words = SECTORS[SECTOR_NAMES[sectors[k]]].words
        u = wu[k]
        suffix = "股份有限公司" if (big[k] and u % 3 == 0) or u % 41 == 0 else (
            "有限责任公司" if u % 29 == 0 else "有限公司")
        names.append(f"济南{trades[k]}{words[u % len(words)]}{suffix}")
    top = dict(
        uscc=[make_uscc(rc, s) for rc, s in zip(districts, serials, strict=True)],
        name=names,
        registered_on=_isos(f["registered_ord"][sl]),
        region_code=districts,
        industry_code=[IND_CODES[i] for i in f["industry"][sl].tolist()],
        resident_enterprise=resident,
        restricted_industry=restricted,
        hnte_field=opt(f["hnte_field"], 0),
        strategic_emerging=opt(f["strategic"], 1),
        star_market_sector=opt(f["star"], 2),
        niche_years=opt(f["niche_years"], 3),
        market_share=share.tolist(),
        market_rank_cn=rank.tolist(),
        rd_institution_level=inst.tolist(),
        digital_level=opt(f["digital_level"].astype(np.int64), 7),
        quality_items=quality,
        srdi_platform_score=srdi_score.tolist(),
        registered_capital=_nice_capital(f["capital"][sl]).tolist(),
        years=_years(c, n),
        ip=_ip(c, trades, n),
    )
    lists = _lists(c, n)
    top.update(
        equity_financing=lists["equity_financing"], awards=lists["awards"],
        standards_led=lists["standards_led"], maker_china=lists["maker_china"],
        certificates=_certificates(c, n), incidents=lists["incidents"], expert_scores=expert,
        loans=lists["loans"], judgments=lists["judgments"], penalties=lists["penalties"],
    )
    return _dicts(tuple(top), *top.values())
