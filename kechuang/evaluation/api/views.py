"""REST API of the evaluation app: one enterprise evaluated live (and what-if), evaluation runs
(list, retrieve, create → background job) and a run's results and placements (filterable)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from kechuang.accounts.access import region_scope
from kechuang.core.openapi import SingleObjectListSchema
from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read
from kechuang.evaluation.filtersets import (EvaluationResultFilterSet, EvaluationRunFilterSet,
                                            TierPlacementFilterSet)
from kechuang.evaluation.models import EvaluationResult, EvaluationRun, TierPlacement
from kechuang.evaluation.selectors import (GAPS_CHOICES, enterprise_evaluation, evaluate_records,
                                           runs_for, what_if)
from kechuang.evaluation.services import evaluation_run_create

from .serializers import (BatchRequestSerializer, BatchResultSerializer, EnterpriseEvaluationSerializer,
                          evaluation_payload, EvaluationResultSerializer,
                          EvaluationRunCreateSerializer, EvaluationRunSerializer,
                          TierPlacementSerializer, WhatIfRequestSerializer, WhatIfSerializer)


def _as_of(text: str | None):
    if not text:
        return timezone.localdate()
    field = serializers.DateField()
    try:
        return field.to_internal_value(text)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"as_of": exc.detail}) from exc


class EnterpriseEvaluationViewSet(viewsets.ViewSet):
    """An enterprise's evaluation against the standards, computed live from the facts known at the
    end of ``as_of`` (gaps only for the standards not met). Institutions' reads are audited with
    the consent they rely on."""

    lookup_field = "uscc"
    read_only_actions = ("what_if",)  # computes, stores nothing
    schema = SingleObjectListSchema()

    def _enterprise(self, uscc: str) -> Enterprise:
        enterprise = Enterprise.objects.restrict(self.request.user, "view").filter(uscc=uscc).first()
        if enterprise is None:
            raise NotFound("enterprise not found or not visible to you")
        return enterprise

    @extend_schema(parameters=[
        OpenApiParameter("uscc", OpenApiTypes.STR, OpenApiParameter.PATH),
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="evaluation date (default: today)"),
        OpenApiParameter("standard", OpenApiTypes.STR, many=True,
                         description="family or version id, repeatable (default: all in force)"),
        OpenApiParameter("gaps", OpenApiTypes.STR, enum=list(GAPS_CHOICES),
                         description="unmet (default): gaps for every standard not met; none: skip the "
                                     "gap search")],
        responses=EnterpriseEvaluationSerializer)
    def list(self, request, uscc=None):
        gaps = request.query_params.get("gaps") or "unmet"
        if gaps not in GAPS_CHOICES:
            raise serializers.ValidationError({"gaps": [f"must be one of {', '.join(GAPS_CHOICES)}"]})
        enterprise = self._enterprise(uscc)
        as_of = _as_of(request.query_params.get("as_of"))
        standards = request.query_params.getlist("standard") or None
        enterprise_profile_read(enterprise=enterprise, user=request.user,
                                what=f"api evaluation as of {as_of.isoformat()}")
        payload = enterprise_evaluation(enterprise=enterprise, as_of=as_of, standards=standards,
                                        with_gaps=gaps == "unmet")
        # The engine's results are already the data standard's JSON-ready objects (the serializer
        # documents them); copying the declared keys avoids DRF's field-by-field pass over ~200 clauses.
        return Response(evaluation_payload(payload))

    @extend_schema(parameters=[OpenApiParameter("uscc", OpenApiTypes.STR, OpenApiParameter.PATH)],
                   request=WhatIfRequestSerializer, responses=WhatIfSerializer)
    @action(detail=False, methods=["post"], url_path="what-if")
    def what_if(self, request, uscc=None):
        """Evaluate before and after ``changes`` (engine paths); nothing is saved."""
        body = WhatIfRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enterprise = self._enterprise(uscc)
        as_of = body.validated_data.get("as_of") or timezone.localdate()
        enterprise_profile_read(enterprise=enterprise, user=request.user,
                                what=f"api evaluation what-if as of {as_of.isoformat()}")
        payload = what_if(enterprise=enterprise, as_of=as_of, changes=body.validated_data["changes"],
                          standards=body.validated_data["standards"] or None)
        return Response(WhatIfSerializer(payload).data)


class IsRegulator(permissions.BasePermission):
    message = "only the regulator (or a superuser) sees evaluation runs"

    def has_permission(self, request, view):
        return region_scope(request.user) is not None


class EvaluationRunViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Evaluation runs of the caller's region. ``POST`` queues a run (a background job); poll it
    for ``progress``."""

    serializer_class = EvaluationRunSerializer
    permission_classes = [IsRegulator, WritersOnly]
    read_only_actions = ("evaluate",)  # computes posted records, stores nothing
    queryset = EvaluationRun.objects.select_related("created_by", "job").order_by("-created_at", "-pk")
    filterset_class = EvaluationRunFilterSet

    @extend_schema(request=EvaluationRunCreateSerializer, responses={202: EvaluationRunSerializer})
    def create(self, request, *args, **kwargs):
        body = EvaluationRunCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        run = evaluation_run_create(as_of=data["as_of"], actor=request.user, region_code=data["region_code"],
                                    standards=data["standards"], details=data["details"], enqueue=True)
        return Response(EvaluationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=BatchRequestSerializer, responses=BatchResultSerializer)
    @action(detail=False, methods=["post"], url_path="evaluate",
            permission_classes=[WritersOnly])
    def evaluate(self, request):
        """Evaluate a batch of posted enterprise records (≤ 1000, the data standard's input format)
        synchronously with the engine's batch path; nothing is read from or stored in the database.
        Any signed-in user may evaluate records they hold. Larger batches: a file or region run."""
        body = BatchRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        payload = evaluate_records(records=data["records"], as_of=data.get("as_of") or timezone.localdate(),
                                   standards=data["standards"] or None, with_gaps=data["gaps"] == "unmet")
        return Response(BatchResultSerializer(payload).data)


class _RunChildViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rows of one run the caller may see (``/api/evaluation-runs/{run_id}/…``): the run through
    ``runs_for``, its rows through ``restrict``."""

    permission_classes = [IsRegulator, WritersOnly]

    def run(self) -> EvaluationRun:
        return get_object_or_404(runs_for(self.request.user), pk=self.kwargs["run_id"])

    def get_queryset(self):
        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return qs
        return qs.filter(run=self.run())


@extend_schema(parameters=[OpenApiParameter("run_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
class EvaluationResultViewSet(_RunChildViewSet):
    """A run's results (filter by standard, status, version, enterprise, district, ``q``)."""

    serializer_class = EvaluationResultSerializer
    filterset_class = EvaluationResultFilterSet
    queryset = EvaluationResult.objects.select_related("enterprise").order_by("enterprise_id", "standard")


@extend_schema(parameters=[OpenApiParameter("run_id", OpenApiTypes.INT, OpenApiParameter.PATH)])
class TierPlacementViewSet(_RunChildViewSet):
    """A run's placements on the ladder (filter by tier, next standard, failing/unknown ≤ …)."""

    serializer_class = TierPlacementSerializer
    filterset_class = TierPlacementFilterSet
    queryset = TierPlacement.objects.select_related("enterprise").order_by("enterprise_id")
