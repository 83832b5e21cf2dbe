"""Pages of the targets app: plans with progress and the target-year check, flags to resolve,
tasks with progress reports and unit scorecards, the regulator's cockpit (XLSX and printable)
and the composite index report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kechuang.accounts.access import CHANGE, VIEW, region_scope
from kechuang.accounts.models import Region
from kechuang.core.restricted import RestrictedPageMixin
from kechuang.core.services import audit_record

from . import selectors as s
from .choices import STATUS_COLORS, STATUS_HEX, STATUS_LABELS, TASK_STATUS_COLORS
from .exports import template_xlsx, workbook_bytes
from .forms import ActionForm, ActualForm, ImportForm, ReportForm, ResolveForm
from .loading import ImportFileError, parse_rows
from .models import Indicator, IndicatorValue, Plan, Task, Unit, ValueFlag
from .services import (action_create_from_gap, actual_record, flag_resolve, indicator_live_link, targets_import,
                       task_report_create, unit_link)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ViewerRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return s.can_view(self.request.user)


def _region(request) -> str:
    user = request.user
    prefix = region_scope(user)
    code = request.GET.get("region") or ""
    if user.is_superuser:
        return code if Region.objects.filter(code=code).exists() else "370100"
    own = user.organization.region_id
    return code if code and code.startswith(prefix) and Region.objects.filter(code=code).exists() else own


def _year(request, name: str, default: int) -> int:
    text = request.GET.get(name, "")
    return int(text) if text.isdigit() and 1990 <= int(text) <= 2100 else default


def _status_rows(progress):
    return [{"indicator": p.indicator, "target": p.target, "baseline": p.baseline, "a": p.assessment,
             "target_year": p.target_year, "presumed": p.presumed, "live": p.live,
             "label": STATUS_LABELS[str(p.assessment.status)], "color": STATUS_COLORS[str(p.assessment.status)]}
            for p in progress]


class PlanListView(ViewerRequired, RestrictedPageMixin, TemplateView):
    model = Plan
    template_name = "targets/plan_list.html"

    def get_context_data(self, **kw):
        plans = s.plans().filter(pk__in=self.restricted(VIEW).values("pk"))
        return super().get_context_data(plans=plans, flags=s.open_flags(self.request.user).count(), form=ImportForm(),
                                        can_edit=s.can_edit(self.request.user), **kw)


class ImportView(ViewerRequired, View):
    def post(self, request):
        if not s.can_edit(request.user):
            raise PermissionDenied
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("请选择文件内容与文件。"))
            return redirect("targets:plan_list")
        f = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        try:
            rows = parse_rows(f.read(), f.name, kind)
            result = targets_import(**{kind: rows}, actor=request.user, file_name=f.name)
        except ImportFileError as exc:
            for e in exc.errors[:50]:
                messages.error(request, str(e))
            messages.error(request, _("导入未执行：%(n)d 处错误，未写入任何数据。") % {"n": len(exc.errors)})
            return redirect("targets:plan_list")
        messages.success(request, _("导入完成：") + "，".join(f"{k} {v}" for k, v in sorted(result.items())))
        return redirect("targets:plan_list")


class TemplateDownloadView(ViewerRequired, View):
    def get(self, request, kind: str):
        if kind not in ("plans", "indicators", "tasks", "concepts"):
            raise PermissionDenied
        resp = HttpResponse(template_xlsx(kind), content_type=XLSX)
        resp["Content-Disposition"] = f'attachment; filename="targets-{kind}-template.xlsx"'
        return resp


class PlanDetailView(ViewerRequired, RestrictedPageMixin, TemplateView):
    model = Plan
    template_name = "targets/plan_detail.html"

    def get_context_data(self, pk, **kw):
        plan = get_object_or_404(self.restricted(VIEW), pk=pk)
        as_of = _year(self.request, "as_of", timezone.localdate().year)
        years = sorted(set(IndicatorValue.objects.filter(indicator__plan=plan, kind="target", year__isnull=False)
                           .values_list("year", flat=True)))
        return super().get_context_data(plan=plan, as_of=as_of, rows=_status_rows(s.plan_progress(plan, as_of_year=as_of)),
                                        target_years=years, flags=s.open_flags(self.request.user).filter(indicator__plan=plan),
                                        can_edit=s.can_edit(self.request.user), actual_form=ActualForm(),
                                        live_choices=s.live_metric_choices(),
                                        action_form=ActionForm(), **kw)


class TargetCheckView(ViewerRequired, RestrictedPageMixin, TemplateView):
    """The targets of one plan for one year against that year's actuals: met, missed, no data."""

    model = Plan
    template_name = "targets/target_check.html"

    def get_context_data(self, pk, year, **kw):
        plan = get_object_or_404(self.restricted(VIEW), pk=pk)
        rows = s.target_year_check(plan, year)
        return super().get_context_data(plan=plan, year=year, rows=rows,
                                        met=sum(r.met is True for r in rows), missed=sum(r.met is False for r in rows),
                                        unknown=sum(r.met is None for r in rows), **kw)


