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
import itertools
import json
from collections.abc import Iterable
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, models
from psycopg.pq import TransactionStatus

from kechuang.engine.facts.batch import BatchResult

from .choices import IP_CLASS_I, ImportMode, IncidentKind, LoanStatus
from .models import FACT_MODELS, Enterprise, FactVersion, SourceBatch
from .summary import research_ratio

#: Columns every fact table has that the loader fills itself.
_SYSTEM_COLUMNS = {"id", "enterprise", "source", "batch", "key", "content_hash", "recorded_at",
                   "superseded_at", "superseded_by"}
SUMMARY_FIELDS = ["name", "registered_on", "region_code", "industry_code", "latest_year",
                  "employees", "operating_revenue", "rd_ratio", "ip_class1_count",
                  "ip_total_count", "certificates", "adverse_count"]
_FLUSH_ROWS = 20_000
_ID_BLOCK = 10_000
#: A load that inserts at least this many rows, and at least this share of the rows the planner
#: believes a table had, refreshes that table's statistics (see ``_analyze_grown_tables``).
ANALYZE_MIN_ROWS = 50_000
ANALYZE_SHARE = 0.1


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
    tables_analyzed: list[str] = field(default_factory=list)


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


class _CopyPipe:
    """``COPY`` statements sent by one background thread on the loader's own connection (so in
    its transaction), while the main thread prepares the next rows: the server writes chunk *n*
    while Python formats chunk *n + 1*. psycopg serialises the threads' use of the connection; at
    most ``depth`` statements wait; the first error is raised in the main thread by the next
    :meth:`put` or :meth:`drain`, and the transaction then rolls back as a whole."""

    def __init__(self, raw_connection, depth: int = 2):
        self._conn = raw_connection
        self._depth = depth
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kechuang-copy")
        self._pending: deque[Future] = deque()
        self._cancelled = False

    def _copy(self, sql: str, data: bytes | str) -> None:
        # Never write outside the load's transaction: after close() or once the main thread has
        # rolled back, a statement still waiting is dropped, not run in autocommit.
        if self._cancelled or self._conn.info.transaction_status != TransactionStatus.INTRANS:
            raise RuntimeError("the load's transaction is no longer open; COPY not sent")
        with self._conn.cursor() as cur, cur.copy(sql) as copy:
            copy.write(data)

    def put(self, sql: str, data: bytes | str) -> None:
        while len(self._pending) >= self._depth:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._copy, sql, data))

    def drain(self) -> None:
        """Wait for every statement sent so far; raise the first error."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Drop what has not started, wait for the thread, raise nothing (the caller is already
        failing, or drained before applying)."""
        self._cancelled = True
        for future in self._pending:
            future.exception()
        self._pending.clear()
        self._pool.shutdown(wait=True)


