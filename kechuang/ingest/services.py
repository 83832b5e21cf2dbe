"""Writes of the ingest app: creating import runs, executing and resuming them, and fixing
quarantined rows.

The pipeline of :func:`import_run_execute` streams the file once, chunk by chunk:

read (JSON Lines, CSV or XLSX, any of UTF-8/GBK) → group flat rows into records → validate each
record → screen the valid ones (a code twice in the file, a region outside the importer's:
:mod:`~kechuang.ingest.screening`) → stage the rest for the set-based loader, keep the others
(with row, field and reason) for the quarantine → apply the load → refresh summaries → write the
quarantine → count → audit.

Each chunk commits whole or not at all, together with the run's ``chunks_done`` and heartbeat, so a
killed import is resumed after its last committed chunk without writing a row twice. A file-level
problem (empty, unreadable) rejects the run before anything is written.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import itertools
import multiprocessing
import shutil
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE, RUN, is_regulator
from kechuang.core.choices import AuditAction, JobStatus
from kechuang.core.models import Job
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
from kechuang.enterprises.models import BUILTIN_SOURCE_NAMES, DataSource, Enterprise, SourceBatch
from kechuang.enterprises.services import (data_source_ensure, enterprise_summaries_refresh,
                                           source_batch_create)
from kechuang.enterprises.summary import summarize

from .choices import FileFormat, ImportStatus, QuarantineStatus
from .error_codes import IngestErrorCode as E
from .models import ImportRun, QuarantinedRow
from .screening import RegionGuard, duplicate_error, jsonl_duplicates

_CHUNK = 5000


def can_import(user) -> bool:
    """Imports write to the theme database of the importer's region: a regulator allowed to run
    jobs (its admins and officers, of an active organisation) or a superuser may start them; what a
    district may write is narrowed row by row (:class:`~kechuang.ingest.screening.RegionGuard`)."""
    return is_regulator(user, RUN)


def upload_too_large(size) -> str | None:
    """The message refusing an upload of ``size`` bytes (a number, or a request's
    ``CONTENT_LENGTH`` text) above ``KECHUANG_MAX_UPLOAD_MB``; ``None`` when it may come in."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        return None
    limit = settings.KECHUANG_MAX_UPLOAD_MB
    if size <= limit * 1024 * 1024:
        return None
    return _("文件过大：网页和接口上传的文件最大 %(limit)s MB，本次上传约 %(size).1f MB。"
             "请拆分文件，或由管理员使用命令 kechuang import 导入。") % {"limit": limit, "size": size / 1024 / 1024}


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
    org = getattr(actor, "organization", None) if hasattr(actor, "pk") else None
    region_code = org.region_id if org is not None else settings.KECHUANG_REGION_CODE
    run = ImportRun.objects.create(
        source=source, region_code=region_code or "", file_name=file_name[:255], file_path=str(path), file_sha256=sha,
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


def _candidates(rows) -> Iterator[_Candidate]:
    """Records of a spreadsheet file (CSV or XLSX), grouped from their section rows."""
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
    """Execute an import run chunk by chunk, each chunk in one transaction (see the module
    docstring), starting after the chunks an earlier attempt committed (``run.chunks_done``)."""
    progress = progress or NullProgress()
    today = today or timezone.localdate()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now(),
                                               error="", finished_at=None)
    run.refresh_from_db()
    # The run's rows are screened under its importer's region (a resume by someone else included).
    guard = RegionGuard(run.created_by if run.created_by_id else actor)
    try:
        _execute(run, actor, progress, today, guard)
    except FactsFileError as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportStatus.REJECTED, error=f"{exc.message}\n{exc.message_en}",
            finished_at=timezone.now())
        run.refresh_from_db()
        return run
    except _Superseded:
        run.refresh_from_db()  # marked failed (stale) or taken over by a resumed attempt
        return run
    except Exception as exc:
        done = ImportRun.objects.filter(pk=run.pk).values_list("chunks_done", flat=True).first() or 0
        error = (_("导入失败，未写入任何数据：%(e)s") % {"e": exc} if not done else
                 _("导入中断：已提交的前 %(n)s 个数据块已入库，可“继续导入”从中断处继续（不会重复写入）。原因：%(e)s")
                 % {"n": done, "e": exc})
        ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, error=error, finished_at=timezone.now())
        raise
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.APPLIED, finished_at=timezone.now(),
                                               heartbeat_at=timezone.now())
    progress.finish(_("导入完成"))
    run.refresh_from_db()
    return run


