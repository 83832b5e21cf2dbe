"""Exports of enterprise facts in the import formats (JSON Lines, CSV per section, XLSX), so what
goes out can come back in unchanged. Institutions' exports are audited per enterprise."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kechuang.accounts.models import within_region
from kechuang.core.choices import AuditAction
from kechuang.core.models import Job
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import audit_record
from kechuang.engine.facts import writers
from kechuang.engine.facts.validate import to_jsonable
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.selectors import merged_facts
from kechuang.enterprises.services import enterprise_profile_read

from .choices import FileFormat

CONTENT_TYPES = {
    FileFormat.JSONL: "application/x-ndjson; charset=utf-8",
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Above this many enterprises a web export is refused in favour of ``kechuang export``.
WEB_EXPORT_LIMIT = 20_000


def iter_records(qs: QuerySet[Enterprise], *, at: datetime | None = None, chunk: int = 2000,
                 progress: Progress | None = None):
    """JSON-ready interchange records of the enterprises in ``qs``, merged across sources."""
    progress = progress or NullProgress()
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    progress.start(len(ids), _("导出企业数据"))
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        merged = merged_facts(part, at=at)
        for eid in part:
            yield to_jsonable(merged[eid].record)
        progress.advance(len(part))


def write_records(records, *, fmt: str, section: str, stream) -> None:
    if fmt == FileFormat.JSONL:
        writers.write_jsonl(records, stream)
    elif fmt == FileFormat.CSV:
        writers.write_csv(records, section, stream)
    elif fmt == FileFormat.XLSX:
        writers.write_xlsx(records, stream)
    else:
        raise ValidationError(_("不支持的导出格式。"), code="format")


def export_records(qs: QuerySet[Enterprise], *, fmt: str, section: str, user,
                   at: datetime | None = None) -> tuple[bytes, int]:
    """Export for a web request: the bytes and the number of enterprises."""
    count = qs.count()
    if count > WEB_EXPORT_LIMIT:
        raise ValidationError(_("一次最多在网页导出 %(n)s 家企业，请缩小筛选范围或使用命令 kechuang export。")
                              % {"n": WEB_EXPORT_LIMIT}, code="too_many")
    org = getattr(user, "organization", None)
    if org is not None and org.is_financial:
        for enterprise in qs:
            enterprise_profile_read(enterprise=enterprise, user=user, what=f"export {fmt}",
                                    action=AuditAction.EXPORT)
    else:
        audit_record(actor=user, action=AuditAction.EXPORT, object_type="enterprises.enterprise",
                     object_repr=f"{count} enterprises", context={"format": fmt, "section": section,
                                                                  "count": count})
    out = io.BytesIO()
    write_records(iter_records(qs, at=at), fmt=fmt, section=section, stream=out)
    return out.getvalue(), count


def export_to_file(*, job: Job, progress: Progress) -> dict:
    """The ``ingest.export`` job: a whole region to a file (used by large exports)."""
    params = job.params
    qs = Enterprise.objects.all()
    if params.get("region_prefix"):
        qs = qs.filter(within_region(params["region_prefix"]))
    path = Path(params["path"])
    with path.open("wb") as fh:
        write_records(iter_records(qs, progress=progress), fmt=params["format"],
                      section=params.get("section", "profile"), stream=fh)
    audit_record(actor=job.created_by or "job", action=AuditAction.EXPORT,
                 object_type="enterprises.enterprise", object_repr=str(path),
                 context={"format": params["format"], "job": job.pk})
    return {"path": str(path), "bytes": path.stat().st_size}


def template_bytes(fmt: str, section: str = "profile") -> bytes:
    out = io.BytesIO()
    if fmt == FileFormat.CSV:
        writers.csv_template(section, out)
    else:
        writers.xlsx_template(out)
    return out.getvalue()
