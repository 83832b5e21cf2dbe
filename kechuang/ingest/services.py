"""Writes of the ingest app: creating import runs, executing them, and fixing quarantined rows.

The pipeline of :func:`import_run_execute` streams the file once, inside one transaction:

read (JSON Lines, CSV or XLSX, any of UTF-8/GBK) → group flat rows into records → validate each
record → stage the valid ones for the set-based loader, keep the invalid ones (with row, field
and reason) for the quarantine → apply the load → refresh summaries → write the quarantine → audit.

Either all of that commits or none of it does; a file-level problem (empty, unreadable) rejects
the run before anything is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import shutil
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.choices import AuditAction
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import audit_record, job_enqueue
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from kechuang.engine.facts import batch as fact_batch
from kechuang.engine.facts import batch_pool
from kechuang.engine.facts import readers
from kechuang.engine.facts.errors import Code, EmptyFileError, FactsFileError, FieldError
from kechuang.engine.facts.validate import explode, json_value as to_jsonable_value, validate_record
from kechuang.enterprises.choices import ImportMode, SourceKind
from kechuang.engine.facts.uscc import is_valid_uscc
from kechuang.enterprises.loading import FactLoader, existing_usccs
from kechuang.enterprises.models import DataSource, Enterprise, SourceBatch
from kechuang.enterprises.services import (data_source_ensure, enterprise_summaries_refresh,
                                           source_batch_create)
from kechuang.enterprises.summary import summarize

from .choices import FileFormat, ImportStatus, QuarantineStatus
from .error_codes import IngestErrorCode as E
from .models import ImportRun, QuarantinedRow

_CHUNK = 5000


def can_import(user) -> bool:
    """Imports write to the whole region's theme database: regulators' admins and officers (and
    superusers) may run them."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    org = user.organization
    return bool(org and org.is_regulator and user.role in ("admin", "officer"))


def detect_format(file_name: str) -> str:
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson", "json"):
        return FileFormat.JSONL
    if suffix in ("csv", "txt"):
        return FileFormat.CSV
    if suffix in ("xlsx", "xlsm"):
        return FileFormat.XLSX
    raise ValidationError(_("不支持的文件格式 “%(s)s”：请上传 .jsonl、.csv 或 .xlsx 文件。") % {"s": suffix or "?"},
                          code=E.FORMAT)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_run_create(*, path: Path, file_name: str, source: DataSource, actor,
                      mode: str = ImportMode.UPSERT, section: str = "", store_copy: bool = True,
                      enqueue: bool = False) -> ImportRun:
    """Register a file for import. Web uploads are copied under ``MEDIA_ROOT/imports`` (so the
    job can run later and the run can be repeated); command-line imports read the file in place.
    With ``enqueue`` a background job is queued to execute it."""
    if hasattr(actor, "pk") and not can_import(actor):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以导入数据。"))
    file_format = detect_format(file_name)
    sha = _sha256(path)
    if store_copy:
        target_dir = Path(settings.MEDIA_ROOT) / "imports"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"{sha}.{file_format}"
        if not target.exists():
            shutil.copyfile(path, target)
        path = target
    run = ImportRun.objects.create(
        source=source, file_name=file_name[:255], file_path=str(path), file_sha256=sha,
        file_size=path.stat().st_size, file_format=file_format, section=section, mode=mode,
        created_by=actor if hasattr(actor, "pk") else None)
    if enqueue:
        job = job_enqueue(kind="ingest.import", params={"run_id": run.pk}, actor=actor)
        ImportRun.objects.filter(pk=run.pk).update(job=job)
        run.job = job
    return run


@dataclass
class _Candidate:
    """A spreadsheet record with where it came from; ``group`` (set whenever ``data`` is) can
    locate each error's sheet and row."""

    row: int
    sheet: str | None
    data: dict | None
    errors: list[FieldError]
    group: readers.GroupedRecord | None = None

    def validate(self, *, today: date, partial: bool):
        return self.group.validate(today=today, partial=partial)