class _Superseded(Exception):
    """The run is no longer this attempt's to write: marked failed by the stale check, or a
    resumed attempt committed the chunk first."""


def _execute(run: ImportRun, actor, progress: Progress, today: date, guard: RegionGuard) -> None:
    if run.file_format == FileFormat.JSONL:
        _execute_jsonl(run, actor, progress, today, guard)
    else:
        _execute_records(run, actor, progress, today, guard)
    total = ImportRun.objects.filter(pk=run.pk).values_list("rows_total", flat=True).get()
    if total == 0:
        raise EmptyFileError("文件为空或只有空行，没有任何记录", "the file is empty or has only blank lines")


def _beat(run: ImportRun) -> None:
    """The heartbeat outside a chunk's transaction (reading a workbook, scanning for duplicates)."""
    ImportRun.objects.filter(pk=run.pk, status=ImportStatus.RUNNING).update(heartbeat_at=timezone.now())


def _chunk_begin(run: ImportRun, index: int, actor) -> SourceBatch:
    """Inside a chunk's transaction: lock the run, check the chunk is still this attempt's to write
    (still running, and no attempt committed this chunk or a later one; a chunk of blank lines
    commits nothing, so earlier ones may be fewer), and give the run's batch (created with the
    first chunk that commits, so an empty or rejected file leaves none)."""
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != ImportStatus.RUNNING or locked.chunks_done > index:
        raise _Superseded()
    if locked.batch is not None:
        return locked.batch
    batch = source_batch_create(source=run.source, actor=actor,
                                file_name=run.file_name, file_sha256=run.file_sha256,
                                file_format=run.file_format, mode=run.mode)
    ImportRun.objects.filter(pk=run.pk).update(batch=batch)
    return batch


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
    """The chunk without the records of ``drop`` (duplicated codes, codes outside the region)."""
    codes = pa.array(sorted(drop), pa.string())

    def keep(values):
        return pc.invert(pc.is_in(values, value_set=codes))

    return dataclasses.replace(
        result,
        sections={name: t.filter(keep(t["uscc"])) if t.num_rows else t for name, t in result.sections.items()},
        present={name: a.filter(keep(a)) for name, a in result.present.items()},
        valid=result.valid.filter(keep(result.valid["uscc"])))


def _validated_chunks(path: Path, today: date, known: set[str], skip: int = 0):
    """``(index, first_row, chunk, encoding, result)`` per chunk; the first ``skip`` chunks
    (committed by an earlier attempt) come without ``result``, unvalidated. A file of more than
    one chunk is validated one chunk ahead in a worker process, so validation (Python, one core)
    overlaps the database writes of the chunk before (the PostgreSQL server, the other core)."""
    chunks = enumerate(fact_batch.iter_chunks(path, size=CHUNK_BYTES))
    first_row = 1
    if path.stat().st_size <= CHUNK_BYTES:
        for index, (chunk, encoding) in chunks:
            result = None if index < skip else fact_batch.validate_lines(
                chunk, first_row=first_row, today=today, known=known, encoding=encoding)
            yield index, first_row, chunk, encoding, result
            first_row += _line_count(chunk)
        return
    pending: deque = deque()
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=batch_pool.init, initargs=(known, today)) as pool:
        for index, (chunk, encoding) in chunks:
            if index < skip:
                yield index, first_row, chunk, encoding, None
                first_row += _line_count(chunk)
                continue
            pending.append((index, first_row, chunk, encoding,
                            pool.submit(batch_pool.validate, chunk, first_row, encoding)))
            first_row += _line_count(chunk)
            if len(pending) >= 2:
                index_, row, data, enc, future = pending.popleft()
                yield index_, row, data, enc, future.result()
        while pending:
            index_, row, data, enc, future = pending.popleft()
            yield index_, row, data, enc, future.result()


