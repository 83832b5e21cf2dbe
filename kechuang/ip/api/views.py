"""REST API of the IP app: valuations (list, run, loan limit), pledges (register, release) and
pledge rates; writes call one service each."""

from __future__ import annotations

from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from kechuang.accounts.access import CHANGE, VIEW
from kechuang.accounts.models import Organization
from kechuang.core.api import int_param
from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_list_read
from kechuang.ip.choices import PledgeStatus
from kechuang.ip import selectors, services
from kechuang.ip.filtersets import PledgeFilterSet, ValuationFilterSet
from kechuang.ip.models import IPValuation, Pledge, PledgeRate
from kechuang.marketplace.models import Product

from .serializers import (EnterpriseIPSerializer, LoanLimitSerializer, PledgeCreateSerializer, PledgeRateSerializer, PledgeRateSetSerializer,
                          PledgeReleaseSerializer, PledgeSerializer, ValuationRunSerializer, ValuationSerializer)


def _enterprise(user, pk) -> Enterprise:
    ent = Enterprise.objects.restrict(user, VIEW).filter(pk=pk).first()
    if ent is None:
        raise NotFound("enterprise not found")
    return ent


def _product(user, pk) -> Product:
    p = Product.objects.restrict(user, VIEW).filter(pk=pk).select_related("institution").first()
    if p is None:
        raise DRFValidationError({"product_id": ["unknown product"]})
    return p


class ValuationViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """IP valuations (ranges with reasons) the caller may see: the enterprise's own, its regulators',
    and an institution's under the enterprise's consent (reads audited)."""

    serializer_class = ValuationSerializer
    filterset_class = ValuationFilterSet
    queryset = IPValuation.objects.all()
    audit_enterprise = "enterprise"


class EnterpriseIPViewSet(RestrictedViewSetMixin, viewsets.GenericViewSet):
    """Verbs on one enterprise's IP (the enterprise as the caller sees it: itself, its regulators,
    an institution under its consent): value its items, read an IP-pledge product's loan limit."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseIPSerializer
    restrict_actions = {"value": VIEW, "loan_limit": VIEW}

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        return (qs.filter(ip_valuations__isnull=False).distinct()
                .annotate(valued_items=Count("ip_valuations__ip_key", distinct=True),
                          active_pledges=Count("ip_pledges", filter=Q(ip_pledges__status=PledgeStatus.ACTIVE),
                                               distinct=True))
                .order_by("pk"))

    @extend_schema(summary="Enterprises the caller sees that have IP valuations")
    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page) if page is not None else list(qs)
        enterprise_list_read(enterprises=rows, user=request.user, what="api ip-enterprise list")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=ValuationRunSerializer, responses={201: ValuationSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)
    def value(self, request, pk=None):
        ent = self.get_object()
        data = ValuationRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        rows = services.valuation_run(enterprise=ent, actor=request.user, as_of=v.get("as_of"), expert=v.get("expert"))
        return Response(ValuationSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("product_id", OpenApiTypes.INT, required=True)],
                   responses={200: LoanLimitSerializer})
    @action(detail=True, methods=["get"], url_path="loan-limit")
    def loan_limit(self, request, pk=None):
        ent = self.get_object()
        product_id = int_param(request.query_params.get("product_id"), field="product_id", minimum=1)
        if product_id is None:
            raise DRFValidationError({"product_id": ["required"]})
        product = _product(request.user, product_id)
        limit = selectors.loan_limit(ent, product)
        if limit is None:
            raise DRFValidationError({"product_id": ["the product has no pledge rate"]})
        return Response(LoanLimitSerializer({"product": product.pk, "rate": limit.rate, "basis": limit.basis,
                                             "total": limit.total, "lines": limit.lines}).data)


class PledgeViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The pledge registry: the enterprise's pledges, the pledgee's, the regulator's region."""

    serializer_class = PledgeSerializer
    filterset_class = PledgeFilterSet
    queryset = Pledge.objects.prefetch_related("items")
    audit_enterprise = "enterprise"
    restrict_actions = {"release": CHANGE, "create": VIEW}

    @extend_schema(request=PledgeCreateSerializer, responses={201: PledgeSerializer})
    def create(self, request, *args, **kwargs):
        data = PledgeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ent = _enterprise(request.user, v["enterprise_id"])
        if "pledgee_id" in v:
            pledgee = Organization.objects.filter(pk=v["pledgee_id"]).first()
            if pledgee is None:
                raise DRFValidationError({"pledgee_id": ["unknown organisation"]})
        else:
            pledgee = request.user.organization
            if pledgee is None:
                raise DRFValidationError({"pledgee_id": ["required: the caller has no organisation"]})
        product = _product(request.user, v["product_id"]) if "product_id" in v else None
        pledge = services.pledge_register(
            enterprise=ent, pledgee=pledgee, ip_keys=v["ip_keys"], amount=v["amount"], registered_on=v["registered_on"],
            expires_on=v["expires_on"], product=product, registration_number=v.get("registration_number", ""),
            actor=request.user)
        return Response(PledgeSerializer(pledge).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PledgeReleaseSerializer, responses={200: PledgeSerializer})
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        pledge = self.get_object()
        data = PledgeReleaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pledge = services.pledge_release(pledge=pledge, actor=request.user, released_on=data.validated_data.get("released_on"),
                                         note=data.validated_data.get("note", ""))
        return Response(PledgeSerializer(pledge).data)


class PledgeRateViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pledge rates of IP-pledge loan products (public like the catalogue); an institution sets its own."""

    serializer_class = PledgeRateSerializer
    queryset = PledgeRate.objects.all()
    restrict_actions = {"create": VIEW}

    @extend_schema(request=PledgeRateSetSerializer, responses={201: PledgeRateSerializer})
    def create(self, request, *args, **kwargs):
        data = PledgeRateSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        row = services.pledge_rate_set(product=_product(request.user, v["product_id"]), rate=v["rate"],
                                       basis=v["basis"], actor=request.user)
        return Response(PledgeRateSerializer(row).data, status=status.HTTP_201_CREATED)
