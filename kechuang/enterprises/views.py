"""Pages of the theme database: the enterprise list, the profile (画像) and consent management."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kechuang.accounts.access import CHANGE, VIEW, consent_holder_q, is_writer, own_enterprise_id
from kechuang.accounts.models import Organization
from kechuang.accounts.selectors import region_names
from kechuang.core.models import AuditEntry
from kechuang.core.pagination import CappedPaginator
from kechuang.core.restricted import RestrictedPageMixin, restricted_for

from .choices import ConsentPurpose
from .filtersets import EnterpriseFilterSet
from .models import Consent, Enterprise
from .presentation import profile_context
from .selectors import enterprise_consents, facts_as_of
from .services import consent_grant, consent_revoke, enterprise_list_read, enterprise_profile_read


class EnterpriseListView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    model = Enterprise
    template_name = "enterprises/enterprise_list.html"
    paginate_by = 50

    def get_template_names(self):
        if self.request.htmx:
            return ["htmx/enterprise_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        base = self.restricted(VIEW)
        filterset = EnterpriseFilterSet(self.request.GET or None, queryset=base)
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
        if not self.request.GET.get("ordering"):
            qs = qs.order_by("uscc")
        page = CappedPaginator(qs.only(
            "pk", "uscc", "name", "region_code", "industry_code", "latest_year", "employees",
            "operating_revenue", "rd_ratio", "ip_class1_count", "ip_total_count", "certificates",
            "adverse_count"), self.paginate_by).get_page(self.request.GET.get("page"))
        enterprise_list_read(enterprises=page.object_list, user=self.request.user,
                             what="list" if not self.request.GET.get("q") else "search")
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(filterset=filterset, page=page, query=query.urlencode(), regions=region_names())
        return ctx


class EnterpriseDetailView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """The profile (画像): facts by year with charts, every value's source, consents, and "as of"
    any past date. Institutions' reads are audited with the consent they rely on."""

    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        enterprise = self.restricted(VIEW).filter(pk=kwargs["pk"]).first()
        if enterprise is None:
            raise Http404(_("企业不存在或您无权查看。"))
        as_of_text = self.request.GET.get("as_of", "")
        as_of = None
        if as_of_text:
            day = parse_date(as_of_text)
            if day is None:
                messages.error(self.request, _("日期格式应为 YYYY-MM-DD。"))
            else:
                as_of = timezone.make_aware(datetime.combine(day, time.max))
        consent = enterprise_profile_read(enterprise=enterprise, user=user,
                                          what=f"profile as of {as_of_text}" if as_of else "profile")
        facts = facts_as_of(enterprise, as_of)
        ctx.update(profile_context(enterprise, facts))
        org = user.organization
        is_owner = user.is_superuser or (org is not None and org.enterprise_id == enterprise.pk)
        ctx.update(
            enterprise=enterprise, as_of=as_of, as_of_text=as_of_text, consent_used=consent,
            region_name=region_names().get(enterprise.region_code, ""),
            show_consents=is_owner or (org is not None and org.is_regulator),
            consents=enterprise_consents(enterprise) if (is_owner or (org and org.is_regulator)) else [],
            reads=(AuditEntry.objects.filter(object_type="enterprises.enterprise", object_id=str(enterprise.pk),
                                             action="read").select_related("organization", "actor")[:20]
                   if is_owner or (org and org.is_regulator) else []),
        )
        return ctx


class ConsentListView(LoginRequiredMixin, RestrictedPageMixin, TemplateView):
    """An enterprise's consents (granted and revocable here) or an institution's (held)."""

    model = Consent
    template_name = "enterprises/consent_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        qs = self.restricted(VIEW).select_related("enterprise", "organization", "granted_by")
        can_grant = bool(own_enterprise_id(user)) and is_writer(user)
        ctx.update(consents=qs[:500], can_grant=can_grant, now=timezone.now(),
                   purposes=ConsentPurpose.choices,
                   organizations=Organization.objects.filter(consent_holder_q(), is_active=True),
                   default_until=(timezone.localdate() + timedelta(days=365)).isoformat())
        return ctx


class ConsentGrantView(LoginRequiredMixin, View):
    def post(self, request):
        org = request.user.organization
        if org is None or not org.enterprise_id:
            raise PermissionDenied
        enterprise = get_object_or_404(Enterprise, pk=org.enterprise_id)
        target = Organization.objects.filter(pk=request.POST.get("organization")).first()
        until = parse_date(request.POST.get("valid_until", ""))
        if target is None or until is None or request.POST.get("purpose") not in ConsentPurpose.values:
            messages.error(request, _("请选择机构、用途并填写到期日期（YYYY-MM-DD）。"))
            return redirect("enterprises:consent_list")
        try:
            consent_grant(enterprise=enterprise, organization=target, purpose=request.POST["purpose"],
                          valid_until=timezone.make_aware(datetime.combine(until, time.max)),
                          actor=request.user, note=request.POST.get("note", "")[:200])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已授权 %(org)s。") % {"org": target})
        return redirect("enterprises:consent_list")


class ConsentRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        # only the consents the user may change (its own enterprise's): anyone else is told 404
        consent = get_object_or_404(restricted_for(request, Consent, CHANGE), pk=pk)
        try:
            consent_revoke(consent=consent, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已撤销授权。"))
        return redirect("enterprises:consent_list")