def _line_at(lines: list[bytes], first_row: int, row: int) -> bytes | None:
    i = row - first_row
    return lines[i] if 0 <= i < len(lines) else None


def _profile_regions(result: fact_batch.BatchResult) -> dict[str, str | None]:
    """``{uscc: region_code}`` of a validated chunk's accepted records (``None``: not sent)."""
    profile = result.sections.get("profile")
    if profile is None or not profile.num_rows:
        return {}
    return dict(zip(profile.column("uscc").to_pylist(), profile.column("region_code").to_pylist(), strict=True))


def _execute_jsonl(run: ImportRun, actor, progress: Progress, today: date, guard: RegionGuard) -> None:
    """JSON Lines, chunk by chunk through the vectorised validator (same accepted records, rows
    and errors as the per-record path, which it falls back to line by line where it must)."""
    path = Path(run.file_path)
    duplicates = jsonl_duplicates(path, chunk_bytes=CHUNK_BYTES)
    _beat(run)
    progress.start(count_records(run), _("校验并暂存记录"))
    known = set(Enterprise.objects.values_list("uscc", flat=True))
    for index, first_row, chunk, encoding, result in _validated_chunks(path, today, known, skip=run.chunks_done):
        if result is None:
            progress.advance(_line_count(chunk))
            continue
        lines = chunk.split(b"\n")
        line = functools.partial(_line_at, lines, first_row)
        quarantine: list[QuarantinedRow] = []
        for row, uscc, errors in result.errors:
            if uscc in duplicates:  # the validator knows only its chunk's first occurrence
                errors = [e for e in errors if e.code != Code.DUPLICATE]
                errors.append(duplicate_error(uscc, row, duplicates[uscc]))
            quarantine.append(_quarantine_entry(run, row, uscc, errors, line(row), encoding))
        regions = _profile_regions(result)
        valid = result.valid_usccs
        outside = guard.errors((row, None, uscc, regions.get(uscc)) for row, uscc in valid
                               if uscc not in duplicates)
        drop: set[str] = set(outside)
        for row, uscc in valid:
            if uscc in duplicates:
                drop.add(uscc)
                quarantine.append(_quarantine_entry(run, row, uscc, [duplicate_error(uscc, row, duplicates[uscc])],
                                                    line(row), encoding))
            elif uscc in outside:
                quarantine.append(_quarantine_entry(run, row, uscc, [outside[uscc]], line(row), encoding))
        if drop:
            result = _without_usccs(result, drop)
        warnings = [w.to_dict() for _row, uscc, items in result.warnings if uscc not in drop for w in items]
        if result.total or quarantine:
            with transaction.atomic():
                batch = _chunk_begin(run, index, actor)
                with FactLoader(batch=batch, mode=run.mode,
                                is_synthetic=run.source.kind == SourceKind.SYNTHETIC) as loader:
                    loader.stage_batch(result, known=known, today=today)
                    _chunk_commit(run, actor, index, batch, loader, quarantine, warnings, today,
                                  total=result.total, valid=result.valid.num_rows, progress=progress)
        progress.advance(_line_count(chunk))


def _read_rows(run: ImportRun) -> list[readers.RawRow]:
    """Every row of a spreadsheet file (grouping needs them all; spreadsheets are bounded)."""
    path = Path(run.file_path)
    if run.file_format == FileFormat.CSV:
        return list(readers.iter_csv(path, section=run.section or None))
    return list(readers.iter_xlsx(path))


