"""REST API of the points app: models (list, retrieve, register a version), runs (list, retrieve,
score a region now) and results (what the user may see; filter by run, enterprise, stage, band)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from drf_spectacular.utils import extend_schema

from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.points.models import PointsModel, PointsResult, PointsRun
from kechuang.points.services import points_model_register, points_run_create

from .serializers import (PointsModelCreateSerializer, PointsModelSerializer, PointsResultSerializer,
                          PointsRunCreateSerializer, PointsRunSerializer)


class PointsModelViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Registered innovation-points models; POST registers a version (checked on load: weights,
    facts, stage rules — each problem comes back with the ``bad_model`` code)."""

    serializer_class = PointsModelSerializer
    permission_classes = [WritersOnly]
    queryset = PointsModel.objects.order_by("code", "-created_at")

    @extend_schema(request=PointsModelCreateSerializer, responses={201: PointsModelSerializer})
    def create(self, request, *args, **kwargs):
        data = PointsModelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            row = points_model_register(actor=request.user, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(PointsModelSerializer(row).data, status=status.HTTP_201_CREATED)


class PointsRunViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Points runs of the user's region; POST queues one (a ``points.run`` background job): the
    answer (202) is the queued run, whose ``status`` goes ``running`` → ``succeeded`` / ``failed``
    (a failed run keeps no result and says why in ``error``)."""

    serializer_class = PointsRunSerializer
    permission_classes = [WritersOnly]
    queryset = PointsRun.objects.select_related("model").order_by("-created_at", "-pk")

    @extend_schema(request=PointsRunCreateSerializer, responses={202: PointsRunSerializer})
    def create(self, request, *args, **kwargs):
        data = PointsRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        model = None
        if "model" in v:
            model = PointsModel.objects.restrict(request.user, "view").filter(pk=v.pop("model")).first()
            if model is None:
                raise ValidationError({"model": ["unknown points model"]})
        try:
            run = points_run_create(actor=request.user, model=model, enqueue=True, **v)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(PointsRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PointsResultViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Results the user may see (an enterprise its own, an institution under consent, a regulator
    its region); filters ``run``, ``enterprise``, ``uscc``, ``stage``, ``band``."""

    serializer_class = PointsResultSerializer
    permission_classes = [WritersOnly]
    queryset = PointsResult.objects.select_related("enterprise", "run").order_by("-run_id", "-points", "enterprise_id")
    audit_enterprise = "enterprise"

    def get_queryset(self):
        qs = super().get_queryset()
        p = self.request.query_params
        for key, field in (("run", "run_id"), ("enterprise", "enterprise_id"), ("uscc", "enterprise__uscc"),
                           ("stage", "stage"), ("band", "band")):
            value = p.get(key)
            if value:
                if field.endswith("_id") and not value.isdigit():
                    raise ValidationError({key: ["must be an integer"]})
                qs = qs.filter(**{field: value})
        return qs
