"""A person's facts (as entered or imported) checked and flattened to the model's facts.

The document (stored on the person, minimised: no ID number, no address) has these sections, each
optional; any other key, an unknown level, an unknown programme code or a negative number is
refused with a coded :class:`~.model.Problem` naming the section, row and field::

    {"education":  [{"degree": "phd", "tier": "top", "institution": "山东大学", "year": 2012}],
     "titles":     [{"level": "senior", "title": "正高级工程师", "year": 2020}],
     "honours":    [{"programme": "taishan_scholar", "year": 2021}],
     "ip":         [{"kind": "invention", "number": "ZL2020…", "title": "…"}],
     "projects":   [{"level": "national", "role": "lead", "name": "…"}],
     "employment": [{"employer": "…", "start": "2018-01-01", "end": null, "current": true}],
     "insurance":  {"continuous_months": 96, "base_monthly": 12000},
     "economic":   {"annual_salary": 300000, "equity_share": 5.0, "attributable_revenue": 2000000}}
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .model import FACTS, Problem, programmes

LEVEL_ORDER = {"none": 0, "city": 1, "provincial": 2, "national": 3}
DEGREE_ORDER = {d: i for i, d in enumerate(FACTS["degree"][1])}
TIER_ORDER = {d: i for i, d in enumerate(FACTS["institution_tier"][1])}
TITLE_ORDER = {d: i for i, d in enumerate(FACTS["title_level"][1])}
IP_KINDS = ("invention", "utility_model", "design", "software", "ic_layout", "plant_variety")
ROLES = ("lead", "member")
SECTIONS = {
    "education": {"degree", "tier", "institution", "year", "major"},
    "titles": {"level", "title", "year"},
    "honours": {"programme", "year"},
    "ip": {"kind", "number", "title"},
    "projects": {"level", "role", "name", "year"},
    "employment": {"employer", "start", "end", "current"},
    "insurance": {"continuous_months", "base_monthly"},
    "economic": {"annual_salary", "equity_share", "attributable_revenue"},
}
LIST_SECTIONS = ("education", "titles", "honours", "ip", "projects", "employment")


class PersonFactsError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def check_facts(doc: Any) -> list[Problem]:
    """Every problem of a person's facts document (empty when it is fine)."""
    if not isinstance(doc, dict):
        return [Problem("bad_facts", "$", "the facts must be an object")]
    p: list[Problem] = []
    progs = programmes()
    for key in doc:
        if key not in SECTIONS:
            p.append(Problem("unknown_fact", key, f"unknown section {key!r}"))
    for sec in LIST_SECTIONS:
        rows = doc.get(sec, [])
        if not isinstance(rows, list):
            p.append(Problem("bad_facts", sec, "must be a list"))
            continue
        for i, row in enumerate(rows):
            where = f"{sec}[{i + 1}]"
            if not isinstance(row, dict):
                p.append(Problem("bad_facts", where, "must be an object"))
                continue
            for k in row:
                if k not in SECTIONS[sec]:
                    p.append(Problem("unknown_fact", f"{where}.{k}", f"unknown field {k!r}"))
            if sec == "education":
                if row.get("degree") not in DEGREE_ORDER:
                    p.append(Problem("unknown_level", f"{where}.degree", f"degree {row.get('degree')!r} unknown"))
                if row.get("tier", "other") not in TIER_ORDER:
                    p.append(Problem("unknown_level", f"{where}.tier", f"tier {row.get('tier')!r} unknown"))
            elif sec == "titles" and row.get("level") not in TITLE_ORDER:
                p.append(Problem("unknown_level", f"{where}.level", f"title level {row.get('level')!r} unknown"))
            elif sec == "honours" and row.get("programme") not in progs:
                p.append(Problem("unknown_programme", f"{where}.programme",
                                 f"programme {row.get('programme')!r} is not in the reference list"))
            elif sec == "ip" and row.get("kind") not in IP_KINDS:
                p.append(Problem("unknown_level", f"{where}.kind", f"IP kind {row.get('kind')!r} unknown"))
            elif sec == "projects":
                if row.get("level") not in ("city", "provincial", "national"):
                    p.append(Problem("unknown_level", f"{where}.level", f"project level {row.get('level')!r} unknown"))
                if row.get("role") not in ROLES:
                    p.append(Problem("unknown_level", f"{where}.role", f"role {row.get('role')!r} unknown"))
            elif sec == "employment":
                for k in ("start", "end"):
                    v = row.get(k)
                    if v is not None:
                        try:
                            date.fromisoformat(str(v))
                        except ValueError:
                            p.append(Problem("bad_date", f"{where}.{k}", f"{v!r} is not a date (YYYY-MM-DD)"))
    for sec in ("insurance", "economic"):
        block = doc.get(sec, {})
        if not isinstance(block, dict):
            p.append(Problem("bad_facts", sec, "must be an object"))
            continue
        for k, v in block.items():
            if k not in SECTIONS[sec]:
                p.append(Problem("unknown_fact", f"{sec}.{k}", f"unknown field {k!r}"))
            elif v is not None and (not _num(v) or v < 0):
                p.append(Problem("bad_number", f"{sec}.{k}", f"{v!r} is not a non-negative number"))
        share = block.get("equity_share") if sec == "economic" else None
        if _num(share) and share > 100:
            p.append(Problem("bad_number", "economic.equity_share", "a percentage cannot exceed 100"))
    return p


def flat_facts(doc: dict[str, Any], as_of: date) -> dict[str, Any]:
    """The model's facts of one checked document (``None`` = unknown; an empty list = none held)."""
    progs = programmes()
    out: dict[str, Any] = dict.fromkeys(FACTS)
    edu = doc.get("education")
    if edu:
        best = max(edu, key=lambda r: (DEGREE_ORDER[r["degree"]], TIER_ORDER[r.get("tier", "other")]))
        out["degree"], out["institution_tier"] = best["degree"], best.get("tier", "other")
    elif edu == []:
        out["degree"] = "none"
    titles = doc.get("titles")
    if titles is not None:
        out["title_level"] = max((r["level"] for r in titles), key=TITLE_ORDER.get, default="none")
    honours = doc.get("honours")
    if honours is not None:
        levels = [progs[r["programme"]]["level"] for r in honours]
        out["honour_level"] = max(levels, key=LEVEL_ORDER.get, default="none")
        out["honour_count"] = len({r["programme"] for r in honours})
    ip = doc.get("ip")
    if ip is not None:
        out["invention_count"] = sum(1 for r in ip if r["kind"] == "invention")
        out["other_ip_count"] = sum(1 for r in ip if r["kind"] != "invention")
    projects = doc.get("projects")
    if projects is not None:
        out["project_level"] = max((r["level"] for r in projects), key=LEVEL_ORDER.get, default="none")
        out["project_lead_count"] = sum(1 for r in projects if r["role"] == "lead")
    jobs = doc.get("employment")
    if jobs:
        current = [r for r in jobs if r.get("current") or r.get("end") is None]
        if current and current[0].get("start"):
            start = date.fromisoformat(str(current[0]["start"]))
            out["tenure_years"] = round(max((as_of - start).days, 0) / 365.25, 2)
    ins = doc.get("insurance") or {}
    if ins.get("continuous_months") is not None:
        out["insurance_years"] = round(ins["continuous_months"] / 12, 2)
    if ins.get("base_monthly") is not None:
        out["insurance_base"] = float(ins["base_monthly"])
    eco = doc.get("economic") or {}
    for k in ("annual_salary", "equity_share", "attributable_revenue"):
        if eco.get(k) is not None:
            out[k] = float(eco[k])
    return out
