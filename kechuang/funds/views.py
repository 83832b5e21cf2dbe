"""Pages of the policy funds (Chinese first): programmes, the claim queue and a claim with its
evidence and workflow, an enterprise's 可享政策, the fund dashboard, and the claims workbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.access import (CHANGE, VIEW, covers_region, is_regulator, is_writer, organization_of,
                                     own_enterprise_id)
from kechuang.accounts.choices import OrganizationKind
from kechuang.core import formatting
from kechuang.core.restricted import restricted_for
from kechuang.engine.qualification.errors import RuleError
from kechuang.enterprises.models import Enterprise

from . import choices as c
from . import services
from .exports import claims_workbook
from .models import Budget, Claim, Programme
from .selectors import (budget_rows, claimable_subjects, dashboard as dashboard_data, engine_programme,
                        enterprise_entitlements, simulate_change)

VERBS = ("review", "approve", "decline", "pay", "clawback")


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("无权办理。")]


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def home(request):
    if is_regulator(request.user):
        return redirect("funds:dashboard")
    if own_enterprise_id(request.user):
        return redirect("funds:entitlements")
    return redirect("funds:claim_list")


@login_required
def programme_list(request):
    year = _year(request)
    programmes = restricted_for(request, Programme, VIEW).filter(is_active=True)
    budgets = {b.programme_id: b for b in Budget.objects.restrict(request.user, VIEW).filter(year=year)}
    counts = dict(Claim.objects.restrict(request.user, VIEW).values("programme_id").annotate(n=Count("id"))
                  .values_list("programme_id", "n"))  # the claims this user may see
    rows = [{"programme": p, "budget": budgets.get(p.pk), "n_claims": counts.get(p.pk, 0)} for p in programmes]
    return render(request, "funds/programme_list.html", {"rows": rows, "year": year})


@login_required
def programme_detail(request, pk: int):
    prog = get_object_or_404(restricted_for(request, Programme, VIEW), pk=pk)
    rule = engine_programme(prog)
    budgets = Budget.objects.restrict(request.user, VIEW).filter(programme=prog)
    claims = (Claim.objects.restrict(request.user, VIEW).filter(programme=prog).values("state")
              .annotate(n=Count("id"), s=Sum("amount")).order_by("state"))
    others = Programme.objects.filter(is_active=True, exclusive_group=prog.exclusive_group).exclude(pk=prog.pk)
    may_run = is_regulator(request.user, CHANGE) and covers_region(request.user, prog.region_code)
    return render(request, "funds/programme_detail.html", {
        "programme": prog, "rule": rule, "budgets": budgets, "claims": claims, "others": others,
        "may_run": may_run, "may_apply": _may_apply(request.user, rule), "eligibility": rule.raw.get("eligibility", []), "year": _year(request)})


@login_required
@require_POST
def programme_propose(request, pk: int):
    prog = get_object_or_404(restricted_for(request, Programme, CHANGE), pk=pk)
    try:
        made = services.claims_propose(programme=prog, year=_year(request), actor=request.user)
        messages.success(request, _("已依平台数据生成 %(n)s 笔申领。") % {"n": len(made)})
    except (ValidationError, PermissionDenied) as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect("funds:programme_detail", pk=prog.pk)


def _cap(text: str):
    text = (text or "").strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValidationError(_("上限“%(v)s”不是数字。") % {"v": text[:20]}, code="bad_value") from None


@login_required
def programme_simulate(request, pk: int):
    """Policy simulation (regulators): the programme with another formula or caps, computed on the
    platform's loans, losses and certificates; nothing is stored."""
    if not is_regulator(request.user):
        raise PermissionDenied
    prog = get_object_or_404(restricted_for(request, Programme, VIEW), pk=pk)
    rule = engine_programme(prog)
    year = _year(request)
    form = {"formula": request.GET.get("formula", rule.formula.text),
            "cap_per_claim": request.GET.get("cap_per_claim", "" if rule.cap_per_claim is None else f"{rule.cap_per_claim:.0f}"),
            "cap_per_claimant_year": request.GET.get("cap_per_claimant_year", "" if rule.cap_per_claimant_year is None
                                                     else f"{rule.cap_per_claimant_year:.0f}")}
    result, errors = None, []
    if "formula" in request.GET:
        try:
            changes = {"formula": form["formula"], "cap_per_claim": _cap(form["cap_per_claim"]),
                       "cap_per_claimant_year": _cap(form["cap_per_claimant_year"])}
            result = simulate_change(prog, changes, year, timezone.localdate())
            result["rows"] = result["by_group"].to_dicts()
        except ValidationError as exc:
            errors = list(exc.messages)
        except RuleError as exc:
            errors = [_("规则有误：%(p)s") % {"p": "；".join(exc.problems)}]
    return render(request, "funds/programme_simulate.html", {"programme": prog, "rule": rule, "form": form,
                                                             "result": result, "errors": errors, "year": year})


def _may_apply(user, rule) -> bool:
    """A writer of the kind of organisation the programme pays (the enterprise, a bank, a guarantor)."""
    org = organization_of(user)
    kind_ok = org is not None and ((rule.claimant == "enterprise" and bool(org.enterprise_id))
                                   or (rule.claimant == "lender" and org.kind == OrganizationKind.BANK)
                                   or (rule.claimant == "guarantor" and org.kind == OrganizationKind.GUARANTOR))
    return kind_ok and is_writer(user)