_loader_serial = itertools.count(1)


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
        self._pipe: _CopyPipe | None = None
        # One loader per chunk of a batch, possibly several in one enclosing transaction (a
        # resubmit, a test): each names its own staging tables.
        tag = f"{batch.pk}_{next(_loader_serial)}"
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

    def stage_batch(self, result: BatchResult, *, known: set[str], today: date) -> None:
        """Take a validated chunk from :func:`kechuang.engine.facts.batch.validate_lines`: new
        enterprises go to the final tables column-wise (ids from the sequence, summaries computed
        on the columns, rows COPYed as CSV); known ones take the per-record staging path."""
        usccs = result.valid.column("uscc")
        if len(usccs) == 0:
            return
        is_known = pa.array([u in known for u in usccs.to_pylist()], pa.bool_())
        known_usccs = set(usccs.filter(is_known).to_pylist())
        if known_usccs:
            for uscc, sections in _records_of(result, known_usccs).items():
                self.stage(uscc, sections, None)
        new = usccs.filter(pc.invert(is_known))
        if len(new) == 0:
            return
        self._flush_all(self._direct)
        ids = pa.array(self._next_ids(len(new)), pa.int64())
        new_codes = new.to_pylist()
        new_set = pa.array(new_codes, pa.string())
        now, src, batch_id = self.batch.recorded_at, self.batch.source_id, self.batch.pk
        reported = _reported(result, new_codes)
        summary = batch_summaries(result, new_set, today)
        ent = summary.join(pl.DataFrame({"uscc": new_set, "id": ids}), on="uscc", how="left")
        ent_cols = ["id", "uscc", *SUMMARY_FIELDS]
        self._copy_frame(Enterprise._meta.db_table, ent.select(ent_cols).with_columns(
            pl.lit(self.is_synthetic).alias("is_synthetic"), pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at")),
            [Enterprise._meta.get_field(n).column for n in ent_cols] + ["is_synthetic", "created_at", "updated_at"])
        self.stats.enterprises_created += len(new)
        for section, table in result.sections.items():
            if section not in self._fields or table.num_rows == 0:
                continue
            frame = pl.from_arrow(table)
            frame = frame.filter(pl.col("uscc").is_in(new_codes))
            if frame.height == 0:
                continue
            if section == "profile":
                frame = _with_reported_columns(frame, reported)
            frame = frame.join(pl.DataFrame({"uscc": new_set, "enterprise_id": ids}), on="uscc", how="left")
            fields = self._fields[section]
            names = [f.name for f in fields]
            out = frame.select(["enterprise_id", *[pl.lit(v).alias(k) for k, v in
                                                  (("source_id", src), ("batch_id", batch_id))],
                                "key", "content_hash", pl.lit(now).alias("recorded_at"), *names])
            self._copy_frame(FACT_MODELS[section]._meta.db_table, out,
                             ["enterprise_id", "source_id", "batch_id", "key", "content_hash",
                              "recorded_at", *(f.column for f in fields)])
            self._direct[section].count += frame.height
            self.stats.facts_inserted += frame.height

    def _copy_frame(self, table: str, frame: pl.DataFrame, columns: list[str]) -> None:
        """Write a frame's rows into ``table`` (PostgreSQL: one COPY … CSV; SQLite: executemany)."""
        names = ", ".join(f'"{c}"' for c in columns)
        if self.vendor == "postgresql":
            # Polars writes CSV on all cores, several times faster than pyarrow's writer; an
            # empty string is quoted ("") and a null left empty, as COPY … CSV reads them.
            data = frame.write_csv(include_header=False)
            if self._pipe is None:
                connection.ensure_connection()
                self._pipe = _CopyPipe(connection.connection)
            self._pipe.put(f'COPY "{table}" ({names}) FROM STDIN WITH (FORMAT csv)', data)
            return
        marks = ", ".join("?" * len(columns))
        with connection.cursor() as cur:
            cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})',
                            [tuple(map(_sqlite_value, row)) for row in frame.iter_rows()])

    def _drain(self) -> None:
        """Every row sent to the background COPY thread is in the database (or its error raised)."""
        if self._pipe is not None:
            self._pipe.drain()

    def close(self) -> None:
        """Stop the background COPY thread and drop the staging tables where the database keeps
        them past the transaction (SQLite; PostgreSQL drops them on commit), so the same batch can
        be loaded chunk by chunk, one loader per chunk. Call it when the load ends, applied or failed."""
        if self._pipe is not None:
            self._pipe.close()
            self._pipe = None
        if self._staging_created and self.vendor != "postgresql":
            with connection.cursor() as cur:
                for buf in self._stages.values():
                    cur.execute(f'DROP TABLE IF EXISTS "{buf.table}"')
            self._staging_created = False

    def _flush_all(self, group: dict[str, _Buffer]) -> None:
        for name in group:
            self._flush(group, name)

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
        return self._next_ids(1)[0]

    def _next_ids(self, n: int) -> list[int]:
        """``n`` fresh enterprise ids (PostgreSQL: from the sequence, fetched in blocks)."""
        if self.vendor == "postgresql":
            if len(self._ids) < n:
                with connection.cursor() as cur:
                    cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                                "FROM generate_series(1, %s)",
                                [Enterprise._meta.db_table, max(_ID_BLOCK, 4 * n - len(self._ids))])
                    self._ids.extend(row[0] for row in cur.fetchall())
            taken, self._ids = self._ids[:n], self._ids[n:]
            return taken
        if self._sqlite_next_id is None:  # SQLite: the transaction holds the write lock
            with connection.cursor() as cur:
                cur.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{Enterprise._meta.db_table}"')
                self._sqlite_next_id = cur.fetchone()[0]
        start = self._sqlite_next_id
        self._sqlite_next_id += n
        return list(range(start, start + n))

    def _push(self, group: dict[str, _Buffer], name: str, values: tuple) -> None:
        buf = group[name]
        buf.rows.append(values)
        if len(buf.rows) >= _FLUSH_ROWS:
            self._flush(group, name)

    def _flush(self, group: dict[str, _Buffer], name: str) -> None:
        buf = group[name]
        if not buf.rows:
            return
        self._drain()
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

    def __enter__(self) -> FactLoader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- applying -----------------------------------------------------------------------------

    def apply(self) -> LoadStats:
        """Write what is buffered and apply the staged changes; returns the statistics."""
        self._drain()
        for name in self._direct:
            self._flush(self._direct, name)
        for name in self._stages:
            self._flush(self._stages, name)
        for section in FACT_MODELS:
            self.stats.per_section[section] = {"staged": 0, "inserted": self._direct[section].count,
                                               "superseded": 0}
        if self._staging_created:
            self._apply_staged()
        self._analyze_grown_tables()
        return self.stats

    def _analyze_grown_tables(self) -> None:
        """Refresh the planner's statistics of tables this load grew by a large share.

        Autovacuum gets there eventually, but until then a table loaded from empty has no column
        statistics and the planner guesses: a district's page of a freshly loaded million was
        planned as a bitmap scan and sort of 80,000 rows (435 ms) instead of an ordered index
        scan (0.5 ms). ``ANALYZE`` samples a fixed number of rows (about a second per table) and
        runs inside the load's transaction."""
        if self.vendor != "postgresql":
            return
        grown = {Enterprise._meta.db_table: self.stats.enterprises_created}
        for section, model in FACT_MODELS.items():
            grown[model._meta.db_table] = self.stats.per_section.get(section, {}).get("inserted", 0)
        with connection.cursor() as cur:
            for table, inserted in grown.items():
                if inserted < ANALYZE_MIN_ROWS:
                    continue
                cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
                before = max(cur.fetchone()[0], 0)
                if inserted >= ANALYZE_SHARE * before:
                    cur.execute(f'ANALYZE "{table}"')
                    self.stats.tables_analyzed.append(table)

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
        # Split by superseded_at so each arm runs on its partial index (current / history).
        conditions = " OR ".join(
            f'EXISTS (SELECT 1 FROM "{m._meta.db_table}" t WHERE t.enterprise_id = p.enterprise_id '
            f'AND t.superseded_at IS NULL AND t.batch_id = %s) OR '
            f'EXISTS (SELECT 1 FROM "{m._meta.db_table}" t WHERE t.enterprise_id = p.enterprise_id '
            f'AND t.superseded_at IS NOT NULL AND t.superseded_by_id = %s)' for m in FACT_MODELS.values())
        params = [self.batch.pk, self.batch.pk] * len(FACT_MODELS)
        with connection.cursor() as cur:
            cur.execute(f'SELECT DISTINCT p.enterprise_id FROM "{touched}" p WHERE {conditions}', params)
            self.stats.changed_enterprise_ids = {row[0] for row in cur.fetchall()}


