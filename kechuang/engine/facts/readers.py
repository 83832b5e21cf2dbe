"""Streaming readers for JSON Lines, CSV and Excel files that never lose a row.

Every input row comes out as one :class:`RawRow`: either its data (typed by the schema) or the
errors that kept it from being read, with its 1-based row number (line number for JSON Lines,
spreadsheet row for CSV and Excel, the header being row 1). Files are read in chunks, so memory
does not grow with the file; only :func:`group_rows` (which must see every sheet before it can
build an enterprise) holds its input.

Encodings: UTF-8 with or without BOM, and GBK/GB18030 from Windows users ("CSV (逗号分隔)" in
Chinese Excel). A sample of the file decides; a line that fails in the chosen encoding is tried
in the other before it becomes an ``encoding`` error.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import charset_normalizer
import orjson
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from .cells import CellError, parse_cell
from .errors import (
    Code,
    EmptyFileError,
    EncodingError,
    FactsFileError,
    FieldError,
    HeaderError,
    short_repr,
)
from .schema import (
    LIST_SECTIONS,
    SECTIONS,
    TYPE_LABELS_EN,
    TYPE_LABELS_ZH,
    Field,
    field_by_label,
    get_section,
    sections_with_label,
)
from .validate import Result, validate_record

__all__ = ["RawRow", "GroupedRecord", "iter_jsonl", "iter_csv", "iter_xlsx", "group_rows",
           "detect_encoding", "jsonl_line_reader", "INSTRUCTIONS_SHEET"]

#: The workbook sheet with instructions and examples; readers skip it.
INSTRUCTIONS_SHEET = "说明"
SAMPLE_BYTES = 64 * 1024
_CHUNK = 1 << 16


@dataclass(slots=True)
class RawRow:
    """One input row. ``data`` is ``None`` when nothing could be read (bad JSON, an unknown
    sheet); otherwise the fields that could be read, while ``errors`` lists the cells that could
    not. ``section`` is the section the row belongs to (``None`` for a JSON Lines record, which
    carries every section)."""

    row: int
    sheet: str | None
    data: dict | None
    errors: list[FieldError] = field(default_factory=list)
    section: str | None = None


# --------------------------------------------------------------------------------------------
# Bytes and encodings


def detect_encoding(sample: bytes) -> str:
    """``utf-8-sig``, ``utf-8`` or a Chinese legacy encoding (``gb18030`` unless the detector is
    sure of another); raises :class:`EncodingError` for UTF-16/32, which the line readers cannot
    split (Excel's "Unicode text")."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EncodingError("文件为 UTF-16 编码，请另存为“CSV UTF-8”或 UTF-8 文本后再导入",
                            "UTF-16 files are not supported: save as UTF-8")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(sample).best()
    name = codecs.lookup(best.encoding).name if best is not None else "gb18030"
    if name in ("big5", "big5hkscs", "cp950"):
        return name
    return "gb18030"  # GBK, GB2312, cp936 and guesses like cp1252 on short Chinese samples


class _Source:
    """A path or a binary stream, read line by line after an encoding sample."""

    def __init__(self, src) -> None:
        if isinstance(src, (str, os.PathLike)):
            self.stream, self.owned = open(src, "rb"), True  # noqa: SIM115 - closed in close()
        elif isinstance(src, io.TextIOBase):
            raise TypeError("pass a path or a binary stream (open the file with 'rb')")
        else:
            self.stream, self.owned = src, False
        try:
            self.head = self.stream.read(SAMPLE_BYTES)
            self.encoding = detect_encoding(self.head) if self.head else "utf-8"
        except BaseException:
            self.close()
            raise

    def lines(self) -> Iterator[bytes]:
        """Raw lines with their line ending, BOM removed; memory is one chunk plus one line."""
        head = self.head
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8):]
        parts: list[bytes] = []
        chunk = head
        while chunk:
            start = 0
            while (nl := chunk.find(b"\n", start)) >= 0:
                if parts:
                    parts.append(chunk[start:nl + 1])
                    yield b"".join(parts)
                    parts = []
                else:
                    yield chunk[start:nl + 1]
                start = nl + 1
            if start < len(chunk):
                parts.append(chunk[start:])
            chunk = self.stream.read(_CHUNK)
        if parts:
            yield b"".join(parts)

    def close(self) -> None:
        if self.owned:
            self.stream.close()