@login_required
def programme_apply(request, pk: int):
    """An enterprise's or institution's application: the subjects it could claim, pre-filled;
    POST one (with an optional lower amount) to submit it through ``claim_apply``."""
    prog = get_object_or_404(restricted_for(request, Programme, VIEW), pk=pk)
    rule = engine_programme(prog)
    user = request.user
    if not _may_apply(user, rule):
        raise PermissionDenied
    year = _year(request)
    if request.method == "POST":
        field = "leg_id" if rule.basis == "principal_loss" else "loan_id"
        value = request.POST.get("subject", "")
        try:
            if not value.isdigit():
                raise ValidationError(_("请选择要申领的事项。"), code="bad_value")
            claim = services.claim_apply(programme=prog, year=year, actor=user, amount=request.POST.get("amount") or None,
                                         **{field: int(value)})
            messages.success(request, _("申领已提交。"))
            return redirect("funds:claim_detail", pk=claim.pk)
        except (ValidationError, PermissionDenied) as exc:
            for m in _errors(exc):
                messages.error(request, m)
    subjects = claimable_subjects(prog, user, year, timezone.localdate())
    return render(request, "funds/programme_apply.html", {"programme": prog, "rule": rule, "subjects": subjects,
                                                          "year": year})


@login_required
def claim_list(request):
    qs = (restricted_for(request, Claim, VIEW).select_related("programme", "enterprise", "claimant_org"))
    state = request.GET.get("state") or ""
    if state in c.ClaimState.values:
        qs = qs.filter(state=state)
    mine = request.GET.get("queue") == "1"
    if mine:
        qs = qs.filter(state__in=c.OPEN_STATES).exclude(submitted_by=request.user).order_by("submitted_at", "id")
    return render(request, "funds/claim_list.html", {
        "claims": qs[:300], "state": state, "states": c.ClaimState.choices, "queue": mine,
        "is_regulator": is_regulator(request.user), "colors": c.STATE_COLORS})


@login_required
def claim_detail(request, pk: int):
    claim = get_object_or_404(restricted_for(request, Claim, VIEW).select_related(
        "programme", "enterprise", "claimant_org", "submitted_by", "reviewed_by", "decided_by"), pk=pk)
    officer = is_regulator(request.user, CHANGE) and covers_region(request.user, claim.programme.region_code)
    verbs = []
    if officer:
        verbs = {c.ClaimState.SUBMITTED: ["review"], c.ClaimState.REVIEWED: ["approve", "decline"],
                 c.ClaimState.APPROVED: ["pay"], c.ClaimState.PAID: ["clawback"]}.get(claim.state, [])
    facts = []
    for k, v in (claim.evidence.get("facts") or {}).items():
        shown = (formatting.money(v) if k in c.MONEY_FACTS else formatting.percent(v) if k == "loan_rate"
                 else str(v))
        facts.append((c.FACT_LABELS.get(k, k), shown))
    return render(request, "funds/claim_detail.html", {
        "claim": claim, "facts": facts, "events": claim.events.select_related("actor"), "payments": claim.payments.all(),
        "verbs": verbs, "colors": c.STATE_COLORS})


@login_required
@require_POST
def claim_action(request, pk: int, verb: str):
    if verb not in VERBS:
        raise Http404
    claim = get_object_or_404(restricted_for(request, Claim, CHANGE), pk=pk)
    note = request.POST.get("note", "")
    try:
        if verb == "review":
            services.claim_review(claim=claim, actor=request.user, note=note)
        elif verb in ("approve", "decline"):
            services.claim_decide(claim=claim, approve=verb == "approve", actor=request.user, reason=note)
        elif verb == "pay":
            services.claim_pay(claim=claim, actor=request.user, reference=note)
        else:
            services.claim_clawback(claim=claim, actor=request.user, reason=note)
        messages.success(request, _("已办理。"))
    except (ValidationError, PermissionDenied) as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect("funds:claim_detail", pk=claim.pk)


@login_required
def entitlements(request):
    """可享政策: the enterprise's own list; a regulator or the enterprise's bank with consent may
    open another enterprise's with ``?enterprise=<id>``."""
    ent_id = request.GET.get("enterprise") or own_enterprise_id(request.user)
    if not ent_id or not str(ent_id).isdigit():
        raise Http404
    ent = get_object_or_404(Enterprise.objects.restrict(request.user, VIEW), pk=int(ent_id))
    year = _year(request)
    rows = enterprise_entitlements(ent, year)
    claims = Claim.objects.restrict(request.user, VIEW).filter(enterprise=ent).select_related("programme")[:50]
    return render(request, "funds/entitlements.html", {"enterprise": ent, "rows": rows, "year": year,
                                                       "claims": claims, "colors": c.STATE_COLORS})


@login_required
def dashboard(request):
    if not is_regulator(request.user):
        raise PermissionDenied
    year = _year(request)
    data = dashboard_data(request.user, year)
    chart = {"names": [b.programme.title for b in data["budgets"]],
             "budget": [float(b.amount) / 10000 for b in data["budgets"]],
             "committed": [float(b.committed) / 10000 for b in data["budgets"]],
             "paid": [float(b.paid) / 10000 for b in data["budgets"]]}
    states = [(s, label, *data["by_state"].get(s, (0, None))) for s, label in c.ClaimState.choices]
    return render(request, "funds/dashboard.html", {**data, "year": year, "chart": chart, "states": states})


@login_required
def claims_xlsx(request):
    if not is_regulator(request.user):
        raise PermissionDenied
    year = _year(request)
    claims = list(restricted_for(request, Claim, VIEW).filter(year=year)
                  .select_related("programme", "enterprise", "claimant_org").order_by("programme_id", "id"))
    budgets = list(budget_rows(request.user, year))
    services.claims_export_record(actor=request.user, count=len(claims), filters={"year": year})
    org = organization_of(request.user)
    title = _("政策资金申领 %(y)s年度（%(o)s 导出）") % {"y": year, "o": org.name if org else _("平台管理员")}
    resp = HttpResponse(claims_workbook(claims, budgets, title=title),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="funds-claims-{year}.xlsx"'
    return resp
