"""Set-based loading of validated facts into the versioned fact tables.

One :class:`FactLoader` per source batch, inside the caller's transaction. Records take one of two
paths, decided by whether the enterprise is already in the theme database:

- **new enterprises** (``stage(..., summary=...)``): nothing can be superseded, so the enterprise
  row (with an id taken from its sequence) and its fact rows are written straight into the final
  tables — ``COPY`` on PostgreSQL, ``executemany`` on SQLite;
- **known enterprises** (``summary=None``): rows go to temporary staging tables, and ``apply()``
  then, per section, closes this source's current versions that changed (and, in replace mode,
  those the batch no longer lists) and inserts the new versions, in a few ``INSERT … SELECT`` /
  ``UPDATE … WHERE EXISTS`` statements that are the same SQL on both databases.

Re-loading identical content changes nothing: a staged row whose ``content_hash`` equals the
current version's is neither closed nor inserted. A crash anywhere rolls the transaction back, and
the temporary tables vanish with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models

from .choices import ImportMode
from .models import FACT_MODELS, Enterprise, FactVersion, SourceBatch

#: Columns every fact table has that the loader fills itself.
_SYSTEM_COLUMNS = {"id", "enterprise", "source", "batch", "key", "content_hash", "recorded_at",
                   "superseded_at", "superseded_by"}
SUMMARY_FIELDS = ["name", "registered_on", "region_code", "industry_code", "latest_year",
                  "employees", "operating_revenue", "rd_ratio", "ip_class1_count",
                  "ip_total_count", "certificates", "adverse_count"]
_FLUSH_ROWS = 20_000
_ID_BLOCK = 10_000


def data_fields(model: type[FactVersion]) -> list[models.Field]:
    """The fact columns of a section table, in model order."""
    return [f for f in model._meta.concrete_fields if f.name not in _SYSTEM_COLUMNS]


@dataclass
class LoadStats:
    enterprises_created: int = 0
    facts_inserted: int = 0
    facts_superseded: int = 0
    facts_unchanged: int = 0
    changed_enterprise_ids: set[int] = field(default_factory=set)
    per_section: dict[str, dict[str, int]] = field(default_factory=dict)


class _Buffer:
    """Rows waiting to be written to one table (a staging table or a final one)."""

    def __init__(self, table: str, columns: list[str]):
        self.table = table
        self.columns = columns
        self.rows: list[tuple] = []
        self.count = 0


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _sqlite_value(value: Any) -> Any:
    """A value as Django itself would store it in SQLite (datetimes in UTC without the "T"), so
    rows written here sort and compare like rows written through the ORM."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def with_reported_sections(sections: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Record on the profile version which lists the source reported, so that a list reported
    empty ("known to have none") stays distinct from one not reported ("not known") once stored:
    an empty list leaves no item rows. The list is part of the version's content hash."""
    reported = ",".join(sorted(name for name in sections if name != "profile" and name in FACT_MODELS))
    profile = sections.get("profile")
    if not profile:
        return sections
    row = dict(profile[0])
    row["reported_sections"] = f",{reported}," if reported else ""
    if reported:
        row["content_hash"] = hashlib.md5(f"{row['content_hash']}|{reported}".encode(),
                                          usedforsecurity=False).hexdigest()
    return {**sections, "profile": [row]}


def _column_type(f: models.Field) -> str:
    return "text" if isinstance(f, models.JSONField) else f.db_type(connection)