_LISTINGS = [IncidentKind.ABNORMAL_OPERATION_LIST.value, IncidentKind.SERIOUS_DISHONESTY_LIST.value]
_BAD_LOANS = [LoanStatus.OVERDUE.value, LoanStatus.WRITTEN_OFF.value]
_CLASS_I = sorted(t.value for t in IP_CLASS_I)


def batch_summaries(result: BatchResult, usccs: pa.Array, today: date) -> pl.DataFrame:
    """:func:`~kechuang.enterprises.summary.summarize` computed on a chunk's columns, for the
    enterprises ``usccs`` (a test holds both to the same answers)."""
    codes = usccs.to_pylist()
    out = pl.DataFrame({"uscc": pl.Series(codes, dtype=pl.String)})

    def section(name: str) -> pl.DataFrame | None:
        table = result.sections.get(name)
        if table is None or table.num_rows == 0:
            return None
        return pl.from_arrow(table).filter(pl.col("uscc").is_in(codes))

    profile = section("profile")
    if profile is not None:
        out = out.join(profile.select("uscc", "name", "registered_on", "region_code", "industry_code"),
                       on="uscc", how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias(c) for c in ("name", "region_code", "industry_code")) \
                 .with_columns(pl.lit(None, pl.Date).alias("registered_on"))
    years = section("years")
    if years is not None:
        latest = (years.filter(pl.col("year").is_not_null()).sort("year")
                  .group_by("uscc", maintain_order=True).last()
                  .select("uscc", pl.col("year").alias("latest_year"), "employees", "operating_revenue",
                          "rd_expense"))
        out = out.join(latest, on="uscc", how="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Int64).alias(c) for c in ("latest_year", "employees")) \
                 .with_columns(pl.lit(None, pl.Decimal(20, 2)).alias(c) for c in ("operating_revenue", "rd_expense"))
    counts = []
    ip = section("ip")
    if ip is not None:
        counts.append(ip.group_by("uscc").agg(pl.len().alias("ip_total_count"),
                                               pl.col("type").is_in(_CLASS_I).sum().alias("ip_class1_count")))
    certs = section("certificates")
    if certs is not None:
        valid = certs.filter((pl.col("valid_from").is_null() | (pl.col("valid_from") <= today))
                             & (pl.col("valid_to").is_null() | (pl.col("valid_to") >= today))
                             & pl.col("kind").is_not_null())
        counts.append(valid.group_by("uscc").agg(
            (pl.lit(",") + pl.col("kind").unique().sort().str.join(",") + pl.lit(",")).alias("certificates")))
    three_years_ago = date(today.year - 3, today.month, min(today.day, 28))
    adverse_parts = []
    for name, condition in (
            ("incidents", pl.col("kind").is_in(_LISTINGS) & pl.col("removed_on").is_null()),
            ("loans", pl.col("status").is_in(_BAD_LOANS)),
            ("penalties", pl.col("decided_on").is_not_null() & (pl.col("decided_on") >= three_years_ago))):
        frame = section(name)
        if frame is not None:
            adverse_parts.append(frame.filter(condition).group_by("uscc").agg(pl.len().alias("n")))
    if adverse_parts:
        counts.append(pl.concat(adverse_parts).group_by("uscc").agg(pl.col("n").sum().alias("adverse_count")))
    for frame in counts:
        out = out.join(frame, on="uscc", how="left")
    for name in ("ip_total_count", "ip_class1_count", "adverse_count"):
        out = out.with_columns((pl.col(name) if name in out.columns else pl.lit(0)).fill_null(0).cast(pl.Int64).alias(name))
    if "certificates" not in out.columns:
        out = out.with_columns(pl.lit("").alias("certificates"))
    ratios = [research_ratio(rev, rd) for rev, rd in zip(
        out.get_column("operating_revenue").to_list(), out.get_column("rd_expense").to_list(), strict=True)]
    return out.with_columns(
        pl.col("name").fill_null(""), pl.col("region_code").fill_null(""), pl.col("industry_code").fill_null(""),
        pl.col("certificates").fill_null(""), pl.Series("rd_ratio", ratios, dtype=pl.Decimal(9, 6)),
    ).select("uscc", *SUMMARY_FIELDS)


def _reported(result: BatchResult, usccs: list[str]) -> pl.DataFrame:
    """For each enterprise, the list sections its record sent (see :func:`with_reported_sections`),
    as ``uscc, names`` with the names sorted and comma-joined."""
    parts = [pl.DataFrame({"uscc": pl.Series(result.present[name], dtype=pl.String)})
             .with_columns(pl.lit(name).alias("names"))
             for name in sorted(result.present) if name in FACT_MODELS and name != "profile"]
    if not parts:
        return pl.DataFrame(schema={"uscc": pl.String, "names": pl.String})
    return (pl.concat(parts).filter(pl.col("uscc").is_in(usccs))
            .group_by("uscc", maintain_order=True).agg(pl.col("names").str.join(",")))


def _with_reported_columns(frame: pl.DataFrame, reported: pl.DataFrame) -> pl.DataFrame:
    """The profile rows with ``reported_sections`` and the content hash that covers it."""
    joined = frame.join(reported, on="uscc", how="left")
    names = joined.get_column("names").to_list()
    hashes = joined.get_column("content_hash").to_list()
    new_hashes = [hashlib.md5(f"{digest}|{listed}".encode(), usedforsecurity=False).hexdigest()
                  if listed else digest for digest, listed in zip(hashes, names, strict=True)]
    return joined.with_columns(
        pl.when(pl.col("names").fill_null("") != "").then(pl.lit(",") + pl.col("names") + pl.lit(","))
        .otherwise(pl.lit("")).alias("reported_sections"),
        pl.Series("content_hash", new_hashes, dtype=pl.String)).drop("names")


def _records_of(result: BatchResult, usccs: set[str]) -> dict[str, dict[str, list[dict]]]:
    """Exploded sections of some enterprises of a chunk, as the per-record path gives them."""
    out: dict[str, dict[str, list[dict]]] = {code: {} for code in usccs}
    for name, table in result.sections.items():
        present = set(result.present[name].to_pylist()) if name in result.present else set()
        for code in usccs:
            if name == "profile" or code in present:
                out[code].setdefault(name, [])
        if table.num_rows == 0:
            continue
        for row in pl.from_arrow(table).filter(pl.col("uscc").is_in(list(usccs))).iter_rows(named=True):
            code = row["uscc"]
            if name != "profile":
                row = {k: v for k, v in row.items() if k != "uscc"}
            out[code][name].append(row)
    return out


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


def existing_regions(usccs: Iterable[str]) -> dict[str, str]:
    """The current region code of those of ``usccs`` the theme database already holds (chunked):
    an import checks it before staging, so nobody moves an enterprise in from outside its region."""
    found: dict[str, str] = {}
    codes = list(dict.fromkeys(usccs))
    for start in range(0, len(codes), 5000):
        found.update(Enterprise.objects.filter(uscc__in=codes[start:start + 5000])
                     .values_list("uscc", "region_code"))
    return found
