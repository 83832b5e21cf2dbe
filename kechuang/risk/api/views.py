"""REST API of risk monitoring: warning runs (create → background job; concentrations), warnings
(filter by run, level, change; an institution's response), cases (open, add a step, close) and an
institution's portfolio. Every write calls one service."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from kechuang.accounts.access import VIEW
from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.risk import services
from kechuang.risk.filtersets import CaseFilterSet, WarningFilterSet
from kechuang.risk.models import EnterpriseWarning, RiskCase, WarningRun
from kechuang.risk.selectors import concentrations, portfolio

from .serializers import (CaseActionCreateSerializer, CaseActionSerializer, CaseCloseSerializer, CaseOpenSerializer,
                          CaseSerializer, PortfolioRowSerializer, RespondSerializer, ResponseSerializer,
                          WarningRunCreateSerializer, WarningRunSerializer, WarningSerializer)


class WarningRunViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Warning runs of the caller's region; POST queues one (``risk.run`` job)."""

    serializer_class = WarningRunSerializer
    queryset = WarningRun.objects.all()

    @extend_schema(request=WarningRunCreateSerializer, responses={201: WarningRunSerializer})
    def create(self, request, *args, **kwargs):
        data = WarningRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        run = services.warning_run_create(as_of=v["as_of"], region_code=v["region_code"], actor=request.user,
                                          enqueue=True, rules_text=v.get("rules_toml"))
        return Response(WarningRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def concentration(self, request, pk=None):
        """Warnings by district, industry, tier and institution, with exposure."""
        run = self.get_object()
        return Response({k: [{**g, "exposure": str(g["exposure"])} for g in rows]
                         for k, rows in concentrations(run).items()})


class WarningViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Warnings the caller may see (regulator: its region; institution: its exposure; advisor:
    its enterprises). ``respond`` records an institution's response."""

    serializer_class = WarningSerializer
    filterset_class = WarningFilterSet
    queryset = EnterpriseWarning.objects.select_related("enterprise").order_by("-run_id", "-level_rank", "pk")
    restrict_actions = {"respond": VIEW}

    def _audit(self, rows, what: str) -> None:
        services.warnings_read(warnings=rows, user=self.request.user, what=f"api {self.basename} {what}")

    @extend_schema(request=RespondSerializer, responses={201: ResponseSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        w = self.get_object()
        data = RespondSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resp = services.warning_respond(warning=w, actor=request.user, **data.validated_data)
        return Response(ResponseSerializer(resp).data, status=status.HTTP_201_CREATED)


class CaseViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Cases (一企一策): open from a warning, add a step, close with an outcome."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    queryset = RiskCase.objects.prefetch_related("actions")

    @extend_schema(request=CaseOpenSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        data = CaseOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        w = EnterpriseWarning.objects.restrict(request.user, VIEW).filter(pk=v["warning"]).first()
        if w is None:
            raise DRFValidationError({"warning": ["unknown warning"]})
        assignee = get_user_model().objects.filter(pk=v["assignee"]).first()
        case = services.case_open(warning=w, assignee=assignee, deadline=v["deadline"], plan=v.get("plan", ""),
                                  actor=request.user)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseActionCreateSerializer, responses={201: CaseActionSerializer})
    @action(detail=True, methods=["post"], url_path="actions")
    def add_action(self, request, pk=None):
        case = self.get_object()
        data = CaseActionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        act = services.case_action_add(case=case, actor=request.user, **data.validated_data)
        return Response(CaseActionSerializer(act).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseCloseSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        case = self.get_object()
        data = CaseCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_close(case=case, actor=request.user, **data.validated_data)
        return Response(CaseSerializer(case).data)


class PortfolioViewSet(viewsets.ViewSet):
    """The caller's current warnings with its platform exposure (an institution's portfolio)."""

    @extend_schema(responses={200: PortfolioRowSerializer(many=True)})
    def list(self, request):
        p = portfolio(request.user)
        return Response(PortfolioRowSerializer(p["rows"], many=True).data)
