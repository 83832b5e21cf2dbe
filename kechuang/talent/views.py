"""Pages of the talent app, one per role: the enterprise's team (its people, consent status,
values, team value and 人才贷 limits), a person's valuation with its reasons (under consent), the
person's own record and consents (revocable), an institution's consented people, the regulator's
distributions by district and industry (no personal data), and the masked XLSX export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from kechuang.accounts.models import Region
from kechuang.accounts.access import VIEW, is_financial, is_writer, organization_of, own_enterprise_id, region_scope
from kechuang.core.restricted import RestrictedPageMixin
from kechuang.core.views import run_progress_context
from kechuang.marketplace.eligibility import INDUSTRY_SECTIONS

from .choices import PENDING_STATUSES, RUN_STATUS_COLORS
from .exports import valuations_xlsx
from .models import TalentConsent, TalentPerson, Valuation, ValuationRun
from .selectors import (display_name, distribution, explanation, indicator_labels, latest, loan_limit, talent_products,
                        team_value)
from .services import person_valuation_read, talent_consent_revoke, valuation_run_create


def _pending(user, **filters) -> list[dict]:
    """The progress bars of the user's valuation runs still queued or computing."""
    runs = ValuationRun.objects.restrict(user, VIEW).filter(status__in=PENDING_STATUSES, **filters).select_related("job")
    return [run_progress_context(r, label=_("人才价值评估"), poll_url=reverse("talent:valuationrun_progress", args=[r.pk]))
            for r in runs[:5]]


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _code(exc: ValidationError) -> str:
    codes = [e.code for e in exc.error_list if getattr(e, "code", None)] if hasattr(exc, "error_list") else []
    return codes[0] if codes else ""


class EnterpriseRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return self.request.user.is_superuser or own_enterprise_id(self.request.user) is not None


class RegulatorRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return region_scope(self.request.user) is not None


class InstitutionRequired(LoginRequiredMixin, UserPassesTestMixin):
    def test_func(self):
        return self.request.user.is_superuser or is_financial(organization_of(self.request.user))


def _decorate(rows, user):
    for v in rows:
        v.shown_name = display_name(v.person, user)
    return rows


class TeamView(EnterpriseRequired, RestrictedPageMixin, TemplateView):
    """The enterprise's team: each person's consent status and latest value (only while consented),
    the team value (sum of the ranges) and the 人才贷 limits of the products on offer."""

    model = TalentPerson
    template_name = "talent/team.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        eid = own_enterprise_id(user)
        people = list(self.restricted(VIEW).filter(enterprise_id=eid).order_by("pk")) if eid else []
        now = timezone.now()
        active = set(TalentConsent.objects.active(now).filter(person__in=people).values_list("person_id", flat=True))
        values = {v.person_id: v for v in latest(self.restricted(VIEW, Valuation).filter(enterprise_id=eid))}
        for p in people:
            p.shown_name = display_name(p, user)
            p.consented = p.pk in active
            p.value = values.get(p.pk)
        team = team_value(eid, user) if eid else {"people": 0, "low": 0, "high": 0}
        products = [{"terms": t, "limit": loan_limit(t, enterprise_id=eid)} for t in talent_products(user)
                    if t.basis == "team"] if eid else []
        ctx.update(people=people, team=team, products=products, may_write=is_writer(user) and eid is not None,
                   synthetic=any(p.is_synthetic for p in people),
                   pending=_pending(user, enterprise_id=eid) if eid else [],
                   last_run=ValuationRun.objects.restrict(user, VIEW).filter(enterprise_id=eid).first() if eid else None)
        return ctx

    def post(self, request):
        eid = own_enterprise_id(request.user)
        if eid is None:
            raise PermissionDenied
        from kechuang.enterprises.models import Enterprise
        try:
            run = valuation_run_create(actor=request.user, enterprise=Enterprise.objects.get(pk=eid), enqueue=True)
        except ValidationError as exc:
            messages.error(request, f"[{_code(exc)}] {_errors(exc)}")
        else:
            messages.success(request, _("人才价值评估已排队（批次 #%(pk)s），完成后本页自动刷新。") % {"pk": run.pk})
        return redirect("talent:team")