class FactLoader:
    """Loads validated, exploded records of one batch: new enterprises straight into the final
    tables, known ones through staging and set operations (see the module docstring)."""

    def __init__(self, *, batch: SourceBatch, mode: str = ImportMode.UPSERT, is_synthetic: bool = False):
        if not connection.in_atomic_block:
            # The staging tables live until the transaction ends, and the load must be all or
            # nothing: the caller owns the transaction.
            raise RuntimeError("FactLoader must run inside transaction.atomic()")
        self.batch = batch
        self.mode = mode
        self.is_synthetic = is_synthetic
        self.vendor = connection.vendor
        self.stats = LoadStats()
        self._fields = {section: data_fields(model) for section, model in FACT_MODELS.items()}
        self._json_fields = {section: [f.name for f in fields if isinstance(f, models.JSONField)]
                             for section, fields in self._fields.items()}
        self._ids: list[int] = []
        self._sqlite_next_id: int | None = None
        tag = batch.pk
        # Direct writes for new enterprises.
        self._direct: dict[str, _Buffer] = {
            "_enterprise": _Buffer(Enterprise._meta.db_table, [
                "id", "uscc", *(Enterprise._meta.get_field(n).column for n in SUMMARY_FIELDS),
                "is_synthetic", "created_at", "updated_at"])}
        for section, model in FACT_MODELS.items():
            self._direct[section] = _Buffer(model._meta.db_table, [
                "enterprise_id", "source_id", "batch_id", "key", "content_hash", "recorded_at",
                *(f.column for f in self._fields[section])])
        # Staging for known enterprises, created on first use.
        self._stages: dict[str, _Buffer] = {
            "_touched": _Buffer(f"kc_stage_touched_{tag}", ["uscc"]),
            "_present": _Buffer(f"kc_stage_present_{tag}", ["uscc", "section"]),
            **{section: _Buffer(f"kc_stage_{section}_{tag}",
                                ["uscc", "key", "content_hash", *(f.column for f in fields)])
               for section, fields in self._fields.items()}}
        self._stage_types = {
            "_touched": ["varchar(18)"], "_present": ["varchar(18)", "varchar(30)"],
            **{section: ["varchar(18)", "varchar(64)", "varchar(32)", *map(_column_type, fields)]
               for section, fields in self._fields.items()}}
        self._staging_created = False

    # --- receiving records --------------------------------------------------------------------

    def stage(self, uscc: str, sections: dict[str, list[dict]], summary: dict | None) -> None:
        """Take one enterprise's exploded sections. ``summary`` (the enterprise list columns) is
        given for enterprises new to the platform and selects the direct path; known enterprises
        are staged and their summaries refreshed from the merged facts after the load."""
        sections = with_reported_sections(sections)
        if summary is not None:
            self._write_new(uscc, sections, summary)
            return
        self._push(self._stages, "_touched", (uscc,))
        replace = self.mode == ImportMode.REPLACE
        for section, rows in sections.items():
            if section not in self._fields:
                continue
            if replace:
                self._push(self._stages, "_present", (uscc, section))
            for row in self._prepared(section, rows):
                self._push(self._stages, section, (uscc, row["key"], row["content_hash"],
                                                   *(row.get(f.name) for f in self._fields[section])))

    def _prepared(self, section: str, rows: list[dict]) -> Iterable[dict]:
        json_names = self._json_fields[section]
        if not json_names:
            return rows
        return ({**row, **{n: _json_text(row.get(n)) for n in json_names}} for row in rows)

    def _write_new(self, uscc: str, sections: dict[str, list[dict]], summary: dict) -> None:
        eid = self._next_id()
        now = self.batch.recorded_at
        self._push(self._direct, "_enterprise", (eid, uscc, *(summary.get(n) for n in SUMMARY_FIELDS),
                                                 self.is_synthetic, now, now))
        self.stats.enterprises_created += 1
        src, batch_id = self.batch.source_id, self.batch.pk
        for section, rows in sections.items():
            if section not in self._fields:
                continue
            fields = self._fields[section]
            for row in self._prepared(section, rows):
                self._push(self._direct, section, (eid, src, batch_id, row["key"], row["content_hash"],
                                                   now, *(row.get(f.name) for f in fields)))
                self.stats.facts_inserted += 1

    def _next_id(self) -> int:
        if self.vendor == "postgresql":
            if not self._ids:
                with connection.cursor() as cur:
                    cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                                "FROM generate_series(1, %s)", [Enterprise._meta.db_table, _ID_BLOCK])
                    self._ids = [row[0] for row in reversed(cur.fetchall())]
            return self._ids.pop()
        if self._sqlite_next_id is None:  # SQLite: the transaction holds the write lock
            with connection.cursor() as cur:
                cur.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{Enterprise._meta.db_table}"')
                self._sqlite_next_id = cur.fetchone()[0]
        self._sqlite_next_id += 1
        return self._sqlite_next_id - 1

    def _push(self, group: dict[str, _Buffer], name: str, values: tuple) -> None:
        buf = group[name]
        buf.rows.append(values)
        if len(buf.rows) >= _FLUSH_ROWS:
            self._flush(group, name)

    def _flush(self, group: dict[str, _Buffer], name: str) -> None:
        buf = group[name]
        if not buf.rows:
            return
        if group is self._stages and not self._staging_created:
            self._create_staging()
        if group is self._direct and name != "_enterprise":
            self._flush(group, "_enterprise")  # facts reference their enterprise
        names = ", ".join(f'"{n}"' for n in buf.columns)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(f'COPY "{buf.table}" ({names}) FROM STDIN') as copy:
                    write = copy.write_row
                    for values in buf.rows:
                        write(values)
            else:
                marks = ", ".join("?" * len(buf.columns))
                cur.executemany(f'INSERT INTO "{buf.table}" ({names}) VALUES ({marks})',
                                [tuple(map(_sqlite_value, v)) for v in buf.rows])
        buf.count += len(buf.rows)
        buf.rows.clear()

    def _create_staging(self) -> None:
        suffix = " ON COMMIT DROP" if self.vendor == "postgresql" else ""
        with connection.cursor() as cur:
            for name, buf in self._stages.items():
                cols = ", ".join(f'"{c}" {t}' for c, t in zip(buf.columns, self._stage_types[name], strict=True))
                cur.execute(f'CREATE TEMPORARY TABLE "{buf.table}" ({cols}, enterprise_id bigint){suffix}')
        self._staging_created = True

    # --- applying -----------------------------------------------------------------------------

    def apply(self) -> LoadStats:
        """Write what is buffered and apply the staged changes; returns the statistics."""
        for name in self._direct:
            self._flush(self._direct, name)
        for name in self._stages:
            self._flush(self._stages, name)
        for section in FACT_MODELS:
            self.stats.per_section[section] = {"staged": 0, "inserted": self._direct[section].count,
                                               "superseded": 0}
        if self._staging_created:
            self._apply_staged()
        return self.stats

    def _apply_staged(self) -> None:
        ent = Enterprise._meta.db_table
        with connection.cursor() as cur:
            for name, buf in self._stages.items():
                if buf.count:
                    cur.execute(f'UPDATE "{buf.table}" SET enterprise_id = e.id FROM "{ent}" e '
                                f'WHERE e.uscc = "{buf.table}".uscc')
                    index = "(enterprise_id, key)" if name in FACT_MODELS else \
                        "(section, enterprise_id)" if name == "_present" else "(enterprise_id)"
                    cur.execute(f'CREATE INDEX "{buf.table}_i" ON "{buf.table}" {index}')
                    if self.vendor == "postgresql":
                        # Temporary tables are never auto-analysed; without statistics the
                        # planner guesses nested loops over millions of staged rows.
                        cur.execute(f'ANALYZE "{buf.table}"')
            for section, model in FACT_MODELS.items():
                self._apply_section(cur, section, model)
        self._collect_changed_enterprises()

    def _apply_section(self, cur, section: str, model: type[FactVersion]) -> None:
        stage = self._stages[section]
        table = model._meta.db_table
        present = self._stages["_present"].table
        now, src, batch_id = self.batch.recorded_at, self.batch.source_id, self.batch.pk
        stats = self.stats.per_section[section]
        stats["staged"] = stage.count
        # Close this source's current versions that the batch changes (same key, other content)
        # and, in replace mode, those of enterprises whose record lists the section but not the key.
        changed = (f'EXISTS (SELECT 1 FROM "{stage.table}" s WHERE s.enterprise_id = t.enterprise_id '
                   f'AND s.key = t.key AND s.content_hash <> t.content_hash)') if stage.count else "1 = 0"
        if self.mode == ImportMode.REPLACE:
            dropped = (f'(EXISTS (SELECT 1 FROM "{present}" p WHERE p.section = %s AND p.enterprise_id = t.enterprise_id) '
                       f'AND NOT EXISTS (SELECT 1 FROM "{stage.table}" s WHERE s.enterprise_id = t.enterprise_id AND s.key = t.key))')
            condition, params = f"({changed} OR {dropped})", [section]
        else:
            condition, params = changed, []
        if stage.count or self.mode == ImportMode.REPLACE:
            cur.execute(
                f'UPDATE "{table}" SET superseded_at = %s, superseded_by_id = %s '
                f'WHERE id IN (SELECT t.id FROM "{table}" t WHERE t.source_id = %s '
                f'AND t.superseded_at IS NULL AND {condition})',
                [now, batch_id, src, *params])
            stats["superseded"] = max(cur.rowcount, 0)
        inserted = 0
        if stage.count:
            fields = self._fields[section]
            cols = ", ".join(f.column for f in fields)
            sel = ", ".join(self._cast_json(f"s.{f.column}", f) for f in fields)
            cur.execute(
                f'INSERT INTO "{table}" (enterprise_id, source_id, batch_id, key, content_hash, recorded_at, {cols}) '
                f'SELECT s.enterprise_id, %s, %s, s.key, s.content_hash, %s, {sel} FROM "{stage.table}" s '
                f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t.enterprise_id = s.enterprise_id '
                f'AND t.source_id = %s AND t.key = s.key AND t.superseded_at IS NULL)',
                [src, batch_id, now, src])
            inserted = max(cur.rowcount, 0)
        stats["inserted"] += inserted
        self.stats.facts_inserted += inserted
        self.stats.facts_superseded += stats["superseded"]
        self.stats.facts_unchanged += stage.count - inserted

    def _cast_json(self, expr: str, f: models.Field) -> str:
        if isinstance(f, models.JSONField) and self.vendor == "postgresql":
            return f"CAST({expr} AS jsonb)"
        return expr

    def _collect_changed_enterprises(self) -> None:
        """Known enterprises whose facts this batch changed: their summaries need a refresh from
        the merged facts (new enterprises got theirs from the record)."""
        touched = self._stages["_touched"].table
        conditions = " OR ".join(
            f'EXISTS (SELECT 1 FROM "{m._meta.db_table}" t WHERE t.enterprise_id = p.enterprise_id '
            f'AND (t.batch_id = %s OR t.superseded_by_id = %s))' for m in FACT_MODELS.values())
        params = [self.batch.pk, self.batch.pk] * len(FACT_MODELS)
        with connection.cursor() as cur:
            cur.execute(f'SELECT DISTINCT p.enterprise_id FROM "{touched}" p WHERE {conditions}', params)
            self.stats.changed_enterprise_ids = {row[0] for row in cur.fetchall()}


def existing_usccs(usccs: Iterable[str]) -> set[str]:
    """Which of ``usccs`` the theme database already holds (chunked, for streaming imports)."""
    found: set[str] = set()
    chunk: list[str] = []
    for code in usccs:
        chunk.append(code)
        if len(chunk) >= 5000:
            found.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
            chunk = []
    if chunk:
        found.update(Enterprise.objects.filter(uscc__in=chunk).values_list("uscc", flat=True))
    return found