def _candidates(run: ImportRun) -> Iterator[_Candidate]:
    """Records of a spreadsheet file (CSV or XLSX), grouped from their section rows."""
    path = Path(run.file_path)
    if run.file_format == FileFormat.CSV:
        rows = readers.iter_csv(path, section=run.section or None)
    else:
        rows = readers.iter_xlsx(path)
    for group in readers.group_rows(rows):
        sheet, row = group.origins.get("") or next(iter(group.origins.values()), (None, 0))
        if group.record is None and group.errors:
            sheet, row = group.errors[0].sheet, group.errors[0].row or 0
        yield _Candidate(row, sheet, group.record, [] if group.record is not None else list(group.errors),
                         group=group if group.record is not None else None)


def count_records(run: ImportRun) -> int | None:
    """A quick total for the progress bar (lines of a JSON Lines file); ``None`` when unknown."""
    if run.file_format != FileFormat.JSONL:
        return None
    total = 0
    with open(run.file_path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            total += block.count(b"\n")
    return total


def _jsonable(data):
    """Spreadsheet cells arrive typed (dates, decimals); the quarantine stores them as JSON."""
    return None if data is None else to_jsonable_value(data)


def _unknown_enterprise_error(uscc: str, missing: list[str]) -> FieldError:
    labels = {"name": "企业名称", "registered_on": "成立日期"}
    return FieldError(
        path="", field=missing[0], code=Code.REQUIRED,
        message=f"企业 {uscc} 尚未建档，新建企业必须提供" + "、".join(labels.get(m, m) for m in missing),
        message_en=f"enterprise {uscc} is new to the platform: {', '.join(missing)} required", value=None)


def import_run_execute(*, run: ImportRun, actor, progress: Progress | None = None,
                       today: date | None = None) -> ImportRun:
    """Execute an import run all-or-nothing (see the module docstring)."""
    progress = progress or NullProgress()
    today = today or timezone.localdate()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING)
    try:
        with transaction.atomic():
            outcome = _execute(run, actor, progress, today)
    except FactsFileError as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.REJECTED, error=f"{exc.message}\n{exc.message_en}",
            finished_at=timezone.now())
        run.refresh_from_db()
        return run
    except Exception as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.FAILED, error=_("导入失败，未写入任何数据：%(e)s") % {"e": exc},
            finished_at=timezone.now())
        raise
    ImportRun.objects.filter(pk=run.pk).update(**outcome, status=ImportStatus.APPLIED,
                                               finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _execute(run: ImportRun, actor, progress: Progress, today: date) -> dict:
    if run.file_format == FileFormat.JSONL:
        return _execute_jsonl(run, actor, progress, today)
    return _execute_records(run, actor, progress, today)


def _quarantine_entry(run: ImportRun, row: int, uscc: str, errors: list[FieldError],
                      line: bytes | None, encoding: str) -> QuarantinedRow:
    """A rejected JSON Lines record, kept whole: the parsed object, or the raw line when it is
    not JSON."""
    data, raw_text = None, ""
    if line is not None:
        try:
            parsed = orjson.loads(line)
            data = parsed if isinstance(parsed, dict) else None
            raw_text = "" if data is not None else line.decode(encoding, errors="replace")
        except orjson.JSONDecodeError:
            raw_text = line.decode(encoding, errors="replace")
    return QuarantinedRow(run=run, row=row, uscc=uscc[:64], data=data, raw_text=raw_text[:100_000].rstrip("\r\n"),
                          errors=[e.to_dict() for e in errors])


def _line_count(chunk: bytes) -> int:
    """Lines in a chunk as the validator counts them (the last may lack its line ending)."""
    return chunk.count(b"\n") + (1 if chunk and not chunk.endswith(b"\n") else 0)


#: Files larger than one chunk are validated in a worker process (tests make it small).
CHUNK_BYTES = fact_batch.CHUNK_BYTES


def _without_usccs(result: fact_batch.BatchResult, drop: set[str]) -> fact_batch.BatchResult:
    """The chunk without the records of ``drop`` (codes already accepted in an earlier chunk)."""
    codes = pa.array(sorted(drop), pa.string())

    def keep(values):
        return pc.invert(pc.is_in(values, value_set=codes))

    return dataclasses.replace(
        result,
        sections={name: t.filter(keep(t["uscc"])) if t.num_rows else t for name, t in result.sections.items()},
        present={name: a.filter(keep(a)) for name, a in result.present.items()},
        valid=result.valid.filter(keep(result.valid["uscc"])))


def _validated_chunks(path: Path, today: date, known: set[str]):
    """``(first_row, chunk, encoding, result)`` per chunk. A file of more than one chunk is
    validated one chunk ahead in a worker process, so validation (Python, one core) overlaps the
    database writes of the chunk before (the PostgreSQL server, the other core)."""
    chunks = fact_batch.iter_chunks(path, size=CHUNK_BYTES)
    if path.stat().st_size <= CHUNK_BYTES:
        first_row = 1
        for chunk, encoding in chunks:
            yield first_row, chunk, encoding, fact_batch.validate_lines(
                chunk, first_row=first_row, today=today, known=known, encoding=encoding)
            first_row += _line_count(chunk)
        return
    pending: deque = deque()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=batch_pool.init, initargs=(known, today)) as pool:
        first_row = 1
        for chunk, encoding in chunks:
            pending.append((first_row, chunk, encoding,
                            pool.submit(batch_pool.validate, chunk, first_row, encoding)))
            first_row += _line_count(chunk)
            if len(pending) >= 2:
                row, data, enc, future = pending.popleft()
                yield row, data, enc, future.result()
        while pending:
            row, data, enc, future = pending.popleft()
            yield row, data, enc, future.result()


