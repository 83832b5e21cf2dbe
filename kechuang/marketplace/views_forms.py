"""Page forms for the pools (首贷培植, 白名单, 金融辅导队), roadshows and guarantee/insurance legs.

Each view parses the form and calls the one service that already does the job (the same the REST
API calls); a service's error goes back next to its field, nothing is written, and success
redirects with a message. Forms are shown only to users the service would accept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kechuang.accounts.access import is_writer
from kechuang.accounts.choices import OrganizationKind

from . import choices as c
from . import services
from .forms import (AssignForm, EligibilityForm, FirstLoanForm, FirstLoanUpdateForm, FollowUpForm, LegForm, ProductForm,
                    RegisterForm, RoadshowForm, VisitForm, WhitelistForm, apply_error)
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_list_read

from .models import AdvisorAssignment, FirstLoanCandidate, Leg, Product, Roadshow
from .selectors import visible_requests

SERVICE_ERRORS = (ValidationError, PermissionDenied)


def may_manage_pools(user) -> bool:
    """Who the pool and roadshow services accept: a regulator's or service agency's officer."""
    try:
        services._regulator_or_agency(user)
    except PermissionDenied:
        return False
    return True


def may_add_whitelist(user) -> bool:
    """``whitelist_add`` also accepts the guarantor or bank named on the line."""
    org = user.organization
    return may_manage_pools(user) or (org is not None and org.kind in (OrganizationKind.BANK,
                                                                        OrganizationKind.GUARANTOR)
                                      and is_writer(user))


def _form_page(request, form, title, action, submit_id):
    url = reverse(action[0], args=action[1:]) if isinstance(action, tuple) else reverse(action)
    return render(request, "marketplace/pool_form.html", {"form": form, "title": title, "action": url,
                                                          "submit_id": submit_id})


def _run(request, form, call, success, redirect_to):
    """Call the service with the cleaned data; on its error put it on the form (nothing written)."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except SERVICE_ERRORS as exc:
            apply_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(redirect_to)
    return None


@login_required
def first_loan_create(request):
    if not may_manage_pools(request.user):
        raise PermissionDenied(_("只有监管部门或服务机构的经办人员可以管理名单。"))
    form = FirstLoanForm(request.user, request.POST or None)
    if request.method == "POST":
        done = _run(request, form, lambda d: services.first_loan_add(
            enterprise=d["enterprise"], plan=d["plan"], bank=d["bank"], actor=request.user),
            _("已加入首贷培植名单。"), "marketplace:pools")
        if done:
            return done
    return _form_page(request, form, _("加入首贷培植名单（一企一策）"), "marketplace:first_loan_create", "submit-first-loan")


@login_required
def first_loan_update(request, pk):
    if not may_manage_pools(request.user):
        raise PermissionDenied(_("只有监管部门或服务机构的经办人员可以管理名单。"))
    candidate = get_object_or_404(FirstLoanCandidate.objects.select_related("enterprise"), pk=pk)
    if not Enterprise.objects.restrict(request.user, "view").filter(pk=candidate.enterprise_id).exists():
        raise PermissionDenied(_("您无权查看该企业。"))
    initial = {"plan": candidate.plan, "bank": candidate.bank_id, "status": candidate.status}
    form = FirstLoanUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST":
        done = _run(request, form, lambda d: services.first_loan_update(
            candidate=candidate, plan=d["plan"], bank=d["bank"], status=d["status"], actor=request.user),
            _("已更新一企一策方案。"), "marketplace:pools")
        if done:
            return done
    return _form_page(request, form, _("修改一企一策方案：%(name)s") % {"name": candidate.enterprise.name},
                      ("marketplace:first_loan_update", candidate.pk), "submit-first-loan-update")


@login_required
def whitelist_create(request):
    if not may_add_whitelist(request.user):
        raise PermissionDenied(_("只有监管部门、服务机构或该授信的担保机构、银行可以办理。"))
    form = WhitelistForm(request.user, request.POST or None)
    if request.method == "POST":
        done = _run(request, form, lambda d: services.whitelist_add(
            enterprise=d["enterprise"], guarantor=d["guarantor"], bank=d["bank"], line_amount=d["line_amount"],
            valid_until=d["valid_until"], actor=request.user), _("已加入白名单并登记预授信。"), "marketplace:pools")
        if done:
            return done
    return _form_page(request, form, _("加入白名单（预授信）"), "marketplace:whitelist_create", "submit-whitelist")


