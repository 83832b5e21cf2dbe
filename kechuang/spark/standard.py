"""Enterprise facts as Parquet for batch jobs: the columnar form of the data standard, stamped.

The columnar form is :data:`kechuang.engine.qualification.SCHEMA` (what ``records_to_frame`` builds
and ``evaluate_parquet`` reads): scalar facts as columns, annual facts and lists as
``List(Struct)``. A file written by :func:`write_facts_parquet` carries the data standard's version
in its key-value metadata (``kechuang.facts.schema_version``); :func:`check_facts_parquet` refuses
a file (or any file of a directory) whose version this engine cannot read or whose columns are not
the standard's, before a job starts, with a coded error that names the file and the problem.

Versions follow "extend, never break": an engine reads its own version and every older minor
version of the same major (a 1.0 file is a valid 1.1 file); a newer minor or another major is
refused, as is a file without a version stamp.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from kechuang.engine.facts import SCHEMA_VERSION
from kechuang.engine.qualification import SCHEMA

VERSION_KEY = b"kechuang.facts.schema_version"
LAYOUT_KEY = b"kechuang.facts.layout"
#: One row per enterprise, columns of the qualification engine's SCHEMA.
LAYOUT = b"enterprise-columns"
#: One row per ``ip[]`` item of the data standard, with its holder's ``uscc`` and the item's
#: ``number`` (专利号/登记号) and the facts the IP valuation reads (``kechuang.engine.ipvalue``).
IP_LAYOUT = b"ip-items"
IP_ITEMS_SCHEMA: dict[str, pl.DataType] = {
    "uscc": pl.String, "number": pl.String, "type": pl.String, "filed_on": pl.Date, "expires_on": pl.Date,
    "claims": pl.Float64, "citations": pl.Float64, "family_size": pl.Float64, "litigations": pl.Float64,
    "licences": pl.Float64, "attributable_revenue": pl.Float64, "industrializable": pl.Boolean,
}
#: The columns a file of each layout must have.
LAYOUT_SCHEMAS: dict[bytes, dict] = {LAYOUT: SCHEMA, IP_LAYOUT: IP_ITEMS_SCHEMA}


class FileCode(StrEnum):
    """Stable codes of :class:`FactsParquetError` (the CLI prints them, tests assert them)."""

    NOT_FOUND = "not_found"              # no Parquet file at the path
    NO_VERSION = "no_schema_version"     # the file carries no data-standard version
    VERSION = "schema_version"           # a version this engine cannot read
    LAYOUT = "layout"                    # another layout than one row per enterprise
    MISSING_COLUMN = "missing_column"    # a column of the standard is absent
    COLUMN_TYPE = "column_type"          # a column of the standard has another type


class FactsParquetError(ValueError):
    """A whole-file problem: the job is refused before it starts."""

    def __init__(self, code: FileCode, path: str, message: str) -> None:
        super().__init__(f"[{code}] {path}: {message}")
        self.code = code
        self.path = path


def _major_minor(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def readable(version: str, engine_version: str = SCHEMA_VERSION) -> bool:
    """Whether an engine of ``engine_version`` reads files stamped ``version``."""
    try:
        fv, ev = _major_minor(version), _major_minor(engine_version)
    except ValueError:
        return False
    return fv[0] == ev[0] and fv[1] <= ev[1]


def write_facts_parquet(frame: pl.DataFrame, path: str | Path, *, row_group_size: int = 100_000,
                        version: str = SCHEMA_VERSION) -> int:
    """Write a columnar facts frame (``records_to_frame`` output) stamped with the standard's
    version; returns the number of rows. ``version`` is for tests of the refusal only."""
    table = frame.select(list(SCHEMA)).to_arrow()
    meta = dict(table.schema.metadata or {}) | {VERSION_KEY: version.encode(), LAYOUT_KEY: LAYOUT}
    pq.write_table(table.replace_schema_metadata(meta), str(path), row_group_size=row_group_size)
    return table.num_rows


def write_ip_items_parquet(frame: pl.DataFrame, path: str | Path, *, row_group_size: int = 100_000,
                           version: str = SCHEMA_VERSION) -> int:
    """Write ``ip[]`` items (one row each: :data:`IP_ITEMS_SCHEMA`; a missing column is written
    empty, as unknown) stamped with the standard's version and the ``ip-items`` layout."""
    frame = frame.with_columns([pl.lit(None, dtype=d).alias(c) for c, d in IP_ITEMS_SCHEMA.items()
                                if c not in frame.columns])
    table = frame.select([pl.col(c).cast(d) for c, d in IP_ITEMS_SCHEMA.items()]).to_arrow()
    meta = dict(table.schema.metadata or {}) | {VERSION_KEY: version.encode(), LAYOUT_KEY: IP_LAYOUT}
    pq.write_table(table.replace_schema_metadata(meta), str(path), row_group_size=row_group_size)
    return table.num_rows


