"""Pages of the supervision app: the regulator's overview (organisations by type and district,
breaches and per-ratio trends with ECharts, ratings, overdue rectifications), one organisation
(reports, indicators against limits, rating, inspections; the regulator records inspections and
status), report filing by XLSX (the organisation files its own), an upload's errors and kept rows,
the template and the XLSX export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kechuang.accounts.access import CHANGE, VIEW, is_regulator, organization_of, region_scope
from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Organization, Region
from kechuang.core.restricted import RestrictedPageMixin

from . import choices as c
from .exports import supervision_xlsx, template_bytes
from .models import Inspection, PeriodicReport, ReportUpload, SupervisedOrg
from .present import error_rows
from .selectors import (breach_trend, field_labels, org_detail, overview, ratio_trends, recent_breaches,
                        uploads_for)
from .services import (ReportRejected, fileable_orgs, inspection_record, inspection_update, org_register,
                       org_set_status, reports_import_xlsx)

COLORS = {"status_colors": c.STATUS_COLORS, "grade_colors": c.GRADE_COLORS, "upload_colors": c.UPLOAD_COLORS,
          "inspection_colors": c.INSPECTION_COLORS}
MAX_UPLOAD = 5 * 1024 * 1024


def _errors(request, exc) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("无权办理。"))
        return
    for msg in getattr(exc, "messages", [str(exc)]):
        messages.error(request, msg)


class RegulatorRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return region_scope(self.request.user) is not None


class SupervisedRequired(LoginRequiredMixin, UserPassesTestMixin):
    """The regulator, or a user of an organisation registered as a local financial organisation."""

    def test_func(self):
        if region_scope(self.request.user) is not None:
            return True
        org = organization_of(self.request.user)
        return org is not None and SupervisedOrg.objects.filter(institution=org).exists()


class DashboardView(SupervisedRequired, RestrictedPageMixin, TemplateView):
    """The supervisory overview; an organisation's own user is sent to its page."""

    model = SupervisedOrg
    template_name = "supervision/dashboard.html"

    def get(self, request, *args, **kwargs):
        if region_scope(request.user) is None:
            own = self.restricted(VIEW).first()
            if own is None:
                raise Http404
            return redirect("supervision:org_detail", pk=own.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ltype = self.request.GET.get("type", "")
        ltype = ltype if ltype in c.LicenceType.values else ""
        region = self.request.GET.get("district", "")[:6]
        trend_type = ltype or c.LicenceType.GUARANTOR
        ov = overview(user, licence_type=ltype, region_code=region)
        ctx.update(COLORS, ov=ov, ltype=ltype, district=region, types=c.LicenceType.choices,
                   breaches=recent_breaches(user, 30), chart={"breaches": breach_trend(user),
                                                              "ratios": ratio_trends(user, trend_type)},
                   trend_type=c.LicenceType(trend_type).label, grades=c.Grade.choices,
                   is_synthetic=any(r["org"].is_synthetic for r in ov["rows"]),
                   can_register=is_regulator(user, CHANGE), statuses=c.OrgStatus.choices,
                   districts=Region.objects.filter(code__startswith=region_scope(user) or "").order_by("code")[:300],
                   guarantors=Organization.objects.filter(kind=OrganizationKind.GUARANTOR, is_active=True,
                                                          supervised_org__isnull=True).order_by("name")[:200],
                   today=timezone.localdate())
        return ctx

    def post(self, request):
        """Register an organisation (regulator officers and admins; the service re-checks)."""
        p = request.POST
        inst = None
        if str(p.get("institution", "")).isdigit():
            inst = Organization.objects.filter(pk=int(p["institution"]), kind=OrganizationKind.GUARANTOR).first()
        try:
            org = org_register(actor=request.user, name=p.get("name", ""), licence_type=p.get("licence_type", ""),
                               licence_no=p.get("licence_no", ""), licence_date=p.get("licence_date", ""),
                               registered_capital=p.get("registered_capital", ""),
                               paid_in_capital=p.get("paid_in_capital", ""), region_code=p.get("region_code", ""),
                               business_scope=p.get("business_scope", ""), contact_name=p.get("contact_name", ""),
                               contact_phone=p.get("contact_phone", ""), institution=inst)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            return redirect("supervision:dashboard")
        messages.success(request, _("已登记 %(name)s。") % {"name": org.name})
        return redirect("supervision:org_detail", pk=org.pk)


class OrgDetailView(SupervisedRequired, RestrictedPageMixin, TemplateView):
    model = SupervisedOrg
    template_name = "supervision/org_detail.html"

    def _org(self, action=VIEW):
        org = self.restricted(action).filter(pk=self.kwargs["pk"]).first()
        if org is None:
            raise Http404
        return org

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self._org()
        user = self.request.user
        ctx.update(COLORS, org=org, d=org_detail(user, org), today=timezone.localdate(),
                   can_supervise=is_regulator(user, CHANGE), statuses=c.OrgStatus.choices,
                   can_file=fileable_orgs(user).filter(pk=org.pk).exists(),
                   components=c.COMPONENT_LABELS)
        return ctx

    def post(self, request, pk):
        org = self._org(VIEW)
        what = request.POST.get("action", "")
        try:
            if what == "inspection":
                inspection_record(org=org, actor=request.user, inspected_on=request.POST.get("inspected_on", ""),
                                  inspectors=request.POST.get("inspectors", ""), findings=request.POST.get("findings", ""),
                                  rectification_required=request.POST.get("rectification_required") == "1",
                                  deadline=request.POST.get("deadline") or None)
                messages.success(request, _("现场检查已登记。"))
            elif what == "rectified":
                insp = Inspection.objects.restrict(request.user, VIEW).filter(
                    pk=request.POST.get("inspection", "0") if str(request.POST.get("inspection", "")).isdigit() else 0,
                    org=org).first()
                if insp is None:
                    raise Http404
                inspection_update(inspection=insp, actor=request.user, status=c.InspectionStatus.RECTIFIED,
                                  note=request.POST.get("note", ""))
                messages.success(request, _("已记录整改完成。"))
            elif what == "status":
                org_set_status(org=org, status=request.POST.get("status", ""), actor=request.user)
                messages.success(request, _("经营状态已更新。"))
            else:
                messages.error(request, _("未知的操作。"))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("supervision:org_detail", pk=org.pk)


class UploadView(SupervisedRequired, RestrictedPageMixin, TemplateView):
    """File reports from the XLSX template; the uploads of the user's organisation / region."""

    model = ReportUpload
    template_name = "supervision/upload.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(COLORS, uploads=uploads_for(user).select_related("uploaded_by")[:50], orgs=fileable_orgs(user).order_by("name")[:200],
                   can_file=fileable_orgs(user).exists() and (is_regulator(user, CHANGE) or
                                                              organization_of(user) is not None))
        return ctx

    def post(self, request):
        f = request.FILES.get("file")
        if f is None:
            messages.error(request, _("请选择要导入的 Excel 文件。"))
            return redirect("supervision:upload")
        if f.size > MAX_UPLOAD:
            messages.error(request, _("文件过大（最大 5 MB）。"))
            return redirect("supervision:upload")
        try:
            stored = reports_import_xlsx(data=f.read(), file_name=f.name, actor=request.user)
        except ReportRejected as exc:
            messages.error(request, _("文件有 %(n)s 处错误，整个文件未入库；数据已留存，请按错误清单更正后重新导入。") % {
                "n": len(exc.upload.errors)})
            return redirect("supervision:upload_detail", pk=exc.upload.pk)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            return redirect("supervision:upload")
        messages.success(request, _("已导入 %(n)s 份报表。") % {"n": len(stored)})
        upload = stored[0].upload if stored else None
        return redirect("supervision:upload_detail", pk=upload.pk) if upload else redirect("supervision:upload")


