"""REST API of the rating app: one enterprise scored online, rating runs (list, retrieve, create →
background job), results (filtered to what the user may see), models and monitoring."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.core.api import int_param
from kechuang.core.openapi import SingleObjectListSchema
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read
from kechuang.rating.choices import RunStatus
from kechuang.rating.models import RatingModel, RatingResult, RatingRun
from kechuang.rating.selectors import score_enterprise
from kechuang.rating.services import rating_model_promote, rating_run_create

from .serializers import (MonitoringSerializer, OnlineRatingSerializer, PromoteSerializer, RatingModelSerializer,
                          RatingResultSerializer, RatingRunCreateSerializer, RatingRunSerializer)


def _as_of(text: str | None):
    if not text:
        return timezone.localdate()
    try:
        return serializers.DateField().to_internal_value(text)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"as_of": exc.detail}) from exc


class EnterpriseRatingViewSet(viewsets.ViewSet):
    """Online scoring: the enterprise's PD, grade, points and reasons with the champion model, from
    the facts known at the end of ``as_of`` (nothing is stored; institutions' reads are audited
    with the consent they rely on)."""

    permission_classes = [WritersOnly]
    schema = SingleObjectListSchema()

    @extend_schema(parameters=[OpenApiParameter("as_of", OpenApiTypes.DATE, required=False)],
                   responses=OnlineRatingSerializer)
    def list(self, request, uscc: str):
        enterprise = Enterprise.objects.restrict(request.user, "view").filter(uscc=uscc).first()
        if enterprise is None:
            raise NotFound("enterprise not found or not visible to you")
        as_of = _as_of(request.query_params.get("as_of"))
        if as_of > timezone.localdate():
            raise serializers.ValidationError({"as_of": ["the rating date is in the future"]})
        enterprise_profile_read(enterprise=enterprise, user=request.user,
                                what=f"rating as of {as_of.isoformat()}")
        out = score_enterprise(enterprise=enterprise, as_of=as_of)
        if out is None:
            raise NotFound("no champion model, or nothing was known about the enterprise on that date")
        return Response(OnlineRatingSerializer(out).data)


class RatingRunViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Rating runs of the user's region; POST queues a run of the champion (background job)."""

    serializer_class = RatingRunSerializer
    permission_classes = [WritersOnly]
    queryset = RatingRun.objects.select_related("model", "created_by", "job").order_by("-created_at", "-pk")

    @extend_schema(request=RatingRunCreateSerializer, responses={201: RatingRunSerializer})
    def create(self, request, *args, **kwargs):
        data = RatingRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = rating_run_create(actor=request.user, enqueue=True, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(RatingRunSerializer(run).data, status=status.HTTP_201_CREATED)


class RatingResultViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Stored ratings the user may see: its own, those of enterprises that authorised it, its
    region's. Filter with ``run``, ``grade``, ``uscc``."""

    serializer_class = RatingResultSerializer
    permission_classes = [WritersOnly]
    queryset = RatingResult.objects.filter(run__status=RunStatus.SUCCEEDED).select_related(
        "enterprise", "run", "run__model")
    audit_enterprise = "enterprise"

    @extend_schema(parameters=[OpenApiParameter("run", OpenApiTypes.INT, required=False),
                               OpenApiParameter("grade", OpenApiTypes.STR, required=False),
                               OpenApiParameter("uscc", OpenApiTypes.STR, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        run = int_param(params.get("run"), field="run")
        if run is not None:
            qs = qs.filter(run_id=run)
        if params.get("grade"):
            qs = qs.filter(grade=params["grade"])
        if params.get("uscc"):
            qs = qs.filter(enterprise__uscc=params["uscc"])
        return qs.order_by("-run__as_of", "-run_id", "enterprise_id")


class RatingModelViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """The model registry (regulators and platform administrators); ``promote`` moves a version
    to champion / challenger / retired (administrators only, audited)."""

    serializer_class = RatingModelSerializer
    permission_classes = [WritersOnly]
    queryset = RatingModel.objects.select_related("trained_by", "approved_by")

    @extend_schema(request=PromoteSerializer, responses=RatingModelSerializer)
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        model = self.get_object()
        data = PromoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            model = rating_model_promote(model=model, status=data.validated_data["status"], actor=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(RatingModelSerializer(model).data)


class MonitoringViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Population stability of each run: PSI of the score, CSI of each feature, the alert flag.
    ``?alert=true`` lists only runs that passed the threshold."""

    serializer_class = MonitoringSerializer
    permission_classes = [WritersOnly]
    queryset = RatingRun.objects.select_related("model", "created_by", "job").filter(
        status=RunStatus.SUCCEEDED).order_by("-finished_at", "-pk")

    @extend_schema(parameters=[OpenApiParameter("alert", OpenApiTypes.BOOL, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("alert") in ("true", "1"):
            qs = qs.filter(alert=True)
        return qs
