"""Pages of the evaluation app: an enterprise's printable evaluation report with a live what-if,
the regulator's overview (counts, movements, close to qualifying) and the runs with live progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from kechuang.accounts.access import VIEW, region_scope
from kechuang.accounts.models import Region
from kechuang.core.formatting import english
from kechuang.core.restricted import RestrictedPageMixin
from kechuang.core.selectors import job_progress
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read

from .choices import FINISHED_RUN_STATUSES, RUN_STATUS_COLORS, RunDetails, Standard, Tier
from .filtersets import TierPlacementFilterSet
from .models import EvaluationRun, TierPlacement
from .presentation import STANDARD_LABELS, STATUS_LABELS, TIER_LABELS, ladder_view, result_view
from .selectors import (WHAT_IF_YEAR_FACTS, enterprise_evaluation, enterprise_placements,
                        enterprise_record, latest_runs, movements, run_counts, what_if)
from .services import evaluation_run_create

#: Lazy: translated when a page reads them, in that page's language (not once at import, in Chinese).
WHAT_IF_LABELS = {"employees": gettext_lazy("职工总数"), "tech_staff": gettext_lazy("科技人员数"),
                  "rd_staff": gettext_lazy("研发人员数"), "operating_revenue": gettext_lazy("营业收入（元）"),
                  "sales_revenue": gettext_lazy("销售收入（元）"), "rd_expense": gettext_lazy("研发费用（元）")}


def _as_of(request) -> dt.date:
    text = request.GET.get("as_of") or request.POST.get("as_of") or ""
    day = parse_date(text) if text else None
    if text and day is None:
        messages.error(request, _("日期格式应为 YYYY-MM-DD，已按今天评价。"))
    today = timezone.localdate()
    if day is not None and day > today:
        messages.error(request, _("评价基准日不能晚于今天，已按今天评价。"))
        day = None
    return day or today


class RegulatorRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return region_scope(self.request.user) is not None


class EvaluationReportView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """An enterprise's evaluation (资质评价报告): every standard with its clauses, values,
    thresholds, points, articles and gaps; its rung on the ladder; a what-if form. Printable."""

    model = Enterprise
    template_name = "evaluation/evaluation_report.html"

    def _enterprise(self):
        # what-if posts read the report too: the enterprise is viewed, never changed here
        enterprise = self.restricted(VIEW).filter(pk=self.kwargs["pk"]).first()
        if enterprise is None:
            raise Http404(_("企业不存在或您无权查看。"))
        return enterprise

    def get_template_names(self):
        if self.request.htmx:
            return ["htmx/evaluation_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise = self._enterprise()
        as_of = _as_of(self.request)
        consent = enterprise_profile_read(enterprise=enterprise, user=self.request.user,
                                          what=f"evaluation as of {as_of.isoformat()}")
        evaluation = enterprise_evaluation(enterprise=enterprise, as_of=as_of)
        ref = as_of.year - 1
        year = next((y for y in evaluation["record"].get("years", []) if y.get("year") == ref), {})
        ctx.update(
            enterprise=enterprise, as_of=as_of, consent_used=consent, ref_year=ref,
            results=[result_view(r) for r in evaluation["results"]],
            ladder=ladder_view(evaluation["ladder"]), issues=evaluation["issues"],
            what_if_fields=[{"name": n, "label": WHAT_IF_LABELS[n], "value": year.get(n)} for n in WHAT_IF_YEAR_FACTS],
            ip_class1=sum(1 for i in evaluation["record"].get("ip", []) if i.get("type") == "invention_patent"),
            history=enterprise_placements(enterprise), tier_labels=TIER_LABELS,
            region=Region.objects.filter(code=enterprise.region_code).first())
        return ctx

    def post(self, request, pk):
        """What-if: re-evaluate with the edited facts (nothing is saved)."""
        enterprise = self._enterprise()
        as_of = _as_of(request)
        enterprise_profile_read(enterprise=enterprise, user=request.user,
                                what=f"evaluation what-if as of {as_of.isoformat()}")
        ref = as_of.year - 1
        changes: dict = {}
        errors = []
        for name in WHAT_IF_YEAR_FACTS:
            text = (request.POST.get(name) or "").strip().replace(",", "")
            if not text:
                continue
            try:
                value = Decimal(text)
            except InvalidOperation:
                errors.append(_("%(f)s 应为数字。") % {"f": WHAT_IF_LABELS[name]})
                continue
            if value < 0:
                errors.append(_("%(f)s 不能为负数。") % {"f": WHAT_IF_LABELS[name]})
                continue
            changes[f"years[{ref}].{name}"] = int(value) if value == value.to_integral_value() else float(value)
        add_ip = (request.POST.get("add_class1_ip") or "0").strip()
        if not add_ip.isdigit() or int(add_ip) > 50:
            errors.append(_("新增Ⅰ类知识产权数应为 0–50 的整数。"))
        elif int(add_ip):
            granted = (as_of - dt.timedelta(days=1)).isoformat()
            changes["ip[+]"] = [{"type": "invention_patent", "granted_on": granted,
                                 "acquisition": "self_developed", "main_product_related": True,
                                 "industrializable": True} for _i in range(int(add_ip))]
        record = enterprise_record(enterprise=enterprise, as_of=as_of)
        try:
            outcome = what_if(enterprise=enterprise, as_of=as_of, changes=changes, record=record)
        except ValidationError as exc:
            errors.extend(exc.messages)
            outcome = None
        changed = {c["standard"]: c | {"label": STANDARD_LABELS.get(c["standard"], c["standard"]),
                                        "before_label": STATUS_LABELS[c["before"]],
                                        "after_label": STATUS_LABELS[c["after"]]}
                   for c in (outcome or {}).get("changed", [])}
        results = [result_view(r) | {"changed": changed.get(r["standard"])} for r in outcome["after"]] if outcome else []
        ctx = {"enterprise": enterprise, "as_of": as_of, "results": results, "what_if": True,
               "what_if_errors": errors, "changed": list(changed.values()),
               "ladder": ladder_view(outcome["ladder_after"]) if outcome else None,
               "ladder_before": ladder_view(outcome["ladder_before"]) if outcome else None,
               "issues": outcome["issues"] if outcome else []}
        if request.htmx:
            return self.response_class(request=request, template=["htmx/evaluation_results.html"],
                                       context=ctx, using=self.template_engine)
        # "重新测算" pressed without HTMX (script blocked or not yet loaded): the whole page with the
        # what-if results in place, never the bare fragment.
        page = self.get_context_data(**self.kwargs) | ctx
        page["what_if_fields"] = [f | {"value": request.POST.get(f["name"]) or f["value"]}
                                  for f in page["what_if_fields"]]
        return self.response_class(request=request, template=[self.template_name], context=page,
                                   using=self.template_engine)


class RegulatorOverviewView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The regulator's page: counts by standard × status, by tier and by district (charts),
    movements between the latest two runs, and who is close to the next rung."""

    model = TierPlacement
    template_name = "evaluation/tierplacement_list.html"
    paginate_by = 50

    def get_template_names(self):
        if self.request.htmx:
            return ["htmx/evaluation_close_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        runs = latest_runs(user, limit=2)
        run_id = self.request.GET.get("run", "")
        if run_id.isdigit():
            chosen = self.restricted(VIEW, EvaluationRun).filter(pk=int(run_id), status="succeeded").first()
            if chosen is not None:
                older = latest_runs(user, region_code=chosen.region_code, limit=20)
                runs = [chosen, *[r for r in older if r.as_of <= chosen.as_of and r.pk != chosen.pk][:1]]
        run = runs[0] if runs else None
        previous = runs[1] if len(runs) > 1 else None
        ctx.update(run=run, previous=previous, tier_labels=TIER_LABELS, standard_labels=STANDARD_LABELS)
        if run is None:
            return ctx
        counts = run_counts(run)
        regions = {r.code: (r.name_en or r.name) if english() else r.name
                   for r in Region.objects.filter(code__startswith=run.region_code[:4])}
        base = self.restricted(VIEW).filter(run=run, tier_rank__lt=3).select_related("enterprise")
        filterset = TierPlacementFilterSet(self.request.GET or None, queryset=base)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
        if not self.request.GET.get("ordering"):
            qs = qs.order_by("failing", "unknown", "points_short", "enterprise_id")
        page = Paginator(qs.exclude(failing__isnull=True), self.paginate_by).get_page(self.request.GET.get("page"))
        moved = list(movements(run=run, previous=previous)[:200]) if previous else []
        query = self.request.GET.copy()
        query.pop("page", None)
        tiers = [t for t, _label in Tier.choices]
        chart = {
            "standards": [STANDARD_LABELS.get(s, s) for s in counts["standards"]],
            "statuses": ["met", "manual_review", "unknown", "unmet"],
            "status_labels": [_("符合"), _("需人工审核"), _("数据不足"), _("不符合")],
            "by_status": {st: [counts["standards"][s].get(st, 0) for s in counts["standards"]]
                          for st in ("met", "manual_review", "unknown", "unmet")},
            "tiers": [str(TIER_LABELS[t]) for t in tiers],
            "by_tier": [counts["tiers"].get(t, 0) for t in tiers],
            "districts": [regions.get(d, d) for d in counts["districts"]],
            "by_district": {str(TIER_LABELS[t]): [counts["districts"][d].get(t, 0) for d in counts["districts"]]
                            for t in tiers},
        }
        ctx.update(counts=counts, chart=chart, filterset=filterset, page=page, query=query.urlencode(),
                   moved=moved, up=sum(1 for m in moved if m.tier_rank > m.previous_rank),
                   down=sum(1 for m in moved if m.tier_rank < m.previous_rank), regions=regions)
        return ctx


class EvaluationRunListView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The runs with a "run now" button (a background job with live progress)."""

    model = EvaluationRun
    template_name = "evaluation/evaluationrun_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        prefix = region_scope(self.request.user)
        org = self.request.user.organization
        ctx.update(runs=self.restricted(VIEW).select_related("created_by", "job")[:100], colors=RUN_STATUS_COLORS,
                   regions=Region.objects.filter(code__startswith=prefix).order_by("code")[:200],
                   default_region=org.region_id if org else "370100",
                   today=timezone.localdate().isoformat(), standards=Standard.choices)
        return ctx

    def post(self, request):
        day = parse_date(request.POST.get("as_of", "")) or timezone.localdate()
        standards = [s for s in request.POST.getlist("standard") if s]
        try:
            run = evaluation_run_create(as_of=day, actor=request.user, region_code=request.POST.get("region_code", ""),
                                        standards=standards, details=RunDetails.JSON, enqueue=True)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("evaluation:evaluationrun_list")
        return redirect("evaluation:evaluationrun_detail", pk=run.pk)


class EvaluationRunDetailView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    model = EvaluationRun
    template_name = "evaluation/evaluationrun_detail.html"

    def get_template_names(self):
        return ["htmx/evaluation_progress.html"] if self.request.htmx else [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = get_object_or_404(self.restricted(VIEW).select_related("created_by", "job"), pk=kwargs["pk"])
        ctx.update(run=run, progress=job_progress(run.job) if run.job else None,
                   finished=run.status in FINISHED_RUN_STATUSES, colors=RUN_STATUS_COLORS,
                   tier_labels=TIER_LABELS, standard_labels=STANDARD_LABELS)
        return ctx
