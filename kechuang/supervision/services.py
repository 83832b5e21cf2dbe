"""Writes of the supervision app: one function per state change, each one transaction with its
audit entry (``kechuang.core.services.audit_record``); the access rules are re-checked inside.

- :func:`org_register`, :func:`org_set_status`: the regulator registers an organisation (licence
  type from the choices; capital as ``Decimal`` yuan, never negative) and changes its status.
- :func:`reports_submit`: periodic reports from an XLSX file or the API. The rows are validated by
  the engine; any error rejects the whole file (nothing stored) and the rows are kept with every
  error in a :class:`ReportUpload`; otherwise every report is stored with its ratios, breaches and
  the organisations' new ratings, in one transaction.
- :func:`inspection_record`, :func:`inspection_update`: on-site inspections and rectification.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE, covers_region, is_regulator, organization_of
from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Organization, Region
from kechuang.core.choices import AuditAction
from kechuang.core.services import actor_label_for, audit_record, model_snapshot
from kechuang.engine.supervision.camel import rate
from kechuang.engine.supervision.ratios import as_decimal, compute
from kechuang.engine.supervision.rules import RuleSet, load_rules
from kechuang.engine.supervision.validate import validate_reports

from . import choices as c
from .error_codes import SupervisionErrorCode as E
from .loading import FileError, read_workbook
from .models import Inspection, OrgRating, PeriodicReport, RatioBreach, ReportUpload, SupervisedOrg

ORG_FIELDS = ["name", "licence_type", "licence_no", "licence_date", "registered_capital", "paid_in_capital",
              "region_code", "status", "institution"]
INSPECTION_FIELDS = ["inspected_on", "inspectors", "findings", "rectification_required", "deadline", "status",
                     "closed_on", "note"]
_RULES: RuleSet | None = None


def rules() -> RuleSet:
    """The packaged rule set (loaded once)."""
    global _RULES
    if _RULES is None:
        _RULES = load_rules()
    return _RULES


def _err(field: str | None, message: str, code: str) -> ValidationError:
    e = ValidationError(message, code=code)
    return ValidationError({field: e}) if field else e


def _text(value: Any, field: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _err(field, _("请填写内容。"), E.TOO_LONG)
    if len(text) > limit:
        raise _err(field, _("内容过长：最多 %(n)s 字（收到 %(m)s 字）。") % {"n": limit, "m": len(text)}, E.TOO_LONG)
    return text


def _amount(value: Any, field: str) -> Decimal:
    try:
        out = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, AttributeError):
        raise _err(field, _("“%(v)s”不是有效金额（以元填写）。") % {"v": str(value)[:40]}, E.BAD_AMOUNT) from None
    if not out.is_finite() or out < 0:
        raise _err(field, _("金额不能为负数（收到 %(v)s）。") % {"v": str(value)[:40]}, E.BAD_AMOUNT)
    if out >= Decimal("1e16"):
        raise _err(field, _("金额过大。"), E.BAD_AMOUNT)
    return out.quantize(Decimal("0.01"))


def _day(value: Any, field: str, *, not_future: bool = True) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise _err(field, _("日期格式应为 YYYY-MM-DD（收到 %(v)s）。") % {"v": str(value)[:20]}, E.BAD_DATE) from None
    if not_future and value > timezone.localdate():
        raise _err(field, _("日期不能晚于今天（收到 %(d)s）。") % {"d": value.isoformat()}, E.BAD_DATE)
    return value


def _require_regulator(actor, region_code: str) -> None:
    if not hasattr(actor, "pk"):
        return  # a command or the demo
    if not is_regulator(actor, CHANGE):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以办理（查看人员不能修改）。"))
    if not covers_region(actor, region_code):
        raise _err("region_code", _("只能办理本辖区的地方金融组织。"), E.BAD_REGION)


# ---------------------------------------------------------------------------------------------
# Organisations


def org_register(*, actor, name: str, licence_type: str, licence_no: str, licence_date, registered_capital,
                 paid_in_capital, region_code: str, business_scope: str = "", contact_name: str = "",
                 contact_phone: str = "", institution: Organization | None = None,
                 is_synthetic: bool = False) -> SupervisedOrg:
    """Register a licensed organisation in the actor's region; unknown licence types are refused."""
    if licence_type not in c.LicenceType.values:
        raise _err("licence_type", _("未知的牌照类型“%(v)s”，可选：%(c)s。") % {
            "v": str(licence_type)[:40], "c": "、".join(str(x) for x in c.LicenceType.labels)}, E.BAD_CHOICE)
    if not Region.objects.filter(code=region_code).exists():
        raise _err("region_code", _("未知的区划代码 %(c)s。") % {"c": region_code}, E.BAD_REGION)
    _require_regulator(actor, region_code)
    licence_no = _text(licence_no, "licence_no", 60, required=True)
    if SupervisedOrg.objects.filter(licence_no=licence_no).exists():
        raise _err("licence_no", _("许可证编号 %(n)s 已登记。") % {"n": licence_no}, E.DUPLICATE)
    if institution is not None and (institution.kind != OrganizationKind.GUARANTOR
                                    or licence_type != c.LicenceType.GUARANTOR):
        raise _err("institution", _("只有融资担保公司可以关联平台上的担保机构账户。"), E.BAD_INSTITUTION)
    org = SupervisedOrg(
        name=_text(name, "name", 200, required=True), licence_type=licence_type, licence_no=licence_no,
        licence_date=_day(licence_date, "licence_date"),
        registered_capital=_amount(registered_capital, "registered_capital"),
        paid_in_capital=_amount(paid_in_capital, "paid_in_capital"),
        business_scope=_text(business_scope, "business_scope", 2000), region_code=region_code,
        contact_name=_text(contact_name, "contact_name", 60), contact_phone=_text(contact_phone, "contact_phone", 40),
        institution=institution, is_synthetic=is_synthetic)
    if org.paid_in_capital > org.registered_capital:
        raise _err("paid_in_capital", _("实缴资本不能大于注册资本。"), E.BAD_AMOUNT)
    with transaction.atomic():
        org.save()
        audit_record(actor=actor, action=AuditAction.CREATE, instance=org, after=model_snapshot(org, ORG_FIELDS),
                     region_code=region_code)
    return org


