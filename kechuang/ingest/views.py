"""Pages of data collection (数据归集): upload with live progress, the quarantine, templates, export."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kechuang.core.formatting import english
from kechuang.core.selectors import job_progress
from kechuang.engine.facts.schema import SECTIONS
from kechuang.enterprises.choices import ImportMode
from kechuang.enterprises.filtersets import EnterpriseFilterSet
from kechuang.enterprises.models import DataSource, Enterprise

from .choices import FileFormat
from .exports import CONTENT_TYPES, export_records, template_bytes
from .models import ImportRun, QuarantinedRow
from .services import (can_import, default_source, import_run_create, quarantined_row_discard,
                       quarantined_row_resubmit)


class ImporterRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return can_import(self.request.user)


class ImportRunListView(ImporterRequired, TemplateView):
    template_name = "ingest/importrun_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(runs=ImportRun.objects.select_related("source", "created_by", "batch")[:100],
                   sources=DataSource.objects.all(), modes=ImportMode.choices,
                   sections=[(s.name, s.label_en if english() else s.label_zh) for s in SECTIONS.values()])
        return ctx

    def post(self, request):
        upload = request.FILES.get("file")
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
        run = get_object_or_404(ImportRun.objects.select_related("source", "batch", "job"), pk=kwargs["pk"])
        ctx.update(run=run, progress=job_progress(run.job) if run.job else None,
                   finished=run.status in ("applied", "rejected", "failed"),
                   quarantined=run.quarantined_rows.all()[:500])
        return ctx


class QuarantinedRowView(ImporterRequired, TemplateView):
    template_name = "ingest/quarantinedrow_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        row = get_object_or_404(QuarantinedRow.objects.select_related("run"), pk=kwargs["pk"])
        text = kwargs.get("text") or (json.dumps(row.data, ensure_ascii=False, indent=2)
                                      if row.data is not None else row.raw_text)
        ctx.update(row=row, text=text, errors=kwargs.get("errors") or row.errors)
        return ctx

    def post(self, request, pk):
        row = get_object_or_404(QuarantinedRow, pk=pk)
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