def _record_candidates(raw: list[readers.RawRow]) -> Iterator[_Candidate]:
    """Candidates of a spreadsheet file, a code with two profile rows split into one candidate per
    row (each with its own values and the lists sent for the code), all carrying the duplicate error."""
    profiles: dict[str, list[readers.RawRow]] = {}
    for r in raw:
        uscc = r.data.get("uscc") if r.data is not None and r.section == "profile" else None
        if isinstance(uscc, str) and uscc:
            profiles.setdefault(uscc, []).append(r)
    duplicates = {uscc: rows for uscc, rows in profiles.items() if len(rows) > 1}
    if not duplicates:
        yield from _candidates(raw)
        return
    yield from _candidates(r for r in raw if r.data is None or r.data.get("uscc") not in duplicates)
    lists: dict[str, list[readers.RawRow]] = {}
    for r in raw:
        if r.data is not None and r.section != "profile" and r.data.get("uscc") in duplicates:
            lists.setdefault(r.data["uscc"], []).append(r)
    for uscc, rows in duplicates.items():
        numbers = [r.row for r in rows]
        for profile in rows:
            group = readers.group_rows([profile, *lists.get(uscc, [])])[0]
            errors = [*group.errors, duplicate_error(uscc, profile.row, numbers, profile.sheet)]
            yield _Candidate(profile.row, profile.sheet, group.record, errors)


def _execute_records(run: ImportRun, actor, progress: Progress, today: date, guard: RegionGuard) -> None:
    raw = _read_rows(run)
    _beat(run)  # reading a large workbook takes a while
    candidates = _record_candidates(raw)
    progress.start(count_records(run), _("校验并暂存记录"))
    index = 0
    while True:
        chunk = list(itertools.islice(candidates, _CHUNK))
        if not chunk:
            break
        if index >= run.chunks_done:
            _process_records(run, actor, progress, today, guard, index, chunk)
        progress.advance(len(chunk))
        index += 1


def _process_records(run: ImportRun, actor, progress: Progress, today: date, guard: RegionGuard,
                     index: int, chunk: list[_Candidate]) -> None:
    """Validate, screen and load one chunk of spreadsheet records in one transaction."""
    codes = [c.data.get("uscc") for c in chunk if isinstance(c.data, dict)
             and isinstance(c.data.get("uscc"), str)]
    known = existing_usccs(codes)
    quarantine: list[QuarantinedRow] = []
    warnings: list[dict] = []
    accepted: list[tuple[_Candidate, str, object]] = []
    for cand in chunk:
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
        if errors:
            quarantine.append(_quarantined_record(run, cand, uscc, errors))
        else:
            accepted.append((cand, uscc, result))
    outside = guard.errors((c.row, c.sheet, uscc, r.record.get("region_code")) for c, uscc, r in accepted)
    with transaction.atomic():
        batch = _chunk_begin(run, index, actor)
        with FactLoader(batch=batch, mode=run.mode,
                        is_synthetic=run.source.kind == SourceKind.SYNTHETIC) as loader:
            valid = 0
            for cand, uscc, result in accepted:
                if uscc in outside:
                    quarantine.append(_quarantined_record(run, cand, uscc, [outside[uscc]]))
                    continue
                valid += 1
                for w in result.warnings:
                    w.row, w.sheet = cand.row, cand.sheet
                    warnings.append(w.to_dict())
                record = result.record
                loader.stage(uscc, explode(record), summarize(record, today=today) if uscc not in known else None)
            quarantine.sort(key=lambda q: (q.sheet, q.row))
            _chunk_commit(run, actor, index, batch, loader, quarantine, warnings, today,
                          total=len(chunk), valid=valid, progress=progress)


