"""Pages of the points app: runs (the regulator scores its region), a run's distribution by stage
and district with the movements since the previous run, the results a user may see, an
enterprise's points card (points, rank, reasons, next band, history) and the model registry."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kechuang.accounts.access import VIEW, region_scope
from kechuang.accounts.models import Region
from kechuang.core.formatting import region_name
from kechuang.core.restricted import RestrictedPageMixin
from kechuang.core.views import run_progress_context, run_progress_response
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read

from .choices import BAND_COLORS, PENDING_STATUSES, RUN_STATUS_COLORS
from .exports import run_results_xlsx
from .models import PointsModel, PointsResult, PointsRun
from .selectors import (band_label, distribution, engine_model, enterprise_history, fact_label, formula_text, indicator_label,
                        latest_result, movements, result_view, stage_label)
from .services import points_model_register, points_run_create


class RegulatorRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return region_scope(self.request.user) is not None


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class RunListView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """Points runs of the user's region with a "score now" form."""

    model = PointsRun
    template_name = "points/pointsrun_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        prefix = region_scope(user)
        org = user.organization
        ctx.update(runs=self.restricted(VIEW, PointsRun).select_related("model", "created_by")[:100],
                   colors=RUN_STATUS_COLORS,
                   models=self.restricted(VIEW, PointsModel).order_by("code", "-created_at")[:50],
                   regions=Region.objects.filter(code__startswith=prefix).order_by("code")[:200],
                   default_region=org.region_id if org else "370100", today=timezone.localdate().isoformat())
        return ctx

    def post(self, request):
        day = parse_date(request.POST.get("as_of", "")) or timezone.localdate()
        model = None
        if request.POST.get("model"):
            model = self.restricted(VIEW, PointsModel).filter(pk=request.POST["model"]).first()
        try:
            run = points_run_create(as_of=day, actor=request.user, model=model, enqueue=True,
                                    region_code=request.POST.get("region_code", ""))
        except ValidationError as exc:  # a viewer's PermissionDenied is a 403
            messages.error(request, _errors(exc))
            return redirect("points:pointsrun_list")
        messages.success(request, _("创新积分计算已排队（批次 #%(pk)s），完成后本页自动刷新。") % {"pk": run.pk})
        return redirect("points:pointsrun_detail", pk=run.pk)


def _progress(run: PointsRun) -> dict:
    return run_progress_context(run, label=_("创新积分计算"), poll_url=reverse("points:pointsrun_progress", args=[run.pk]))


class RunProgressView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """One run's progress bar (polled by its page while it is queued or computing); once it has
    finished, an HTMX poll reloads the page so the results show."""

    model = PointsRun

    def get(self, request, pk):
        run = get_object_or_404(self.restricted(VIEW).select_related("job"), pk=pk)
        return run_progress_response(request, run, label=_("创新积分计算"),
                                     poll_url=reverse("points:pointsrun_progress", args=[run.pk]))


class RunDetailView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """A run: the distribution by stage and district (chart and tables), the movements since the
    previous run, and the results (filter by stage, district, band)."""

    model = PointsRun
    template_name = "points/pointsrun_detail.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        run = get_object_or_404(self.restricted(VIEW, PointsRun).select_related("model", "previous", "job"),
                                pk=kwargs["pk"])
        if run.status in PENDING_STATUSES:
            ctx.update(run=run, pending=_progress(run))
            return ctx
        model = engine_model(run.model)
        dist = distribution(run, user)
        qs = self.restricted(VIEW, PointsResult).filter(run=run).select_related("enterprise")
        f = {k: self.request.GET.get(k, "") for k in ("stage", "region", "band")}
        if f["stage"]:
            qs = qs.filter(stage=f["stage"])
        if f["region"]:
            qs = qs.filter(region_code=f["region"])
        if f["band"]:
            qs = qs.filter(band=f["band"])
        page = Paginator(qs.order_by("-points", "enterprise_id"), self.paginate_by).get_page(self.request.GET.get("page"))
        for r in page.object_list:
            r.stage_label, r.band_label = stage_label(model, r.stage), band_label(model, r.band)
            r.lift_labels = [indicator_label(model, i) for i in r.lifts]
            r.drag_labels = [indicator_label(model, i) for i in r.drags]
        moves = movements(run, user)
        for r in moves["up"] + moves["down"]:
            r.band_label = band_label(model, r.band)
        chart = {"districts": [region_name(d["code"]) for d in dist["districts"]],
                 "stages": [s["label"] for s in dist["stages"]],
                 "series": [[d["stages"][i] for d in dist["districts"]] for i in range(len(dist["stages"]))]}
        ctx.update(run=run, dist=dist, page=page, filters=f, moves=moves, chart=chart, band_colors=BAND_COLORS,
                   stages=[(s.id, stage_label(model, s.id)) for s in model.stages],
                   bands=[(b.id, band_label(model, b.id)) for b in reversed(model.bands)], colors=RUN_STATUS_COLORS)
        return ctx


