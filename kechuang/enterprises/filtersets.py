"""The enterprise filters, shared by the list page and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.filters import OrderingFilter
from kechuang.accounts.selectors import district_choices

from .choices import CertificateKind
from .models import Consent, Enterprise


ALL = _("全部")
YES_NO = forms.Select(choices=[("", ALL), ("true", _("是")), ("false", _("否"))])


def _district_choices():
    return district_choices()


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或代码"))
    region_code = django_filters.ChoiceFilter(choices=_district_choices, label=_("区县"), empty_label=ALL)
    industry_code = django_filters.CharFilter(field_name="industry_code", lookup_expr="startswith",
                                              label=_("行业代码（前缀）"))
    certificate = django_filters.ChoiceFilter(choices=CertificateKind.choices, method="has_certificate",
                                              label=_("有效资质"), empty_label=ALL)
    employees_min = django_filters.NumberFilter(field_name="employees", lookup_expr="gte", label=_("职工数≥"))
    employees_max = django_filters.NumberFilter(field_name="employees", lookup_expr="lte", label=_("职工数≤"))
    revenue_min = django_filters.NumberFilter(field_name="operating_revenue", lookup_expr="gte", label=_("营业收入≥（元）"))
    rd_ratio_min = django_filters.NumberFilter(field_name="rd_ratio", lookup_expr="gte", label=_("研发占比≥"))
    has_adverse = django_filters.BooleanFilter(method="adverse", label=_("有不良记录"), widget=YES_NO)
    is_synthetic = django_filters.BooleanFilter(field_name="is_synthetic", label=_("合成数据"), widget=YES_NO)
    ordering = OrderingFilter(
        fields=(("uscc", "uscc"), ("name", "name"), ("employees", "employees"),
                ("operating_revenue", "operating_revenue"), ("rd_ratio", "rd_ratio"),
                ("ip_class1_count", "ip_class1_count"), ("updated_at", "updated_at")),
        field_labels={"uscc": _("统一社会信用代码"), "name": _("企业名称"), "employees": _("职工数"),
                      "operating_revenue": _("营业收入"), "rd_ratio": _("研发占比"),
                      "ip_class1_count": _("Ⅰ类知识产权"), "updated_at": _("更新时间")},
        empty_label=_("默认（按代码）"), label=_("排序"))

    class Meta:
        model = Enterprise
        fields = ["q", "region_code", "industry_code", "certificate"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if len(value) == 18 and value.isalnum():
            return queryset.filter(uscc=value.upper())
        return queryset.filter(Q(name__contains=value) | Q(uscc__startswith=value.upper()))

    def has_certificate(self, queryset, name, value):
        return queryset.filter(certificates__contains=f",{value},") if value else queryset

    def adverse(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(adverse_count__gt=0) if value else queryset.filter(adverse_count=0)


class ConsentFilterSet(django_filters.FilterSet):
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")
    organization_id = django_filters.NumberFilter(field_name="organization_id")
    active = django_filters.BooleanFilter(method="is_active", label=_("有效"))

    class Meta:
        model = Consent
        fields = ["enterprise_id", "organization_id", "purpose"]

    def is_active(self, queryset, name, value):
        if value is None:
            return queryset
        active = Consent.objects.active().values("pk")
        return queryset.filter(pk__in=active) if value else queryset.exclude(pk__in=active)