@login_required
def advisor_assign(request):
    if not may_manage_pools(request.user):
        raise PermissionDenied(_("只有监管部门或服务机构的经办人员可以管理名单。"))
    form = AssignForm(request.user, request.POST or None)
    if request.method == "POST":
        done = _run(request, form, lambda d: services.advisor_assign(
            enterprise=d["enterprise"], advisor=d["advisor"], team=d["team"], actor=request.user),
            _("已指派金融辅导员。"), "marketplace:pools")
        if done:
            return done
    return _form_page(request, form, _("指派金融辅导员"), "marketplace:advisor_assign", "submit-assign")


@login_required
def visit_create(request, pk):
    a = get_object_or_404(AdvisorAssignment.objects.select_related("enterprise"), pk=pk, is_active=True)
    if not (request.user.is_superuser or request.user.pk == a.advisor_id):
        raise PermissionDenied(_("只有负责的金融辅导员可以登记走访。"))
    form = VisitForm(request.POST or None)
    if request.method == "POST":
        done = _run(request, form, lambda d: services.advisor_visit_record(
            assignment=a, visited_on=d["visited_on"], note=d["note"], satisfaction=d["satisfaction"],
            actor=request.user), _("走访已登记。"), "marketplace:home")
        if done:
            return done
    return _form_page(request, form, _("登记走访：%(e)s") % {"e": a.enterprise.name},
                      ("marketplace:visit_create", a.pk), "submit-visit")


@login_required
def roadshow_create(request):
    if not may_manage_pools(request.user):
        raise PermissionDenied(_("只有监管部门或服务机构的经办人员可以管理名单。"))
    org = request.user.organization
    form = RoadshowForm(request.POST or None, initial={"region_code": getattr(org, "region_id", "") or ""})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            show = services.roadshow_create(title=d["title"], region_code=d["region_code"], held_on=d["held_on"],
                                            actor=request.user)
        except SERVICE_ERRORS as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("路演“%(t)s”已创建，可以报名了。") % {"t": show.title})
            return redirect("marketplace:roadshow_detail", pk=show.pk)
    return _form_page(request, form, _("新建路演"), "marketplace:roadshow_create", "submit-roadshow")


def _investor_writer(user) -> bool:
    org = user.organization
    return org is not None and org.kind == OrganizationKind.INVESTOR and is_writer(user)


def may_register(user) -> bool:
    """Who ``roadshow_register`` can accept: staff, an enterprise, its advisor, an investor's officer."""
    kind = getattr(user.organization, "kind", None)
    if not is_writer(user):  # viewers change nothing
        return False
    return services._is_staff(user) or kind == OrganizationKind.ENTERPRISE or _investor_writer(user) or \
        user.advisor_assignments.filter(is_active=True).exists()


def _roadshow_ctx(request, show, register=None, follow_up=None):
    user = request.user
    kind = getattr(user.organization, "kind", None)
    can_register = may_register(user)
    if register is None and can_register:
        initial = {"role": c.RegistrationRole.INVESTOR if kind == OrganizationKind.INVESTOR
                   else c.RegistrationRole.PRESENTER}
        if kind == OrganizationKind.ENTERPRISE and user.organization.enterprise_id:
            initial["enterprise"] = user.organization.enterprise.uscc
        if kind == OrganizationKind.INVESTOR:
            initial["investor"] = user.organization_id
        register = RegisterForm(user, initial=initial)
    if follow_up is None and _investor_writer(user):
        follow_up = FollowUpForm(show, user)
    return {"show": show, "can_mark_held": show.status == c.RoadshowStatus.PLANNED and may_manage_pools(user),
            "registrations": show.registrations.select_related("enterprise", "investor"),
            "demands": show.demands.select_related("enterprise"), "register": register if can_register else None,
            "follow_up": follow_up, "can_manage": may_manage_pools(user)}


