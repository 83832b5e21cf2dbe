"""Pages of the trade app: the market (search), a holder's listings and the interests it received,
a buyer's interests, a deal and its steps, and the regulator's deals with 技术合同成交额 by district
and month (XLSX export). Every write calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.access import CHANGE, VIEW, is_regulator, may, organization_of
from kechuang.accounts.choices import IP_HOLDER_KINDS
from kechuang.core.restricted import restricted_for
from kechuang.ip.models import Pledge
from kechuang.ip.selectors import ip_items

from . import choices as c
from . import selectors, services
from .exports import deals_xlsx
from .forms import AgreeForm, InterestForm, ListingForm, ProceedsForm, RegisterForm, SearchForm, SignForm, WithdrawForm
from .models import Deal, Listing, PledgeeConsent


def _error_messages(request, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _holder_org(user):
    org = organization_of(user)
    return org if org is not None and org.kind in IP_HOLDER_KINDS and org.enterprise_id else None


@login_required
def market(request):
    form = SearchForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    query = selectors.SearchQuery(**{k: v for k, v in d.items() if v not in (None, "")})
    rows = selectors.search(request.user, query)
    return render(request, "trade/market.html", {
        "form": form, "listings": rows[:200], "total": rows.count(), "kinds": c.DealKind,
        "can_list": _holder_org(request.user) is not None and may(request.user, CHANGE),
        "is_regulator": is_regulator(request.user, VIEW)})


@login_required
def mine(request):
    """The caller's organisation as seller (listings, interests received) and as buyer (sent)."""
    view = selectors.seller_view(request.user)
    return render(request, "trade/mine.html", {
        "listings": view["listings"], "received": view["received"], "sent": selectors.buyer_view(request.user),
        "colors": c.STATE_COLORS, "can_list": _holder_org(request.user) is not None and may(request.user, CHANGE)})


@login_required
def listing_create(request):
    org = _holder_org(request.user)
    if org is None or not may(request.user, CHANGE):
        raise PermissionDenied(_("只有企业、高等院校或科研院所的经办人员可以挂牌。"))
    items = [(i["number"], f"{i['number']} {i.get('title') or ''}") for i in ip_items(org.enterprise)]
    form = ListingForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            listing = services.listing_create(seller=org, ip_key=d["ip_key"], kind=d["kind"], actor=request.user,
                                              asking_price=d["asking_price"], description=d["description"])
        except ValidationError as exc:
            for field, errs in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                for m in errs:
                    form.add_error(field if field in form.fields else None, m)
        else:
            messages.success(request, _("已挂牌。"))
            return redirect("trade:listing_detail", pk=listing.pk)
    return render(request, "trade/listing_form.html", {"form": form, "holder": org.enterprise})


@login_required
def listing_detail(request, pk: int):
    listing = selectors.listings_visible(request.user).filter(pk=pk).first()
    if listing is None:
        raise Http404
    org = organization_of(request.user)
    deals = selectors.deals_visible(request.user).filter(listing=listing)
    is_seller = org is not None and org.pk == listing.seller_id and may(request.user, CHANGE)
    may_interest = (listing.status == c.ListingStatus.LISTED and not is_seller and may(request.user, CHANGE)
                    and _holder_org(request.user) is not None)
    return render(request, "trade/listing_detail.html", {
        "listing": listing, "deals": deals, "colors": c.STATE_COLORS, "is_seller": is_seller,
        "interest_form": InterestForm() if may_interest else None,
        "withdraw_form": WithdrawForm() if is_seller and listing.status == c.ListingStatus.LISTED else None})


