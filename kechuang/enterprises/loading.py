"""Set-based loading of validated facts into the versioned fact tables.

One :class:`FactLoader` per source batch. It runs inside the caller's transaction:

1. ``stage(record)`` writes each record's rows into temporary staging tables (PostgreSQL: ``COPY``;
   SQLite: ``executemany``), never touching the real tables row by row;
2. ``apply()`` creates the new enterprises, then per section closes the current versions of this
   source that changed (and, in replace mode, those the file no longer lists) and inserts the new
   versions, all in a handful of ``INSERT … SELECT`` / ``UPDATE … WHERE EXISTS`` statements that
   are the same SQL on both databases.

Re-loading identical content changes nothing: a staged row whose ``content_hash`` equals the
current version's is neither closed nor inserted. A crash anywhere rolls the transaction back, and
the temporary tables vanish with the connection.
"""

from __future__ import annotations

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


class _Stage:
    """A temporary table and its write buffer."""

    def __init__(self, name: str, columns: list[tuple[str, str]]):
        self.name = name
        self.columns = columns
        self.buffer: list[tuple] = []
        self.count = 0


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


class FactLoader:
    """Stages validated, exploded records for one batch and applies them in set operations."""

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
        self._tag = f"{batch.pk}"
        self._stages: dict[str, _Stage] = {}
        self._fields = {section: data_fields(model) for section, model in FACT_MODELS.items()}
        self._json_fields = {section: [f.name for f in fields if isinstance(f, models.JSONField)]
                             for section, fields in self._fields.items()}
        self._create_stages()

    # --- staging ------------------------------------------------------------------------------

    def _create_stages(self) -> None:
        ent_cols = [("uscc", "varchar(18)")] + [
            (f.column, "text" if isinstance(f, models.JSONField) else f.db_type(connection))
            for f in (Enterprise._meta.get_field(n) for n in SUMMARY_FIELDS)]
        self._stages["_enterprise"] = _Stage(f"kc_stage_ent_{self._tag}", ent_cols)
        self._stages["_touched"] = _Stage(f"kc_stage_touched_{self._tag}", [("uscc", "varchar(18)")])
        self._stages["_present"] = _Stage(f"kc_stage_present_{self._tag}",
                                          [("uscc", "varchar(18)"), ("section", "varchar(30)")])
        for section, fields in self._fields.items():
            cols = [("uscc", "varchar(18)"), ("key", "varchar(64)"), ("content_hash", "varchar(32)")]
            cols += [(f.column, "text" if isinstance(f, models.JSONField) else f.db_type(connection))
                     for f in fields]
            self._stages[section] = _Stage(f"kc_stage_{section}_{self._tag}", cols)
        with connection.cursor() as cur:
            for stage in self._stages.values():
                cols = ", ".join(f'"{name}" {ctype}' for name, ctype in stage.columns)
                suffix = " ON COMMIT DROP" if self.vendor == "postgresql" else ""
                cur.execute(f'CREATE TEMPORARY TABLE "{stage.name}" ({cols}){suffix}')

    def stage(self, uscc: str, sections: dict[str, list[dict]], summary: dict | None) -> None:
        """Stage one enterprise's exploded sections. ``summary`` (the enterprise list columns) is
        given for enterprises that are new to the platform; existing ones are refreshed from the
        merged facts after the load."""
        self._push("_touched", (uscc,))
        if summary is not None:
            self._push("_enterprise", (uscc, *(summary.get(n) for n in SUMMARY_FIELDS)))
        replace = self.mode == ImportMode.REPLACE
        for section, rows in sections.items():
            if section not in self._fields:
                continue
            if replace:
                self._push("_present", (uscc, section))
            fields = self._fields[section]
            json_names = self._json_fields[section]
            for row in rows:
                if json_names:
                    row = {**row, **{n: _json_text(row.get(n)) for n in json_names}}
                self._push(section, (uscc, row["key"], row["content_hash"],
                                     *(row.get(f.name) for f in fields)))

    def _push(self, name: str, values: tuple) -> None:
        stage = self._stages[name]
        stage.buffer.append(values)
        if len(stage.buffer) >= _FLUSH_ROWS:
            self._flush(stage)

    def _flush(self, stage: _Stage) -> None:
        if not stage.buffer:
            return
        names = ", ".join(f'"{n}"' for n, _t in stage.columns)
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                with cur.cursor.copy(f'COPY "{stage.name}" ({names}) FROM STDIN') as copy:
                    write = copy.write_row
                    for values in stage.buffer:
                        write(values)
            else:
                marks = ", ".join("?" * len(stage.columns))
                cur.executemany(f'INSERT INTO "{stage.name}" ({names}) VALUES ({marks})',
                                [tuple(map(_sqlite_value, v)) for v in stage.buffer])
        stage.count += len(stage.buffer)
        stage.buffer.clear()

    # --- applying -----------------------------------------------------------------------------

    def apply(self) -> LoadStats:
        for stage in self._stages.values():
            self._flush(stage)
        now = self.batch.recorded_at
        ent = Enterprise._meta.db_table
        with connection.cursor() as cur:
            cur.execute(f'CREATE INDEX "{self._stages["_enterprise"].name}_u" ON "{self._stages["_enterprise"].name}" (uscc)')
            # 1. New enterprises, with their summary.
            cols = [Enterprise._meta.get_field(n).column for n in SUMMARY_FIELDS]
            sel = ", ".join(self._cast_json(f"s.{c}", Enterprise._meta.get_field(n))
                            for c, n in zip(cols, SUMMARY_FIELDS, strict=True))
            cur.execute(
                f'INSERT INTO "{ent}" (uscc, {", ".join(cols)}, is_synthetic, created_at, updated_at) '
                f'SELECT s.uscc, {sel}, %s, %s, %s FROM "{self._stages["_enterprise"].name}" s '
                f'WHERE NOT EXISTS (SELECT 1 FROM "{ent}" e WHERE e.uscc = s.uscc)',
                [self.is_synthetic, now, now])
            self.stats.enterprises_created = max(cur.rowcount, 0)
            if self.mode == ImportMode.REPLACE:
                present = self._stages["_present"].name
                cur.execute(f'ALTER TABLE "{present}" ADD COLUMN enterprise_id bigint')
                cur.execute(f'UPDATE "{present}" SET enterprise_id = e.id FROM "{ent}" e WHERE e.uscc = "{present}".uscc')
                cur.execute(f'CREATE INDEX "{present}_i" ON "{present}" (section, enterprise_id)')
            for section, model in FACT_MODELS.items():
                self._apply_section(cur, section, model, now)
        self._collect_changed_enterprises()
        return self.stats

    def _cast_json(self, expr: str, f: models.Field) -> str:
        if isinstance(f, models.JSONField) and self.vendor == "postgresql":
            return f"CAST({expr} AS jsonb)"
        return expr

    def _apply_section(self, cur, section: str, model: type[FactVersion], now: datetime) -> None:
        stage = self._stages[section]
        table = model._meta.db_table
        ent = Enterprise._meta.db_table
        present = self._stages["_present"].name
        src, batch_id = self.batch.source_id, self.batch.pk
        stats = {"staged": stage.count, "inserted": 0, "superseded": 0}
        cur.execute(f'ALTER TABLE "{stage.name}" ADD COLUMN enterprise_id bigint')
        if stage.count:
            cur.execute(f'UPDATE "{stage.name}" SET enterprise_id = e.id FROM "{ent}" e WHERE e.uscc = "{stage.name}".uscc')
            cur.execute(f'CREATE INDEX "{stage.name}_k" ON "{stage.name}" (enterprise_id, key)')
        # Close this source's current versions that the batch changes (same key, other content)
        # and, in replace mode, those of enterprises whose record lists the section but not the key.
        changed = (f'EXISTS (SELECT 1 FROM "{stage.name}" s WHERE s.enterprise_id = t.enterprise_id '
                   f'AND s.key = t.key AND s.content_hash <> t.content_hash)') if stage.count else "1 = 0"
        if self.mode == ImportMode.REPLACE:
            dropped = (f'(EXISTS (SELECT 1 FROM "{present}" p WHERE p.section = %s AND p.enterprise_id = t.enterprise_id) '
                       f'AND NOT EXISTS (SELECT 1 FROM "{stage.name}" s WHERE s.enterprise_id = t.enterprise_id AND s.key = t.key))')
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
        if stage.count:
            fields = data_fields(model)
            cols = ", ".join(f.column for f in fields)
            sel = ", ".join(self._cast_json(f"s.{f.column}", f) for f in fields)
            cur.execute(
                f'INSERT INTO "{table}" (enterprise_id, source_id, batch_id, key, content_hash, recorded_at, {cols}) '
                f'SELECT s.enterprise_id, %s, %s, s.key, s.content_hash, %s, {sel} FROM "{stage.name}" s '
                f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE t.enterprise_id = s.enterprise_id '
                f'AND t.source_id = %s AND t.key = s.key AND t.superseded_at IS NULL)',
                [src, batch_id, now, src])
            stats["inserted"] = max(cur.rowcount, 0)
        self.stats.per_section[section] = stats
        self.stats.facts_inserted += stats["inserted"]
        self.stats.facts_superseded += stats["superseded"]
        self.stats.facts_unchanged += stats["staged"] - stats["inserted"]

    def _collect_changed_enterprises(self) -> None:
        """Enterprises that existed before this batch and whose facts it changed: their summaries
        need a refresh from the merged facts. New enterprises got theirs from the record."""
        touched_stage = self._stages["_touched"].name
        ent = Enterprise._meta.db_table
        touched = " OR ".join(
            f'EXISTS (SELECT 1 FROM "{m._meta.db_table}" t WHERE t.enterprise_id = e.id '
            f'AND (t.batch_id = %s OR t.superseded_by_id = %s))' for m in FACT_MODELS.values())
        params = [self.batch.recorded_at]
        for _m in FACT_MODELS:
            params += [self.batch.pk, self.batch.pk]
        with connection.cursor() as cur:
            cur.execute(f'CREATE INDEX "{touched_stage}_u" ON "{touched_stage}" (uscc)')
            cur.execute(
                f'SELECT DISTINCT e.id FROM "{touched_stage}" p JOIN "{ent}" e ON e.uscc = p.uscc '
                f'WHERE e.created_at <> %s AND ({touched})', params)
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
