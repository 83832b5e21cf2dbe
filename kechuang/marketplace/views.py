"""Pages of the marketplace (HTMX, Chinese first): the enterprise's demands and requests, the
institution's catalogue, queue and decisions, the regulator's metrics."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from kechuang.accounts.access import CHANGE, VIEW, covers_region, is_writer, may, region_q
from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.selectors import region_names
from kechuang.core import formatting
from kechuang.core.formatting import percent_input
from kechuang.core.restricted import restricted_for

from . import choices as c
from . import eligibility as el
from . import metrics, services
from .exports import metrics_workbook
from .forms import RatingForm, apply_error, region_choices
from .models import (AdvisorAssignment, Demand, FinancingRequest, FirstLoanCandidate, Product, RequestRating, Roadshow,
                     WhitelistEntry)
from .services_feedback import request_rate as request_rate_service
from .views_forms import legs_needed, may_add_whitelist, may_manage_pools
from .selectors import (advisor_of, demand_matches, enterprise_features, institution_queue, postable_enterprise, visible_demands, visible_requests)

INSTITUTION_KINDS = (OrganizationKind.BANK, OrganizationKind.GUARANTOR, OrganizationKind.INSURER,
                     OrganizationKind.INVESTOR)


#: Form fields by the name a person reads, so an error never starts with "rate:".
FIELD_LABELS = {"rate": _lazy("年化利率/费率"), "amount": _lazy("金额"), "amount_min": _lazy("最低金额"),
                "amount_max": _lazy("最高金额"), "term_min_months": _lazy("最短期限"), "term_max_months": _lazy("最长期限"),
                "name": _lazy("产品名称"), "category": _lazy("产品类别"), "eligibility": _lazy("准入条件"),
                "sla_pickup_days": _lazy("接单时限"), "term_months": _lazy("期限"), "purpose": _lazy("用途")}


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [f"{FIELD_LABELS[field]}：{m}" if field in FIELD_LABELS else m
                    for field, errs in exc.message_dict.items() for m in errs]
        return list(exc.messages)
    return [str(exc) or _("无权办理。")]


def _kind(user) -> str:
    if user.is_superuser:
        return "regulator"
    org = user.organization
    if org is None:
        return "none"
    if org.kind == OrganizationKind.ENTERPRISE:
        return "enterprise"
    if org.kind in INSTITUTION_KINDS:
        return "institution"
    if org.kind == OrganizationKind.REGULATOR:
        return "regulator"
    return "advisor"


@login_required
def home(request):
    kind = _kind(request.user)
    if kind == "regulator":
        return redirect("marketplace:metrics")
    if kind == "enterprise":
        ent = request.user.organization.enterprise
        return render(request, "marketplace/enterprise_home.html", {
            "enterprise": ent, "demands": visible_demands(request.user).prefetch_related("requests__institution"),
            "requests": visible_requests(request.user).select_related("institution", "product", "handler", "demand"),
            "advisor": advisor_of(ent) if ent else None})
    if kind == "institution":
        org = request.user.organization
        # a viewer reads the queue and the products but is offered no write (修改, 发布, 抢单)
        editable = set(restricted_for(request, Product, CHANGE).filter(institution=org).values_list("pk", flat=True))
        return render(request, "marketplace/institution_home.html", {
            "queue": institution_queue(org, limit=50),
            "held": visible_requests(request.user).filter(institution=org, state__in=c.ACTIVE_STATES)
            .select_related("demand__enterprise", "product", "handler"),
            "products": Product.objects.filter(institution=org), "editable": editable,
            "can_write": may(request.user, CHANGE)})
    return render(request, "marketplace/advisor_home.html", {
        "requests": visible_requests(request.user).select_related("institution", "product", "demand__enterprise")
        .order_by("-escalated_at", "-submitted_at")[:200],
        "assignments": request.user.advisor_assignments.filter(is_active=True).select_related("enterprise")[:200]})


@login_required
def product_list(request):
    qs = Product.objects.filter(is_active=True).select_related("institution")
    kind = request.GET.get("kind")
    if kind in c.ProductKind.values:
        qs = qs.filter(kind=kind)
    names = region_names()
    products = list(qs)
    for p in products:  # the eligibility in words in the request's language (the stored titles are Chinese)
        p.eligibility_phrases = el.eligibility_phrases(p.eligibility, names)
    return render(request, "marketplace/product_list.html", {"products": products, "kinds": c.ProductKind.choices,
                                                             "kind": kind})


@login_required
def demand_create(request):
    ent_id = request.GET.get("enterprise") or request.POST.get("enterprise") or getattr(
        request.user.organization, "enterprise_id", None)
    enterprise = postable_enterprise(request.user, ent_id) if ent_id else None
    if enterprise is None:
        raise PermissionDenied(_("只有企业本身或其金融辅导员可以发布需求。"))
    prefill = enterprise_features(enterprise)
    form, errors = {"kind": "debt", "term_months": 12, "purpose": "working_capital", "collateral": "none"}, []
    if request.method == "POST":
        form = request.POST.dict()
        try:
            d = services.demand_post(
                enterprise=enterprise, kind=form.get("kind", ""), amount=form.get("amount", ""),
                term_months=form.get("term_months") or None, purpose=form.get("purpose", ""),
                purpose_note=form.get("purpose_note", ""), collateral=form.get("collateral", "none"),
                actor=request.user, prefill=prefill)
            messages.success(request, _("融资需求已发布，以下是为您匹配的产品。"))
            return redirect("marketplace:demand_detail", pk=d.pk)
        except (ValidationError, PermissionDenied) as exc:
            errors = _errors(exc)
    return render(request, "marketplace/demand_form.html", {
        "enterprise": enterprise, "prefill": prefill, "form": form, "errors": errors,
        "kinds": c.DemandKind.choices, "purposes": c.Purpose.choices, "collaterals": c.Collateral.choices})


@login_required
def demand_detail(request, pk):
    d = get_object_or_404(restricted_for(request, Demand).with_prefill_access(request.user)
                          .select_related("enterprise"), pk=pk)
    kind = _kind(request.user)
    ctx = {"demand": d, "requests": d.requests.select_related("institution", "product", "handler")
           .prefetch_related("events"), "can_apply": kind in ("enterprise", "advisor") or request.user.is_superuser}
    if ctx["can_apply"]:
        ctx["matches"] = demand_matches(d)
    return render(request, "marketplace/demand_detail.html", ctx)


@login_required
@require_POST
def demand_apply(request, pk):
    d = get_object_or_404(visible_demands(request.user), pk=pk)
    product = get_object_or_404(Product, pk=request.POST.get("product"))
    try:
        services.request_apply(demand=d, product=product, actor=request.user)
        messages.success(request, _("已向%(org)s提交申请，并随附数据授权。") % {"org": product.institution.name})
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(_errors(exc)))
    return redirect("marketplace:demand_detail", pk=pk)


@login_required
@require_POST
def demand_grab(request, pk):
    d = get_object_or_404(Demand, pk=pk)
    product = get_object_or_404(Product, pk=request.POST.get("product"))
    error, req = None, None
    try:
        req = services.demand_grab(demand=d, product=product, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        error = "；".join(_errors(exc))
    return render(request, "marketplace/htmx/grab_result.html", {"demand": d, "request_obj": req, "error": error})


VERBS = {
    "pick_up": lambda r, u, p: services.request_pick_up(request=r, actor=u),
    "review": lambda r, u, p: services.request_review(request=r, actor=u),
    "approve": lambda r, u, p: services.request_decide(request=r, approve=True, amount=p.get("amount") or None,
                                                       rate=percent_input(p.get("rate")), reason=p.get("reason", ""), actor=u),
    "decline": lambda r, u, p: services.request_decide(request=r, approve=False, reason=p.get("reason", ""), actor=u),
    "contract": lambda r, u, p: services.request_contract(request=r, actor=u),
    "disburse": lambda r, u, p: services.request_disburse(request=r, actor=u),
    "reroute": lambda r, u, p: services.request_reroute(request=r, actor=u, reason=p.get("reason", "")),
    "withdraw": lambda r, u, p: services.request_withdraw(request=r, actor=u, reason=p.get("reason", "")),
    "consent": lambda r, u, p: services.request_consent(request=r, actor=u),
}


def _request_ctx(request, req, error=None, rating_form=None):
    kind = _kind(request.user)
    holder = request.user.organization_id == req.institution_id or request.user.is_superuser
    return {"r": req, "error": error, "is_holder": holder, "speaks_for": kind in ("enterprise", "advisor"),
            "is_enterprise": kind == "enterprise", "events": req.events.select_related("actor"), "legs": req.legs.select_related("provider"),
            "may_write": is_writer(request.user),
            "legs_needed": legs_needed(req), **_rating_ctx(request, req, rating_form)}


def _rating_ctx(request, req, form=None) -> dict:
    """The enterprise's rating of the request: shown once given; the form while it may give one."""
    rating = RequestRating.objects.restrict(request.user, VIEW).filter(request=req).first()
    org = request.user.organization
    may_rate = (rating is None and req.state in c.RATEABLE_STATES and is_writer(request.user) and org is not None
                and org.kind == OrganizationKind.ENTERPRISE and org.enterprise_id == req.demand.enterprise_id)
    return {"rating": rating, "rating_form": (form or RatingForm()) if may_rate else None}


