"""Pages of the rating app: runs (with live progress and the grade distribution), the rating card
of one enterprise, the results a user may see, the model registry with the development report,
champion/challenger comparison and population-stability monitoring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kechuang.accounts.access import VIEW, region_scope
from kechuang.accounts.models import Region
from kechuang.core.choices import FINISHED_JOB_STATUSES
from kechuang.core.models import Job
from kechuang.core.restricted import RestrictedPageMixin
from kechuang.core.selectors import job_progress
from kechuang.engine.rating import FEATURES_BY_NAME
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_list_read, enterprise_profile_read

from .choices import (FINISHED_RUN_STATUSES, GRADE_COLORS, MODEL_STATUS_COLORS, RUN_STATUS_COLORS,
                      ModelStatus, RunStatus)
from .exports import run_results_xlsx
from .models import RatingModel, RatingResult, RatingRun
from .selectors import (can_govern, champion, compare, enterprise_history, feature_label,
                        grade_distribution, group_label, latest_result, models_for, reason_view,
                        score_enterprise)
from .services import rating_model_promote, rating_model_train_enqueue, rating_run_create


class RegulatorRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return region_scope(self.request.user) is not None


def _reasons_view(reasons: list[dict]) -> list[dict]:
    return [reason_view(r) for r in reasons]


def _points_view(points: dict, values: dict) -> list[dict]:
    rows = []
    for name, pts in points.items():
        f = FEATURES_BY_NAME.get(name)
        rows.append({"name": name, "label": feature_label(name),
                     "group": group_label(f.group) if f else "", "points": pts,
                     "categorical": bool(f and f.categorical),
                     "value": values.get(name)})
    return rows


class RunListView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """Rating runs of the user's region with a "rate now" form (background job)."""

    model = RatingRun
    template_name = "rating/ratingrun_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        prefix = region_scope(user)
        org = user.organization
        ctx.update(runs=self.restricted(VIEW, RatingRun).select_related("model", "created_by", "job")[:100], colors=RUN_STATUS_COLORS, champion=champion(),
                   regions=Region.objects.filter(code__startswith=prefix).order_by("code")[:200],
                   default_region=org.region_id if org else "370100",
                   today=timezone.localdate().isoformat())
        return ctx

    def post(self, request):
        day = parse_date(request.POST.get("as_of", "")) or timezone.localdate()
        try:
            run = rating_run_create(as_of=day, actor=request.user, enqueue=True,
                                    region_code=request.POST.get("region_code", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("rating:ratingrun_list")
        return redirect("rating:ratingrun_detail", pk=run.pk)


class RunDetailView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """A run: live progress while it runs; then the grade distribution (chart and master scale),
    the stability check and the riskiest enterprises."""

    model = RatingRun
    template_name = "rating/ratingrun_detail.html"
    paginate_by = 50

    def get_template_names(self):
        return ["rating/_progress.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = get_object_or_404(self.restricted(VIEW, RatingRun).select_related("model", "created_by", "job"), pk=kwargs["pk"])
        finished = run.status in FINISHED_RUN_STATUSES
        ctx.update(run=run, progress=job_progress(run.job) if run.job else None, finished=finished,
                   colors=RUN_STATUS_COLORS, grade_colors=GRADE_COLORS)
        if run.status == "succeeded" and not self.request.htmx:  # the poll only needs the bar
            scale = grade_distribution(run)
            qs = self.restricted(VIEW, RatingResult).filter(run=run).select_related("enterprise", "run", "run__model")
            grade = self.request.GET.get("grade", "")
            if grade:
                qs = qs.filter(grade=grade)
            page = Paginator(qs.order_by("-pd", "enterprise_id"), self.paginate_by).get_page(self.request.GET.get("page"))
            for r in page.object_list:
                r.reasons_view = _reasons_view(r.reasons)
            features = [f | {"label": feature_label(f.get("feature", ""))}
                        for f in run.monitoring.get("features", [])]
            ctx.update(scale=scale, page=page, grade=grade, monitoring_features=features,
                       chart={"grades": [s["grade"] for s in scale], "counts": [s["count"] for s in scale]})
        return ctx


class RunExportView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The run's results as an Excel workbook (audited)."""

    model = RatingRun

    def get(self, request, pk):
        run = get_object_or_404(self.restricted(VIEW, RatingRun).select_related("model", "created_by", "job").filter(status="succeeded"), pk=pk)
        data, _count = run_results_xlsx(run=run, user=request.user)
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="rating-run-{run.pk}-{run.as_of.isoformat()}.xlsx"'
        return response


class EnterpriseRatingView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """An enterprise's rating card: grade, PD, score, reasons in plain Chinese, points per feature
    and its history. The enterprise itself, institutions it authorised and its regulator see it;
    institutions' reads are audited."""

    model = Enterprise
    template_name = "rating/rating_card.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise = self.restricted(VIEW).filter(pk=kwargs["pk"]).first()
        if enterprise is None:
            raise Http404(_("企业不存在或您无权查看。"))
        consent = enterprise_profile_read(enterprise=enterprise, user=self.request.user, what="rating card")
        result = latest_result(enterprise)
        online = None
        if result is None:
            online = score_enterprise(enterprise=enterprise, as_of=timezone.localdate())
        if result is not None:
            card = {"grade": result.grade, "pd": float(result.pd), "score": float(result.score),
                    "as_of": result.run.as_of, "model": result.run.model, "stored": True,
                    "is_synthetic": result.run.is_synthetic,
                    "reasons": _reasons_view(result.reasons), "points": _points_view(result.points, result.values)}
        elif online is not None:
            card = {"grade": online["grade"], "pd": online["pd"], "score": online["score"],
                    "as_of": online["as_of"], "model": champion(), "stored": False,
                    "is_synthetic": online["is_synthetic"], "reasons": _reasons_view(online["reasons"]),
                    "points": _points_view(online["points"], online["values"])}
        else:
            card = None
        ctx.update(enterprise=enterprise, card=card, consent_used=consent, grade_colors=GRADE_COLORS,
                   history=enterprise_history(enterprise))
        return ctx


class ResultListView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """The ratings a user may see in the latest run: an institution those of the enterprises that
    authorised it, an enterprise its own, a regulator its region."""

    model = RatingResult
    template_name = "rating/ratingresult_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = self.restricted(VIEW).filter(run__status=RunStatus.SUCCEEDED).select_related("enterprise", "run",
                                                                                         "run__model")
        latest = qs.order_by("-run__as_of", "-run_id").values_list("run_id", flat=True).first()
        qs = qs.filter(run_id=latest).order_by("-pd", "enterprise_id") if latest else qs.none()
        page = Paginator(qs, self.paginate_by).get_page(self.request.GET.get("page"))
        enterprise_list_read(enterprises=[r.enterprise for r in page.object_list], user=self.request.user,
                             what="rating list")
        for r in page.object_list:
            r.reasons_view = _reasons_view(r.reasons)
        ctx.update(page=page, grade_colors=GRADE_COLORS)
        return ctx


class ModelListView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The model registry; administrators train a candidate here (the engine's errors are shown
    in plain words) and promote versions."""

    model = RatingModel
    template_name = "rating/ratingmodel_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(models=self.restricted(VIEW).select_related("trained_by", "approved_by")[:100],
                   colors=MODEL_STATUS_COLORS,
                   can_govern=can_govern(self.request.user), today=timezone.localdate().isoformat(),
                   monitored=self.restricted(VIEW, RatingRun).select_related("model", "created_by", "job").filter(status="succeeded")
                   .order_by("-finished_at", "-pk")[:20])
        return ctx

    def post(self, request):
        if not can_govern(request.user):
            raise PermissionDenied(_("只有平台管理员或监管部门管理员可以训练评级模型。"))
        day = parse_date(request.POST.get("as_of", ""))
        horizon = request.POST.get("horizon_months", "12")
        if day is None or not horizon.isdigit() or not 1 <= int(horizon) <= 60:
            messages.error(request, _("请填写有效的特征基准日和 1–60 个月的观察期。"))
            return redirect("rating:ratingmodel_list")
        try:
            job = rating_model_train_enqueue(as_of=day, horizon_months=int(horizon), actor=request.user,
                                             note=request.POST.get("note", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("rating:ratingmodel_list")
        return redirect("rating:training_detail", pk=job.pk)


class TrainingView(RegulatorRequired, TemplateView):
    """A training job with live progress; on success a link to the new candidate, on failure the
    engine's error in plain words (nothing was registered)."""

    template_name = "rating/training_detail.html"

    def get_template_names(self):
        return ["rating/_training.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        jobs = Job.objects.filter(kind="rating.train")
        if not self.request.user.is_superuser:
            jobs = jobs.filter(created_by=self.request.user)
        job = get_object_or_404(jobs, pk=kwargs["pk"])
        ctx.update(job=job, progress=job_progress(job), finished=job.status in FINISHED_JOB_STATUSES,
                   model_id=(job.result or {}).get("model_id"))
        return ctx


class ModelDetailView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """A version's development report (AUC, KS, Gini, IV per feature, calibration, bins with
    counts), its comparison with the champion on the same data, and the promotion buttons."""

    model = RatingModel
    template_name = "rating/ratingmodel_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        model = get_object_or_404(self.restricted(VIEW).select_related("trained_by", "approved_by"), pk=kwargs["pk"])
        report = model.report or {}
        features = [f | {"label": feature_label(f["feature"])} for f in report.get("features", [])]
        current = champion()
        comparison = None
        if current is not None and current.pk != model.pk:
            comparison = compare([current, model], as_of=model.train_as_of,
                                 horizon_months=model.horizon_months, region_code=model.region_code,
                                 holdout_share=(model.report or {}).get("holdout_share", 0.3))
        ctx.update(model=model, report=report, features=features, colors=MODEL_STATUS_COLORS,
                   champion=current, comparison=comparison, can_govern=can_govern(self.request.user),
                   statuses=[s for s in ModelStatus.choices if s[0] != model.status])
        return ctx

    def post(self, request, pk):
        model = get_object_or_404(models_for(request.user), pk=pk)
        try:
            rating_model_promote(model=model, status=request.POST.get("status", ""), actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("模型状态已更新。"))
        return redirect("rating:ratingmodel_detail", pk=pk)
