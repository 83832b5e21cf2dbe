"""Listing awards computed from milestones, from the amounts the policy documents promise.

The schedule (``rules/awards-2026.toml``, schema 1) has one entry per promise: the region it covers
(GB/T 2260 prefix), the milestone that triggers it, the maximum amount in yuan (absent when the
document sets none: "标准未定"), and the document it cites. :func:`awards_due` matches an
enterprise's milestones against it. Nothing here pays anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from kechuang.engine.ruledoc import read_rule_doc
from kechuang.engine.qualification.errors import RuleError

from .milestones import MILESTONES

SCHEMA_VERSION = 1
_KEYS = {"id", "region", "milestone", "amount_max", "title", "title_en", "document", "issuer", "source"}


@dataclass(frozen=True)
class Award:
    id: str
    region: str
    milestone: str
    amount_max: Decimal | None
    title: str
    title_en: str
    document: str
    issuer: str
    source: str


@dataclass(frozen=True)
class AwardSchedule:
    id: str
    awards: tuple[Award, ...]


def load_awards(source: str | Path | dict[str, Any] | None = None) -> AwardSchedule:
    """Load and check an award schedule; raises one :class:`RuleError` listing every problem."""
    if source is None:
        with resources.as_file(resources.files(__package__) / "rules" / "awards-2026.toml") as p:
            return load_awards(p)
    doc, where = read_rule_doc(source, RuleError)
    problems: list[str] = []
    if doc.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema must be {SCHEMA_VERSION} (got {doc.get('schema')!r})")
    codes = {m[0] for m in MILESTONES}
    out, ids = [], set()
    for i, a in enumerate(doc.get("awards") or []):
        aid = a.get("id") or f"awards[{i}]"
        if aid in ids:
            problems.append(f"{aid}: duplicate id")
        ids.add(aid)
        extra = set(a) - _KEYS
        if extra:
            problems.append(f"{aid}: unknown field(s) {', '.join(sorted(extra))}")
        region = str(a.get("region", ""))
        if not region.isdigit() or len(region) not in (2, 4, 6):
            problems.append(f"{aid}: region must be a GB/T 2260 prefix of 2, 4 or 6 digits (got {region!r})")
        if a.get("milestone") not in codes:
            problems.append(f"{aid}: unknown milestone {a.get('milestone')!r} (known: {', '.join(sorted(codes))})")
        amount = a.get("amount_max")
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0):
            problems.append(f"{aid}: amount_max must be a positive number of yuan (got {amount!r})")
        for key in ("title", "document", "source"):
            if not a.get(key):
                problems.append(f"{aid}: missing {key}")
        out.append(Award(aid, region, a.get("milestone", ""), None if amount is None else Decimal(str(amount)),
                         a.get("title", ""), a.get("title_en", ""), a.get("document", ""), a.get("issuer", ""),
                         a.get("source", "")))
    if problems:
        raise RuleError(where, problems)
    return AwardSchedule(doc.get("id", where), tuple(out))


def awards_due(schedule: AwardSchedule, *, region_code: str,
               milestones: dict[str, dt.date]) -> list[dict[str, Any]]:
    """The awards an enterprise registered in ``region_code`` has earned by its milestones
    (code → date): one dict per award with the triggering date and the promised maximum."""
    out = []
    for a in schedule.awards:
        if region_code.startswith(a.region) and a.milestone in milestones:
            out.append({"award": a.id, "milestone": a.milestone, "on": milestones[a.milestone],
                        "amount_max": a.amount_max, "title": a.title, "title_en": a.title_en,
                        "document": a.document, "issuer": a.issuer, "source": a.source})
    return out