class PersonView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """One person's value with its reasons: the latest valuation and the current model's
    explanation. Reached by the person, the employer, a regulator of the region and an
    organisation holding the person's active consent; a read without consent is refused
    (``no_consent``) and every institution's read is audited with its consent."""

    model = TalentPerson
    template_name = "talent/person.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        person = get_object_or_404(self.restricted(VIEW).select_related("enterprise"), pk=kwargs["pk"])
        refused, consent = "", None
        try:
            consent = person_valuation_read(person=person, user=user)
        except ValidationError as exc:
            refused = f"[{_code(exc)}] {_errors(exc)}"
        ctx.update(person=person, shown_name=display_name(person, user), refused=refused, consent_used=consent)
        if not refused:
            valuation = latest(self.restricted(VIEW, Valuation).filter(person=person)).select_related("run").first()
            ctx.update(valuation=valuation, explain=explanation(person),
                       lift_labels=[indicator_labels(valuation)[i] for i in valuation.lifts] if valuation else [],
                       drag_labels=[indicator_labels(valuation)[i] for i in valuation.drags] if valuation else [],
                       products=[{"terms": t, "limit": loan_limit(t, valuation=valuation)}
                                 for t in talent_products(user) if t.basis == "person"] if valuation else [])
        return ctx


class MineView(LoginRequiredMixin, TemplateView):
    """The person's own record: facts on file (minimised), consents (revocable), latest value."""

    template_name = "talent/mine.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        person = TalentPerson.objects.filter(user=self.request.user).select_related("enterprise").first()
        ctx["person"] = person
        if person is not None:
            ctx.update(consents=TalentConsent.objects.restrict(self.request.user, VIEW).filter(person=person)
                       .select_related("organization"), now=timezone.now(),
                       valuation=latest(Valuation.objects.filter(person=person)).first())
        return ctx


class ConsentRevokeView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """POST: the person revokes one of their talent consents (audited); effective at once."""

    model = TalentConsent
    http_method_names = ["post"]

    def post(self, request, pk):
        consent = get_object_or_404(TalentConsent.objects.restrict(request.user, "change"), pk=pk)
        try:
            talent_consent_revoke(consent=consent, actor=request.user)
        except ValidationError as exc:
            messages.error(request, f"[{_code(exc)}] {_errors(exc)}")
        else:
            messages.success(request, _("授权已撤销：此后任何机构不能再依据该授权查看或使用您的人才数据。"))
        return redirect("talent:mine")


class ConsentedView(InstitutionRequired, RestrictedPageMixin, TemplateView):
    """An institution's view: only the people who hold an active consent to it, with their value
    ranges and the limits of its own 人才贷 products."""

    model = Valuation
    template_name = "talent/consented.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        org = organization_of(user)
        rows = latest(self.restricted(VIEW)).select_related("person", "enterprise").order_by("-value_low")
        if org is not None:
            rows = rows.filter(person__in=TalentConsent.objects.active().filter(organization=org).values("person_id"))
        rows = _decorate(list(rows[:200]), user)
        ctx.update(rows=rows, products=[t for t in talent_products(user) if org is None or t.product.institution_id == org.pk])
        return ctx


class DistributionView(RegulatorRequired, RestrictedPageMixin, TemplateView):
    """The regulator's page: people valued and value ranges by district and by industry section
    (aggregates only), the runs, and a "value the region now" form."""

    model = ValuationRun
    template_name = "talent/distribution.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        org = organization_of(user)
        dist = distribution(user)
        for row in dist["industries"]:
            row["name"] = _(INDUSTRY_SECTIONS[row["section"]]) if row["section"] in INDUSTRY_SECTIONS else _("未知行业")
        prefix = region_scope(user) or ""
        ctx.update(regions=Region.objects.filter(code__startswith=prefix).order_by("code")[:200],
                   dist=dist, runs=self.restricted(VIEW)[:50], colors=RUN_STATUS_COLORS, pending=_pending(user),
                   default_region=org.region_id if org else "370100",
                   chart={"districts": [d["name"] for d in dist["districts"]], "unit": _("万元"),
                          "labels": [_("价值下限合计"), _("价值上限合计")],
                          "low": [float(d["low"] or 0) / 10000 for d in dist["districts"]],
                          "high": [float(d["high"] or 0) / 10000 for d in dist["districts"]]})
        return ctx

    def post(self, request):
        try:
            run = valuation_run_create(actor=request.user, region_code=request.POST.get("region_code", ""),
                                       enqueue=True)
        except ValidationError as exc:
            messages.error(request, f"[{_code(exc)}] {_errors(exc)}")
        else:
            messages.success(request, _("人才价值评估已排队（批次 #%(pk)s），完成后本页自动刷新。") % {"pk": run.pk})
        return redirect("talent:distribution")


class ExportView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """The valuations the user may see as an Excel workbook, names always masked (audited)."""

    model = Valuation

    def get(self, request):
        if organization_of(request.user) is None and not request.user.is_superuser:
            raise PermissionDenied
        data, _count = valuations_xlsx(user=request.user)
        resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = 'attachment; filename="talent-values.xlsx"'
        return resp
