"""One FilterSet per model, shared by the pages and the API."""

import django_filters as filters

from . import choices as c
from .models import Demand, FinancingRequest, Product


class ProductFilterSet(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains")
    kind = filters.ChoiceFilter(choices=c.ProductKind.choices)
    institution_id = filters.NumberFilter()
    is_active = filters.BooleanFilter()

    class Meta:
        model = Product
        fields = ["q", "kind", "institution_id", "is_active"]


class DemandFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=c.DemandKind.choices)
    status = filters.ChoiceFilter(choices=c.DemandStatus.choices)
    enterprise_id = filters.NumberFilter()

    class Meta:
        model = Demand
        fields = ["kind", "status", "enterprise_id"]


class RequestFilterSet(filters.FilterSet):
    state = filters.ChoiceFilter(choices=c.RequestState.choices)
    institution_id = filters.NumberFilter()
    demand_id = filters.NumberFilter()
    escalated = filters.BooleanFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = FinancingRequest
        fields = ["state", "institution_id", "demand_id", "escalated"]