def _execute_jsonl(run: ImportRun, actor, progress: Progress, today: date) -> dict:
    """JSON Lines, chunk by chunk through the vectorised validator (same accepted records, rows
    and errors as the per-record path, which it falls back to line by line where it must)."""
    batch = source_batch_create(source=run.source, actor=actor, file_name=run.file_name,
                                file_sha256=run.file_sha256, file_format=run.file_format, mode=run.mode)
    with FactLoader(batch=batch, mode=run.mode,
                     is_synthetic=run.source.kind == SourceKind.SYNTHETIC) as loader:
        progress.start(count_records(run), _("校验并暂存记录"))
        known = set(Enterprise.objects.values_list("uscc", flat=True))
        seen: dict[str, int] = {}
        quarantine: list[QuarantinedRow] = []
        warnings: list[dict] = []
        total = valid = 0
        for first_row, chunk, encoding, result in _validated_chunks(Path(run.file_path), today, known):
            lines = chunk.split(b"\n") if result.errors or seen else None
            # A code accepted in an earlier chunk is a duplicate here (each chunk knows only itself).
            repeated = {u: r for r, u in result.valid_usccs if u in seen}
            if repeated:
                result = _without_usccs(result, set(repeated))
                for uscc, row in repeated.items():
                    quarantine.append(_quarantine_entry(
                        run, row, uscc, [fact_batch.duplicate_uscc_error(uscc, seen[uscc])],
                        lines[row - first_row], encoding))
            total += result.total
            valid += result.valid.num_rows
            for row, uscc, errors in result.errors:
                index = row - first_row
                quarantine.append(_quarantine_entry(run, row, uscc, errors,
                                                    lines[index] if 0 <= index < len(lines) else None,
                                                    encoding))
            for _row, _uscc, items in result.warnings:
                warnings.extend(w.to_dict() for w in items[: max(0, 1000 - len(warnings))])
            for row, uscc in result.valid_usccs:
                seen[uscc] = row
            loader.stage_batch(result, known=known, today=today)
            progress.advance(_line_count(chunk))
        if total == 0:
            raise EmptyFileError("文件为空或只有空行，没有任何记录", "the file is empty or has only blank lines")
        return _finish(run, actor, progress, today, batch, loader, quarantine, warnings, total, valid)


