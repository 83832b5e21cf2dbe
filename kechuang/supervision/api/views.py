"""REST API of the supervision of local financial organisations: organisations (the regulator
registers them), periodic reports (POST a batch: all stored, or 400 with every error — row, field,
code, message — and nothing stored, the rows kept in a rejected upload), breaches, uploads,
inspections (record, rectify) and ratings. Every write calls one service."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from kechuang.accounts.access import VIEW
from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.engine.supervision.validate import HEAD_FIELDS
from kechuang.supervision import services
from kechuang.supervision.choices import Source
from kechuang.supervision.models import (Inspection, OrgRating, PeriodicReport, RatioBreach, ReportUpload,
                                         SupervisedOrg)
from kechuang.supervision.present import error_rows
from kechuang.supervision.selectors import field_labels

from .serializers import (BreachSerializer, InspectionCreateSerializer, InspectionSerializer, OrgCreateSerializer,
                          OrgSerializer, RatingSerializer, RectifySerializer, ReportSerializer,
                          ReportsCreateSerializer, UploadSerializer)


class OrgViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Local financial organisations the caller supervises (or its own); POST registers one."""

    serializer_class = OrgSerializer
    queryset = SupervisedOrg.objects.all()

    @extend_schema(request=OrgCreateSerializer, responses={201: OrgSerializer})
    def create(self, request, *args, **kwargs):
        data = OrgCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.org_register(actor=request.user, **data.validated_data)
        return Response(OrgSerializer(org).data, status=status.HTTP_201_CREATED)


class ReportViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Periodic reports; POST files a batch all or nothing."""

    serializer_class = ReportSerializer
    queryset = PeriodicReport.objects.all()
    restrict_actions = {"create": VIEW}  # the service checks who may file for which organisation

    @extend_schema(request=ReportsCreateSerializer, responses={201: ReportSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        data = ReportsCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = []
        for i, r in enumerate(data.validated_data["reports"], start=1):
            figures = {k: v for k, v in r["figures"].items() if k not in ("sheet", "row", *HEAD_FIELDS)}
            rows.append({**figures, "sheet": "api", "row": i, "licence_no": r["licence_no"],
                         "licence_type": r["licence_type"], "frequency": r["frequency"], "period_end": r["period_end"]})
        try:
            stored = services.reports_submit(rows=rows, actor=request.user, source=Source.API, file_name="API")
        except services.ReportRejected as exc:
            errors = [{"row": e["row"], "field": e["field"], "code": e["code"], "message": e["reason"]}
                      for e in error_rows(exc.upload.errors)]
            labels = field_labels()
            for e in errors:
                e["field_label"] = labels.get(e["field"], e["field"])
            return Response({"errors": errors, "upload": exc.upload.pk}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ReportSerializer(stored, many=True).data, status=status.HTTP_201_CREATED)


class BreachViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BreachSerializer
    queryset = RatioBreach.objects.all()


class UploadViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = UploadSerializer
    queryset = ReportUpload.objects.all()


class RatingViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = RatingSerializer
    queryset = OrgRating.objects.all()


class InspectionViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """On-site inspections; POST records one, ``rectify`` records the rectification (regulator)."""

    serializer_class = InspectionSerializer
    queryset = Inspection.objects.select_related("org")
    restrict_actions = {"rectify": VIEW}

    @extend_schema(request=InspectionCreateSerializer, responses={201: InspectionSerializer})
    def create(self, request, *args, **kwargs):
        data = InspectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        org = SupervisedOrg.objects.restrict(request.user, VIEW).filter(pk=v.pop("org")).first()
        if org is None:
            raise NotFound()
        insp = services.inspection_record(org=org, actor=request.user, **v)
        return Response(InspectionSerializer(insp).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RectifySerializer, responses={200: InspectionSerializer})
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        insp = self.get_object()
        data = RectifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        insp = services.inspection_update(inspection=insp, actor=request.user, **data.validated_data)
        return Response(InspectionSerializer(insp).data)