class ActualCreateView(ViewerRequired, View):
    def post(self, request, pk):
        ind = get_object_or_404(Indicator, pk=pk)
        if not s.can_edit(request.user):
            raise PermissionDenied
        form = ActualForm(request.POST)
        if not form.is_valid():
            for field, errs in form.errors.items():
                messages.error(request, f"{form.fields[field].label if field in form.fields else field}：{'；'.join(errs)}")
            return redirect("targets:plan_detail", pk=ind.plan_id)
        v = actual_record(indicator=ind, actor=request.user, **form.cleaned_data)
        if v.state == "flagged":
            messages.warning(request, _("实际值已记录，但需人工核定：") + _("；").join(f.message_text for f in v.flags.all()))
        else:
            messages.success(request, _("实际值已记录。"))
        return redirect("targets:plan_detail", pk=ind.plan_id)


class LiveLinkView(ViewerRequired, View):
    """Link an indicator to the platform's live metric of the same measure (or unlink it)."""

    def post(self, request, pk):
        ind = get_object_or_404(Indicator.objects.restrict(request.user, CHANGE), pk=pk)
        if not s.can_edit(request.user):
            raise PermissionDenied
        try:
            indicator_live_link(indicator=ind, live_code=request.POST.get("live_code", ""), actor=request.user)
        except ValidationError as exc:
            for errs in exc.message_dict.values():
                messages.error(request, "；".join(errs))
        else:
            messages.success(request, _("已更新平台实时指标关联。"))
        return redirect("targets:plan_detail", pk=ind.plan_id)


class ActionCreateView(ViewerRequired, View):
    def post(self, request, pk):
        ind = get_object_or_404(Indicator, pk=pk)
        if not s.can_edit(request.user):
            raise PermissionDenied
        form = ActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写行动名称、牵头单位和完成时限。"))
            return redirect("targets:plan_detail", pk=ind.plan_id)
        task = action_create_from_gap(indicator=ind, actor=request.user, **form.cleaned_data)
        messages.success(request, _("已生成跟踪行动。"))
        return redirect("targets:task_detail", pk=task.pk)


class FlagListView(ViewerRequired, TemplateView):
    template_name = "targets/flag_list.html"

    def get_context_data(self, **kw):
        user = self.request.user
        return super().get_context_data(flags=s.open_flags(user), can_edit=s.can_edit(user),
                                        resolved=ValueFlag.objects.restrict(user, VIEW).filter(status="resolved")
                                        .select_related("indicator__plan", "resolved_by")[:50], **kw)


