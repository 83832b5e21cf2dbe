"""Checks an import applies to valid records before they are staged for the loader.

- **Region** (:class:`RegionGuard`): an importer limited to a region (a district regulator) may
  neither create an enterprise outside it, nor rename or move one that lies outside it today. The
  record's ``region_code`` and, for an enterprise the platform knows (by 统一社会信用代码), its
  current region must both be covered by the importer (``covers_region``). City-wide regulators
  are checked the same way and cover their districts; command-line and demo imports (no user) and
  superusers are not limited.
- **Duplicates** (:func:`jsonl_duplicates`, :func:`duplicate_error`): when the same code appears
  on two rows of one file nobody can tell which one is right, so every such row is quarantined
  with its own values, and none is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import orjson

from kechuang.accounts.access import covers_region, region_scope
from kechuang.core.formatting import region_name
from kechuang.engine.facts import batch as fact_batch
from kechuang.engine.facts.errors import Code, FieldError
from kechuang.enterprises.loading import existing_regions

from .error_codes import IngestErrorCode as E


def _where(row: int | None, sheet: str | None) -> str:
    if row is None:
        return ""
    return f"{sheet} 第 {row} 行：" if sheet else f"第 {row} 行："


def _region_label(code: str) -> str:
    """A district by its name (pages show no bare region codes)."""
    return region_name(code)


class RegionGuard:
    """Whether ``user`` may write a record's enterprise (see the module docstring). ``user`` is the
    importer (a ``User``) or ``None`` for a system import."""

    def __init__(self, user) -> None:
        self.user = user if hasattr(user, "pk") else None
        scope = region_scope(self.user) if self.user is not None else ""
        self.limited = scope != ""  # None (not a regulator any more) covers nothing at all
        self.scope_label = _region_label(self.user.organization.region_id) if (
            self.limited and self.user.organization is not None) else "—"

    def errors(self, items: Iterable[tuple[int | None, str | None, str, str | None]]) -> dict[str, FieldError]:
        """``{uscc: error}`` for the records ``(row, sheet, uscc, region_code)`` the user may not
        write (``region_code`` ``None`` when the record does not send one)."""
        if not self.limited:
            return {}
        items = list(items)
        current = existing_regions(uscc for _r, _s, uscc, _reg in items)
        found: dict[str, FieldError] = {}
        for row, sheet, uscc, region in items:
            error = self.error(row=row, sheet=sheet, uscc=uscc, region=region, current=current.get(uscc))
            if error is not None:
                found[uscc] = error
        return found

    def error(self, *, row: int | None, sheet: str | None, uscc: str, region: str | None,
              current: str | None) -> FieldError | None:
        """The reason the user may not write this record, or ``None``. ``current`` is the known
        enterprise's region today (``None`` for an enterprise new to the platform)."""
        if not self.limited:
            return None
        where = _where(row, sheet)
        if current is not None and not covers_region(self.user, current):
            return FieldError(
                path="uscc", field="uscc", code=E.OUTSIDE_REGION, value=uscc, row=row, sheet=sheet,
                message=f"{where}统一社会信用代码 {uscc} 对应的企业属于{_region_label(current)}，"
                        f"不在您的管辖范围（{self.scope_label}）内，不能通过导入修改或迁入该企业",
                message_en=f"{uscc} belongs to {current}, outside the importer's region: not written")
        if region is None and current is None:
            return FieldError(
                path="region_code", field="region_code", code=E.OUTSIDE_REGION, value=None, row=row,
                sheet=sheet,
                message=f"{where}新建企业 {uscc} 缺少所属区划，只能在您的管辖范围（{self.scope_label}）内新建企业",
                message_en=f"new enterprise {uscc} has no region_code; the importer may only create "
                           "enterprises in its region")
        if region is not None and not covers_region(self.user, region):
            return FieldError(
                path="region_code", field="region_code", code=E.OUTSIDE_REGION, value=region, row=row,
                sheet=sheet,
                message=f"{where}所属区划 {_region_label(region)} 不在您的管辖范围（{self.scope_label}）内，"
                        f"不能新建或迁移企业 {uscc} 到该区划",
                message_en=f"region_code {region} of {uscc} is outside the importer's region: not written")
        return None


def duplicate_error(uscc: str, row: int, rows: list[int], sheet: str | None = None) -> FieldError:
    """The reason every row of a code that appears more than once in a file is quarantined."""
    listed = "、".join(str(r) for r in rows)
    return FieldError(
        path="uscc", field="uscc", code=Code.DUPLICATE, value=uscc, row=row, sheet=sheet,
        message=f"{_where(row, sheet)}统一社会信用代码 {uscc} 在本文件中出现 {len(rows)} 次（第 {listed} 行），"
                "无法确定以哪一行为准：这些行均已隔离、均未入库，请核对后逐行修正提交或放弃",
        message_en=f"{uscc} appears {len(rows)} times in this file (rows {', '.join(map(str, rows))}): "
                   "every one is quarantined, none loaded")


def _line_uscc(line: bytes, encoding: str) -> str | None:
    if not line.strip():
        return None
    try:
        data = orjson.loads(line) if encoding in ("utf-8", "utf-8-sig") else json.loads(line.decode(encoding))
    except (ValueError, UnicodeDecodeError):
        return None
    uscc = data.get("uscc") if isinstance(data, dict) else None
    return uscc if isinstance(uscc, str) and uscc else None


def jsonl_duplicates(path: Path, *, chunk_bytes: int = fact_batch.CHUNK_BYTES) -> dict[str, list[int]]:
    """``{uscc: [row, …]}`` for each code on more than one line of a JSON Lines file, rows
    numbered as the validator numbers them. One pass before the import, so a duplicate is known
    before either of its rows is staged, whichever chunks they fall in."""
    rows_of: dict[str, int | list[int]] = {}
    first_row = 1
    for chunk, encoding in fact_batch.iter_chunks(path, size=chunk_bytes):
        lines = chunk.split(b"\n")
        if chunk.endswith(b"\n"):
            lines.pop()
        for i, line in enumerate(lines):
            uscc = _line_uscc(line, encoding)
            if uscc is None:
                continue
            row = first_row + i
            seen = rows_of.get(uscc)
            if seen is None:
                rows_of[uscc] = row
            elif isinstance(seen, int):
                rows_of[uscc] = [seen, row]
            else:
                seen.append(row)
        first_row += len(lines)
    return {uscc: rows for uscc, rows in rows_of.items() if isinstance(rows, list)}
