"""The thin adapter between the theme database, the marketplace, the rating runs and the
Django-free warning engine.

It reads each enterprise's merged facts **as known at the end of the warning date** (transaction
time, the rating adapter's ``end_of_day``) with their provenance, marks every list item with the
name of the source that reported it (``_source``, which the engine carries into the evidence),
adds the marketplace's guarantee and insurance pay-outs booked by then and the PD of the two
latest rating runs covering the region (no later than the date), and calls the engine's batch path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.db.models import Min, Sum

from kechuang.accounts.models import region_prefix, within_region
from kechuang.engine.risk import RuleSet, batch_rows, records_to_frames, warnings_batch
from kechuang.enterprises.models import DataSource, Enterprise
from kechuang.enterprises.selectors import merged_facts
from kechuang.marketplace.choices import LegState
from kechuang.marketplace.models import LossBooking
from kechuang.rating.adapter import end_of_day
from kechuang.rating.models import RatingResult, RatingRun

FACTS_CHUNK = 2000
ITEM_SECTIONS = ("loans", "judgments", "penalties", "incidents")


def rating_runs_for(region_code: str, as_of: date) -> list[RatingRun]:
    """The two latest succeeded rating runs on or before ``as_of`` whose region covers
    ``region_code`` (a city run covers its districts), newest first."""
    runs = RatingRun.objects.filter(status="succeeded", as_of__lte=as_of).order_by("-as_of", "-finished_at", "-pk")
    out = [r for r in runs[:50] if region_code.startswith(region_prefix(r.region_code))]
    return out[:2]


def ratings_for(ids: list[int], runs: list[RatingRun]) -> dict[int, tuple[float | None, float | None]]:
    """``{enterprise id: (pd, pd_prev)}`` from the latest and the previous run."""
    out: dict[int, list] = defaultdict(lambda: [None, None])
    for slot, run in enumerate(runs[:2]):
        for eid, pd in RatingResult.objects.filter(run=run, enterprise_id__in=ids).values_list("enterprise_id", "pd"):
            out[eid][slot] = float(pd)
    return {k: (v[0], v[1]) for k, v in out.items()}


def market_defaults(ids: list[int], as_of: date) -> dict[int, list[dict]]:
    """Guarantee/insurance legs paid out on the platform by the end of ``as_of``, per enterprise."""
    rows = (LossBooking.objects.filter(leg__request__demand__enterprise_id__in=ids, leg__state=LegState.DEFAULTED,
                                       booked_at__lte=end_of_day(as_of))
            .values("leg_id", "leg__request__demand__enterprise_id", "leg__provider__name", "leg__kind")
            .annotate(first=Min("booked_at"), total=Sum("amount")).order_by("leg_id"))
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["leg__request__demand__enterprise_id"]].append({
            "ident": f"leg-{r['leg_id']}", "date": r["first"].date(), "amount": float(r["total"] or Decimal(0)),
            "source": r["leg__provider__name"]})
    return out


def _with_sources(record: dict, provenance: dict, names: dict[int, str]) -> dict:
    """``record`` with each list item's ``_source``. ``merged_facts`` builds a section's items and
    its provenance in the same key order, so they pair up item by item."""
    for section in ITEM_SECTIONS:
        items = record.get(section)
        if not items:
            continue
        origins = list((provenance.get(section) or {}).values())
        record[section] = [dict(item, _source=names.get(o["*"].source_id, ""))
                           for item, o in zip(items, origins, strict=True)]
    return record


def _year_source(provenance: dict, year: int, field: str, names: dict[int, str]) -> str:
    for key, fields in (provenance.get("years") or {}).items():
        if str(key) == str(year) and field in fields:
            return names.get(fields[field].source_id, "")
    return ""


def warnings_for(enterprise_ids: Iterable[int], *, as_of: date, rules: RuleSet,
                 rating_runs: list[RatingRun], chunk: int = FACTS_CHUNK) -> Iterator[list[tuple[int, dict]]]:
    """Chunks of ``(enterprise id, warning)`` in :func:`kechuang.engine.risk.warning_one`'s shape,
    for every enterprise with a fact known at the end of ``as_of``."""
    ids = list(enterprise_ids)
    at = end_of_day(as_of)
    names = dict(DataSource.objects.values_list("pk", "name"))
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        merged = merged_facts(part, at=at, with_provenance=True)
        market = market_defaults(part, as_of)
        pds = ratings_for(part, rating_runs)
        kept, records = [], []
        for eid in part:
            m = merged.get(eid)
            if m is None or len(m.record) <= 1:
                continue
            kept.append((eid, m))
            records.append(_with_sources(m.record, m.provenance, names))
        by_uscc = {m.uscc: eid for eid, m in kept}
        ents, items = records_to_frames(
            records, as_of, market={m.uscc: market.get(eid, []) for eid, m in kept},
            ratings={m.uscc: pds.get(eid, (None, None)) for eid, m in kept})
        rows = batch_rows(*warnings_batch(ents, items, as_of, rules))
        provenance = {eid: m.provenance for eid, m in kept}
        out = []
        for w in rows:
            eid = by_uscc[w["uscc"]]
            _enterprise_evidence(w, provenance[eid], as_of, names)
            out.append((eid, w))
        yield out


def _enterprise_evidence(w: dict, provenance: dict, as_of: date, names: dict[int, str]) -> None:
    """Evidence of the enterprise-level signals that fired (the year's values and their source)."""
    ref = as_of.year - 1
    if w["levels"].get("tax_grade", "none") != "none":
        w["evidence"].append({"signal": "tax_grade", "section": "years", "ident": str(ref), "kind": None,
                              "date": None, "amount": None, "days": None,
                              "source": _year_source(provenance, ref, "tax_credit_grade", names)})
    if w["levels"].get("si_drop", "none") != "none":
        w["evidence"].append({"signal": "si_drop", "section": "years", "ident": f"{ref - 1}–{ref}", "kind": None,
                              "date": None, "amount": None, "days": None,
                              "source": _year_source(provenance, ref, "social_insurance_headcount", names)})


def region_enterprise_ids(region_code: str) -> list[int]:
    return list(Enterprise.objects.market_entities().filter(within_region(region_code)).order_by("pk").values_list("pk", flat=True))