def _decoder(encoding: str):
    """Decode one line: the file's encoding, else the other likely one, else ``None``."""
    primary = "utf-8" if encoding == "utf-8-sig" else encoding
    fallback = "gb18030" if primary == "utf-8" else "utf-8"

    def decode(raw: bytes) -> str | None:
        try:
            return raw.decode(primary)
        except UnicodeDecodeError:
            pass
        try:
            return raw.decode(fallback)
        except UnicodeDecodeError:
            return None

    return decode


def _file_error(code: Code, path: str, zh: str, en: str, row: int, sheet: str | None,
                value: object = None) -> FieldError:
    return FieldError(path=path, field="", code=code, message=zh, message_en=en,
                      value=None if value is None else short_repr(value), row=row, sheet=sheet)


# --------------------------------------------------------------------------------------------
# JSON Lines

_NOT_PARSED = object()


def iter_jsonl(src) -> Iterator[RawRow]:
    """One :class:`RawRow` per non-blank line of a JSON Lines file (``row`` = line number).

    A line that is not JSON, not an object, or not decodable is an error row (``json`` /
    ``encoding``); the next line is read normally. An empty file (or only blank lines) raises
    :class:`EmptyFileError`."""
    source = _Source(src)
    try:
        if not source.head:
            raise EmptyFileError("文件为空", "the file is empty")
        read_line = jsonl_line_reader(source.encoding)
        seen = False
        for lineno, raw in enumerate(source.lines(), 1):
            if raw.isspace():
                continue
            seen = True
            yield read_line(raw, lineno)
        if not seen:
            raise EmptyFileError("文件只有空行，没有数据", "the file has only blank lines")
    finally:
        source.close()


def jsonl_line_reader(encoding: str):
    """``read(raw, lineno) -> RawRow`` for the non-blank lines of a JSON Lines file in
    ``encoding`` (as :func:`detect_encoding` names it): what :func:`iter_jsonl` yields for the
    line, so the batch path (:mod:`.batch`) reports a line it cannot take exactly the same way.
    ``raw`` is the line with its line ending."""
    decode = _decoder(encoding)
    utf8 = encoding in ("utf-8", "utf-8-sig")

    def read(raw: bytes, lineno: int) -> RawRow:
        if utf8:
            try:  # orjson checks UTF-8 itself: no str copy of the line on the fast path
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError:
                obj = _NOT_PARSED
        else:
            obj = _NOT_PARSED
        if obj is _NOT_PARSED:
            text = decode(raw)
            if text is None:
                return RawRow(lineno, None, None, [_file_error(
                    Code.ENCODING, "", f"第{lineno}行 无法按 {encoding} 编码读取",
                    f"line {lineno} cannot be decoded as {encoding}", lineno, None)])
            try:
                obj = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                return RawRow(lineno, None, None, [_file_error(
                    Code.JSON, "", f"第{lineno}行 不是合法的 JSON：{exc}",
                    f"line {lineno} is not valid JSON: {exc}", lineno, None, text.strip())])
        if type(obj) is not dict:
            return RawRow(lineno, None, None, [_file_error(
                Code.JSON, "", f"第{lineno}行 应为一个 JSON 对象（一个企业一行）",
                f"line {lineno} must be a JSON object (one enterprise per line)", lineno,
                None, obj)])
        return RawRow(lineno, None, obj)

    return read


# --------------------------------------------------------------------------------------------
# Spreadsheet rows (CSV and Excel share the header mapping and the cell conversion)


def _map_header(cells: Iterable, section: str) -> tuple[list[Field | None], str | None, str]:
    """The field of each column (``None`` for a blank header), and when some headers name no
    field of the section or name one a second time (which would overwrite it), the Chinese and
    English description of the problem."""
    fields: list[Field | None] = []
    unknown: list[str] = []
    repeated: list[str] = []
    for cell in cells:
        text = "" if cell is None else str(cell).strip()
        f = field_by_label(text, section) if text else None
        if text and f is None:
            unknown.append(text)
        elif f is not None and f in fields:
            repeated.append(text)
            f = None
        fields.append(f)
    zh, en = [], []
    if unknown:
        zh.append(f"未知的列：{'、'.join(unknown)}（{SECTIONS[section].label_zh}表没有这些列）")
        en.append(f"unknown columns for {section}: {', '.join(unknown)}")
    if repeated:
        zh.append(f"重复的列：{'、'.join(repeated)}")
        en.append(f"columns given twice: {', '.join(repeated)}")
    return fields, ("；".join(zh) or None), "; ".join(en)


