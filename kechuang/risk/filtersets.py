"""Filters shared by the API (the run page filters the same fields)."""

import django_filters

from . import choices as c
from .models import EnterpriseWarning, RiskCase


class WarningFilterSet(django_filters.FilterSet):
    run_id = django_filters.NumberFilter(field_name="run_id")
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")
    level = django_filters.ChoiceFilter(choices=c.Level.choices)
    change = django_filters.ChoiceFilter(choices=c.Change.choices)
    region_code = django_filters.CharFilter(field_name="region_code", lookup_expr="startswith")

    class Meta:
        model = EnterpriseWarning
        fields = ["run_id", "enterprise_id", "level", "change", "region_code"]


class CaseFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=c.CaseStatus.choices)
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")

    class Meta:
        model = RiskCase
        fields = ["status", "enterprise_id"]
