"""REST API of the targets app: plans with their progress and a target-year check, tasks (with
a progress report action for the responsible unit), and the live metrics every app declares."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.accounts.access import region_scope
from kechuang.core.api import int_param, region_param
from kechuang.targets import selectors as s
from kechuang.targets.models import Plan, Task
from kechuang.targets.services import task_report_create

from .serializers import (LiveMetricSerializer, PlanSerializer, ProgressSerializer, TargetCheckSerializer,
                          TaskReportCreateSerializer, TaskReportSerializer, TaskSerializer)


class IsViewer(permissions.BasePermission):
    def has_permission(self, request, view):
        return s.can_view(request.user)


def _year(text: str | None, default: int, field: str = "year") -> int:
    if not text:
        return default
    return int_param(text, field=field, minimum=1990, maximum=2100)


class PlanViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Plans (regulators). ``progress`` gives each indicator's status; ``check`` a year's targets
    against that year's actuals."""

    serializer_class = PlanSerializer
    permission_classes = [IsViewer, WritersOnly]
    queryset = Plan.objects.all()

    @extend_schema(parameters=[OpenApiParameter("as_of", int)], responses=ProgressSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def progress(self, request, pk=None):
        plan = self.get_object()
        as_of = _year(request.query_params.get("as_of"), dt.date.today().year, "as_of")
        rows = []
        for p in s.plan_progress(plan, as_of_year=as_of):
            a, fc = p.assessment, p.assessment.forecast
            rows.append({"indicator_id": p.indicator.pk, "indicator": p.indicator.name, "concept": p.indicator.concept,
                         "unit": p.indicator.unit, "direction": p.indicator.direction, "target_year": p.target_year,
                         "target_year_presumed": p.presumed, "target": p.target.value, "qualifier": p.target.qualifier, "quote": p.target.quote,
                         "latest_year": a.latest_year, "latest_value": a.latest_value, "progress": a.progress,
                         "required_rate": a.required_rate, "achieved_rate": a.achieved_rate,
                         "forecast": None if fc is None else {"year": fc.year, "value": fc.value, "low": fc.low,
                                                              "high": fc.high, "method": fc.method},
                         "live_code": p.live["code"] if p.live else None,
                         "live_value": p.live["value"] if p.live else None,
                         "status": str(a.status)})
        return Response(ProgressSerializer(rows, many=True).data)

    @extend_schema(parameters=[OpenApiParameter("year", int, required=True)], responses=TargetCheckSerializer(many=True))
    @action(detail=True, pagination_class=None)
    def check(self, request, pk=None):
        plan = self.get_object()
        year = _year(request.query_params.get("year"), 0)
        if not year:
            raise DRFValidationError({"year": [_("必填")]})
        rows = [{"indicator": r.target.indicator.name, "unit": r.target.indicator.unit, "target": r.target.value,
                 "qualifier": r.target.qualifier, "actual": r.actual, "met": r.met, "target_quote": r.target.quote,
                 "actual_quote": r.actual_source.quote if r.actual_source else None}
                for r in s.target_year_check(plan, year)]
        return Response(TargetCheckSerializer(rows, many=True).data)


class TaskViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Tasks the user may see (``Task.objects.restrict``; regulators: all; others: their units').
    Filters: ``plan``, ``flag`` (overdue, at_risk), ``unit``, ``key=1``, ``q``. ``report`` (POST)
    by a responsible unit."""

    serializer_class = TaskSerializer
    permission_classes = [WritersOnly]
    queryset = Task.objects.all()

    def get_queryset(self):
        allowed = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return allowed
        g = self.request.query_params
        return s.tasks_for(self.request.user, plan_id=g.get("plan") or None, flag=g.get("flag", ""),
                           unit_id=g.get("unit") or None, key_only=g.get("key") == "1", q=g.get("q", "")
                           ).filter(pk__in=allowed.values("pk")).prefetch_related("units")

    @extend_schema(request=TaskReportCreateSerializer, responses={201: TaskReportSerializer})
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        body = TaskReportCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            report = task_report_create(task=task, actor=request.user, **body.validated_data)
        except ValidationError as exc:
            raise PermissionDenied("；".join(exc.messages), code=exc.code) from exc
        return Response(TaskReportSerializer(report).data, status=201)


class LiveMetricViewSet(viewsets.ViewSet):
    """Every live metric declared by an installed app, for a region and period."""

    permission_classes = [IsViewer, WritersOnly]

    @extend_schema(parameters=[OpenApiParameter("region", str), OpenApiParameter("start", str),
                               OpenApiParameter("end", str)], responses=LiveMetricSerializer(many=True))
    def list(self, request):
        g = request.query_params
        try:
            start = dt.date.fromisoformat(g.get("start") or f"{dt.date.today().year}-01-01")
            end = dt.date.fromisoformat(g.get("end") or dt.date.today().isoformat())
        except ValueError as exc:
            raise DRFValidationError({"start": [_("日期格式应为 YYYY-MM-DD")]}) from exc
        prefix = region_scope(request.user) or ""
        region = region_param(g.get("region")) or (request.user.organization.region_id if prefix else "370100")
        if prefix and not region.startswith(prefix):
            raise PermissionDenied(_("只能查看本辖区"))
        rows = []
        for code in sorted(s.live_metric_registry()):
            v = s.live_metric(code, region_code=region, start=start, end=end)
            rows.append({"code": code, "available": v is not None, "numerator": v[0] if v else None,
                         "denominator": v[1] if v else None, "ratio": s.metric_ratio(v)})
        return Response(LiveMetricSerializer(rows, many=True).data)
