"""Pages of data collection (数据归集): upload with live progress, the quarantine, templates, export."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kechuang.core.formatting import english
from kechuang.core.selectors import job_progress
from kechuang.engine.facts.schema import SECTIONS
from kechuang.enterprises.choices import ImportMode
from kechuang.enterprises.filtersets import EnterpriseFilterSet
from kechuang.enterprises.models import DataSource, Enterprise

from .choices import FileFormat, ImportStatus, QuarantineStatus
from .forms import QuarantineFixForm, error_message
from .exports import CONTENT_TYPES, export_records, template_bytes
from .models import ImportRun, QuarantinedRow
from .services import (can_import, default_source, import_run_create, import_run_resume,
                       import_runs_fail_stale, quarantined_row_discard, quarantined_row_resubmit,
                       upload_too_large)


class ImporterRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return can_import(self.request.user)


class ImportRunListView(ImporterRequired, TemplateView):
    template_name = "ingest/importrun_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        import_runs_fail_stale()
        ctx.update(runs=ImportRun.objects.restrict(self.request.user, "view")
                   .select_related("source", "created_by", "batch")[:100],
                   sources=DataSource.objects.all(), modes=ImportMode.choices,
                   sections=[(s.name, s.label_en if english() else s.label_zh) for s in SECTIONS.values()])
        return ctx

    def post(self, request):
        # Refused from the declared length before the body is read (then from the file's size,
        # for a body sent without one).
        too_large = upload_too_large(request.META.get("CONTENT_LENGTH"))
        upload = request.FILES.get("file") if too_large is None else None
        if upload is not None:
            too_large = upload_too_large(upload.size)
        if too_large is not None:
            messages.error(request, too_large)
            response = self.render_to_response(self.get_context_data())
            response.status_code = 413
            return response
        if upload is None:
            messages.error(request, _("请选择要导入的文件。"))
            return redirect("ingest:importrun_list")
        source_id = request.POST.get("source", "")
        source = (DataSource.objects.filter(pk=source_id).first() if source_id.isdigit() else None) \
            or default_source()
        mode = request.POST.get("mode") if request.POST.get("mode") in ImportMode.values else ImportMode.UPSERT
        suffix = Path(upload.name).suffix
        with tempfile.NamedTemporaryFile(suffix=suffix, delete=True) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                run = import_run_create(path=Path(tmp.name), file_name=upload.name, source=source,
                                        actor=request.user, mode=mode,
                                        section=request.POST.get("section", ""), enqueue=True)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("ingest:importrun_list")
        return redirect("ingest:importrun_detail", pk=run.pk)


class ImportRunDetailView(ImporterRequired, TemplateView):
    template_name = "ingest/importrun_detail.html"

    def get_template_names(self):
        return ["htmx/import_progress.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        import_runs_fail_stale()
        user = self.request.user
        run = get_object_or_404(ImportRun.objects.restrict(user, "view").select_related("source", "batch", "job"),
                                pk=kwargs["pk"])
        ctx.update(run=run, progress=job_progress(run.job) if run.job else None,
                   finished=run.status in ("applied", "rejected", "failed"),
                   can_resume=run.status == ImportStatus.FAILED
                   and ImportRun.objects.restrict(user, "run").filter(pk=run.pk).exists(),
                   quarantined=QuarantinedRow.objects.restrict(user, "view").filter(run=run)[:500])
        return ctx


class QuarantinedRowView(ImporterRequired, TemplateView):
    template_name = "ingest/quarantinedrow_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        row = get_object_or_404(QuarantinedRow.objects.restrict(self.request.user, "view").select_related("run"),
                                pk=kwargs["pk"])
        text = kwargs.get("text") or (json.dumps(row.data, ensure_ascii=False, indent=2)
                                      if row.data is not None else row.raw_text)
        errors = kwargs.get("errors") or row.errors
        ctx.update(row=row, text=text, errors=[{**e, "message": error_message(e, without_path=True)} for e in errors])
        return ctx

    def post(self, request, pk):
        row = get_object_or_404(QuarantinedRow.objects.restrict(request.user, "change"), pk=pk)
        if request.POST.get("action") == "discard":
            try:
                quarantined_row_discard(row=row, actor=request.user, reason=request.POST.get("reason", ""))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("ingest:importrun_detail", pk=row.run_id)
        text = request.POST.get("data", "")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return self.render_to_response(self.get_context_data(
                pk=pk, text=text, errors=[{"field": "", "code": "json",
                                           "message": _("JSON 格式错误：第 %(l)s 行第 %(c)s 列") % {"l": exc.lineno, "c": exc.colno}}]))
        try:
            batch = quarantined_row_resubmit(row=row, data=data, actor=request.user)
        except ValidationError as exc:
            errors = [{"field": (e.params or {}).get("path", ""), "code": e.code, "message": " ".join(e.messages)}
                      for e in exc.error_list]
            return self.render_to_response(self.get_context_data(pk=pk, text=text, errors=errors))
        messages.success(request, _("已修正并入库（批次 #%(b)s）。") % {"b": batch.pk})
        return redirect("ingest:importrun_detail", pk=row.run_id)


class ImportRunResumeView(ImporterRequired, View):
    """The run page's 继续导入 button: queue a failed or killed import to continue after its last
    committed chunk."""

    def post(self, request, pk):
        run = get_object_or_404(ImportRun.objects.restrict(request.user, "run"), pk=pk)
        try:
            import_run_resume(run=run, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已重新排队继续导入；已提交的 %(n)s 个数据块不会重复写入。") % {"n": run.chunks_done})
        return redirect("ingest:importrun_detail", pk=run.pk)


@login_required
def quarantined_row_fix(request, pk):
    """Fix one quarantined record field by field (Chinese labels, each problem beside its field);
    submitting calls the same audited resubmit service as the JSON page and the API."""
    if not can_import(request.user):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以处理隔离记录。"))
    row = get_object_or_404(QuarantinedRow.objects.restrict(request.user, "change").select_related("run"), pk=pk)
    if not isinstance(row.data, dict):
        messages.info(request, _("该行无法解析为字段，请直接修改原始内容。"))
        return redirect("ingest:quarantinedrow_detail", pk=row.pk)
    form = QuarantineFixForm(row, request.POST or None)
    status = 200
    if request.method == "POST" and row.status == QuarantineStatus.OPEN and form.is_valid():
        try:
            batch = quarantined_row_resubmit(row=row, data=form.record(), actor=request.user)
        except ValidationError as exc:
            form.show_errors([{"path": (e.params or {}).get("path", ""), "message": " ".join(e.messages)}
                              for e in exc.error_list])
            status = 400
        else:
            messages.success(request, _("已修正并入库（批次 #%(b)s）。") % {"b": batch.pk})
            return redirect("ingest:importrun_detail", pk=row.run_id)
    return render(request, "ingest/quarantinedrow_fix.html", {"row": row, "form": form,
                                                              "is_open": row.status == QuarantineStatus.OPEN},
                  status=status)


class TemplateDownloadView(LoginRequiredMixin, View):
    """The import templates: an XLSX workbook with every section, or one CSV per section."""

    def get(self, request):
        fmt = request.GET.get("format", FileFormat.XLSX)
        section = request.GET.get("section", "profile")
        if fmt == FileFormat.CSV and section not in SECTIONS:
            section = "profile"
        data = template_bytes(fmt, section)
        name = "企业数据导入模板.xlsx" if fmt == FileFormat.XLSX else f"企业数据导入模板-{SECTIONS[section].label_zh}.csv"
        response = HttpResponse(data, content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"))
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


class ExportView(ImporterRequired, View):
    """Export the enterprises of the current filter, in the import formats."""

    def get(self, request):
        fmt = request.GET.get("format")
        if fmt not in FileFormat.values:
            return TemplateView.as_view(template_name="ingest/export.html",
                                        extra_context={"query": request.GET.urlencode(),
                                                       "sections": [(s.name, s.label_en if english() else s.label_zh)
                                                                    for s in SECTIONS.values()]})(request)
        params = request.GET.copy()
        for key in ("format", "section"):
            params.pop(key, None)
        base = Enterprise.objects.restrict(request.user, "view")
        filterset = EnterpriseFilterSet(params or None, queryset=base)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
        data, count = export_records(qs, fmt=fmt, section=request.GET.get("section", "profile"), user=request.user)
        response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f"attachment; filename=enterprises-{count}.{fmt}"
        return response
