"""Reads of the theme database: merged facts now or as of a past moment, with their sources.

Sources are merged field by field: for the profile and each year, a field takes the value of the
most recently recorded version (from any source) that knows it; for list sections (IP, loans …)
each item takes its most recently recorded version. ``None`` never overrides a known value,
because in the interchange standard ``null`` means "not known".
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils import timezone

from .loading import data_fields
from .models import FACT_MODELS, Consent, DataSource, Enterprise, SourceBatch

#: Sections merged field by field (one logical row per key); the rest are item lists.
FIELDWISE_SECTIONS = ("profile", "years")


@dataclass
class FactValue:
    """Where one value came from."""

    source_id: int
    batch_id: int
    recorded_at: datetime


@dataclass
class MergedFacts:
    """An enterprise's facts as known at ``at``: the interchange record (normalised Python values)
    and, for each value, its provenance (``provenance[section][key][field]``)."""

    uscc: str
    at: datetime
    record: dict
    provenance: dict = field(default_factory=dict)
    sources: dict[int, DataSource] = field(default_factory=dict)
    batches: dict[int, SourceBatch] = field(default_factory=dict)


def _known_at(at: datetime | None) -> Q:
    if at is None:
        return Q(superseded_at__isnull=True)
    return Q(recorded_at__lte=at) & (Q(superseded_at__isnull=True) | Q(superseded_at__gt=at))


def merged_facts(enterprise_ids: Iterable[int], *, at: datetime | None = None,
                 with_provenance: bool = False) -> dict[int, MergedFacts]:
    """Merged facts of several enterprises, current (``at=None``) or as known at ``at``."""
    ids = list(enterprise_ids)
    enterprises = {e.pk: e for e in Enterprise.objects.filter(pk__in=ids).only("pk", "uscc")}
    if connection.vendor == "postgresql" and len(ids) <= UNION_MAX_IDS:
        raw = _section_rows_union(ids, at)
    else:
        raw = _section_rows(ids, at)
    result = {}
    for eid, ent in enterprises.items():
        record, provenance = _merge(raw.get(eid, {}), with_provenance)
        record["uscc"] = ent.uscc
        result[eid] = MergedFacts(uscc=ent.uscc, at=at or timezone.now(), record=record,
                                  provenance=provenance)
    return result


def _section_rows(ids: list[int], at: datetime | None) -> dict[int, dict[str, list[dict]]]:
    """Each section's rows known at ``at``, one query per section table (any database)."""
    raw: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for section, model in FACT_MODELS.items():
        names = [f.name for f in data_fields(model)]
        values = ["enterprise_id", "source_id", "batch_id", "key", "recorded_at", *names]
        rows = (model.objects.filter(enterprise_id__in=ids).filter(_known_at(at))
                .order_by("recorded_at", "pk").values(*values))
        for row in rows:
            raw[row["enterprise_id"]][section].append(row)
    return raw


#: Up to this many enterprises, PostgreSQL reads all twelve section tables in one statement.
UNION_MAX_IDS = 50

