"""Pages of the IP app: an enterprise's IP with valuation ranges, reasons, pledges and loan limits;
pledge registration by a bank; the registry and its district summary; release on repayment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.access import CHANGE, RUN, VIEW, is_financial, is_regulator, may, organization_of, own_enterprise_id
from kechuang.core.restricted import restricted_for
from kechuang.engine.ipvalue import get_model
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read

from . import choices as c
from . import selectors, services
from .filtersets import PledgeFilterSet
from .forms import PledgeForm, ReleaseForm
from .models import Pledge, PledgeItem

#: The indicators an expert scores (ranges 0–100), from the model the services value with.
EXPERT_INDICATORS = tuple(i for i in get_model(services.DEFAULT_MODEL).indicators if i.kind == "expert")


def _messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _enterprise(request, pk: int, action: str = VIEW) -> Enterprise:
    ent = restricted_for(request, Enterprise, action).filter(pk=pk).first()
    if ent is None:
        raise Http404
    return ent


@login_required
def home(request):
    """An enterprise sees its own IP; everyone else the pledge registry."""
    own = own_enterprise_id(request.user)
    if own is not None:
        return enterprise_ip(request, own)
    return pledge_list(request)


@login_required
def enterprise_ip(request, pk: int):
    ent = _enterprise(request, pk, VIEW)
    enterprise_profile_read(enterprise=ent, user=request.user, what="ip_valuation")
    user = request.user
    org = organization_of(user)
    limits = [(p, selectors.loan_limit(ent, p)) for p in selectors.pledge_products(user)
              if not is_financial(org) or p.institution_id == org.pk]
    pledges = restricted_for(request, Pledge, VIEW).filter(enterprise=ent).select_related("pledgee", "product")
    return render(request, "ip/enterprise_ip.html", {
        "enterprise": ent, "rows": selectors.enterprise_overview(ent), "pledges": pledges,
        "expert_indicators": EXPERT_INDICATORS,
        "limits": limits, "can_value": may(user, RUN),
        "can_pledge": may(user, CHANGE) and is_financial(org)})


@login_required
@require_POST
def valuation_run(request, pk: int):
    ent = _enterprise(request, pk, VIEW)
    expert = {}
    item = (request.POST.get("item") or "").strip()
    if item:
        ranges = {}
        for ind in EXPERT_INDICATORS:
            low, high = request.POST.get(f"{ind.id}_low", "").strip(), request.POST.get(f"{ind.id}_high", "").strip()
            if low or high:
                try:
                    ranges[ind.id] = [float(low or high), float(high or low)]
                except ValueError:
                    messages.error(request, _("专家评分须为 0–100 的数字：%(name)s") % {"name": ind.title_zh})
                    return redirect("ip:enterprise_ip", pk=ent.pk)
        expert = {item: ranges}
    try:
        rows = services.valuation_run(enterprise=ent, actor=request.user, expert=expert)
    except ValidationError as exc:
        for m in _messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("已完成估值：%(n)s 项知识产权。") % {"n": len(rows)})
    return redirect("ip:enterprise_ip", pk=ent.pk)


@login_required
def pledge_create(request, pk: int):
    ent = _enterprise(request, pk, VIEW)
    org = organization_of(request.user)
    if not (may(request.user, CHANGE) and is_financial(org)):
        raise PermissionDenied(_("只有金融机构的经办人员可以登记质押。"))
    rows = [r for r in selectors.enterprise_overview(ent) if r["remaining"] > 0]
    items = [(r["key"], f"{r['key']} {r['item'].get('title') or ''}") for r in rows]
    products = [(p.pk, p.name) for p in selectors.pledge_products(request.user) if p.institution_id == org.pk]
    form = PledgeForm(request.POST or None, items=items, products=products)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        product = next((p for p in selectors.pledge_products(request.user) if p.pk == d["product"]), None)
        try:
            pledge = services.pledge_register(
                enterprise=ent, pledgee=org, ip_keys=d["ip_keys"], amount=d["amount"], registered_on=d["registered_on"],
                expires_on=d["expires_on"], product=product, registration_number=d["registration_number"],
                actor=request.user)
        except ValidationError as exc:
            for field, errs in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                for m in errs:
                    form.add_error(field if field in form.fields else None, m)
        else:
            messages.success(request, _("质押已登记。"))
            return redirect("ip:pledge_detail", pk=pledge.pk)
    return render(request, "ip/pledge_form.html", {"enterprise": ent, "form": form, "rows": rows})


@login_required
def pledge_list(request):
    base = restricted_for(request, Pledge, VIEW).select_related("enterprise", "pledgee")
    filterset = PledgeFilterSet(request.GET or None, queryset=base)
    pledges = filterset.qs if filterset.is_valid() else base
    return render(request, "ip/pledge_list.html", {
        "pledges": pledges[:200], "total": pledges.count(), "filter": filterset,
        "districts": selectors.pledges_by_district(base), "statuses": c.PledgeStatus.choices,
        "show_districts": is_regulator(request.user, VIEW)})


@login_required
def pledge_detail(request, pk: int):
    pledge = restricted_for(request, Pledge, VIEW).select_related("enterprise", "pledgee", "product").filter(pk=pk).first()
    if pledge is None:
        raise Http404
    items = PledgeItem.objects.restrict(request.user, VIEW).filter(pledge=pledge).select_related("valuation")
    org = organization_of(request.user)
    may_release = (pledge.status == c.PledgeStatus.ACTIVE and may(request.user, CHANGE)
                   and (org == pledge.pledgee or is_regulator(request.user, CHANGE)))
    may_consent = pledge.status == c.PledgeStatus.ACTIVE and may(request.user, CHANGE) and org == pledge.pledgee
    # the pledgee's consents to list an item (the trade app's, through its reverse relation) and, once
    # a deal on it is signed, the price due to the pledgee (民法典 第四百四十四条)
    consents = list(pledge.trade_consents.restrict(request.user, VIEW).select_related("deal").order_by("granted_at"))
    return render(request, "ip/pledge_detail.html", {
        "pledge": pledge, "items": items, "release_form": ReleaseForm() if may_release else None,
        "colors": c.PLEDGE_COLORS, "may_consent": may_consent, "consents": consents,
        "is_pledgee": org == pledge.pledgee and may(request.user, CHANGE), "today": timezone.localdate()})


@login_required
@require_POST
def pledge_release(request, pk: int):
    pledge = restricted_for(request, Pledge, CHANGE).filter(pk=pk).first()
    if pledge is None:
        raise Http404
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("解除日期格式不正确。"))
        return redirect("ip:pledge_detail", pk=pk)
    try:
        services.pledge_release(pledge=pledge, actor=request.user, released_on=form.cleaned_data["released_on"],
                                note=form.cleaned_data["note"])
    except ValidationError as exc:
        for m in _messages(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("质押已解除。"))
    return redirect("ip:pledge_detail", pk=pk)