class UploadDetailView(SupervisedRequired, RestrictedPageMixin, TemplateView):
    model = ReportUpload
    template_name = "supervision/upload_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        upload = self.restricted(VIEW).filter(pk=kwargs["pk"]).first()
        if upload is None:
            raise Http404
        labels = field_labels()
        keys = []
        for r in upload.rows:
            keys += [k for k in r if k not in keys and k not in ("sheet", "row")]
        ctx.update(COLORS, upload=upload, errors=error_rows(upload.errors, labels),
                   columns=[(k, labels.get(k, k)) for k in keys],
                   rows=[(r.get("sheet"), r.get("row"), [r.get(k) for k in keys]) for r in upload.rows[:500]],
                   reports=PeriodicReport.objects.restrict(self.request.user, VIEW).filter(upload=upload)
                   .select_related("org")[:200])
        return ctx


class TemplateDownloadView(SupervisedRequired, TemplateView):
    def get(self, request, *args, **kwargs):
        resp = HttpResponse(template_bytes(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%9C%B0%E6%96%B9%E9%87%91%E8%9E%8D%E7%BB%84%E7%BB%87%E6%8A%A5%E8%A1%A8%E6%A8%A1%E6%9D%BF.xlsx"
        return resp


class ExportView(RegulatorRequired, TemplateView):
    def get(self, request, *args, **kwargs):
        resp = HttpResponse(supervision_xlsx(user=request.user),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = 'attachment; filename="supervision.xlsx"'
        return resp
