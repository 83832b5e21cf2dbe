"""Policy-fund programmes as versioned rule data (issue 13): the model, the loader and its checks.

A programme is a TOML (or JSON, or dict) document: its issuing document and issuer, its period and
claim deadline, its budget per year, who may claim, what it pays on (the *basis*: interest on a
loan, a booked loss, a first loan, a certificate), eligibility in the qualification engine's rule
language over the marketplace's feature catalogue, the amount formula over the basis' facts, caps
per claim and per claimant and year, and how it combines with other programmes (就高不重复 within
an ``exclusive_group``). The loader checks everything before a claim is computed and raises one
:class:`~kechuang.engine.qualification.errors.RuleError` listing every problem (a formula naming
an unknown fact among them).

``confidence`` follows the standards: ``V`` every parameter is in the cited text, ``S`` stated in a
source outside the seeds, ``M`` a modelled parameter the text leaves open (比例未定) — the page and
``docs/funds.md`` say which.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kechuang.engine.ruledoc import read_rule_doc
from kechuang.engine.matching.rules import Eligibility, load_eligibility
from kechuang.engine.qualification.errors import RuleError

from .formula import Formula, FormulaError, parse_formula

SCHEMA_VERSION = 1
CONFIDENCE = ("V", "S", "M")
CLAIMANTS = ("enterprise", "lender", "guarantor")
MODES = ("automatic", "application")
#: The facts each basis provides to the formula (computed by :mod:`.claims` from platform records).
BASIS_FACTS: dict[str, tuple[str, ...]] = {
    "loan_interest": ("principal", "loan_rate", "interest_paid", "days_in_period"),
    "principal_loss": ("principal", "principal_loss", "loss_total"),
    "first_loan": ("principal", "loan_rate"),
    "certificate": (),
}
BASES = tuple(BASIS_FACTS)
#: Bases paid once per subject (a loss, a first loan, a certificate); interest is paid per year.
ONE_TIME_BASES = ("principal_loss", "first_loan", "certificate")
LOSS_PARTIES = ("national", "provincial", "city", "bank")
_TOP = {"schema", "id", "version", "title_zh", "title_en", "document", "issuer", "source", "region",
        "period_from", "period_to", "claim_deadline", "claimant", "basis", "mode", "formula", "cap_per_claim",
        "cap_per_claimant_year", "exclusive_group", "declared_facts", "loan_categories", "loss_party",
        "certificate_kinds", "confidence", "parameters_note", "budget", "eligibility", "notes"}
_REQUIRED = ("id", "version", "title_zh", "document", "issuer", "source", "region", "period_from", "period_to",
             "claim_deadline", "claimant", "basis", "mode", "formula", "confidence")


@dataclass(frozen=True)
class Programme:
    """One checked programme version."""

    id: str
    version: int
    title_zh: str
    title_en: str
    document: str
    issuer: str
    source: str
    region: str
    period_from: dt.date
    period_to: dt.date
    claim_deadline: dt.date
    claimant: str
    basis: str
    mode: str
    formula: Formula
    cap_per_claim: float | None
    cap_per_claimant_year: float | None
    exclusive_group: str
    declared_facts: tuple[str, ...]
    loan_categories: tuple[str, ...]
    loss_party: str
    certificate_kinds: tuple[str, ...]
    confidence: str
    parameters_note: str
    budget: dict[int, float]
    eligibility: Eligibility
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    @property
    def one_time(self) -> bool:
        return self.basis in ONE_TIME_BASES

    def facts(self) -> tuple[str, ...]:
        return BASIS_FACTS[self.basis] + self.declared_facts

    def open_on(self, day: dt.date) -> bool:
        return self.period_from <= day <= self.period_to

    def stacks_with(self, other: Programme) -> bool:
        """Whether a subject may be paid by both (different exclusive groups); never by one twice."""
        return other.id != self.id and other.exclusive_group != self.exclusive_group

    def to_json(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.raw, default=str))


def _date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        return dt.date.fromisoformat(v)
    raise ValueError(f"{v!r} is not a date")


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def load_programme(source: str | Path | dict[str, Any]) -> Programme:
    """Load and check one programme version from a TOML/JSON file or a dict."""
    doc, where = read_rule_doc(source, RuleError)
    p: list[str] = []
    extra = set(doc) - _TOP
    if extra:
        p.append(f"unknown top-level field(s) {', '.join(sorted(extra))}")
    if doc.get("schema") != SCHEMA_VERSION:
        p.append(f"schema must be {SCHEMA_VERSION} (got {doc.get('schema')!r})")
    for key in _REQUIRED:
        if doc.get(key) in (None, ""):
            p.append(f"missing {key}")
    if doc.get("version") is not None and (not isinstance(doc["version"], int) or doc["version"] < 1):
        p.append(f"version must be a positive integer (got {doc['version']!r})")
    dates: dict[str, dt.date] = {}
    for key in ("period_from", "period_to", "claim_deadline"):
        if doc.get(key) is not None:
            try:
                dates[key] = _date(doc[key])
            except ValueError as exc:
                p.append(f"{key}: {exc}")
    if len(dates) == 3:
        if dates["period_to"] < dates["period_from"]:
            p.append("period_to is before period_from")
        if dates["claim_deadline"] < dates["period_from"]:
            p.append("claim_deadline is before period_from")
    region = doc.get("region")
    if region is not None and not (isinstance(region, str) and len(region) == 6 and region.isdigit()):
        p.append(f"region must be a six-digit region code (got {region!r})")
    for key, allowed in (("claimant", CLAIMANTS), ("basis", BASES), ("mode", MODES), ("confidence", CONFIDENCE)):
        if doc.get(key) is not None and doc[key] not in allowed:
            p.append(f"{key} must be one of {', '.join(allowed)} (got {doc[key]!r})")
    basis = doc.get("basis") if doc.get("basis") in BASES else None
    declared = doc.get("declared_facts", [])
    if not isinstance(declared, list) or not all(isinstance(x, str) and x.isidentifier() for x in declared):
        p.append("declared_facts must be a list of fact names")
        declared = []
    if declared and doc.get("mode") != "application":
        p.append("declared_facts need mode = \"application\": the claimant declares them and a reviewer checks them")
    if basis and set(declared) & set(BASIS_FACTS[basis]):
        p.append(f"declared_facts repeat facts the platform computes: {', '.join(sorted(set(declared) & set(BASIS_FACTS[basis])))}")
    formula = None
    if basis and doc.get("formula") not in (None, ""):
        try:
            formula = parse_formula(doc["formula"], BASIS_FACTS[basis] + tuple(declared))
        except FormulaError as exc:
            p.append(str(exc))
    if basis == "principal_loss":
        if doc.get("loss_party", "bank") not in LOSS_PARTIES:
            p.append(f"loss_party must be one of {', '.join(LOSS_PARTIES)}")
        if doc.get("claimant") == "enterprise":
            p.append("a loss is compensated to the lender or guarantor that booked it, not to the enterprise")
    if basis == "certificate" and not doc.get("certificate_kinds"):
        p.append("a certificate award needs certificate_kinds")
    for key in ("loan_categories", "certificate_kinds"):
        v = doc.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            p.append(f"{key} must be a list of texts")
    caps: dict[str, float | None] = {}
    for key in ("cap_per_claim", "cap_per_claimant_year"):
        v = doc.get(key)
        if v is not None and (not _num(v) or v <= 0):
            p.append(f"{key} must be a positive number of yuan (got {v!r})")
            v = None
        caps[key] = float(v) if v is not None else None
    budget: dict[int, float] = {}
    raw_budget = doc.get("budget", [])
    if not isinstance(raw_budget, list) or not raw_budget:
        p.append("budget must be a non-empty list of {year, amount}")
        raw_budget = []
    for i, row in enumerate(raw_budget):
        if not isinstance(row, dict) or set(row) - {"year", "amount", "note"}:
            p.append(f"budget[{i}]: needs year and amount (and an optional note) only")
            continue
        y, a = row.get("year"), row.get("amount")
        if not isinstance(y, int) or not 2000 <= y <= 2100:
            p.append(f"budget[{i}]: year must be a four-digit year (got {y!r})")
        elif not _num(a) or a <= 0:
            p.append(f"budget[{i}]: amount must be a positive number of yuan (got {a!r})")
        elif y in budget:
            p.append(f"budget[{i}]: year {y} given twice")
        else:
            budget[y] = float(a)
    eligibility = None
    try:
        eligibility = load_eligibility(doc.get("eligibility", []), "eligibility")
    except RuleError as exc:
        p += exc.problems
    if p:
        raise RuleError(where, p)
    assert formula is not None and eligibility is not None and basis is not None
    return Programme(
        id=doc["id"], version=doc["version"], title_zh=doc["title_zh"], title_en=doc.get("title_en", ""),
        document=doc["document"], issuer=doc["issuer"], source=doc["source"], region=region,
        period_from=dates["period_from"], period_to=dates["period_to"], claim_deadline=dates["claim_deadline"],
        claimant=doc["claimant"], basis=basis, mode=doc["mode"], formula=formula,
        cap_per_claim=caps["cap_per_claim"], cap_per_claimant_year=caps["cap_per_claimant_year"],
        exclusive_group=doc.get("exclusive_group") or basis, declared_facts=tuple(declared),
        loan_categories=tuple(doc.get("loan_categories", [])), loss_party=doc.get("loss_party", "bank"),
        certificate_kinds=tuple(doc.get("certificate_kinds", [])), confidence=doc["confidence"],
        parameters_note=doc.get("parameters_note", ""), budget=budget, eligibility=eligibility, raw=doc)


@lru_cache(maxsize=1)
def builtin_programmes() -> tuple[Programme, ...]:
    """The programmes shipped with the engine (``programmes/*.toml``), checked on load."""
    folder = resources.files(__package__) / "programmes"
    out = [load_programme(Path(str(f))) for f in sorted(folder.iterdir(), key=lambda f: f.name)
           if f.name.endswith(".toml")]
    ids = [p.key for p in out]
    dupes = sorted({k for k in ids if ids.count(k) > 1})
    if dupes:
        raise RuleError("programmes", [f"programme version {k} defined twice" for k in dupes])
    return tuple(out)
