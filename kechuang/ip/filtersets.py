"""One FilterSet per model, shared by the pages and the API."""

import django_filters as filters

from kechuang.accounts.models import within_region

from . import choices as c
from .models import IPValuation, Pledge


class ValuationFilterSet(filters.FilterSet):
    enterprise_id = filters.NumberFilter()
    status = filters.ChoiceFilter(choices=c.ValuationStatus.choices)
    ip_key = filters.CharFilter()

    class Meta:
        model = IPValuation
        fields = ["enterprise_id", "status", "ip_key"]


class PledgeFilterSet(filters.FilterSet):
    enterprise_id = filters.NumberFilter()
    pledgee_id = filters.NumberFilter()
    status = filters.ChoiceFilter(choices=c.PledgeStatus.choices)
    region = filters.CharFilter(method="in_region", max_length=6)

    class Meta:
        model = Pledge
        fields = ["enterprise_id", "pledgee_id", "status", "region"]

    def in_region(self, queryset, name, value):
        if not (value.isascii() and value.isdigit() and len(value) == 6):
            return queryset.none()
        return queryset.filter(within_region(value))