def detect_section(headers: Iterable) -> str:
    """The section whose columns include every header; :class:`HeaderError` when none or
    several do (pass ``section=`` then)."""
    names = [str(h).strip() for h in headers if h is not None and str(h).strip()]
    if not names:
        raise HeaderError("第1行应为列名（如 统一社会信用代码、年度 …），但为空",
                          "row 1 must hold the column headers")
    candidates = set(SECTIONS)
    unknown = []
    for name in names:
        having = set(sections_with_label(name))
        if not having:
            unknown.append(name)
        else:
            candidates &= having
    if unknown:
        raise HeaderError(f"未知的列：{'、'.join(unknown)}（请使用模板中的列名）",
                          f"unknown columns: {', '.join(unknown)}")
    if len(candidates) != 1:
        options = "、".join(SECTIONS[c].label_zh for c in SECTIONS if c in candidates)
        zh = (f"无法判断这些列属于哪张表（可能是：{options}），请指定数据类型" if candidates
              else "这些列不属于同一张表，请按模板分表填写")
        raise HeaderError(zh, f"cannot tell the section from the headers ({len(candidates)} match)")
    return candidates.pop()


def _convert_row(values, fields: list[Field | None], section: str, row: int,
                 sheet: str | None, formulas: dict[int, str] | None = None) -> RawRow | None:
    """A spreadsheet row as a RawRow; ``None`` for a row with no value at all. ``formulas`` maps
    the (0-based) columns whose Excel cell holds a formula to its text: such a cell is reported
    (``formula_cell``) and not read, because its value is whatever Excel last computed, if
    anything."""
    data: dict = {}
    errors: list[FieldError] = []
    sec = SECTIONS[section]
    empty = True
    for i, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        empty = False
        f = fields[i] if i < len(fields) else None
        if f is None:
            errors.append(_file_error(
                Code.UNKNOWN_COLUMN, "", _where(sheet, sec, row) + f"第{i + 1}列没有列名，但有值",
                f"row {row}: column {i + 1} has a value but no header", row, sheet, value))
            continue
        if formulas and i in formulas:
            errors.append(_formula_error(f, section, sec, row, sheet, i, formulas[i]))
            continue
        try:
            parsed = parse_cell(f, value)
        except CellError:
            path = _field_path(f, section)
            errors.append(FieldError(
                path=path, field=f.name, code=Code.TYPE,
                message=f"{_where(sheet, sec, row)}{f.label_zh} 应为{TYPE_LABELS_ZH[f.type]}，"
                        f"不能是（{short_repr(value)}）",
                message_en=f"row {row}: {f.name} must be {TYPE_LABELS_EN[f.type]}, got "
                           f"{short_repr(value)}",
                value=short_repr(value), row=row, sheet=sheet))
            continue
        if parsed is not None:
            data[f.name] = parsed
    if empty:
        return None
    return RawRow(row, sheet, data, errors, section)


def _where(sheet: str | None, sec, row: int) -> str:
    return f"{sheet or sec.label_zh} 第{row}行 "


def _field_path(f: Field, section: str) -> str:
    return f.name if section == "profile" or f.name == "uscc" else f"{section}.{f.name}"


def _formula_error(f: Field, section: str, sec, row: int, sheet: str | None, column: int,
                   formula: str) -> FieldError:
    letter = get_column_letter(column + 1)
    return FieldError(
        path=_field_path(f, section), field=f.name, code=Code.FORMULA_CELL,
        message=f"{_where(sheet, sec, row)}{f.label_zh}（{letter}列）单元格含公式 {formula}，"
                f"请粘贴为数值",
        message_en=f"row {row}: {f.name} (column {letter}) holds the formula {formula}: paste "
                   f"it as a value",
        value=short_repr(formula), row=row, sheet=sheet)


def _formula_text(value: object) -> str:
    """The text of a formula cell's value (a string, or an array / data-table formula)."""
    if isinstance(value, str):
        return value if value.startswith("=") else "=" + value
    text = getattr(value, "text", None)
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    return "=" + type(value).__name__


