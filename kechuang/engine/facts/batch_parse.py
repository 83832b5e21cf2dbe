"""Read a chunk of JSON Lines into one Arrow table for the batch path (:mod:`.batch`).

Arrow's JSON reader parses the chunk in C++ against :data:`ARROW_SCHEMA`, which gives every known
field the JSON type it must have (text, ``true``/``false``, a number, a list of objects), so a
value of the wrong JSON type, a duplicated key, bad JSON or two objects on one line make the reader
fail *at that row*. The chunk is read in segments of whole lines; a segment that fails is split at
the reported row (or halved when no row is reported) until every line is either in the table or
set aside for the per-record path, which then reports it exactly as :func:`~.readers.iter_jsonl`
and :func:`~.validate.validate_record` do. Numbers are all read as ``float64`` (an integer field
sent as ``3.0`` is valid, and ``float64`` holds every integer the checks accept exactly); the
checks in :mod:`.batch_checks` decide what they mean.

Unknown fields are read too (``unexpected_field_behavior="infer"``); a segment that has any is
read a second time with ``"error"`` to find the rows that carry them (a null-valued unknown field
leaves no trace in the table, yet the validator reports it). ``expert_scores`` (an object with
free keys) is left to inference: the rows that send it are marked so that the caller reads its
exact value from the line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.json as pj

from .schema import SECTIONS, Field

__all__ = ["ARROW_SCHEMA", "SIDE_FIELDS", "ParsedChunk", "json_type", "parse_chunk"]

#: Profile fields whose JSON value the batch path reads from the line itself (free-form objects).
SIDE_FIELDS = tuple(f.name for f in SECTIONS["profile"].fields if f.type == "object")
#: Bytes per Arrow read: one block per read, so a reported row is a row of the segment.
SEGMENT_BYTES = 1 << 22

_NUMERIC = frozenset({"integer", "year", "amount", "number", "ratio"})
_ROW = re.compile(r" in row (\d+)")
_BLANK = frozenset(b" \t\r")


def json_type(f: Field) -> pa.DataType | None:
    """The Arrow type a known field is read as (``None``: left to inference)."""
    if f.type in _NUMERIC or (f.type == "enum" and all(type(c) is int for c in f.choices)):
        return pa.float64()
    if f.type in ("string", "date", "enum"):
        return pa.string()
    if f.type == "bool":
        return pa.bool_()
    if f.type == "enum_list":
        return pa.list_(pa.string())
    return None


def _section_type(name: str) -> pa.DataType:
    return pa.list_(pa.struct([(f.name, json_type(f)) for f in SECTIONS[name].fields]))


ARROW_SCHEMA = pa.schema(
    [(f.name, json_type(f)) for f in SECTIONS["profile"].fields if json_type(f) is not None]
    + [(name, _section_type(name)) for name in SECTIONS if name != "profile"])
_KNOWN_TOP = frozenset(ARROW_SCHEMA.names) | frozenset(SIDE_FIELDS)


@dataclass(slots=True)
class ParsedChunk:
    """A chunk read by Arrow.

    ``table`` has exactly the columns of :data:`ARROW_SCHEMA`, one row per line it could read;
    ``line`` is the 0-based line of the chunk each row came from; ``unknown`` marks rows with a
    field the standard does not have and ``side`` rows that send a :data:`SIDE_FIELDS` value.
    ``python`` lists the non-blank lines Arrow could not take. ``starts`` / ``ends`` are the byte
    offsets of every line (end excludes the newline) for :meth:`raw`."""

    buf: bytes
    table: pa.Table
    line: np.ndarray
    unknown: np.ndarray
    side: np.ndarray
    python: list[int]
    starts: np.ndarray
    ends: np.ndarray

    def raw(self, i: int) -> bytes:
        """Line ``i`` with its line ending, as the JSON Lines reader sees it."""
        end = int(self.ends[i])
        return self.buf[int(self.starts[i]):end + 1 if end < len(self.buf) else end]

    def is_blank(self, i: int) -> bool:
        return self.raw(i).isspace() or self.starts[i] == self.ends[i]


def _line_offsets(buf: bytes) -> tuple[np.ndarray, np.ndarray]:
    find = buf.find
    newlines = []
    append = newlines.append
    i = find(b"\n")
    while i >= 0:
        append(i)
        i = find(b"\n", i + 1)
    ends = np.array(newlines + [len(buf)], dtype=np.int64)
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    if buf.endswith(b"\n") or not buf:  # no line after the last newline
        starts, ends = starts[:-1], ends[:-1]
    return starts, ends


def _lone_cr_lines(buf: bytes, starts: np.ndarray) -> set[int]:
    """Lines with a carriage return not followed by a newline: Arrow would split them."""
    out: set[int] = set()
    find = buf.find
    i = find(b"\r")
    positions = []
    while i >= 0:
        if buf[i + 1:i + 2] != b"\n":
            positions.append(i)
        i = find(b"\r", i + 1)
    if positions:
        out.update(np.searchsorted(starts, np.array(positions), side="right") - 1)
    return {int(x) for x in out}


def parse_chunk(buf: bytes) -> ParsedChunk:
    """Read the lines of ``buf`` (``\\n``-separated JSON Lines, UTF-8) with Arrow; see the module
    docstring."""
    starts, ends = _line_offsets(buf)
    n_lines = len(starts)
    view = np.frombuffer(buf, dtype=np.uint8)
    nonempty = ends > starts
    first = np.zeros(n_lines, dtype=np.uint8)
    first[nonempty] = view[starts[nonempty]]
    candidate = first == ord("{")
    python: list[int] = []
    contiguous = True  # can Arrow read the chunk's bytes as they are (blank lines included)?
    for i in np.flatnonzero(~candidate).tolist():
        line = buf[starts[i]:ends[i]]
        if line and not line.isspace():
            python.append(i)
            contiguous = False
        elif not set(line) <= _BLANK:
            contiguous = False  # \v or \f: blank for Python, bad JSON for Arrow
    if buf.find(b"\r") >= 0:
        lone = _lone_cr_lines(buf, starts)
        if lone:
            candidate[list(lone)] = False
            python.extend(i for i in lone if not buf[starts[i]:ends[i]].isspace())
            contiguous = False
    cand = np.flatnonzero(candidate)
    if contiguous:
        src, cs, ce = buf, starts[cand], ends[cand]
    else:
        lengths = ends[cand] - starts[cand]
        src = b"\n".join([buf[s:e] for s, e in zip(starts[cand].tolist(), ends[cand].tolist(),
                                                    strict=True)])
        cs = np.zeros(len(cand), dtype=np.int64)
        if len(cand):
            cs[1:] = np.cumsum(lengths[:-1] + 1)
        ce = cs + lengths
    reader = _Reader(pa.py_buffer(src), cs, ce)
    pieces, bad = reader.read_all(0, len(cand), ARROW_SCHEMA, "infer")
    python.extend(cand[bad].tolist())
    tables, lines, unknown, side = [], [], [], []
    for lo, table in pieces:
        rows = np.arange(lo, lo + table.num_rows)
        unknown_rows = np.zeros(table.num_rows, dtype=bool)
        if _has_unknown(table.schema):
            unknown_rows[reader.strict_failures(lo, lo + table.num_rows, table.schema)] = True
        side_rows = np.zeros(table.num_rows, dtype=bool)
        for name in SIDE_FIELDS:
            if name in table.column_names:
                side_rows |= table.column(name).is_valid().to_numpy(zero_copy_only=False)
        tables.append(_project(table))
        lines.append(cand[rows])
        unknown.append(unknown_rows)
        side.append(side_rows)
    if tables:
        table = pa.concat_tables(tables).combine_chunks()
        line = np.concatenate(lines)
        unknown_all, side_all = np.concatenate(unknown), np.concatenate(side)
    else:
        table = ARROW_SCHEMA.empty_table()
        line = np.zeros(0, dtype=np.int64)
        unknown_all = side_all = np.zeros(0, dtype=bool)
    table, line, unknown_all, side_all = _drop_bad_utf8(
        buf, starts, ends, table, line, unknown_all, side_all, python)
    python.sort()
    return ParsedChunk(buf, table, line, unknown_all, side_all, python, starts, ends)


class _Reader:
    """Reads spans of candidate lines ``[lo, hi)`` of ``src`` and isolates the lines Arrow
    rejects."""

    def __init__(self, src: pa.Buffer, cs: np.ndarray, ce: np.ndarray) -> None:
        self.src, self.cs, self.ce = src, cs, ce

    def _read(self, lo: int, hi: int, schema: pa.Schema, behaviour: str) -> pa.Table:
        start = int(self.cs[lo])
        size = int(self.ce[hi - 1]) - start
        return pj.read_json(
            pa.BufferReader(self.src.slice(start, size)),
            read_options=pj.ReadOptions(use_threads=False, block_size=size + 2),
            parse_options=pj.ParseOptions(explicit_schema=schema,
                                          unexpected_field_behavior=behaviour))

    def _segments(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """``[lo, hi)`` cut at line boundaries into spans of about :data:`SEGMENT_BYTES`."""
        if hi <= lo:
            return []
        bounds = np.searchsorted(self.cs[lo:hi], np.arange(
            int(self.cs[lo]), int(self.ce[hi - 1]), SEGMENT_BYTES)[1:]) + lo
        cuts = [lo, *sorted(set(bounds.tolist()) - {lo, hi}), hi]
        return list(zip(cuts[:-1], cuts[1:], strict=True))

    def read_all(self, lo: int, hi: int, schema: pa.Schema,
                 behaviour: str) -> tuple[list[tuple[int, pa.Table]], list[int]]:
        """The tables read from ``[lo, hi)`` (with their first line) and the rejected lines."""
        pieces: list[tuple[int, pa.Table]] = []
        bad: list[int] = []
        stack = self._segments(lo, hi)[::-1]
        while stack:
            a, b = stack.pop()
            if a >= b:
                continue
            try:
                table = self._read(a, b, schema, behaviour)
            except (pa.ArrowException, ValueError) as exc:
                if b - a == 1:
                    bad.append(a)
                    continue
                match = _ROW.search(str(exc))
                row = int(match.group(1)) if match else -1
                if 0 <= row < b - a:
                    bad.append(a + row)
                    stack.append((a + row + 1, b))
                    stack.append((a, a + row))
                else:
                    mid = (a + b) // 2
                    stack.append((mid, b))
                    stack.append((a, mid))
                continue
            if table.num_rows != b - a:  # a line Arrow read as several rows
                if b - a == 1:
                    bad.append(a)
                else:
                    mid = (a + b) // 2
                    stack.append((mid, b))
                    stack.append((a, mid))
                continue
            pieces.append((a, table))
        pieces.sort(key=lambda p: p[0])
        return pieces, sorted(bad)

    def strict_failures(self, lo: int, hi: int, inferred: pa.Schema) -> np.ndarray:
        """Rows (relative to ``lo``) of ``[lo, hi)`` that carry an unknown field: read again with
        every known field (the side fields as inferred) and unknown fields as errors."""
        schema = ARROW_SCHEMA
        for name in SIDE_FIELDS:
            if name in inferred.names:
                schema = schema.append(inferred.field(name))
        _, bad = self.read_all(lo, hi, schema, "error")
        return np.array(bad, dtype=np.int64) - lo


def _has_unknown(schema: pa.Schema) -> bool:
    if not set(schema.names) <= _KNOWN_TOP:
        return True
    for name in SECTIONS:
        if name != "profile" and schema.field(name).type != ARROW_SCHEMA.field(name).type:
            return True
    return False


def _project(table: pa.Table) -> pa.Table:
    """``table`` reduced to the columns and struct children of :data:`ARROW_SCHEMA`."""
    columns = []
    for field in ARROW_SCHEMA:
        column = table.column(field.name)
        if column.type != field.type:  # a list of items with unknown fields inferred in
            column = pa.chunked_array([_project_list(chunk, field.type)
                                       for chunk in column.chunks], field.type)
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=ARROW_SCHEMA)


def _project_list(array: pa.ListArray, target: pa.DataType) -> pa.Array:
    items = array.values
    struct_type = target.value_type
    children = [items.field(f.name) for f in struct_type]
    projected = pa.StructArray.from_arrays(children, fields=list(struct_type),
                                           mask=items.is_null())
    offsets = array.offsets
    return pa.ListArray.from_arrays(offsets, projected, type=target, mask=array.is_null())


def _drop_bad_utf8(buf, starts, ends, table, line, unknown, side, python):
    """Rows whose text is not UTF-8 (Arrow does not check) go to the per-record path."""
    try:
        table.validate(full=True)
        return table, line, unknown, side
    except pa.ArrowInvalid:
        pass
    keep = np.ones(table.num_rows, dtype=bool)
    for k, i in enumerate(line.tolist()):
        try:
            buf[starts[i]:ends[i]].decode("utf-8")
        except UnicodeDecodeError:
            keep[k] = False
            python.append(i)
    return table.filter(pa.array(keep)), line[keep], unknown[keep], side[keep]