@login_required
def roadshow_detail(request, pk):
    show = get_object_or_404(Roadshow, pk=pk)
    return render(request, "marketplace/roadshow_detail.html", _roadshow_ctx(request, show))


@login_required
@require_POST
def leg_default_book(request, pk):
    """Book a defaulted loan's loss on its guarantee leg: each party's share, exact to the cent."""
    leg = get_object_or_404(Leg.objects.select_related("request"), pk=pk)
    get_object_or_404(visible_requests(request.user), pk=leg.request_id)
    try:
        services.leg_default_book(leg=leg, loss=request.POST.get("loss", ""), actor=request.user)
    except SERVICE_ERRORS as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("已登记代偿，并按分担比例记入各方。"))
    return redirect("marketplace:request_detail", pk=leg.request_id)


@login_required
@require_POST
def roadshow_mark_held(request, pk):
    show = get_object_or_404(Roadshow, pk=pk)
    try:
        services.roadshow_mark_held(roadshow=show, actor=request.user)
    except SERVICE_ERRORS as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已标记为已举办。"))
    return redirect("marketplace:roadshow_detail", pk=show.pk)


@login_required
@require_POST
def roadshow_register(request, pk):
    show = get_object_or_404(Roadshow, pk=pk)
    if not may_register(request.user):
        raise PermissionDenied(_("无权报名路演。"))
    form = RegisterForm(request.user, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.roadshow_register(roadshow=show, actor=request.user, enterprise=d["enterprise"],
                                       investor=d["investor"])
        except SERVICE_ERRORS as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("报名成功。"))
            return redirect("marketplace:roadshow_detail", pk=show.pk)
    return render(request, "marketplace/roadshow_detail.html", _roadshow_ctx(request, show, register=form))


@login_required
@require_POST
def roadshow_follow_up(request, pk):
    show = get_object_or_404(Roadshow, pk=pk)
    if not _investor_writer(request.user):
        raise PermissionDenied(_("只有投资机构的经办人员可以跟进路演企业。"))
    form = FollowUpForm(show, request.user, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            req = services.roadshow_follow_up(registration=d["registration"], product=d["product"],
                                              amount=d["amount"], note=d["note"], actor=request.user)
        except SERVICE_ERRORS as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("跟进已形成投资需求，由贵机构承办。"))
            return redirect("marketplace:request_detail", pk=req.pk)
    return render(request, "marketplace/roadshow_detail.html", _roadshow_ctx(request, show, follow_up=form))


def legs_needed(req) -> list[str]:
    """The leg kinds the request's product needs and that it does not have yet (pending or approved)."""
    have = {leg.kind for leg in req.legs.all() if leg.state != c.LegState.DECLINED}
    need = []
    if req.product.needs_guarantee and c.LegKind.GUARANTEE not in have:
        need.append(c.LegKind.GUARANTEE)
    if req.product.needs_insurance and c.LegKind.INSURANCE not in have:
        need.append(c.LegKind.INSURANCE)
    return need


@login_required
def leg_create(request, pk):
    req = get_object_or_404(visible_requests(request.user).select_related("product", "demand"), pk=pk)
    holder = request.user.is_superuser or (request.user.organization_id == req.institution_id
                                           and is_writer(request.user))
    if not holder or not req.is_active or not legs_needed(req):
        raise PermissionDenied(_("只有承办机构可以为需要担保或保险的申请添加环节。"))
    form = LegForm(request.POST or None, initial={"kind": legs_needed(req)[0]})
    if request.method == "POST":
        done = _run(request, form, lambda d: services.leg_add(
            request=req, kind=d["kind"], provider=d["provider"], covered_amount=d["covered_amount"] or None,
            shares=form.shares(), actor=request.user), _("已添加环节，待承办机构确认。"),
            reverse("marketplace:request_detail", args=[req.pk]))
        if done:
            return done
    return _form_page(request, form, _("添加担保/保险环节：申请 #%(n)s") % {"n": req.pk},
                      ("marketplace:leg_create", req.pk), "submit-leg")


