"""Filters of the evaluation app, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kechuang.core.filters import OrderingFilter

from .choices import ResultStatus, RunScope, RunStatus, Standard, Tier
from .models import EvaluationResult, EvaluationRun, TierPlacement


def _search(queryset, name, value):
    value = (value or "").strip()
    if not value:
        return queryset
    return queryset.filter(Q(enterprise__name__contains=value) | Q(enterprise__uscc__startswith=value.upper()))


class EvaluationRunFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("状态"))
    scope = django_filters.ChoiceFilter(choices=RunScope.choices, label=_("范围"))
    region_code = django_filters.CharFilter(field_name="region_code", lookup_expr="startswith", label=_("区划"))
    as_of_after = django_filters.DateFilter(field_name="as_of", lookup_expr="gte", label=_("基准日≥"))
    as_of_before = django_filters.DateFilter(field_name="as_of", lookup_expr="lte", label=_("基准日≤"))

    class Meta:
        model = EvaluationRun
        fields = ["status", "scope", "region_code"]


class EvaluationResultFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("名称或代码"))
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")
    standard = django_filters.ChoiceFilter(choices=Standard.choices, label=_("标准"))
    status = django_filters.ChoiceFilter(choices=ResultStatus.choices, label=_("结论"))
    version = django_filters.CharFilter(field_name="version", label=_("版本"))
    region_code = django_filters.CharFilter(field_name="enterprise__region_code", lookup_expr="startswith",
                                            label=_("区县"))
    score_min = django_filters.NumberFilter(field_name="score_min", lookup_expr="gte", label=_("最低得分≥"))

    class Meta:
        model = EvaluationResult
        fields = ["enterprise_id", "standard", "status", "version"]

    def search(self, queryset, name, value):
        return _search(queryset, name, value)


class TierPlacementFilterSet(django_filters.FilterSet):
    """The "close to qualifying" filters: next rung, how many clauses still fail or lack data."""

    q = django_filters.CharFilter(method="search", label=_("名称或代码"))
    enterprise_id = django_filters.NumberFilter(field_name="enterprise_id")
    region_code = django_filters.CharFilter(field_name="region_code", lookup_expr="startswith", label=_("区县"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("当前梯度"))
    next_standard = django_filters.ChoiceFilter(choices=Standard.choices, label=_("下一目标"))
    failing_max = django_filters.NumberFilter(field_name="failing", lookup_expr="lte", label=_("不符合条款≤"))
    unknown_max = django_filters.NumberFilter(field_name="unknown", lookup_expr="lte", label=_("数据不足条款≤"))
    ordering = OrderingFilter(
        fields=(("failing", "failing"), ("unknown", "unknown"), ("points_short", "points_short"),
                ("tier_rank", "tier_rank")), label=_("排序"))

    class Meta:
        model = TierPlacement
        fields = ["enterprise_id", "tier", "next_standard"]

    def search(self, queryset, name, value):
        return _search(queryset, name, value)