class RunExportView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The run's results as an Excel workbook (audited)."""

    model = PointsRun

    def get(self, request, pk):
        run = get_object_or_404(self.restricted(VIEW, PointsRun).select_related("model"), pk=pk)
        data, _count = run_results_xlsx(run=run, user=request.user)
        resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="points-run-{run.pk}.xlsx"'
        return resp


class ResultListView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """The latest points a user may see: an institution those of enterprises that authorised it,
    an enterprise its own, a regulator its region."""

    model = PointsResult
    template_name = "points/pointsresult_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = (self.restricted(VIEW).filter(run__status="succeeded").select_related("enterprise", "run", "run__model")
              .order_by("-run__as_of", "-run_id", "-points", "enterprise_id"))
        page = Paginator(qs, 50).get_page(self.request.GET.get("page"))
        for r in page.object_list:
            model = engine_model(r.run.model)
            r.stage_label, r.band_label = stage_label(model, r.stage), band_label(model, r.band)
        ctx.update(page=page, band_colors=BAND_COLORS)
        return ctx


class EnterprisePointsView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """An enterprise's points card: points, band, rank within its stage and district, the
    indicators that lift and drag it, the smallest changes into the next band, each indicator's
    value, score and weight (official or provisional), and its history. Institutions' reads are
    audited with the consent they rely on."""

    model = Enterprise
    template_name = "points/points_card.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise = self.restricted(VIEW).filter(pk=kwargs["pk"]).first()
        if enterprise is None:
            raise Http404(_("企业不存在或您无权查看。"))
        consent = enterprise_profile_read(enterprise=enterprise, user=self.request.user, what="innovation points")
        result = latest_result(enterprise, self.request.user)
        history = enterprise_history(enterprise, self.request.user)
        for h in history:
            h.band_label = band_label(engine_model(h.run.model), h.band)
        ctx.update(enterprise=enterprise, result=result, view=result_view(result) if result else None,
                   consent_used=consent, history=history, band_colors=BAND_COLORS)
        return ctx


class ModelListView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The registered models, and a form to register a model version (TOML or JSON), checked on load."""

    model = PointsModel
    template_name = "points/pointsmodel_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(models=self.restricted(VIEW).select_related("created_by")[:100])
        return ctx

    def post(self, request):
        upload = request.FILES.get("file")
        text = upload.read().decode("utf-8", errors="replace") if upload else request.POST.get("text", "")
        fmt = request.POST.get("fmt") or ("json" if upload and upload.name.endswith(".json") else "toml")
        try:
            model = points_model_register(text=text, fmt=fmt, actor=request.user)
        except ValidationError as exc:  # a viewer's PermissionDenied is a 403
            for m in exc.messages:
                messages.error(request, m)
            return redirect("points:pointsmodel_list")
        messages.success(request, _("已登记积分模型 %(v)s。") % {"v": model.version})
        return redirect("points:pointsmodel_detail", pk=model.pk)


def _box_text(box: dict) -> str:
    parts = []
    for fact, (lo, hi) in box.items():
        if math.isfinite(lo):
            parts.append(_("%(fact)s 不低于 %(v)s") % {"fact": fact_label(fact), "v": f"{lo:g}"})
        if math.isfinite(hi):
            parts.append(_("%(fact)s 低于 %(v)s") % {"fact": fact_label(fact), "v": f"{hi:g}"})
    return _("且").join(parts) or _("全部企业")


class ModelDetailView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """One model: stages and their rules, groups and indicators with formulas and the weight in
    every stage (official or provisional, and the source), normalisation, bonus and negative items."""

    model = PointsModel
    template_name = "points/pointsmodel_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        row = get_object_or_404(self.restricted(VIEW), pk=kwargs["pk"])
        model = engine_model(row)
        groups = []
        for g in model.groups:
            inds = [{"ind": i, "label": indicator_label(model, i.id), "formula": formula_text(i.formula.text),
                     "weights": [i.weights[s] for s in model.stage_ids]}
                    for i in model.indicators if i.group == g.id]
            groups.append({"group": g, "weights": [g.weights[s] for s in model.stage_ids], "indicators": inds})
        ctx.update(row=row, model=model, groups=groups,
                   stages=[{"stage": s, "label": stage_label(model, s.id), "rules": [_box_text(b) for b in s.boxes]}
                           for s in model.stages])
        return ctx
