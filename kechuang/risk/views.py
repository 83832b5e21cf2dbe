"""Pages of the risk app: warning runs (with the run form), one run's warnings with new, escalated
and cleared ones, the concentrations, one warning with its evidence, an institution's portfolio,
cases (一企一策) and the backtest."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kechuang.accounts.access import (CHANGE, VIEW, covers_region, is_financial, is_regulator, is_writer,
                                      organization_of, region_scope)
from kechuang.accounts.models import Region
from kechuang.core.formatting import region_name
from kechuang.core.restricted import RestrictedPageMixin
from kechuang.core.views import run_progress_context, run_progress_response

from . import choices as c
from .exports import run_warnings_xlsx
from .models import EnterpriseWarning, RiskCase, WarningRun
from .selectors import (assignee_candidates, case_counts, concentrations, current_warnings, exposures,
                        latest_backtest, portfolio, warnings_for)
from .services import (backtest_run, case_action_add, case_close, case_open, warning_respond, warning_run_create,
                       warnings_read)
from .present import evidence_rows, signal_rows


class RegulatorRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return region_scope(self.request.user) is not None


def _errors(request, exc) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc) or _("无权办理。"))
        return
    for msg in getattr(exc, "messages", [str(exc)]):
        messages.error(request, msg)


COLORS = {"level_colors": c.LEVEL_COLORS, "change_colors": c.CHANGE_COLORS, "run_colors": c.RUN_STATUS_COLORS,
          "case_colors": c.CASE_STATUS_COLORS}


class RunListView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """Warning runs of the user's region, with the run form (background job)."""

    model = WarningRun
    template_name = "risk/warningrun_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        org = organization_of(user)
        ctx.update(COLORS, runs=self.restricted(VIEW)[:100], can_run=is_regulator(user, "run"),
                   regions=Region.objects.filter(code__startswith=region_scope(user)).order_by("code")[:200],
                   default_region=org.region_id if org else "370100", today=timezone.localdate().isoformat(),
                   cases=case_counts(user))
        return ctx

    def post(self, request):
        day = parse_date(request.POST.get("as_of", "")) or timezone.localdate()
        try:
            run = warning_run_create(as_of=day, actor=request.user, enqueue=True,
                                     region_code=request.POST.get("region_code", ""))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
            return redirect("risk:warningrun_list")
        messages.success(request, _("预警计算已排队（批次 #%(pk)s）。") % {"pk": run.pk})
        return redirect("risk:warningrun_detail", pk=run.pk)


class RunDetailView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """One run: counts by level and by change, the warnings (filter by level and change)."""

    model = WarningRun
    template_name = "risk/warningrun_detail.html"

    def get(self, request, *args, **kwargs):
        if request.headers.get("HX-Request"):  # the progress bar's poll while the run is computed
            run = self.restricted(VIEW).select_related("job").filter(pk=kwargs["pk"]).first()
            if run is None:
                raise Http404
            return run_progress_response(request, run, label=_("预警批次"), poll_url=request.path)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = self.restricted(VIEW).select_related("job").filter(pk=kwargs["pk"]).first()
        if run is None:
            raise Http404
        ctx["pending"] = run_progress_context(run, label=_("预警批次"), poll_url=self.request.path)
        level, change = self.request.GET.get("level", ""), self.request.GET.get("change", "")
        rows = warnings_for(self.request.user, run)
        if level in c.Level.values:
            rows = rows.filter(level=level)
        if change in c.Change.values:
            rows = rows.filter(change=change)
        page = Paginator(rows.order_by("-level_rank", "change", "enterprise__name"), 50).get_page(
            self.request.GET.get("page"))
        ctx.update(COLORS, run=run, page=page, level=level, change=change, levels=c.Level.choices[1:],
                   changes=c.Change.choices, level_counts=[(c.Level(k), v) for k, v in run.level_counts.items()],
                   change_counts=[(c.Change(k), v) for k, v in run.change_counts.items()])
        return ctx


class RunExportView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    model = WarningRun

    def get(self, request, pk):
        run = self.restricted(VIEW).filter(pk=pk).first()
        if run is None:
            raise Http404
        body = run_warnings_xlsx(run=run, user=request.user)
        resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = f'attachment; filename="risk-warnings-{run.pk}.xlsx"'
        return resp


class ConcentrationView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """Warnings of a run by district, industry, tier and institution, with exposure."""

    model = WarningRun
    template_name = "risk/concentration.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        run = self.restricted(VIEW).filter(pk=kwargs["pk"]).first()
        if run is None:
            raise Http404
        conc = concentrations(run)
        tables = [(_("区县"), conc["district"], "district"), (_("行业"), conc["industry"], "industry"),
                  (_("梯度"), conc["tier"], "tier"), (_("机构"), conc["institution"], "institution")]
        ctx.update(COLORS, run=run, tables=tables, levels=c.WARNING_LEVELS,
                   district_names={g["key"]: region_name(g["key"]) for g in conc["district"]},
                   chart={"districts": [g["key"] for g in conc["district"]],
                          "series": {str(c.Level(lv).label): [g[lv] for g in conc["district"]]
                                     for lv in c.WARNING_LEVELS}})
        return ctx


