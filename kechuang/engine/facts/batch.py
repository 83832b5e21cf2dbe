"""The batch path: validate and explode a chunk of JSON Lines at once, vectorised.

:func:`validate_lines` gives, for a chunk of raw JSON Lines (tens of thousands of lines), what the
per-record path gives line by line — :func:`~.readers.iter_jsonl`, then
:func:`~.validate.validate_record` and :func:`~.rows.explode` for each record — but as Arrow
tables per section, at a fraction of the cost:

1. Arrow's C++ JSON reader reads the chunk against the standard's JSON types
   (:mod:`.batch_parse`); lines it cannot read are set aside.
2. Vectorised checks (:mod:`.batch_checks`) prove most records *clean*: valid, without a warning,
   of the common well-typed kind. Their values are normalised, their canonical texts joined and
   hashed (md5 per row, the one step left in Python) into the same ``key`` and ``content_hash``
   as :func:`~.rows.explode`.
3. Every other line — set aside, or not proven clean — goes through the per-record path, which
   produces the exact errors, warnings and rows.

For any input, the accepted records, their rows (values, keys, hashes) and the errors of the
rejected ones are those of the per-record path (the tests compare both on generated and
synthetic data); a same code appearing a second time is rejected as the importer does.

What takes the per-record path (each costs ~350 µs instead of ~60): lines Arrow cannot read as
the standard's JSON types (bad JSON, a non-object, a value of the wrong JSON type — text in a
number field, a bool as an integer —, a key given twice, two objects on a line, a lone carriage
return, text that is not UTF-8, a line not starting with ``{``); records with a field the
standard does not have; and every record that is not clean: any error or warning, and the unusual
but valid (a float such as ``3.0`` in an integer field is fine, but ``1e16``, integers beyond
2**53 in a number field, non-ASCII digits in a pattern field, an ``expert_scores`` value the
validator would reject, …). Files in another encoding than UTF-8 take it line by line.

Output types (:func:`output_schema`): dates ``date32``; amounts ``decimal128(20, 2)``, which
``COPY … (FORMAT csv)`` receives as ``1200.50`` from pyarrow's CSV writer; integers, years and
numeric choices ``int64``; numbers and ratios ``float64`` (the hash is of the exact value);
``quality_items`` and ``expert_scores`` JSON text as the loader writes it.

Cost, measured with ``python -m kechuang.engine.facts.batch_bench /tmp/x-synthetic.jsonl`` (the
20,000 records of ``python -m kechuang.synthetic --n 20000``; CPU time of the process, best of 5,
on the 2-core machine while other work ran on it): 57–63 µs per record for read + validate +
explode, of which Arrow's parse is 26–28 µs and md5 9–12 µs; the per-record path costs ~350 µs
(54 read + 148 validate + 148 explode). So two worker processes take 1M records in about 30 s of
CPU each.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import methodcaller
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from .batch_checks import (
    SEPARATOR,
    SectionColumns,
    check_section,
    json_text,
    output_type,
    uscc_ok,
)
from .batch_parse import SIDE_FIELDS, ParsedChunk, parse_chunk
from .errors import Code, FieldError
from .readers import detect_encoding, jsonl_line_reader
from .rows import _canon
from .schema import CREATION_FIELDS, SECTIONS
from .validate import _CHECKERS, explode, validate_record

try:  # CPython's own md5 (HACL*) beats OpenSSL's on short texts: no EVP set-up per call
    from _md5 import md5 as _MD5
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import md5 as _MD5

__all__ = ["BatchResult", "validate_lines", "iter_chunks", "output_schema",
           "duplicate_uscc_error", "CHUNK_BYTES"]

#: Bytes per chunk: about 20,000 typical records (3.3 kB); a worker then holds well under 1 GB.
CHUNK_BYTES = 64 << 20
_EPOCH_YEAR = 1970


def output_schema(section: str) -> pa.Schema:
    """The columns of a section's table: ``uscc`` (list sections), every field of the section
    (typed by :func:`~.batch_checks.output_type`), ``key`` and ``content_hash``."""
    fields = [pa.field(f.name, output_type(f)) for f in SECTIONS[section].fields]
    lead = [] if section == "profile" else [pa.field("uscc", pa.string())]
    return pa.schema([*lead, *fields, pa.field("key", pa.string()),
                      pa.field("content_hash", pa.string())])


_SCHEMAS = {name: output_schema(name) for name in SECTIONS}
_ORDER = [pa.field("_line", pa.int64()), pa.field("_item", pa.int64())]


@dataclass(slots=True)
class BatchResult:
    """What a chunk gives.

    ``sections``: per section, the rows of the accepted records in file order (columns of
    :func:`output_schema`). ``present``: per list section, the codes of the accepted records that
    sent the list (an empty list included: "known to be none", which the replace mode needs).
    ``valid``: ``row`` and ``uscc`` of the accepted records, in file order. ``errors`` and
    ``warnings``: ``(row, uscc, [FieldError])`` for the rejected records and for the accepted
    ones that have warnings, every error carrying its ``row``; ``uscc`` is ``""`` when the line
    has none. ``total``: the non-blank lines; ``lines``: all lines of the chunk (the next chunk
    starts at ``first_row + lines``); ``fallback``: how many took the per-record path."""

    sections: dict[str, pa.Table]
    present: dict[str, pa.Array]
    valid: pa.Table
    errors: list[tuple[int, str, list[FieldError]]] = field(default_factory=list)
    warnings: list[tuple[int, str, list[FieldError]]] = field(default_factory=list)
    total: int = 0
    lines: int = 0
    fallback: int = 0

    @property
    def valid_usccs(self) -> list[tuple[int, str]]:
        """``(row, uscc)`` of the accepted records, in file order."""
        return list(zip(self.valid.column("row").to_pylist(),
                        self.valid.column("uscc").to_pylist(), strict=True))


def duplicate_uscc_error(uscc: str, first_row: int) -> FieldError:
    """A code already accepted at ``first_row`` of the same file (the importer's message)."""
    return FieldError(
        path="uscc", field="uscc", code=Code.DUPLICATE,
        message=f"统一社会信用代码 {uscc} 在本文件第 {first_row} 行已出现，同一文件中每家企业只能出现一次",
        message_en=f"the code {uscc} already appears at row {first_row} of this file", value=uscc)


def iter_chunks(path: str | Path, *, size: int = CHUNK_BYTES) -> Iterator[tuple[bytes, str]]:
    """``(chunk, encoding)`` for a JSON Lines file: whole lines, about ``size`` bytes at a time
    (one line longer than that is one chunk), the byte-order mark removed, with the file's
    encoding (:func:`~.readers.detect_encoding`). Rows go on from chunk to chunk::

        row = 1
        for chunk, encoding in iter_chunks(path):
            result = validate_lines(chunk, first_row=row, today=today, encoding=encoding)
            row += result.lines
    """
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
        encoding = detect_encoding(head) if head else "utf-8"
        fh.seek(0)
        rest = b""
        first = True
        while True:
            block = fh.read(size)
            if not block:
                break
            rest += _strip_bom(block, 1) if first else block
            first = False
            cut = rest.rfind(b"\n") + 1
            if cut:
                yield rest[:cut], encoding
                rest = rest[cut:]
        if rest:
            yield rest, encoding


def _strip_bom(chunk: bytes, first_row: int) -> bytes:
    if first_row == 1 and chunk.startswith(b"\xef\xbb\xbf"):
        return chunk[3:]
    return chunk


Known = Collection[str] | Callable[[list[str]], Collection[str]] | None


def validate_lines(data: bytes | Sequence[bytes], *, first_row: int, today: date,
                   known: Known = None, seen: Mapping[str, int] | None = None,
                   encoding: str = "utf-8") -> BatchResult:
    """Validate and explode a chunk of JSON Lines.

    ``data`` is the chunk's bytes (lines separated by ``\\n``) or its lines (each with or without
    its line ending); its first line is line ``first_row`` of the file. ``today`` is the
    evaluation day. ``known`` tells which codes are already in the database — those records are
    validated with ``partial=True`` (``name`` and ``registered_on`` may be absent) —: a
    collection, or a function that receives the chunk's distinct codes once read and returns
    those it knows (the importer's ``existing_usccs``), so nobody has to parse the chunk first.
    ``seen`` maps codes accepted in earlier chunks of the same file to their row: a code accepted
    before, in ``seen`` or earlier in the chunk, is rejected as a duplicate. ``encoding`` is the
    file's (:func:`iter_chunks` gives it); the vectorised path reads UTF-8 only, other encodings
    take the per-record path line by line."""
    buf = data if isinstance(data, bytes) else b"\n".join(
        line[:-1] if line.endswith(b"\n") else line for line in data)
    buf = _strip_bom(buf, first_row)
    run = _Run(buf, first_row, today, known)
    if encoding in ("utf-8", "utf-8-sig"):
        run.fast()
    else:
        run.all_python(encoding)
    return run.finish(seen or {}, encoding)


class _Run:
    """One chunk through both paths."""

    def __init__(self, buf: bytes, first_row: int, today: date, known: Known) -> None:
        self.buf, self.first_row, self.today = buf, first_row, today
        self._known_arg = known
        self.known: Collection[str] = frozenset()
        self._read: dict[int, object] = {}  # RawRow of the lines read one by one, by line
        self.parsed: ParsedChunk | None = None
        self.python_lines: list[int] = []
        self.total = self.lines = 0
        self.clean = np.zeros(0, dtype=bool)
        self.uscc: pa.Array = pa.array([], pa.string())
        self.columns: dict[str, SectionColumns] = {}
        self.keys: dict[str, tuple[pa.Array, pa.Array]] = {}
        self.side: dict[int, dict[str, tuple[str, str]]] = {}

    # --- the vectorised path ------------------------------------------------------------------

    def fast(self) -> None:
        parsed = self.parsed = parse_chunk(self.buf)
        table = parsed.table
        n = table.num_rows
        self.total = n + len(parsed.python)
        self.lines = len(parsed.starts)
        escape = self.buf.find(b"\\") >= 0
        profile = check_section("profile", table, np.arange(n), np.zeros(n, dtype=np.int64),
                                self.today, skip=SIDE_FIELDS, escape=escape)
        uscc = self.uscc = profile.values["uscc"]
        bad = parsed.unknown | profile.bad | ~uscc_ok(uscc)
        self._read_python(parsed.python, "utf-8")
        codes = pc.unique(pc.drop_null(uscc)).to_pylist()
        self._resolve_known(codes)
        known = self.known  # may be every code of the database: look up the chunk's only
        hits = [code for code in codes if code in known]
        is_known = pc.is_in(uscc, value_set=pa.array(hits, pa.string())) \
            if hits else pa.nulls(n, pa.bool_())
        new = ~pc.fill_null(is_known, False).to_numpy(zero_copy_only=False)
        for name in CREATION_FIELDS:
            bad |= new & ~profile.known[name]
        self.columns["profile"] = profile
        for name in SECTIONS:
            if name == "profile":
                continue
            lists = table.column(name).chunk(0) if table.column(name).num_chunks else \
                pa.array([], table.schema.field(name).type)
            parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
            items = pc.list_flatten(lists)
            first = np.searchsorted(parent, parent, side="left")
            cols = check_section(name, items, parent, np.arange(len(parent)) - first, self.today,
                                 escape=escape)
            bad[parent[cols.bad]] = True
            self.columns[name] = cols
        bad |= self._years_before_registration()
        bad |= self._side_fields(np.flatnonzero(parsed.side & ~bad))
        self._hash(~bad)
        bad |= self._duplicate_items()
        self.clean = ~bad
        self.python_lines = sorted(parsed.python + parsed.line[bad].tolist())

    def _years_before_registration(self) -> np.ndarray:
        """validate._cross_profile warns about years before the registration year."""
        profile, years = self.columns["profile"], self.columns["years"]
        days = profile.numeric["registered_on"]
        reg_year = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) \
            + _EPOCH_YEAR
        parent = years.parent
        early = years.known["year"] & profile.known["registered_on"][parent] & (
            years.numeric["year"] < reg_year[parent])
        bad = np.zeros(len(days), dtype=bool)
        bad[parent[early]] = True
        return bad

    def _side_fields(self, rows: np.ndarray) -> np.ndarray:
        """Read the free-form object fields of ``rows`` from their lines; a value the validator
        would not take as is marks the record."""
        parsed = self.parsed
        bad = np.zeros(parsed.table.num_rows, dtype=bool)
        for r in rows.tolist():
            try:
                obj = orjson.loads(parsed.raw(int(parsed.line[r])))
            except orjson.JSONDecodeError:
                bad[r] = True
                continue
            for name in SIDE_FIELDS:
                value = obj.get(name) if type(obj) is dict else None
                if value is None:
                    continue
                try:
                    value = _CHECKERS["profile"][name](value)
                except ValueError:
                    bad[r] = True
                    break
                self.side.setdefault(r, {})[name] = (
                    f"{SEPARATOR}{name}={_canon(value)}", json_text(value))
        return bad

    def _hash(self, live: np.ndarray) -> None:
        """``key`` and ``content_hash`` of the items of the ``live`` records."""
        side_rows = np.array(sorted(r for r in self.side if live[r]), dtype=np.int64)
        everything = bool(live.all())
        for name, cols in self.columns.items():
            sec = SECTIONS[name]
            take = np.arange(len(cols.parent)) if everything else np.flatnonzero(
                live[cols.parent])
            cols.parent, cols.item, cols.take = cols.parent[take], cols.item[take], take
            index = None if everything else pa.array(take)
            canon = cols.canon if index is None else [[c.take(index) for c in pieces]
                                                      for pieces in cols.canon]
            if name == "profile":
                canon = self._profile_canon(canon, cols.parent, side_rows)
            text = _join([c for pieces in canon for c in pieces], len(take))
            digests = _md5_hex(text)
            keys = sec.key_fields
            if keys is None:
                key = digests
            elif not keys:
                key = pa.repeat("", len(take)).cast(pa.string())
            else:
                value = cols.values[keys[0]]
                value = value if index is None else value.take(index)
                if value.null_count == 0:
                    key = pc.cast(value, pa.string())
                else:
                    key = pc.if_else(value.is_valid(), pc.cast(value, pa.string()), digests)
            self.keys[name] = (key, digests)

    def _profile_canon(self, canon: list[list[pa.Array]], parent: np.ndarray,
                       side_rows: np.ndarray) -> list[list[pa.Array]]:
        """Put the side fields' texts in their schema place."""
        names = [f.name for f in SECTIONS["profile"].fields]
        position = {r: i for i, r in enumerate(parent.tolist())} if len(side_rows) else {}
        for name in SIDE_FIELDS:
            texts: list[str | None] = [None] * len(parent)
            values: list[str | None] = [None] * len(parent)
            for r in side_rows.tolist():
                entry = self.side.get(r, {}).get(name)
                if entry is not None:
                    texts[position[r]], values[position[r]] = entry
            canon.insert(names.index(name), [pa.array(texts, pa.string())])
            self.columns["profile"].values[name] = pa.array(values, pa.string())
        return canon

    def _duplicate_items(self) -> np.ndarray:
        """Two items of one record with the same identity (their key): the validator reports a
        duplicate (keys are the key field, else the content hash, as validate identifies)."""
        bad = np.zeros(self.parsed.table.num_rows, dtype=bool)
        for name, cols in self.columns.items():
            if name == "profile" or not len(cols.parent):
                continue
            key, _ = self.keys[name]
            codes = pc.dictionary_encode(key).indices.to_numpy(zero_copy_only=False).astype(
                np.int64)
            combined = cols.parent * (int(codes.max()) + 1) + codes
            ordered = np.sort(combined)
            repeated = ordered[1:][ordered[1:] == ordered[:-1]]
            if len(repeated):
                bad[cols.parent[np.isin(combined, repeated)]] = True
        return bad

    # --- the per-record path ------------------------------------------------------------------

    def all_python(self, encoding: str) -> None:
        lines = self.buf.split(b"\n")
        if self.buf.endswith(b"\n") or not self.buf:
            lines.pop()
        self._python_raw = lines
        self.python_lines = [i for i, line in enumerate(lines) if line and not (
            line + b"\n").isspace()]
        self.total = len(self.python_lines)
        self.lines = len(lines)
        self._read_python(self.python_lines, encoding)
        self._resolve_known([])

    def _raw(self, i: int) -> bytes:
        if self.parsed is not None:
            return self.parsed.raw(i)
        raw = self._python_raw[i]
        return raw + b"\n" if i < len(self._python_raw) - 1 or self.buf.endswith(b"\n") else raw

    def _read_python(self, lines: list[int], encoding: str) -> None:
        """Read the lines Arrow did not take, as the JSON Lines reader does."""
        read = jsonl_line_reader(encoding)
        for i in lines:
            raw = self._raw(i)
            if not raw.isspace():
                self._read[i] = read(raw, self.first_row + i)

    def _resolve_known(self, codes: list[str]) -> None:
        """``known`` as a set, asking the caller's function about the chunk's codes."""
        arg = self._known_arg
        if arg is None:
            return
        if not callable(arg):
            self.known = arg if isinstance(arg, (set, frozenset)) else set(arg)
            return
        codes = set(codes)
        for row in self._read.values():
            uscc = row.data.get("uscc") if row.data is not None else None
            if isinstance(uscc, str):
                codes.add(uscc)
        self.known = set(arg(sorted(codes)))

    def _python(self, encoding: str):
        """``(line, uscc, result | None, errors)`` per line of the per-record path."""
        read = jsonl_line_reader(encoding)
        for i in self.python_lines:
            row = self._read.get(i)
            if row is None:  # a record the checks did not prove clean
                raw = self._raw(i)
                if raw.isspace():
                    continue
                row = read(raw, self.first_row + i)
            if row.data is None:
                yield i, "", None, row.errors
                continue
            uscc = row.data.get("uscc")
            uscc = uscc if isinstance(uscc, str) else ""
            result = validate_record(row.data, today=self.today, partial=uscc in self.known)
            yield i, uscc, result, result.errors

    # --- both paths together ------------------------------------------------------------------

    def finish(self, seen: Mapping[str, int], encoding: str) -> BatchResult:
        first_row = self.first_row
        accepted: list[tuple[int, str, object]] = []  # (line, uscc, rows | index of clean row)
        errors: list[tuple[int, str, list[FieldError]]] = []
        warnings: dict[int, tuple[str, list[FieldError]]] = {}
        fallback = 0
        for i, uscc, result, errs in self._python(encoding):
            fallback += 1
            if errs:
                errors.append((i, uscc, errs))
            else:
                accepted.append((i, uscc, result))
        if self.parsed is not None:
            clean_rows = np.flatnonzero(self.clean)
            lines = self.parsed.line[clean_rows].tolist()
            usccs = self.uscc.take(pa.array(clean_rows)).to_pylist()
            accepted.extend(zip(lines, usccs, clean_rows.tolist(), strict=True))
        accepted.sort(key=lambda a: a[0])
        first: dict[str, int] = dict(seen)
        keep_rows: list[int] = []
        python_rows: list[tuple[int, object]] = []
        valid_lines, valid_usccs = [], []
        for i, uscc, what in accepted:
            row = first_row + i
            if uscc in first:
                errors.append((i, uscc, [duplicate_uscc_error(uscc, first[uscc])]))
                continue
            first[uscc] = row
            valid_lines.append(row)
            valid_usccs.append(uscc)
            if isinstance(what, int):
                keep_rows.append(what)
            else:
                python_rows.append((i, what))
                if what.warnings:
                    warnings[i] = (uscc, what.warnings)
        errors.sort(key=lambda e: e[0])
        for i, _, errs in errors:
            for e in errs:
                if e.row is None:
                    e.row = first_row + i
        for i, (_, errs) in warnings.items():
            for e in errs:
                e.row = first_row + i
        sections, present = self._tables(np.array(keep_rows, dtype=np.int64), python_rows)
        return BatchResult(
            sections=sections, present=present,
            valid=pa.table({"row": pa.array(valid_lines, pa.int64()),
                            "uscc": pa.array(valid_usccs, pa.string())}),
            errors=[(first_row + i, u, errs) for i, u, errs in errors],
            warnings=[(first_row + i, u, w) for i, (u, w) in sorted(warnings.items())],
            total=self.total, lines=self.lines, fallback=fallback)

    def _tables(self, keep_rows: np.ndarray, python_rows: list) -> tuple[dict, dict]:
        sections: dict[str, pa.Table] = {}
        present: dict[str, pa.Array] = {}
        keep = np.zeros(self.parsed.table.num_rows if self.parsed is not None else 0, dtype=bool)
        keep[keep_rows] = True
        exploded = [(i, result.record["uscc"], explode(result.record))
                    for i, result in python_rows]
        for name in SECTIONS:
            parts = []
            sent_fast = None
            if self.parsed is not None and name in self.columns:
                parts.append(self._fast_table(name, keep))
                if name != "profile":
                    lists = self.parsed.table.column(name)
                    sent = keep & lists.is_valid().to_numpy(zero_copy_only=False)
                    sent_fast = (self.parsed.line[sent], self.uscc.filter(pa.array(sent)))
            rows, sent_py = self._python_table(name, exploded)
            if rows is not None:
                parts.append(rows)
            table = pa.concat_tables(parts) if parts else _SCHEMAS[name].append(
                _ORDER[0]).append(_ORDER[1]).empty_table()
            if python_rows:
                table = table.sort_by([("_line", "ascending"), ("_item", "ascending")])
            sections[name] = table.drop_columns(["_line", "_item"])
            if name != "profile":
                present[name] = _merge_present(sent_fast, sent_py)
        return sections, present

    def _fast_table(self, name: str, keep: np.ndarray) -> pa.Table:
        cols = self.columns[name]
        mine = keep[cols.parent]
        everything = bool(mine.all()) and len(cols.take) == len(cols.values[
            SECTIONS[name].fields[0].name])
        index = None if everything else pa.array(cols.take[mine])
        local = None if mine.all() else pa.array(np.flatnonzero(mine))
        parent = cols.parent[mine]
        arrays = {}
        if name != "profile":
            arrays["uscc"] = self.uscc.take(pa.array(parent))
        for f in SECTIONS[name].fields:
            value = cols.values[f.name]
            if f.name in SIDE_FIELDS:
                arrays[f.name] = value if local is None else value.take(local)
            else:
                arrays[f.name] = value if index is None else value.take(index)
        key, digest = self.keys[name]
        arrays["key"] = key if local is None else key.take(local)
        arrays["content_hash"] = digest if local is None else digest.take(local)
        arrays["_line"] = pa.array(self.parsed.line[parent], pa.int64())
        arrays["_item"] = pa.array(cols.item[mine], pa.int64())
        schema = _SCHEMAS[name].append(_ORDER[0]).append(_ORDER[1])
        return pa.table(arrays, schema=schema)

    def _python_table(self, name: str, exploded: list) -> tuple[pa.Table | None, list]:
        if not exploded:
            return None, []
        rows = []
        sent = []
        json_fields = [f.name for f in SECTIONS[name].fields
                       if f.type in ("enum_list", "object")]
        # float64 columns: an integer beyond 2**53 in a number field is stored rounded (its hash,
        # computed by explode from the exact value, is not)
        number_fields = [f.name for f in SECTIONS[name].fields if f.type in ("number", "ratio")]
        for i, uscc, sections in exploded:
            items = sections.get(name)
            if items is None:
                continue
            sent.append((i, uscc))
            for k, item in enumerate(items):
                row = dict(item)
                for n in json_fields:
                    row[n] = json_text(row[n])
                for n in number_fields:
                    if row[n] is not None:
                        row[n] = float(row[n])
                if name != "profile":
                    row["uscc"] = uscc
                row["_line"], row["_item"] = i, k
                rows.append(row)
        schema = _SCHEMAS[name].append(_ORDER[0]).append(_ORDER[1])
        return pa.Table.from_pylist(rows, schema=schema), sent