def _quarantined_record(run: ImportRun, cand: _Candidate, uscc: str, errors: list[FieldError]) -> QuarantinedRow:
    for e in errors:
        if e.row is None:
            e.row, e.sheet = cand.row, cand.sheet
    return QuarantinedRow(run=run, row=cand.row, sheet=cand.sheet or "", uscc=uscc[:64],
                          data=_jsonable(cand.data), errors=[e.to_dict() for e in errors])


def _chunk_commit(run: ImportRun, actor, index: int, batch: SourceBatch, loader: FactLoader,
                  quarantine: list[QuarantinedRow], warnings: list[dict], today: date, *,
                  total: int, valid: int, progress: Progress) -> None:
    """Apply a chunk's load, refresh summaries, keep its quarantine, count it on the batch and the
    run, beat the heart and audit: all in the chunk's transaction."""
    stats = loader.apply()
    enterprise_summaries_refresh(stats.changed_enterprise_ids, today=today)
    QuarantinedRow.objects.bulk_create(quarantine, batch_size=2000)
    counts = {"rows_total": total, "rows_valid": valid, "rows_quarantined": len(quarantine)}
    SourceBatch.objects.filter(pk=batch.pk).update(
        status="applied", **{k: F(k) + v for k, v in counts.items()},
        enterprises_created=F("enterprises_created") + stats.enterprises_created,
        facts_inserted=F("facts_inserted") + stats.facts_inserted,
        facts_superseded=F("facts_superseded") + stats.facts_superseded,
        facts_unchanged=F("facts_unchanged") + stats.facts_unchanged)
    kept = ImportRun.objects.filter(pk=run.pk).values_list("warnings", flat=True).get() or []
    ImportRun.objects.filter(pk=run.pk).update(
        **{k: F(k) + v for k, v in counts.items()}, chunks_done=index + 1, heartbeat_at=timezone.now(),
        warnings=kept + warnings[: max(0, 1000 - len(kept))])
    summary = {**counts, "enterprises_created": stats.enterprises_created,
               "facts_inserted": stats.facts_inserted, "facts_superseded": stats.facts_superseded,
               "facts_unchanged": stats.facts_unchanged,
               "enterprises_refreshed": len(stats.changed_enterprise_ids)}
    audit_record(actor=actor, action=AuditAction.IMPORT, instance=batch, after=summary,
                 context={"import_run": run.pk, "file_sha256": run.file_sha256, "mode": run.mode,
                          "chunk": index})


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
        row = _row_for_change(row, actor, related=("run__source",))
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
        outside = RegionGuard(actor).errors([(row.row, row.sheet or None, uscc, result.record.get("region_code"))])
        if outside:
            error = outside[uscc]
            raise ValidationError(error.message, code=E.OUTSIDE_REGION,
                                  params={"path": error.path, "row": row.row})
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
        row = _row_for_change(row, actor)
        if row.status != QuarantineStatus.OPEN:
            raise ValidationError(_("该记录已处理。"), code=E.NOT_OPEN)
        row.status, row.resolved_by, row.resolved_at = QuarantineStatus.DISCARDED, actor, timezone.now()
        row.save(update_fields=["status", "resolved_by", "resolved_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=row,
                     before={"status": QuarantineStatus.OPEN},
                     after={"status": row.status}, purpose=reason[:200])
    return row


def _row_for_change(row: QuarantinedRow, actor, related: tuple[str, ...] = ()) -> QuarantinedRow:
    """The row locked for a fix, re-checked through the access path inside the transaction: a
    district may only fix the quarantine of its own district's imports."""
    qs = QuarantinedRow.objects.restrict(actor, CHANGE).select_related(*related)
    if connection.features.has_select_for_update_of:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_for_update()
    found = qs.filter(pk=row.pk).first()
    if found is None:
        raise PermissionDenied(_("无权处理该隔离记录（不在您的管辖范围内）。"))
    return found


# --- killed and resumed runs ------------------------------------------------------------------


def import_runs_fail_stale(*, now=None) -> list[int]:
    """Mark failed every running import whose heartbeat is older than
    ``KECHUANG_IMPORT_STALE_SECONDS`` (its process was killed: a live one writes the heartbeat at
    each committed chunk); returns their ids. A run inside a chunk's transaction holds its row lock
    and is skipped, so a slow chunk is never mistaken for a dead one. Run on every page and API
    read of the runs and before a resume (cheap: one indexed query), and by ``kechuang
    import_stale`` from cron."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.KECHUANG_IMPORT_STALE_SECONDS)
    failed: list[int] = []
    with transaction.atomic():
        qs = ImportRun.objects.filter(status=ImportStatus.RUNNING).filter(
            Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit))
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        for run in qs:
            error = _("导入进程已中断（超过 %(s)s 秒没有心跳，最后心跳 %(t)s）：已提交 %(n)s 个数据块，"
                      "可“继续导入”从中断处继续。") % {
                "s": settings.KECHUANG_IMPORT_STALE_SECONDS, "n": run.chunks_done,
                "t": timezone.localtime(run.heartbeat_at).strftime("%Y-%m-%d %H:%M:%S") if run.heartbeat_at else "—"}
            ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, error=error, finished_at=now)
            if run.job_id:
                Job.objects.filter(pk=run.job_id, status=JobStatus.RUNNING).update(
                    status=JobStatus.FAILED, error=error, finished_at=now)
            audit_record(actor="system:import-stale-check", action=AuditAction.UPDATE, instance=run,
                         before={"status": ImportStatus.RUNNING, "heartbeat_at": run.heartbeat_at},
                         after={"status": ImportStatus.FAILED, "chunks_done": run.chunks_done})
            failed.append(run.pk)
    return failed


def import_run_resume(*, run: ImportRun, actor) -> ImportRun:
    """Queue a failed (or killed) import again: the job continues after the last committed chunk,
    so no row is written twice (each chunk commits with the run's ``chunks_done``, checked under
    the run's lock)."""
    if not can_import(actor):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以继续导入。"))
    import_runs_fail_stale()
    with transaction.atomic():
        qs = ImportRun.objects.restrict(actor, RUN)
        if connection.features.has_select_for_update_nowait:
            qs = qs.select_for_update(nowait=True)
        try:
            found = qs.filter(pk=run.pk).first()
        except OperationalError:  # locked: a chunk of it is being written right now
            raise ValidationError(_("该导入正在运行，不能继续。"), code=E.NOT_RESUMABLE) from None
        if found is None:
            raise PermissionDenied(_("无权继续该导入（不在您的管辖范围内）。"))
        if found.status != ImportStatus.FAILED:
            raise ValidationError(_("只有失败或中断的导入可以继续（当前状态：%(s)s）。"),
                                  code=E.NOT_RESUMABLE, params={"s": found.get_status_display()})
        job = job_enqueue(kind="ingest.import", params={"run_id": found.pk, "resume": True}, actor=actor)
        ImportRun.objects.filter(pk=found.pk).update(status=ImportStatus.QUEUED, job=job, error="",
                                                     finished_at=None)
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=found,
                     before={"status": found.status, "error": found.error},
                     after={"status": ImportStatus.QUEUED, "chunks_done": found.chunks_done, "job": job.pk})
    found.refresh_from_db()
    return found


def default_source(kind: str = SourceKind.FILE) -> DataSource:
    """The catch-all source for files uploaded without naming a feed."""
    if kind == SourceKind.SYNTHETIC:
        return data_source_ensure(code="synthetic-demo", name=BUILTIN_SOURCE_NAMES["synthetic-demo"],
                                  kind=SourceKind.SYNTHETIC, department="Kechuang demo generator")
    return data_source_ensure(code="file-upload", name=BUILTIN_SOURCE_NAMES["file-upload"], kind=SourceKind.FILE)