class WarningDetailView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """One warning: signals with values and levels, the evidence with its sources, facts dated
    after the run date (flagged), the institutions' responses, the response and case forms."""

    model = EnterpriseWarning
    template_name = "risk/warning_detail.html"

    def _warning(self, pk) -> EnterpriseWarning:
        w = self.restricted(VIEW).select_related("run", "enterprise").filter(pk=pk).first()
        if w is None:
            raise Http404
        return w

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        w = self._warning(kwargs["pk"])
        warnings_read(warnings=[w], user=user, what="page risk:warning_detail")
        org = organization_of(user)
        exp = exposures(org=None if region_scope(user) is not None else org, enterprise_ids=[w.enterprise_id])
        can_case = is_regulator(user, CHANGE) and covers_region(user, w.region_code) and w.level_rank > 0
        ctx.update(COLORS, w=w, signals=signal_rows(w), evidence=evidence_rows(w.evidence),
                   future=evidence_rows(w.future), exposure=exp.get(w.enterprise_id),
                   responses=self.restricted(VIEW, model=w.responses.model).filter(warning=w).select_related("institution"),
                   can_respond=is_financial(org) and is_writer(user) and w.enterprise_id in exposures(
                       org=org, enterprise_ids=[w.enterprise_id]),
                   actions=c.ResponseAction.choices, can_case=can_case,
                   candidates=assignee_candidates(w) if can_case else [],
                   cases=RiskCase.objects.restrict(user, VIEW).filter(enterprise=w.enterprise),
                   default_deadline=(timezone.localdate() + dt.timedelta(days=30)).isoformat())
        return ctx

    def post(self, request, pk):
        w = self._warning(pk)
        try:
            if request.POST.get("form") == "case":
                assignee = get_user_model().objects.filter(pk=request.POST.get("assignee") or 0).first()
                case = case_open(warning=w, assignee=assignee, deadline=request.POST.get("deadline", ""),
                                 plan=request.POST.get("plan", ""), actor=request.user)
                messages.success(request, _("已立案。"))
                return redirect("risk:riskcase_detail", pk=case.pk)
            warning_respond(warning=w, action=request.POST.get("action", ""), note=request.POST.get("note", ""),
                            actor=request.user)
            messages.success(request, _("处置反馈已记录。"))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("risk:warning_detail", pk=w.pk)


class PortfolioView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """An institution's current warnings on the enterprises it lent to, guaranteed or insured on
    the platform, with its exposure; a regulator sees its region's current warnings."""

    model = EnterpriseWarning
    template_name = "risk/portfolio.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        if region_scope(user) is not None:
            rows = current_warnings(user)
            exp = exposures(enterprise_ids=[w.enterprise_id for w in rows])
            ctx["portfolio"] = {"rows": [{"warning": w, "exposure": exp.get(w.enterprise_id, {}).get("total", 0),
                                          "responses": []} for w in rows[:500]], "by_level": None}
            ctx["regulator"] = True
        else:
            ctx["portfolio"] = portfolio(user)
        ctx.update(COLORS)
        return ctx


class CaseListView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    model = RiskCase
    template_name = "risk/riskcase_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        rows = self.restricted(VIEW).select_related("enterprise", "assignee")
        if status in c.CaseStatus.values:
            rows = rows.filter(status=status)
        ctx.update(COLORS, page=Paginator(rows, 50).get_page(self.request.GET.get("page")), status=status,
                   statuses=c.CaseStatus.choices, today=timezone.localdate())
        return ctx


class CaseDetailView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    model = RiskCase
    template_name = "risk/riskcase_detail.html"

    def _case(self, pk) -> RiskCase:
        case = self.restricted(VIEW).select_related("enterprise", "assignee", "warning__run").filter(pk=pk).first()
        if case is None:
            raise Http404
        return case

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        case = self._case(kwargs["pk"])
        can = self.restricted(CHANGE).filter(pk=case.pk).exists() and case.status != c.CaseStatus.CLOSED
        ctx.update(COLORS, case=case, actions=case.actions.select_related("actor"), can_act=can,
                   kinds=[k for k in c.ActionKind.choices if k[0] in ("action", "contact", "note")],
                   parties=c.Party.choices, outcomes=c.Outcome.choices, today=timezone.localdate())
        return ctx

    def post(self, request, pk):
        case = self._case(pk)
        try:
            if request.POST.get("form") == "close":
                case_close(case=case, outcome=request.POST.get("outcome", ""), note=request.POST.get("note", ""),
                           actor=request.user)
                messages.success(request, _("案件已办结。"))
            else:
                case_action_add(case=case, kind=request.POST.get("kind", ""), note=request.POST.get("note", ""),
                                party=request.POST.get("party", ""), contact=request.POST.get("contact", ""),
                                due_on=request.POST.get("due_on", ""), actor=request.user)
                messages.success(request, _("处置记录已添加。"))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("risk:riskcase_detail", pk=case.pk)


class BacktestView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The latest backtest on the synthetic region: per level precision, recall, lead time, and the
    overdue-only baseline, on the hold-out region (development figures beside)."""

    template_name = "risk/backtest.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        report = latest_backtest(self.request.user)
        ctx.update(COLORS, report=report, can_run=is_regulator(self.request.user, "run"),
                   datasets=[("holdout", _("留出数据集（报告结果）")), ("development", _("开发数据集（仅供对照）"))])
        return ctx

    def post(self, request):
        try:
            backtest_run(actor=request.user, n=5000)
            messages.success(request, _("回测已完成。"))
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        return redirect("risk:backtest")