@login_required
@require_POST
def leg_decide(request, pk, verb):
    leg = get_object_or_404(Leg.objects.select_related("request"), pk=pk)
    get_object_or_404(visible_requests(request.user), pk=leg.request_id)
    if verb not in ("approve", "decline"):
        raise PermissionDenied(_("未知操作。"))
    try:
        services.leg_decide(leg=leg, approve=verb == "approve", actor=request.user)
    except SERVICE_ERRORS as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("环节已确认。") if verb == "approve" else _("环节已拒绝。"))
    return redirect("marketplace:request_detail", pk=leg.request_id)


# --- products: terms and the eligibility rule builder -------------------------------------------

PUBLISHER_ORG_KINDS = {v: k for k, v in c.PUBLISHER_KINDS.items()}


def _publisher_kind(user) -> str:
    """The product kind the user's institution publishes; refused to anyone else."""
    org = user.organization
    if org is None or org.kind not in PUBLISHER_ORG_KINDS or not is_writer(user):
        raise PermissionDenied(_("只有金融机构的管理员或经办人员可以发布产品。"))
    return PUBLISHER_ORG_KINDS[org.kind]


def _product_page(request, form, rule, *, product=None, kind):
    return render(request, "marketplace/product_form.html", {
        "form": form, "rule": rule, "product": product, "kind": c.ProductKind(kind),
        "words": rule.words(product.eligibility if product else None)})


def _save_product(request, form, rule, call, success):
    """Both forms valid → the service; its errors go back beside their fields (nothing written)."""
    form_ok, rule_ok = form.is_valid(), rule.is_valid()
    if not (form_ok and rule_ok):
        return None
    try:
        product = call({**form.terms(), "eligibility": rule.cleaned_data["eligibility"]})
    except SERVICE_ERRORS as exc:
        apply_error(form, exc)
        return None
    messages.success(request, success % {"n": product.name})
    return redirect("marketplace:home")


@login_required
def product_create(request):
    kind = _publisher_kind(request.user)
    form = ProductForm(request.POST or None, initial={"sla_pickup_days": 2})
    rule = EligibilityForm(request.POST or None, prefix="rule")
    if request.method == "POST":
        done = _save_product(request, form, rule, lambda d: services.product_create(
            institution=request.user.organization, kind=kind, actor=request.user, **d), _("产品“%(n)s”已发布。"))
        if done:
            return done
    return _product_page(request, form, rule, kind=kind)


@login_required
def product_update(request, pk):
    kind = _publisher_kind(request.user)
    product = get_object_or_404(Product.objects.restrict(request.user, "change"), pk=pk)
    form = ProductForm(request.POST or None, initial=ProductForm.initial_for(product))
    rule = EligibilityForm(request.POST or None, prefix="rule", initial=EligibilityForm.initial_for(product.eligibility))
    if request.method == "POST":
        done = _save_product(request, form, rule, lambda d: services.product_update(
            product=product, actor=request.user, **d), _("产品“%(n)s”已更新。"))
        if done:
            return done
    return _product_page(request, form, rule, product=product, kind=kind)


@login_required
@require_POST
def product_rule_words(request):
    """The builder's rule in words, for the live preview under the form (an HTMX partial)."""
    _publisher_kind(request.user)
    rule = EligibilityForm(request.POST, prefix="rule")
    return render(request, "marketplace/htmx/rule_words.html", {"rule": rule, "words": rule.words()})


# --- searchable lists ----------------------------------------------------------------------------

LOOKUP_LIMIT = 20


@login_required
def enterprise_lookup(request):
    """Enterprises the user may see whose name contains, or whose USCC starts with, ``q`` (JSON for
    the searchable inputs). An institution's search is a consent-bound read: audited per row."""
    q = (request.GET.get("q") or "").strip()[:100]
    if not q:
        return JsonResponse({"results": []})
    rows = list(Enterprise.objects.restrict(request.user, "view")
                .filter(Q(name__contains=q) | Q(uscc__startswith=q.upper())).order_by("name", "uscc")[:LOOKUP_LIMIT])
    enterprise_list_read(enterprises=rows, user=request.user, what="search")
    return JsonResponse({"results": [{"value": e.uscc, "label": f"{e.name}（{e.uscc}）"} for e in rows]})