@login_required
@require_POST
def listing_withdraw(request, pk: int):
    listing = Listing.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
    if listing is None:
        raise Http404
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.listing_withdraw(listing=listing, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已撤牌。"))
    return redirect("trade:listing_detail", pk=pk)


@login_required
@require_POST
def interest(request, pk: int):
    listing = selectors.listings_visible(request.user).filter(pk=pk).first()
    org = _holder_org(request.user)
    if listing is None or org is None:
        raise Http404
    form = InterestForm(request.POST)
    form.is_valid()
    try:
        deal = services.interest_express(listing=listing, buyer=org, actor=request.user,
                                         message=form.cleaned_data.get("message", ""))
    except ValidationError as exc:
        _error_messages(request, exc)
        return redirect("trade:listing_detail", pk=pk)
    messages.success(request, _("意向已提交。"))
    return redirect("trade:deal_detail", pk=deal.pk)


@login_required
def deal_list(request):
    """Deals the caller sees; a regulator also 技术合同成交额 by district and by month."""
    deals = selectors.deals_visible(request.user)
    state = request.GET.get("state", "")
    shown = deals.filter(state=state) if state in c.DealState.values else deals
    return render(request, "trade/deal_list.html", {
        "deals": shown[:200], "total": shown.count(), "states": c.DealState.choices, "colors": c.STATE_COLORS,
        "by_district": selectors.turnover_by_district(deals), "by_month": selectors.turnover_by_district_month(deals),
        "show_districts": is_regulator(request.user, VIEW)})


@login_required
def deal_export(request):
    if not is_regulator(request.user, VIEW):
        raise PermissionDenied(_("只有监管部门可以导出交易。"))
    body = deals_xlsx(user=request.user)
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="tech-deals-{timezone.localdate().isoformat()}.xlsx"'
    return resp


@login_required
def deal_detail(request, pk: int):
    deal = selectors.deals_visible(request.user).filter(pk=pk).first()
    if deal is None:
        raise Http404
    org = organization_of(request.user)
    writer = may(request.user, CHANGE)
    seller = writer and org is not None and org.pk == deal.seller_id
    buyer = writer and org is not None and org.pk == deal.buyer_id
    regulator = is_regulator(request.user, CHANGE)
    nxt = c.TRANSITIONS[c.DealState(deal.state)]
    steps = {
        "negotiate": seller and c.DealState.NEGOTIATING in nxt,
        "agree": AgreeForm() if seller and c.DealState.AGREED in nxt else None,
        "sign": SignForm(initial={"contract_date": timezone.localdate()}) if (seller or buyer) and c.DealState.SIGNED in nxt else None,
        "register": RegisterForm() if (seller or regulator) and c.DealState.REGISTERED in nxt else None,
        "withdraw": WithdrawForm() if (seller or buyer) and c.DealState.WITHDRAWN in nxt else None,
    }
    return render(request, "trade/deal_detail.html", {"deal": deal, "steps": steps, "colors": c.STATE_COLORS})


STEP_FORMS = {"negotiate": None, "agree": AgreeForm, "sign": SignForm, "register": RegisterForm, "withdraw": WithdrawForm}


@login_required
@require_POST
def deal_step(request, pk: int, verb: str):
    deal = Deal.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
    if deal is None or verb not in STEP_FORMS:
        raise Http404
    form_class = STEP_FORMS[verb]
    d = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errs in form.errors.values():
                for m in errs:
                    messages.error(request, m)
            return redirect("trade:deal_detail", pk=pk)
        d = form.cleaned_data
    try:
        if verb == "negotiate":
            services.deal_negotiate(deal=deal, actor=request.user)
        elif verb == "agree":
            services.deal_agree(deal=deal, price=d["price"], terms=d["terms"], actor=request.user)
        elif verb == "sign":
            services.deal_sign(deal=deal, contract_date=d["contract_date"], actor=request.user)
        elif verb == "register":
            services.deal_register(deal=deal, registration_number=d["registration_number"], actor=request.user)
        else:
            services.deal_withdraw(deal=deal, actor=request.user, reason=d.get("reason", ""))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已办理。"))
    return redirect("trade:deal_detail", pk=pk)


@login_required
@require_POST
def pledgee_consent(request, pk: int):
    pledge = restricted_for(request, Pledge, CHANGE).filter(pk=pk).first()
    if pledge is None:
        raise Http404
    try:
        services.pledgee_consent_grant(pledge=pledge, ip_key=request.POST.get("ip_key", ""), actor=request.user,
                                       note=request.POST.get("note", ""))
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已同意该知识产权挂牌交易。"))
    return redirect("ip:pledge_detail", pk=pk)


@login_required
@require_POST
def pledge_proceeds(request, pk: int):
    """The pledgee records how the price of a consented deal on a pledged item was settled."""
    consent = PledgeeConsent.objects.restrict(request.user, CHANGE).select_related("pledge").filter(pk=pk).first()
    if consent is None:
        raise Http404
    form = ProceedsForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            messages.error(request, "；".join(errs))
        return redirect("ip:pledge_detail", pk=consent.pledge_id)
    try:
        services.pledge_proceeds_settle(consent=consent, status=form.cleaned_data["status"],
                                        settled_on=form.cleaned_data["settled_on"], actor=request.user,
                                        note=form.cleaned_data["note"])
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已登记交易价款的处理。"))
    return redirect("ip:pledge_detail", pk=consent.pledge_id)