class FlagResolveView(ViewerRequired, View):
    def post(self, request, pk):
        if not s.can_edit(request.user):
            raise PermissionDenied
        flag = get_object_or_404(ValueFlag.objects.restrict(request.user, CHANGE), pk=pk)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写处理意见。"))
            return redirect("targets:valueflag_list")
        keep_id = form.cleaned_data["keep"]
        keep = flag.values.filter(pk=keep_id).first() if keep_id else None
        if keep_id and keep is None:
            messages.error(request, _("所选数值不属于该问题。"))
            return redirect("targets:valueflag_list")
        try:
            flag_resolve(flag=flag, keep=keep, resolution=form.cleaned_data["resolution"],
                         convert=form.cleaned_data["convert"], actor=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("targets:valueflag_list")
        messages.success(request, _("已处理。"))
        return redirect("targets:valueflag_list")


class TaskAccess(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        user = self.request.user
        return s.can_view(user) or bool(s.user_units(user))


class TaskListView(TaskAccess, RestrictedPageMixin, TemplateView):
    model = Task
    template_name = "targets/task_list.html"

    def get_context_data(self, **kw):
        g = self.request.GET
        qs = s.tasks_for(self.request.user, plan_id=g.get("plan") or None, flag=g.get("flag", ""),
                         unit_id=g.get("unit") or None, key_only=g.get("key") == "1", q=g.get("q", "").strip()
                         ).filter(pk__in=self.restricted(VIEW).values("pk"))
        page = Paginator(qs, 50).get_page(g.get("page"))
        today = timezone.localdate()
        rows = [(t, s.task_flag_of(t, today)) for t in page]
        return super().get_context_data(page=page, rows=rows, plans=Plan.objects.all(), units=self.restricted(VIEW, Unit),
                                        f=g, status_colors=TASK_STATUS_COLORS, **kw)


class TaskDetailView(TaskAccess, RestrictedPageMixin, TemplateView):
    model = Task
    template_name = "targets/task_detail.html"

    def get_context_data(self, pk, **kw):
        task = get_object_or_404(s.tasks_for(self.request.user).filter(pk__in=self.restricted(VIEW).values("pk")),
                                 pk=pk)
        mine = {u.pk for u in s.user_units(self.request.user)}
        can_report = self.request.user.is_superuser or bool(
            mine & ({u.pk for u in task.units.all()} | {u.pk for u in task.lead_units.all()}))
        return super().get_context_data(task=task, flag=s.task_flag_of(task), reports=task.reports.select_related(
            "unit", "reported_by"), can_report=can_report, form=ReportForm(initial={"status": task.status,
                                                                                  "percent": task.percent}), **kw)

    def post(self, request, pk):
        # a unit reports on a task it sees; the service checks that it is the task's unit
        task = get_object_or_404(s.tasks_for(request.user).filter(pk__in=self.restricted(VIEW).values("pk")), pk=pk)
        form = ReportForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写状态、进度（0–100）和进展情况。"))
            return redirect("targets:task_detail", pk=pk)
        try:
            task_report_create(task=task, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            raise PermissionDenied("；".join(exc.messages)) from exc
        messages.success(request, _("进展已报告。"))
        return redirect("targets:task_detail", pk=pk)


class ScorecardView(ViewerRequired, TemplateView):
    template_name = "targets/scorecard.html"

    def get_context_data(self, **kw):
        can_edit = s.can_edit(self.request.user)
        return super().get_context_data(cards=s.unit_scorecards(), can_edit=can_edit,
                                        organizations=s.reporting_organizations() if can_edit else [], **kw)


class UnitLinkView(ViewerRequired, View):
    """Link a responsible unit to the organisation that reports for it (or unlink it)."""

    def post(self, request, pk):
        if not s.can_edit(request.user):
            raise PermissionDenied
        # only a regulator of a region whose plan names the unit (Unit.objects.restrict)
        unit = get_object_or_404(Unit.objects.restrict(request.user, CHANGE), pk=pk)
        org_id = request.POST.get("organization") or ""
        org = s.reporting_organizations().filter(pk=org_id).first() if org_id else None
        if org_id and org is None:
            messages.error(request, _("机构不存在。"))
            return redirect("targets:unit_scorecard")
        unit_link(unit=unit, organization=org, actor=request.user)
        messages.success(request, _("已更新 %(u)s 的报告机构。") % {"u": unit.name})
        return redirect("targets:unit_scorecard")


#: The cockpit lists the targets needing attention first, at most this many (all in the XLSX).
COCKPIT_ROWS = 60
SEVERITY = ["off_track", "missed", "at_risk", "no_data", "on_track", "met"]


def cockpit_context(request, *, all_rows: bool = False) -> dict:
    region = _region(request)
    as_of = _year(request, "as_of", s.latest_actual_year(region) or timezone.localdate().year)
    data = s.cockpit(region_code=region, as_of_year=as_of, concept=request.GET.get("concept", ""))
    rows = _status_rows([p for _plan, p in data["progress"]])
    rows.sort(key=lambda r: SEVERITY.index(str(r["a"].status)))
    data["rows_total"] = len(rows)
    data["rows"] = rows if all_rows else rows[:COCKPIT_ROWS]
    data["region"] = Region.objects.filter(code=region).first()
    data["status_labels"] = STATUS_LABELS
    data["chart"] = {
        "progress": [{"name": r["indicator"].name[:16], "value": round(100 * r["a"].progress, 1),
                      "status": str(r["a"].status)} for r in data["rows"] if r["a"].progress is not None][:20],
        "status": [{"name": str(STATUS_LABELS[k]), "value": data["status_counts"][k], "key": k,
                    "color": STATUS_HEX[k]} for k in SEVERITY if data["status_counts"].get(k)],
        "status_hex": STATUS_HEX,
        "trends": [{"name": f"{ind.name}（{ind.unit}）", "points": pts} for ind, pts in data["trends"]],
        "districts": data["districts"],
        "tiers": data["tiers"],
        "tasks": data["task_counts"],
    }
    return data


class CockpitView(ViewerRequired, TemplateView):
    """The regulator's cockpit: targets against actuals, trends, districts, the tier ladder,
    marketplace flow (live metrics), tasks overdue. ``?format=xlsx`` exports it."""

    template_name = "targets/cockpit.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            return cockpit_xlsx(request)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kw):
        return super().get_context_data(**cockpit_context(self.request), **kw)


class CockpitPrintView(CockpitView):
    template_name = "targets/cockpit_print.html"

    def get_context_data(self, **kw):
        return super().get_context_data(generated_at=timezone.now(), **kw)


def _num(x):
    return None if x is None else float(x)


def cockpit_xlsx(request) -> HttpResponse:
    d = cockpit_context(request, all_rows=True)
    progress = [[r["indicator"].plan.name, r["indicator"].name, r["indicator"].unit, r["target"].year,
                 _num(r["target"].value), r["target"].qualifier, r["a"].latest_year, r["a"].latest_value,
                 r["a"].progress, r["a"].required_rate, r["a"].achieved_rate,
                 r["a"].forecast.value if r["a"].forecast else None,
                 r["a"].forecast.low if r["a"].forecast else None, r["a"].forecast.high if r["a"].forecast else None,
                 str(r["label"])] for r in d["rows"]]
    tasks = [[t.plan.name, t.code, t.title, "★" if t.is_key else "", t.deadline, t.get_status_display(), t.percent,
              _("、").join(u.name for u in t.lead_units.all())] for t in d["overdue"]]
    metrics = [[m["label"], m["code"], _num(m.get("numerator")), _num(m.get("denominator")), _num(m.get("ratio")),
                "" if m["available"] else _("暂无数据源"), m["definition"]] for m in d["platform"] + d["marketplace"]]
    body = workbook_bytes({  # headers and sheet names in the request's language
        _("目标与实际"): ([_("规划"), _("指标"), _("单位"), _("目标年"), _("目标值"), _("限定词"), _("最新年份"),
                       _("最新实际"), _("完成进度"), _("所需年均增速"), _("已实现年均增速"), _("目标年预测"),
                       _("预测下限(80%)"), _("预测上限(80%)"), _("状态")], progress),
        _("逾期任务"): ([_("规划"), _("编号"), _("任务"), _("重点"), _("完成时限"), _("状态"), _("进度%"), _("牵头单位")],
                     tasks),
        _("平台指标"): ([_("指标"), _("代码"), _("分子"), _("分母"), _("比值"), _("说明"), _("口径")], metrics),
        _("梯度"): ([_("梯度"), _("企业数")], [[k, v] for k, v in d["tiers"].items()]),
    })
    audit_record(actor=request.user, action="export", object_type="targets.cockpit", object_id=d["region_code"],
                 object_repr=f"驾驶舱导出 {d['region_code']} {d['as_of_year']}")
    resp = HttpResponse(body, content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="cockpit-{d["region_code"]}-{d["as_of_year"]}.xlsx"'
    return resp


INDEX_DEFAULT = ["enterprises.on_platform", "tiers.on_ladder_share", "tiers.srdi_or_above_share",
                 "consents.active_share"]


class IndexReportView(ViewerRequired, TemplateView):
    """The composite sci-tech finance index of the region's districts, with its method, weights
    and the sensitivity of the ranking to them."""

    template_name = "targets/index_report.html"

    def get_context_data(self, **kw):
        g = self.request.GET
        region = _region(self.request)
        year = _year(self.request, "year", timezone.localdate().year)
        codes = g.getlist("code") or INDEX_DEFAULT
        weights = None
        if g.get("weights") == "expert":
            weights = {}
            for code in codes:
                try:
                    weights[code] = float(g.get(f"w_{code}", "1"))
                except ValueError:
                    weights[code] = 1.0
        first = min(_year(self.request, "from", year), year)
        years = list(range(max(first, year - 9), year + 1))
        try:
            out = s.index_for(region_code=region, years=years, codes=codes, weights=weights)
        except ValueError as exc:
            messages.error(self.request, str(exc))
            out = None
        available = sorted(set(s.live_metric_registry()) | set(s.district_concepts(region)))
        ctx = {"region": Region.objects.filter(code=region).first(), "year": year, "first": years[0], "codes": codes,
               "available": available, "weights_mode": "expert" if weights else "entropy", "result": None,
               "names": {code: label for code, label, *_ in
                         s.PLATFORM_METRICS + s.MARKETPLACE_METRICS + s._other_metrics()}}
        if out:
            result, units, sources = out
            order = sorted(range(len(result.units)), key=lambda i: (result.ranks[i], result.units[i]))
            ctx.update(result=result, sources=sources,
                       table=[{"code": units[i][0].code, "name": units[i][0].name, "year": units[i][1],
                               "score": result.scores[i], "rank": result.ranks[i],
                               "stability": result.rank_stability.get(result.units[i])} for i in order])
        return super().get_context_data(**ctx, **kw)