def _unquote(value: str) -> str:
    """A CSV cell as it was before the writers' :func:`~.writers.safe_cell` quote: ``'=x`` → ``=x``
    (only before a character that starts a formula, so other leading quotes are kept)."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


# --------------------------------------------------------------------------------------------
# CSV


def iter_csv(src, section: str | None = None) -> Iterator[RawRow]:
    """One :class:`RawRow` per data row of a CSV file whose first row holds the headers
    (Chinese labels, with or without ``（元）``, or English field names). The delimiter (comma,
    semicolon or tab) is taken from the header row. ``section`` is detected from the headers when
    not given; headers that name no column raise :class:`HeaderError` before any row is read.
    Blank rows are skipped; ``row`` is the spreadsheet row (the header is row 1)."""
    source = _Source(src)
    try:
        if not source.head.strip(b"\xef\xbb\xbf \r\n\t"):
            raise EmptyFileError("文件为空", "the file is empty")
        decode = _decoder(source.encoding)
        bad_lines: set[int] = set()

        def text_lines():
            for n, raw in enumerate(source.lines(), 1):
                text = decode(raw)
                if text is None:
                    bad_lines.add(n)
                    text = raw.decode("utf-8", "replace")
                yield text

        lines = text_lines()
        first = next(lines)
        delimiter = max(",;\t", key=first.count)
        reader = csv.reader(_chain_first(first, lines), delimiter=delimiter)
        header = next(reader)
        if section is None:
            section = detect_section(header)
        elif section not in SECTIONS:
            raise ValueError(f"unknown section {section!r}")
        fields, problem, problem_en = _map_header(header, section)
        if problem:
            raise HeaderError(problem, problem_en)
        previous_line = reader.line_num
        for row, values in enumerate(reader, 2):
            raw_row = _convert_row([_unquote(v) for v in values], fields, section, row, None)
            spanned = range(previous_line + 1, reader.line_num + 1)
            previous_line = reader.line_num
            if bad_lines and any(n in bad_lines for n in spanned):
                error = _file_error(Code.ENCODING, "", f"第{row}行 有无法识别的字符（文件编码不一致）",
                                    f"row {row} has bytes that cannot be decoded", row, None)
                raw_row = RawRow(row, None, None, [error], section)
            if raw_row is not None:
                yield raw_row
    finally:
        source.close()


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


# --------------------------------------------------------------------------------------------
# Excel


def iter_xlsx(src) -> Iterator[RawRow]:
    """One :class:`RawRow` per data row of every section sheet (named by the section's Chinese
    name, e.g. 年度数据, or its English name). The 说明 sheet is skipped. A sheet that names no
    section, or whose header has unknown columns, yields one error row (``unknown_sheet`` /
    ``unknown_column``) that says how many data rows were not read; the other sheets are read."""
    if isinstance(src, (str, os.PathLike)) and os.path.getsize(src) == 0:
        raise EmptyFileError("文件为空", "the file is empty")
    try:
        # Formulas visible (not data_only): a formula cell is reported, never read as the value
        # Excel last cached for it (or None, when the file was not saved by Excel).
        workbook = load_workbook(src, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise FactsFileError("不是有效的 Excel（.xlsx）文件", f"not a valid .xlsx file: {exc}") \
            from exc
    try:
        for ws in workbook.worksheets:
            title = ws.title
            if title.strip() == INSTRUCTIONS_SHEET:
                continue
            rows = ws.iter_rows()
            sec = get_section(title)
            if sec is None:
                count = sum(1 for cells in rows if _has_value(_values(cells)))
                known = "、".join(s.label_zh for s in SECTIONS.values())
                yield RawRow(1, title, None, [_file_error(
                    Code.UNKNOWN_SHEET, "", f"工作表“{title}”不是数据表（应为：{known}），"
                    f"其中 {count} 行未导入", f"sheet {title!r} names no section; {count} rows "
                    "were not read", 1, title, title)], None)
                continue
            header = next(rows, None)
            header = None if header is None else _values(header)
            if header is None or not _has_value(header):
                continue
            fields, problem, problem_en = _map_header(header, sec.name)
            if problem:
                count = sum(1 for cells in rows if _has_value(_values(cells)))
                yield RawRow(1, title, None, [_file_error(
                    Code.UNKNOWN_COLUMN, "", f"工作表“{title}”{problem}，其中 {count} 行未导入",
                    f"sheet {title!r}: {problem_en}; {count} rows were not read", 1, title,
                    None)], sec.name)
                continue
            for row, cells in enumerate(rows, 2):
                values = _values(cells)
                formulas = {i: _formula_text(cell.value) for i, cell in enumerate(cells)
                            if cell.data_type == "f" and cell.value is not None}
                raw_row = _convert_row(values, fields, sec.name, row, title, formulas)
                if raw_row is not None:
                    yield raw_row
    finally:
        workbook.close()


def _values(cells) -> list:
    return [cell.value for cell in cells]


def _has_value(values) -> bool:
    return any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values)


# --------------------------------------------------------------------------------------------
# Grouping rows into records


@dataclass(slots=True)
class GroupedRecord:
    """The rows of one enterprise put together as an interchange record.

    ``origins`` maps a record path (``""`` for the profile, ``years[0]`` …) to the ``(sheet, row)``
    it came from, so :meth:`locate` can tell the user which row to fix. ``errors`` are the
    reader's errors for these rows (cells that could not be read): the record is incomplete when
    there are any. A group with ``uscc=None`` holds rows that could not be attributed to any
    enterprise (bad JSON, unknown sheets, a missing code)."""

    uscc: str | None
    record: dict | None
    origins: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    def locate(self, errors: Iterable[FieldError]) -> list[FieldError]:
        """``errors`` with ``row`` and ``sheet`` filled in from the row each path came from."""
        out = []
        for error in errors:
            if error.row is None:
                path = error.path
                cut = path.find("]")
                origin = self.origins.get(path[:cut + 1] if cut >= 0 else "")
                if origin is None:
                    origin = self.origins.get("") or next(iter(self.origins.values()), None)
                if origin is not None:
                    error.sheet, error.row = origin
            out.append(error)
        return out

    def validate(self, *, today: date, partial: bool = False) -> Result:
        """Validate the record; the reader's errors come first and reject it too."""
        if self.record is None:
            return Result(False, None, list(self.errors), [])
        result = validate_record(self.record, today=today, partial=partial)
        errors = self.errors + self.locate(result.errors)
        return Result(not errors, result.record, errors, self.locate(result.warnings))


