"""Pages of the listing pool (Chinese first): the regulator's pool by tier and district with the
movements, milestones and awards due; an enterprise's readiness per board, tiers and milestones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.access import CHANGE, RUN, VIEW, is_regulator, is_writer, region_scope
from kechuang.accounts.models import Region, within_region
from kechuang.core.formatting import english
from kechuang.core.restricted import restricted_for
from kechuang.core.views import run_progress_context, run_progress_response
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read

from . import choices as c
from . import selectors, services
from .forms import MilestoneForm, PoolRunForm
from .presentation import condition_titles, readiness_rows


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("无权办理。")]


def _regions(user) -> list[tuple[str, str]]:
    scope = region_scope(user)
    if scope is None:
        return []
    qs = Region.objects.all() if scope == "" else Region.objects.filter(within_region(scope.ljust(6, "0"), "code"))
    en = english()
    return [(r.code, (r.name_en or r.name) if en else r.name) for r in qs.order_by("code")[:200]]


@login_required
def pool_overview(request):
    """The regulator's pool: tiers by track and district, movements since the previous run,
    recent milestones and the awards they earned."""
    if not is_regulator(request.user, VIEW):
        org = request.user.organization
        if org is not None and org.enterprise_id:
            return redirect("listing:enterprise_listing", pk=org.enterprise_id)
        raise PermissionDenied(_("上市后备企业库只对监管部门开放。"))
    run = selectors.latest_run(request.user)
    ctx = {"run": run, "run_form": PoolRunForm(regions=_regions(request.user),
                                               initial={"as_of": timezone.localdate()}),
           "may_run": is_regulator(request.user, RUN),
           "pending": [run_progress_context(r, label=_("入库分层"),
                                            poll_url=reverse("listing:pool_run_progress", args=[r.pk]))
                       for r in selectors.pending_runs(request.user)[:5]],
           "milestones": selectors.recent_milestones(request.user, limit=30),
           "awards": selectors.awards_for(request.user)}
    if run is not None:
        moved = list(selectors.movements(run, request.user)[:200])
        for m in moved:
            m.reasons = condition_titles(m.unmet)
        summary = selectors.pool_summary(run, request.user)
        ctx |= {"summary": summary, "moved": moved, "move_counts": selectors.movement_counts(run, request.user),
                "ladder_tiers": [t.label for t in c.TRACK_TIERS[c.Track.LADDER]],
                "chart": {"tiers": [str(label) for _v, label, _n in summary["tiers"][c.Track.LADDER]],
                          "counts": [n for _v, _l, n in summary["tiers"][c.Track.LADDER]],
                          "srdi": [str(label) for _v, label, _n in summary["tiers"][c.Track.SRDI_BOARD]],
                          "srdi_counts": [n for _v, _l, n in summary["tiers"][c.Track.SRDI_BOARD]]}}
    return render(request, "listing/pool_overview.html", ctx)


@login_required
@require_POST
def pool_run_create(request):
    form = PoolRunForm(request.POST, regions=_regions(request.user))
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label}：{e}" if field in form.fields else e)
        return redirect("listing:pool_overview")
    try:
        run = services.pool_run_create(region_code=form.cleaned_data["region_code"],
                                       as_of=form.cleaned_data["as_of"], actor=request.user, enqueue=True)
    except (ValidationError, PermissionDenied) as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("listing:pool_overview")
    messages.success(request, _("入库分层已排队（批次 #%(pk)s），完成后本页自动刷新。") % {"pk": run.pk})
    return redirect("listing:pool_overview")


@login_required
def pool_run_progress(request, pk: int):
    """One run's progress bar (polled by the overview while the run is queued or computing); once
    it has finished, an HTMX poll reloads the overview so the new run shows."""
    if not is_regulator(request.user, VIEW):
        raise PermissionDenied(_("上市后备企业库只对监管部门开放。"))
    run = get_object_or_404(selectors.runs_for(request.user).select_related("job"), pk=pk)
    return run_progress_response(request, run, label=_("入库分层"),
                                 poll_url=reverse("listing:pool_run_progress", args=[run.pk]))


@login_required
def enterprise_listing(request, pk: int):
    """One enterprise: readiness per board with gaps (live), its tiers in the latest run, its
    milestones and the awards they earned."""
    enterprise = get_object_or_404(restricted_for(request, Enterprise, VIEW), pk=pk)
    enterprise_profile_read(enterprise=enterprise, user=request.user, what="listing readiness")
    as_of = timezone.localdate()
    placements = selectors.enterprise_placements(enterprise, request.user)
    for p in placements:
        p.reasons = condition_titles(p.unmet)
        p.pending = condition_titles(p.unknown)
    done = selectors.enterprise_milestones(enterprise, request.user)
    may_record = is_writer(request.user) and Enterprise.objects.restrict(request.user, CHANGE).filter(pk=pk).exists()
    nxt = selectors.next_milestone(done)
    return render(request, "listing/enterprise_listing.html", {
        "enterprise": enterprise, "as_of": as_of,
        "boards": readiness_rows(selectors.enterprise_readiness(enterprise=enterprise, as_of=as_of)),
        "placements": placements, "milestones": done,
        "awards": selectors.awards_for(request.user, enterprise=enterprise),
        "may_record": may_record and nxt is not None,
        "form": MilestoneForm(initial={"kind": nxt, "occurred_on": as_of}),
    })


@login_required
@require_POST
def milestone_create(request, pk: int):
    enterprise = get_object_or_404(restricted_for(request, Enterprise, VIEW), pk=pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_record(enterprise=enterprise, actor=request.user, **form.cleaned_data)
            messages.success(request, _("已登记里程碑。"))
        except (ValidationError, PermissionDenied) as exc:
            for m in _errors(exc):
                messages.error(request, m)
    else:
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label}：{e}" if field in form.fields else e)
    return redirect("listing:enterprise_listing", pk=enterprise.pk)