def ip_items_frame(records) -> pl.DataFrame:
    """The ``ip[]`` items of interchange records (dicts of the data standard) as rows of
    :data:`IP_ITEMS_SCHEMA`, each with its holder's ``uscc``: the input of ``kechuang spark value``."""
    rows = [{"uscc": rec.get("uscc"), **{k: item.get(k) for k in IP_ITEMS_SCHEMA if k != "uscc"}}
            for rec in records for item in (rec.get("ip") or [])]
    return pl.DataFrame(rows, schema=IP_ITEMS_SCHEMA, strict=False)


def parquet_files(path: str | Path) -> list[Path]:
    p = Path(path)
    files = sorted(f for f in p.rglob("*.parquet") if f.is_file()) if p.is_dir() else [p]
    if not files or not all(f.exists() for f in files):
        raise FactsParquetError(FileCode.NOT_FOUND, str(p), "no Parquet file here")
    return files


def check_facts_parquet(path: str | Path, layout: bytes = LAYOUT) -> list[Path]:
    """Check every file's version stamp, layout (``layout``: enterprise columns or IP items) and
    columns (footers only); returns the files."""
    files = parquet_files(path)
    expected = pl.Schema(LAYOUT_SCHEMAS[layout])
    for f in files:
        schema = pq.read_schema(f)
        meta = schema.metadata or {}
        version = meta.get(VERSION_KEY)
        if version is None:
            raise FactsParquetError(FileCode.NO_VERSION, str(f),
                                    f"no '{VERSION_KEY.decode()}' in the file's metadata: write it "
                                    "with kechuang.spark.write_facts_parquet or write_ip_items_parquet")
        if not readable(version.decode()):
            raise FactsParquetError(FileCode.VERSION, str(f),
                                    f"data standard version {version.decode()!r}; this engine reads "
                                    f"{SCHEMA_VERSION} and older {SCHEMA_VERSION.split('.')[0]}.x")
        got_layout = meta.get(LAYOUT_KEY, LAYOUT)
        if got_layout != layout:
            raise FactsParquetError(FileCode.LAYOUT, str(f), f"layout {got_layout.decode()!r}, "
                                    f"expected {layout.decode()!r}")
        got = pl.from_arrow(schema.empty_table()).schema
        for name, dtype in expected.items():
            if name not in got:
                raise FactsParquetError(FileCode.MISSING_COLUMN, str(f), f"column {name!r} is missing")
            if got[name] != dtype:
                raise FactsParquetError(FileCode.COLUMN_TYPE, str(f),
                                        f"column {name!r} is {got[name]}, the standard says {dtype}")
    return files


def spark_safe(schema: pa.Schema) -> pa.Schema:
    """The same schema in types Spark has: no unsigned integers, no large or view strings/lists."""
    return pa.schema([pa.field(f.name, _safe(f.type), nullable=True) for f in schema])


def _safe(t: pa.DataType) -> pa.DataType:
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_unsigned_integer(t):
        return {8: pa.int16(), 16: pa.int32(), 32: pa.int64(), 64: pa.int64()}[t.bit_width]
    if pa.types.is_large_list(t) or pa.types.is_list(t) or pa.types.is_list_view(t):
        return pa.list_(_safe(t.value_type))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _safe(f.type)) for f in t])
    return t