def _merge_present(fast, python: list) -> pa.Array:
    if not python:
        return fast[1] if fast is not None else pa.array([], pa.string())
    lines = [] if fast is None else fast[0].tolist()
    codes = [] if fast is None else fast[1].to_pylist()
    pairs = sorted([*zip(lines, codes, strict=True), *python])
    return pa.array([c for _, c in pairs], pa.string())


def _join(canon: list[pa.Array], n: int) -> pa.Array:
    """Each row's known ``\x1ename=value`` pieces run together (the canonical text with one
    separator in front, which :func:`_md5_hex` skips). Not ``null_handling="skip"``: this
    pyarrow drops the rows where every piece is null."""
    canon = [c for c in canon if c.null_count < len(c)]
    if not canon:
        return pa.array([""] * n, pa.string())
    return pc.binary_join_element_wise(*canon, "", null_handling="replace",
                                       null_replacement="")


def _md5_hex(text: pa.Array) -> pa.Array:
    """The hex md5 of each text without its first character (the one per-row step in Python:
    Arrow has no md5); the texts are read straight from the array's buffers, so ``text`` must
    have no null."""
    if text.null_count:
        raise ValueError("null text")
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset:text.offset + n + 1]
    starts = offsets[:-1] + (offsets[1:] > offsets[:-1])  # skip the leading separator
    data = memoryview(text.buffers()[2])
    texts = map(data.__getitem__, map(slice, starts.tolist(), offsets[1:].tolist()))
    digests = b"".join(map(_DIGEST, map(_MD5, texts)))
    raw = np.frombuffer(digests, dtype=np.uint8)
    hexed = np.empty(len(raw) * 2, dtype=np.uint8)
    hexed[0::2] = _HEX[raw >> 4]
    hexed[1::2] = _HEX[raw & 15]
    offsets = np.arange(0, 32 * n + 1, 32, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets),
                                                  pa.py_buffer(hexed)])


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_DIGEST = methodcaller("digest")