def _execute_records(run: ImportRun, actor, progress: Progress, today: date) -> dict:
    batch = source_batch_create(source=run.source, actor=actor, file_name=run.file_name,
                                file_sha256=run.file_sha256, file_format=run.file_format, mode=run.mode)
    with FactLoader(batch=batch, mode=run.mode,
                     is_synthetic=run.source.kind == SourceKind.SYNTHETIC) as loader:
        progress.start(count_records(run), _("校验并暂存记录"))
        seen: dict[str, int] = {}
        quarantine: list[QuarantinedRow] = []
        warnings: list[dict] = []
        counts = {"total": 0, "valid": 0}
        chunk: list[_Candidate] = []

        def process(chunk: list[_Candidate]) -> None:
            codes = [c.data.get("uscc") for c in chunk if isinstance(c.data, dict)
                     and isinstance(c.data.get("uscc"), str)]
            known = existing_usccs(codes)
            for cand in chunk:
                counts["total"] += 1
                errors = list(cand.errors)
                uscc = cand.data.get("uscc") if isinstance(cand.data, dict) else None
                uscc = uscc if isinstance(uscc, str) else ""
                result = None
                if cand.data is not None and not errors:
                    result = cand.validate(today=today, partial=uscc in known)
                    errors.extend(result.errors)
                    if uscc and uscc not in known and not result.errors:
                        missing = [f for f in ("name", "registered_on") if result.record.get(f) is None]
                        if missing:
                            errors.append(_unknown_enterprise_error(uscc, missing))
                if uscc and not errors:
                    if uscc in seen:
                        errors.append(fact_batch.duplicate_uscc_error(uscc, seen[uscc]))
                    else:
                        seen[uscc] = cand.row
                if errors:
                    for e in errors:
                        if e.row is None:
                            e.row, e.sheet = cand.row, cand.sheet
                    quarantine.append(QuarantinedRow(
                        run=run, row=cand.row, sheet=cand.sheet or "", uscc=uscc[:64],
                        data=_jsonable(cand.data), errors=[e.to_dict() for e in errors]))
                    continue
                counts["valid"] += 1
                for w in result.warnings:
                    if len(warnings) < 1000:
                        w.row, w.sheet = cand.row, cand.sheet
                        warnings.append(w.to_dict())
                record = result.record
                loader.stage(uscc, explode(record),
                             summarize(record, today=today) if uscc not in known else None)
            progress.advance(len(chunk))

        for cand in _candidates(run):
            chunk.append(cand)
            if len(chunk) >= _CHUNK:
                process(chunk)
                chunk = []
        if chunk:
            process(chunk)
        if counts["total"] == 0:
            raise EmptyFileError("文件为空或只有空行，没有任何记录", "the file is empty or has only blank lines")
        return _finish(run, actor, progress, today, batch, loader, quarantine, warnings,
                       counts["total"], counts["valid"])


def _finish(run: ImportRun, actor, progress: Progress, today: date, batch: SourceBatch,
            loader: FactLoader, quarantine: list[QuarantinedRow], warnings: list[dict],
            total: int, valid: int) -> dict:
    """Apply the load, refresh summaries, keep the quarantine, count and audit."""
    progress.start(None, _("写入主题数据库"))
    stats = loader.apply()
    enterprise_summaries_refresh(stats.changed_enterprise_ids, today=today)
    QuarantinedRow.objects.bulk_create(quarantine, batch_size=2000)
    SourceBatch.objects.filter(pk=batch.pk).update(
        status="applied", rows_total=total, rows_valid=valid,
        rows_quarantined=len(quarantine), enterprises_created=stats.enterprises_created,
        facts_inserted=stats.facts_inserted, facts_superseded=stats.facts_superseded,
        facts_unchanged=stats.facts_unchanged)
    summary = {"rows_total": total, "rows_valid": valid,
               "rows_quarantined": len(quarantine), "enterprises_created": stats.enterprises_created,
               "facts_inserted": stats.facts_inserted, "facts_superseded": stats.facts_superseded,
               "facts_unchanged": stats.facts_unchanged,
               "enterprises_refreshed": len(stats.changed_enterprise_ids)}
    audit_record(actor=actor, action=AuditAction.IMPORT, instance=batch, after=summary,
                 context={"import_run": run.pk, "file_sha256": run.file_sha256, "mode": run.mode})
    progress.finish(_("导入完成"))
    return {"batch": batch, "rows_total": total, "rows_valid": valid,
            "rows_quarantined": len(quarantine), "warnings": warnings, "error": ""}


# --- the quarantine ---------------------------------------------------------------------------


