"""REST API of the marketplace: the catalogue, demands (matches, grab, apply), requests (workflow
verbs as POST actions calling one service each), the institution's queue and the metrics."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from django.db.models import Q

from kechuang.accounts.access import VIEW, covers_region, is_regulator
from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Organization
from kechuang.core.api import region_param
from kechuang.marketplace import metrics, services
from kechuang.marketplace.filtersets import DemandFilterSet, ProductFilterSet, RequestFilterSet
from kechuang.marketplace.models import Demand, FinancingRequest, Leg, Product
from kechuang.marketplace.selectors import demand_matches, institution_queue, postable_enterprise

from .serializers import (BreakdownRowSerializer, DecisionSerializer, DemandCreateSerializer, DemandSerializer, LegCreateSerializer,
                          LegDecisionSerializer, LegSerializer, LossBookingSerializer, LossSerializer, MatchSerializer,
                          MetricSerializer, ProductChoiceSerializer, ProductCreateSerializer, ProductSerializer,
                          QueueRowSerializer, RequestSerializer, RerouteSerializer)


#: ``RequestSerializer`` with its fields built once: a ``ModelSerializer`` rebuilds them from the
#: model on every instance (≈ 30 % of a winning grab's CPU); ``to_representation`` keeps no state,
#: and it reads the time zone and language of the request it runs in.
_REQUEST_OUT = RequestSerializer()


def _product(pk, user=None) -> Product:
    """The product ``pk`` with its institution; the caller's own organisation, already loaded with
    the user, stands in for the join when the product is its own (the grab's common case)."""
    org = getattr(user, "organization", None)
    p = next(iter(Product.objects.filter(pk=pk)[:1] if org is not None else
                  Product.objects.filter(pk=pk).select_related("institution")[:1]), None)
    if p is None:
        raise DRFValidationError({"product": ["unknown product"]})
    if org is not None and p.institution_id == org.pk:
        p.institution = org
    return p


class ProductViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue (``Product.objects.restrict``: the active products for every signed-in
    organisation, an institution's own inactive ones too); institutions publish their own."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    queryset = Product.objects.select_related("institution").all()

    @extend_schema(request=ProductCreateSerializer, responses={201: ProductSerializer})
    def create(self, request, *args, **kwargs):
        data = ProductCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = request.user.organization
        if org is None:
            raise PermissionDenied("no organisation")
        p = services.product_create(institution=org, actor=request.user, **data.validated_data)
        return Response(ProductSerializer(p).data, status=status.HTTP_201_CREATED)


class DemandViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Demands through ``Demand.objects.restrict``, each marked ``prefill_visible`` (an institution
    reads the pre-filled facts only under consent or an application)."""

    serializer_class = DemandSerializer
    filterset_class = DemandFilterSet
    queryset = Demand.objects.select_related("enterprise")
    # An enterprise applies with a demand it can see; the service says why anyone else may not.
    restrict_actions = {"apply": VIEW}

    def get_queryset(self):
        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return qs
        return qs.with_prefill_access(self.request.user)

    @extend_schema(request=DemandCreateSerializer, responses={201: DemandSerializer})
    def create(self, request, *args, **kwargs):
        data = DemandCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        ent_id = v.pop("enterprise", None) or getattr(request.user.organization, "enterprise_id", None)
        enterprise = postable_enterprise(request.user, ent_id) if ent_id else None
        if enterprise is None:
            raise NotFound("enterprise not found or not visible to you")
        d = services.demand_post(enterprise=enterprise, actor=request.user, **v)
        d.prefill_visible = True
        return Response(DemandSerializer(d).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        """Every active product for this demand: the fitting ones ranked with why, then the others with why not."""
        d = self.get_object()
        if not d.prefill_visible:
            raise PermissionDenied("the enterprise has not authorised you to read its facts")
        res = demand_matches(d)
        rows = [{**r, "product_name": r["product"].name, "institution_name": r["product"].institution.name}
                for r in res["ranked"] + res["rejected"]]
        return Response(MatchSerializer(rows, many=True).data)

    @extend_schema(request=ProductChoiceSerializer, responses={201: RequestSerializer})
    @action(detail=True, methods=["post"])
    def grab(self, request, pk=None):
        """抢单: the calling institution takes the demand with one of its products (one grab wins)."""
        # any demand id: a late grab is told the demand is already held (400), not "not found".
        # The hot path of a contested market, kept lean: the demand's id and status are read once
        # (the early answer most grabs get, after the permission check and before any transaction);
        # the winner's answer comes from the request as created, by a serializer bound once.
        d = get_object_or_404(Demand.objects.only("id", "status"), pk=pk)
        data = ProductChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        r = services.demand_grab(demand=d, product=_product(data.validated_data["product"], request.user),
                                 actor=request.user, status_just_read=True)
        return Response(_REQUEST_OUT.to_representation(r), status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductChoiceSerializer, responses={201: RequestSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """The enterprise sends its demand to one product (with its consent)."""
        d = self.get_object()
        data = ProductChoiceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        r = services.request_apply(demand=d, product=_product(data.validated_data["product"]), actor=request.user)
        return Response(RequestSerializer(r).data, status=status.HTTP_201_CREATED)


class RequestViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Requests with their state, holder and event history; workflow verbs are POST actions (the
    row through ``restrict(user, "change")``, the state and holder checked by the service)."""

    serializer_class = RequestSerializer
    filterset_class = RequestFilterSet
    queryset = FinancingRequest.objects.select_related("institution", "product", "handler").prefetch_related("events")

    def _done(self, r):
        return Response(RequestSerializer(self.get_queryset().get(pk=r.pk)).data)

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"], url_path="pick-up")
    def pick_up(self, request, pk=None):
        return self._done(services.request_pick_up(request=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._done(services.request_review(request=self.get_object(), actor=request.user))

    @extend_schema(request=DecisionSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = DecisionSerializer(data=request.data)
        req = self.get_object()  # the object first: a foreign organisation is told 404, not its body's faults
        data.is_valid(raise_exception=True)
        return self._done(services.request_decide(request=req, actor=request.user, **data.validated_data))

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        return self._done(services.request_contract(request=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def disburse(self, request, pk=None):
        return self._done(services.request_disburse(request=self.get_object(), actor=request.user))

    @extend_schema(request=RerouteSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def reroute(self, request, pk=None):
        data = RerouteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        to = data.validated_data.get("to_product")
        req = self.get_object()
        services.request_reroute(request=req, actor=request.user, to_product=_product(to) if to else None,
                                 reason=data.validated_data.get("reason", ""))
        return self._done(req)

    @extend_schema(request=LegCreateSerializer, responses={201: LegSerializer})
    @action(detail=True, methods=["post"])
    def legs(self, request, pk=None):
        """The holding bank adds a guarantee or insurance leg."""
        req = self.get_object()
        data = LegCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        provider = Organization.objects.filter(pk=v["provider"]).first()
        if provider is None:
            raise DRFValidationError({"provider": ["unknown organisation"]})
        leg = services.leg_add(request=req, kind=v["kind"], provider=provider,
                               covered_amount=v.get("covered_amount"), shares=v.get("shares"), actor=request.user)
        return Response(LegSerializer(leg).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._done(services.request_withdraw(request=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        req = self.get_object()
        services.request_consent(request=req, actor=request.user)
        return self._done(req)


class LegViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Guarantee and insurance legs the caller provides or whose loan it holds, of the rows
    ``Leg.objects.restrict`` allows; a regulator reads those of its region in the list and the
    detail alike (it follows them on the requests it reads), and its writes are refused by the
    service (403), not hidden (404)."""

    serializer_class = LegSerializer
    queryset = Leg.objects.select_related("provider", "request__institution")

    def get_queryset(self):
        qs = super().get_queryset()
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or user.is_superuser or is_regulator(user):
            return qs
        return qs.filter(Q(provider_id=user.organization_id) | Q(request__institution_id=user.organization_id))

    @extend_schema(request=LegDecisionSerializer, responses=LegSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = LegDecisionSerializer(data=request.data)
        leg = self.get_object()
        data.is_valid(raise_exception=True)
        leg = services.leg_decide(leg=leg, approve=data.validated_data["approve"], actor=request.user)
        return Response(LegSerializer(leg).data)

    @extend_schema(request=LossSerializer, responses=LossBookingSerializer(many=True))
    @action(detail=True, methods=["post"])
    def default(self, request, pk=None):
        """On default, book each party's share of the loss (national:provincial:city:bank)."""
        data = LossSerializer(data=request.data)
        leg = self.get_object()
        data.is_valid(raise_exception=True)
        rows = services.leg_default_book(leg=leg, loss=data.validated_data["loss"], actor=request.user)
        return Response(LossBookingSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class QueueViewSet(viewsets.ViewSet):
    """The calling institution's grab queue (an investor's deal flow by mandate)."""

    @extend_schema(responses=QueueRowSerializer(many=True))
    def list(self, request):
        org = request.user.organization
        if org is None or org.kind not in (OrganizationKind.BANK, OrganizationKind.GUARANTOR,
                                           OrganizationKind.INSURER, OrganizationKind.INVESTOR):
            raise PermissionDenied("only financial institutions have a queue")
        rows = [{"demand": r["demand"], "product_id": r["product"].pk, "product_name": r["product"].name,
                 "score": r["score"], "status": r["status"]} for r in institution_queue(org)]
        return Response(QueueRowSerializer(rows, many=True).data)


class IsRegulatorOrStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        org = getattr(request.user, "organization", None)
        return request.user.is_superuser or (org is not None and org.kind == OrganizationKind.REGULATOR)


def _date(text, default):
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DRFValidationError({"date": [f"not a date: {text!r} (YYYY-MM-DD)"]}) from None


class MetricsViewSet(viewsets.ViewSet):
    """The plans' metrics, computed live for the caller's region (or a sub-region)."""

    permission_classes = [WritersOnly, IsRegulatorOrStaff]

    def _params(self, request):
        today = timezone.localdate()
        start = _date(request.query_params.get("start"), today - dt.timedelta(days=365))
        end = _date(request.query_params.get("end"), today)
        if end < start:
            raise DRFValidationError({"end": ["end is before start"]})
        own = (request.user.organization.region_id if request.user.organization else "") or "370000"
        region = region_param(request.query_params.get("region")) or own
        if not covers_region(request.user, region):
            raise PermissionDenied("region outside your own")
        return region, start, end

    @extend_schema(parameters=[OpenApiParameter("region", OpenApiTypes.STR), OpenApiParameter("start", OpenApiTypes.DATE),
                               OpenApiParameter("end", OpenApiTypes.DATE)], responses=MetricSerializer(many=True))
    def list(self, request):
        region, start, end = self._params(request)
        return Response(MetricSerializer(metrics.summary(region_code=region, start=start, end=end), many=True).data)

    @extend_schema(parameters=[OpenApiParameter("by", OpenApiTypes.STR, enum=["institution", "product", "district"]),
                               OpenApiParameter("region", OpenApiTypes.STR), OpenApiParameter("start", OpenApiTypes.DATE),
                               OpenApiParameter("end", OpenApiTypes.DATE)], responses=BreakdownRowSerializer(many=True))
    @action(detail=False, methods=["get"])
    def breakdown(self, request):
        region, start, end = self._params(request)
        by = request.query_params.get("by", "institution")
        if by not in ("institution", "product", "district"):
            raise DRFValidationError({"by": ["one of institution, product, district"]})
        rows = metrics.breakdown(region_code=region, start=start, end=end, by=by)
        return Response(BreakdownRowSerializer(rows, many=True).data)