def group_rows(raw_rows: Iterable[RawRow]) -> list[GroupedRecord]:
    """Put section rows (from any mix of CSV files and workbooks) together by 统一社会信用代码.

    Profile rows give the top-level fields; every other row is appended to its list (``years``
    rows to ``years`` …). An enterprise with no profile row still gets a record, with only
    ``uscc`` and its lists: a feed may send annual facts only (validate it with
    ``partial=True``; whether ``name`` and ``registered_on`` are needed is the importer's call,
    as they are required only to create an enterprise). A JSON Lines row (``section=None``) is a
    whole record and is merged the same way. Groups come out in order of first appearance; this
    function holds all rows in memory (spreadsheets are bounded; stream JSON Lines directly)."""
    groups: dict[object, GroupedRecord] = {}
    for raw in raw_rows:
        data = raw.data
        uscc = data.get("uscc") if data is not None else None
        if data is None or not isinstance(uscc, str) or not uscc:
            errors = list(raw.errors)
            if data is not None:
                where = f"{raw.sheet or _section_label(raw.section)} 第{raw.row}行 ".lstrip()
                errors.append(FieldError(
                    path="uscc", field="uscc", code=Code.REQUIRED,
                    message=f"{where}统一社会信用代码 为必填项，不能为空",
                    message_en=f"row {raw.row}: uscc is required", row=raw.row, sheet=raw.sheet))
            groups[("#row", len(groups))] = GroupedRecord(None, None, {}, errors)
            continue
        group = groups.get(uscc)
        if group is None:
            group = groups[uscc] = GroupedRecord(uscc, {"uscc": uscc})
        origin = (raw.sheet, raw.row)
        section = raw.section
        if section is None:
            _merge_record(group, data, origin)
        elif section == "profile":
            if "" in group.origins:
                sheet, row = group.origins[""]
                where = f"{raw.sheet or _section_label(section)} 第{raw.row}行 "
                group.errors.append(FieldError(
                    path="uscc", field="uscc", code=Code.DUPLICATE,
                    message=f"{where}统一社会信用代码 重复（{uscc}），与第{row}行是同一企业",
                    message_en=f"row {raw.row}: a second profile row for {uscc} (first: row "
                               f"{row})", value=uscc, row=raw.row, sheet=raw.sheet))
            else:
                group.origins[""] = origin
                group.record.update(data)
        else:
            items = group.record.setdefault(section, [])
            index = len(items)
            items.append({k: v for k, v in data.items() if k != "uscc"})
            group.origins[f"{section}[{index}]"] = origin
            for error in raw.errors:
                if error.path.startswith(f"{section}."):
                    error.path = f"{section}[{index}]{error.path[len(section):]}"
        group.errors.extend(raw.errors)
    return list(groups.values())


def _merge_record(group: GroupedRecord, data: dict, origin) -> None:
    record = group.record
    group.origins.setdefault("", origin)
    for key, value in data.items():
        if key in _LIST_NAMES and isinstance(value, list) and isinstance(record.get(key), list):
            start = len(record[key])
            record[key].extend(value)
            for i in range(start, len(record[key])):
                group.origins[f"{key}[{i}]"] = origin
        else:
            record[key] = value
            if key in _LIST_NAMES and isinstance(value, list):
                for i in range(len(value)):
                    group.origins[f"{key}[{i}]"] = origin


_LIST_NAMES = frozenset(LIST_SECTIONS)


def _section_label(section: str | None) -> str:
    return SECTIONS[section].label_zh if section else ""