def org_set_status(*, org: SupervisedOrg, status: str, actor) -> SupervisedOrg:
    if status not in c.OrgStatus.values:
        raise _err("status", _("“%(v)s”不是可选的经营状态。") % {"v": str(status)[:20]}, E.BAD_CHOICE)
    _require_regulator(actor, org.region_code)
    with transaction.atomic():
        org = SupervisedOrg.objects.select_for_update().get(pk=org.pk)
        before = model_snapshot(org, ORG_FIELDS)
        org.status = status
        org.save(update_fields=["status"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=org, before=before,
                     after=model_snapshot(org, ORG_FIELDS), region_code=org.region_code)
        rating_refresh(org=org, actor=actor)
    return org


# ---------------------------------------------------------------------------------------------
# Reports


class ReportRejected(Exception):
    """The file or posted reports had errors: nothing was stored; ``upload`` keeps the rows."""

    def __init__(self, upload: ReportUpload):
        self.upload = upload
        super().__init__(f"{len(upload.errors)} errors")


def fileable_orgs(actor):
    """Organisations ``actor`` may file reports for: the regulator's region, an institution its own."""
    if not hasattr(actor, "pk"):
        return SupervisedOrg.objects.all()
    return SupervisedOrg.objects.restrict(actor, CHANGE)


def _reject(*, actor, file_name: str, rows, errors) -> ReportUpload:
    org = organization_of(actor) if hasattr(actor, "pk") else None
    upload = ReportUpload.objects.create(
        file_name=file_name[:200], status=c.UploadStatus.REJECTED, rows=_jsonable(rows), errors=errors,
        n_rows=len(rows), region_code=org.region_id if org else "", uploader_org=org,
        uploaded_by=actor if hasattr(actor, "pk") else None, actor_label=actor_label_for(actor))
    audit_record(actor=actor, action=AuditAction.CREATE, instance=upload,
                 after={"status": upload.status, "rows": len(rows), "errors": len(errors)},
                 region_code=upload.region_code)
    return upload


def _jsonable(rows):
    out = []
    for r in rows:
        out.append({k: (v.isoformat() if hasattr(v, "isoformat") else (str(v) if isinstance(v, Decimal) else v))
                    for k, v in r.items()})
    return out


def reports_submit(*, rows: list[dict[str, Any]], actor, source: str, file_name: str = "",
                   is_synthetic: bool = False, structural_errors: list | None = None) -> list[PeriodicReport]:
    """Validate and store ``rows`` all or nothing. On any error raise :class:`ReportRejected`
    (the rows and errors kept in a rejected :class:`ReportUpload`); otherwise store every report
    with its ratios and breaches and refresh the organisations' ratings."""
    if hasattr(actor, "pk") and not is_regulator(actor, CHANGE):
        org = organization_of(actor)
        if org is None or not hasattr(org, "supervised_org") or not fileable_orgs(actor).exists():
            raise PermissionDenied(_("只有监管部门或已登记的地方金融组织本机构的经办人员可以报送报表。"))
    rs = rules()
    orgs = {o.licence_no: o for o in fileable_orgs(actor)}
    today = timezone.localdate()
    existing = set(PeriodicReport.objects.filter(org__in=orgs.values()).values_list(
        "org__licence_no", "frequency", "period_end"))
    records, errors = validate_reports(rows, rs, today=today, orgs={k: o.licence_type for k, o in orgs.items()},
                                       existing=existing)
    errors = list(structural_errors or []) + errors
    if not rows and not errors:
        errors = [{"sheet": "", "row": None, "field": "rows", "code": "missing", "params": {}}]
    if errors:
        with transaction.atomic():
            upload = _reject(actor=actor, file_name=file_name or str(c.Source(source).label), rows=rows, errors=errors)
        raise ReportRejected(upload)
    results = compute(records, rs)
    stored: list[PeriodicReport] = []
    user = actor if hasattr(actor, "pk") else None
    with transaction.atomic():
        upload = None
        if source == c.Source.XLSX:
            org = organization_of(actor) if user else None
            upload = ReportUpload.objects.create(
                file_name=file_name[:200], status=c.UploadStatus.ACCEPTED, rows=_jsonable(rows), errors=[],
                n_rows=len(rows), region_code=org.region_id if org else "", uploader_org=org, uploaded_by=user,
                actor_label=actor_label_for(actor))
        for rec, res in zip(records, results, strict=True):
            org = orgs[rec["licence_no"]]
            report = PeriodicReport.objects.create(
                org=org, region_code=org.region_code, licence_type=org.licence_type, frequency=rec["frequency"],
                period_end=rec["period_end"], figures={k: str(v) for k, v in rec["figures"].items()},
                values={k: (None if v is None else round(v, 6)) for k, v in res["values"].items()},
                breach_count=len(res["breaches"]), rules_version=rs.version, source=source, upload=upload,
                submitted_by=user, actor_label=actor_label_for(actor), is_synthetic=is_synthetic)
            RatioBreach.objects.bulk_create([RatioBreach(
                report=report, org=org, region_code=org.region_code, period_end=report.period_end, code=b["code"],
                label=b["label"][:200], value=as_decimal(b["value"]), limit=as_decimal(float(b["limit"])), op=b["op"],
                unit=b["unit"], binding=b["binding"], document=b["document"][:300], article=b["article"][:200],
                certainty=b["certainty"]) for b in res["breaches"]])
            audit_record(actor=actor, action=AuditAction.CREATE, instance=report,
                         after={"org": org.pk, "period_end": report.period_end.isoformat(),
                                "frequency": report.frequency, "breaches": report.breach_count,
                                "source": source}, region_code=org.region_code)
            stored.append(report)
        for org in {r.org for r in stored}:
            rating_refresh(org=org, actor=actor)
    return stored


def reports_import_xlsx(*, data: bytes, file_name: str, actor) -> list[PeriodicReport]:
    """An uploaded template file: structural errors (unknown sheet or column) and row errors are
    reported together; a file that is no workbook is refused with ``bad_file``."""
    try:
        rows, structural = read_workbook(data, rules())
    except FileError as exc:
        raise _err("file", _("无法读取该文件：%(e)s（请使用下载的 Excel 模板）。") % {"e": exc}, E.BAD_FILE) from None
    return reports_submit(rows=rows, actor=actor, source=c.Source.XLSX, file_name=file_name,
                          structural_errors=structural)


# ---------------------------------------------------------------------------------------------
# Ratings and inspections


def rating_refresh(*, org: SupervisedOrg, actor) -> OrgRating | None:
    """Rate ``org`` from its latest report, open findings and status (CAMEL+RR, engine ``camel``)."""
    report = org.reports.order_by("-period_end", "-pk").first()
    if report is None:
        return None
    rs = rules()
    today = timezone.localdate()
    insp = Inspection.objects.filter(org=org, status=c.InspectionStatus.RECTIFYING)
    breaches = [{"binding": b} for b in report.breaches.values_list("binding", flat=True)]
    res = rate(trules=rs.types[org.licence_type], values=report.values, breaches=breaches, cfg=rs.rating,
               status=org.status, open_findings=insp.count(), overdue_rectifications=insp.filter(deadline__lt=today).count())
    rating = OrgRating.objects.create(org=org, report=report, region_code=org.region_code, as_of=report.period_end,
                                      score=Decimal(str(res["score"])), grade=res["grade"],
                                      components=res["components"], weights=res["weights"], rules_version=rs.version)
    audit_record(actor=actor, action=AuditAction.CREATE, instance=rating,
                 after={"org": org.pk, "score": str(rating.score), "grade": rating.grade}, region_code=org.region_code)
    return rating


def inspection_record(*, org: SupervisedOrg, actor, inspected_on, inspectors: str, findings: str,
                      rectification_required: bool = False, deadline=None, is_synthetic: bool = False) -> Inspection:
    _require_regulator(actor, org.region_code)
    day = _day(inspected_on, "inspected_on")
    due = None
    if rectification_required:
        if not deadline:
            raise _err("deadline", _("需整改的检查必须填写整改期限。"), E.BAD_DATE)
        due = _day(deadline, "deadline", not_future=False)
        if due < day:
            raise _err("deadline", _("整改期限不能早于检查日期。"), E.BAD_DATE)
    insp = Inspection(org=org, inspected_on=day, inspectors=_text(inspectors, "inspectors", 200, required=True),
                      findings=_text(findings, "findings", 5000, required=True),
                      rectification_required=bool(rectification_required), deadline=due,
                      status=c.InspectionStatus.RECTIFYING if rectification_required else c.InspectionStatus.CLOSED,
                      created_by=actor if hasattr(actor, "pk") else None, actor_label=actor_label_for(actor),
                      is_synthetic=is_synthetic)
    with transaction.atomic():
        insp.save()
        audit_record(actor=actor, action=AuditAction.CREATE, instance=insp,
                     after=model_snapshot(insp, INSPECTION_FIELDS), region_code=org.region_code)
        rating_refresh(org=org, actor=actor)
    return insp


def inspection_update(*, inspection: Inspection, actor, status: str, note: str = "", closed_on=None) -> Inspection:
    """Record the rectification: ``rectified`` (with the day it was completed) or back to ``rectifying``."""
    if status not in (c.InspectionStatus.RECTIFIED, c.InspectionStatus.RECTIFYING):
        raise _err("status", _("只能标记为“已整改”或“整改中”。"), E.BAD_CHOICE)
    _require_regulator(actor, inspection.org.region_code)
    with transaction.atomic():
        insp = Inspection.objects.select_for_update().select_related("org").get(pk=inspection.pk)
        if insp.status == c.InspectionStatus.CLOSED:
            raise _err("status", _("该检查已结案，无需整改。"), E.CLOSED)
        before = model_snapshot(insp, INSPECTION_FIELDS)
        insp.status = status
        insp.note = _text(note, "note", 500)
        insp.closed_on = _day(closed_on or timezone.localdate(), "closed_on") if status == c.InspectionStatus.RECTIFIED else None
        insp.save(update_fields=["status", "note", "closed_on"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=insp, before=before,
                     after=model_snapshot(insp, INSPECTION_FIELDS), region_code=insp.org.region_code)
        rating_refresh(org=insp.org, actor=actor)
    return insp