@login_required
def request_detail(request, pk):
    req = get_object_or_404(restricted_for(request, FinancingRequest).select_related(
        "institution", "product", "handler", "demand__enterprise", "escalated_to"), pk=pk)
    return render(request, "marketplace/request_detail.html", _request_ctx(request, req))


@login_required
@require_POST
def request_action(request, pk, verb):
    req = get_object_or_404(restricted_for(request, FinancingRequest), pk=pk)  # POST: change
    if verb not in VERBS:
        return HttpResponseBadRequest("unknown action")
    error = None
    try:
        VERBS[verb](req, request.user, request.POST)
    except (ValidationError, PermissionDenied) as exc:
        error = "；".join(_errors(exc))
    req = visible_requests(request.user).select_related(
        "institution", "product", "handler", "demand__enterprise", "escalated_to").filter(pk=pk).first() or req
    return render(request, "marketplace/htmx/request_panel.html", _request_ctx(request, req, error))


@login_required
@require_POST
def request_rate(request, pk):
    """The enterprise rates its closed request (1–5 stars, once); errors beside the fields."""
    req = get_object_or_404(visible_requests(request.user).select_related(
        "institution", "product", "handler", "demand__enterprise", "escalated_to"), pk=pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            request_rate_service(request=req, stars=form.cleaned_data["stars"], comment=form.cleaned_data["comment"],
                                 actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("感谢评价，已记录。"))
            return redirect("marketplace:request_detail", pk=req.pk)
    ctx = _request_ctx(request, req, rating_form=form)
    if ctx["rating_form"] is None:  # not the enterprise's to rate, or rated already: say why on the page
        messages.error(request, "；".join(m for errs in form.errors.values() for m in errs) or _("无权评价该申请。"))
        return redirect("marketplace:request_detail", pk=req.pk)
    return render(request, "marketplace/request_detail.html", ctx, status=400)


def _date(text, default):
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _metrics_params(request):
    if _kind(request.user) != "regulator":
        raise PermissionDenied(_("只有监管部门可以查看统计。"))
    today = timezone.localdate()
    start = _date(request.GET.get("start"), today - dt.timedelta(days=365))
    end = _date(request.GET.get("end"), today)
    own = (request.user.organization.region_id if request.user.organization else "") or "370100"
    region = request.GET.get("region") or own
    if not covers_region(request.user, region):
        region = own
    return region, start, end


@login_required
def metrics_xlsx(request):
    region, start, end = _metrics_params(request)
    resp = HttpResponse(metrics_workbook(region_code=region, start=start, end=end),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="marketplace-metrics-{region}-{start}-{end}.xlsx"'
    return resp


@login_required
def metrics_page(request):
    region, start, end = _metrics_params(request)
    summary = metrics.summary(region_code=region, start=start, end=end)
    by = {b: metrics.breakdown(region_code=region, start=start, end=end, by=b)
          for b in ("institution", "product", "district")}
    chart = {b: {"keys": [formatting.region_name(r["key"]) if b == "district" else r["key"] for r in rows],
                 "requests": [r["requests"] for r in rows],
                 "pickup": [r["pickup_rate"] for r in rows], "approval": [r["approval_rate"] for r in rows],
                 "amount": [float(r["disbursed_amount"]) / 10000 for r in rows]} for b, rows in by.items()}
    regions = [(code, name) for code, name in region_choices() if covers_region(request.user, code)]
    return render(request, "marketplace/metrics.html", {"summary": summary, "by": by, "chart": chart,
                                                        "start": start, "end": end, "region": region,
                                                        "regions": regions})


@login_required
def pools(request):
    """首贷培植名单, 白名单 + 预授信, 金融辅导队 and roadshows of the caller's scope."""
    kind = _kind(request.user)
    if kind not in ("regulator", "advisor", "institution"):
        raise PermissionDenied(_("无权查看。"))
    user = request.user
    shows = Roadshow.objects.prefetch_related("registrations")
    if kind == "regulator":
        shows = shows.filter(region_q(user))
    return render(request, "marketplace/pools.html", {
        "first_loan": FirstLoanCandidate.objects.restrict(user, VIEW).select_related("enterprise", "bank")[:500],
        "whitelist": WhitelistEntry.objects.restrict(user, VIEW).select_related("enterprise", "bank",
                                                                                 "guarantor")[:500],
        "assignments": AdvisorAssignment.objects.restrict(user, VIEW).filter(is_active=True).filter(
            Q(pk__in=[]) if kind == "institution" else Q())
        .select_related("enterprise", "advisor").annotate(visits_n=Count("visits"), sat=Avg("visits__satisfaction"))[:500],
        "roadshows": shows[:100], "can_manage": may_manage_pools(request.user),
        "can_whitelist": may_add_whitelist(request.user)})