_META_COLUMNS = ("enterprise_id", "source_id", "batch_id", "key", "recorded_at")


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value that came through ``to_jsonb`` gets back the type ``.values()`` would give."""
    if isinstance(field, models.DateTimeField):
        return datetime.fromisoformat
    if isinstance(field, models.DateField):
        return date.fromisoformat
    if isinstance(field, models.DecimalField):
        return lambda v: v if isinstance(v, Decimal) else Decimal(v)
    return None


@functools.cache
def _union_plan(as_of: bool) -> tuple[str, dict[str, list[tuple[str, str, Callable | None]]]]:
    """The one-statement read of every section (SQL, and per section the columns to take out of
    each row's JSON with their converters)."""
    when = ("t.recorded_at <= %(at)s AND (t.superseded_at IS NULL OR t.superseded_at > %(at)s)"
            if as_of else "t.superseded_at IS NULL")
    parts, columns = [], {}
    for section, model in FACT_MODELS.items():
        fields = data_fields(model)
        columns[section] = [(f.name, f.column, _converter(f)) for f in fields]
        data = ", ".join(f"'{f.column}', t.\"{f.column}\"" for f in fields)
        parts.append(
            f"SELECT '{section}' AS section, t.enterprise_id, t.source_id, t.batch_id, t.key, "
            f"t.recorded_at, t.id, jsonb_build_object({data}) AS data "
            f'FROM "{model._meta.db_table}" t WHERE t.enterprise_id = ANY(%(ids)s) AND {when}')
    return " UNION ALL ".join(parts) + " ORDER BY recorded_at, id", columns


def _section_rows_union(ids: list[int], at: datetime | None) -> dict[int, dict[str, list[dict]]]:
    """The same rows as :func:`_section_rows` in one statement: one round trip and one plan
    instead of twelve, which is most of a profile page's time. Values travel as JSON (numbers
    parsed as ``Decimal``) and are converted back to the types the ORM gives."""
    sql, columns = _union_plan(at is not None)
    raw: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    from psycopg.types.json import set_json_loads  # PostgreSQL only

    with connection.cursor() as cur:
        set_json_loads(_json_decimal_loads, cur.cursor)
        cur.execute(sql, {"ids": ids, "at": at})
        for section, eid, source_id, batch_id, key, recorded_at, _pk, data in cur.fetchall():
            row = {"enterprise_id": eid, "source_id": source_id, "batch_id": batch_id, "key": key,
                   "recorded_at": recorded_at}
            for name, column, convert in columns[section]:
                value = data[column]
                row[name] = convert(value) if convert is not None and value is not None else value
            raw[eid][section].append(row)
    return raw


def _json_decimal_loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


def _merge(sections: dict[str, list[dict]], with_provenance: bool) -> tuple[dict, dict]:
    record: dict = {}
    provenance: dict = {}
    meta = {"enterprise_id", "source_id", "batch_id", "key", "recorded_at"}
    ordered = sorted(sections.items(), key=lambda item: item[0] != "profile")  # profile first
    for section, rows in ordered:  # rows ascend by recorded_at: later wins
        by_key: dict[str, dict] = {}
        prov: dict[str, dict] = {}
        for row in rows:
            origin = FactValue(row["source_id"], row["batch_id"], row["recorded_at"])
            item = by_key.setdefault(row["key"], {})
            if section in FIELDWISE_SECTIONS:
                for name, value in row.items():
                    if name in meta or value is None or value == "":
                        continue
                    item[name] = value
                    if with_provenance:
                        prov.setdefault(row["key"], {})[name] = origin
            else:
                by_key[row["key"]] = {k: v for k, v in row.items()
                                      if k not in meta and v is not None and v != ""}
                if with_provenance:
                    prov[row["key"]] = {"*": origin}
        if section == "profile":
            record.update(by_key.get("", {}))
            # A list some source reported, even empty, is known; one nobody reported is not.
            for row in rows:
                for name in (row.get("reported_sections") or "").split(","):
                    if name:
                        record.setdefault(name, [])
            record.pop("reported_sections", None)
        elif section == "years":
            record["years"] = sorted(by_key.values(), key=lambda y: y["year"])
        else:
            record[section] = list(by_key.values())
        if with_provenance:
            provenance[section] = prov
    return record, provenance


#: How long a merged profile stays in the cache. Keys change with every load that touches the
#: enterprise (``updated_at``), so this only bounds memory.
FACTS_CACHE_SECONDS = 6 * 3600


def facts_as_of(enterprise: Enterprise, at: datetime | None = None) -> MergedFacts:
    """What the platform knew about ``enterprise`` at ``at`` (now when ``None``), with sources.

    The current view is cached under the enterprise's ``updated_at``, which every load that
    changes its facts moves on. Past views are not: a long import records its rows at its start
    but commits minutes later, so a past moment can still gain rows until that commit."""
    key = f"kechuang:facts:{enterprise.pk}:{enterprise.updated_at.timestamp()}" if at is None else None
    if key is not None:
        cached = cache.get(key)
        if cached is not None:
            return cached
    merged = _facts_as_of(enterprise, at)
    if key is not None:
        cache.set(key, merged, FACTS_CACHE_SECONDS)
    return merged


def _facts_as_of(enterprise: Enterprise, at: datetime | None) -> MergedFacts:
    merged = merged_facts([enterprise.pk], at=at, with_provenance=True)[enterprise.pk]
    batch_ids = {fv.batch_id for sec in merged.provenance.values() for item in sec.values()
                 for fv in item.values()}
    merged.batches = {b.pk: b for b in SourceBatch.objects.filter(pk__in=batch_ids).select_related("source")}
    merged.sources = {b.source_id: b.source for b in merged.batches.values()}
    return merged


def enterprise_consents(enterprise: Enterprise) -> QuerySet[Consent]:
    return Consent.objects.filter(enterprise=enterprise).select_related("organization", "granted_by")


def active_consent(*, enterprise: Enterprise, organization, at: datetime | None = None) -> Consent | None:
    """The consent under which ``organization`` may read ``enterprise`` now, if any (the one that
    lasts longest, so the audit names a stable one)."""
    return (Consent.objects.active(at).filter(enterprise=enterprise, organization=organization)
            .order_by("-valid_until").first())