def quarantined_row_resubmit(*, row: QuarantinedRow, data: dict, actor,
                             today: date | None = None) -> SourceBatch:
    """Validate a corrected record and load it in a batch of its own (same source, same mode as
    the original import); the row is then resolved. Still-invalid data changes nothing and raises
    a ``ValidationError`` listing every remaining problem."""
    today = today or timezone.localdate()
    if not can_import(actor):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以处理隔离记录。"))
    with transaction.atomic():
        row = QuarantinedRow.objects.select_for_update().select_related("run__source").get(pk=row.pk)
        if row.status != QuarantineStatus.OPEN:
            raise ValidationError(_("该记录已处理。"), code=E.NOT_OPEN)
        uscc = data.get("uscc") if isinstance(data, dict) else None
        if is_valid_uscc(row.uscc) and uscc != row.uscc:
            # A fix corrects the quarantined record; it may not point it at another enterprise.
            raise ValidationError(
                _("第 %(row)s 行：统一社会信用代码不能修改（原记录为 %(own)s，提交的是 %(new)s）。"),
                code=E.USCC_CHANGED, params={"row": row.row, "own": row.uscc, "new": uscc, "path": "uscc"})
        known = existing_usccs([uscc]) if isinstance(uscc, str) else set()
        result = validate_record(data, today=today, partial=uscc in known)
        errors = list(result.errors)
        if not errors and uscc not in known:
            missing = [f for f in ("name", "registered_on") if result.record.get(f) is None]
            if missing:
                errors.append(_unknown_enterprise_error(uscc, missing))
        if errors:
            raise ValidationError([ValidationError(e.message, code=E.STILL_INVALID,
                                                   params={"path": e.path}) for e in errors])
        batch = source_batch_create(source=row.run.source, actor=actor,
                                    file_name=f"{row.run.file_name}#{row.sheet or ''}{row.row}",
                                    file_format="manual", mode=row.run.mode)
        with FactLoader(batch=batch, mode=row.run.mode,
                        is_synthetic=row.run.source.kind == SourceKind.SYNTHETIC) as loader:
            loader.stage(uscc, explode(result.record),
                         summarize(result.record, today=today) if uscc not in known else None)
            stats = loader.apply()
        enterprise_summaries_refresh(stats.changed_enterprise_ids, today=today)
        SourceBatch.objects.filter(pk=batch.pk).update(
            status="applied", rows_total=1, rows_valid=1, enterprises_created=stats.enterprises_created,
            facts_inserted=stats.facts_inserted, facts_superseded=stats.facts_superseded,
            facts_unchanged=stats.facts_unchanged)
        before = {"status": row.status, "data": row.data}
        row.status, row.resolved_batch, row.resolved_by, row.resolved_at = (
            QuarantineStatus.RESOLVED, batch, actor, timezone.now())
        row.data = data
        row.save(update_fields=["status", "resolved_batch", "resolved_by", "resolved_at", "data"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=row, before=before,
                     after={"status": row.status, "data": data, "batch": batch.pk})
    return batch


def quarantined_row_discard(*, row: QuarantinedRow, actor, reason: str) -> QuarantinedRow:
    """Give up on a quarantined record deliberately (it stays visible, marked discarded)."""
    if not can_import(actor):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以处理隔离记录。"))
    with transaction.atomic():
        row = QuarantinedRow.objects.select_for_update().get(pk=row.pk)
        if row.status != QuarantineStatus.OPEN:
            raise ValidationError(_("该记录已处理。"), code=E.NOT_OPEN)
        row.status, row.resolved_by, row.resolved_at = QuarantineStatus.DISCARDED, actor, timezone.now()
        row.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=row,
                     before={"status": QuarantineStatus.OPEN},
                     after={"status": row.status}, purpose=reason[:200])
    return row


def default_source(kind: str = SourceKind.FILE) -> DataSource:
    """The catch-all source for files uploaded without naming a feed."""
    if kind == SourceKind.SYNTHETIC:
        return data_source_ensure(code="synthetic-demo", name="合成演示数据（非真实企业）",
                                  kind=SourceKind.SYNTHETIC, department="Kechuang demo generator")
    return data_source_ensure(code="file-upload", name="文件导入", kind=SourceKind.FILE)
