"""REST API of the trade app: the market (search, list an item, express interest, withdraw) and
deals (each step of the state machine one service call; 技术合同成交额 by district and month)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from kechuang.accounts.access import CHANGE, VIEW, organization_of
from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.trade import selectors, services
from kechuang.trade.models import Deal, Listing

from .serializers import (AgreeSerializer, DealSerializer, InterestSerializer, ListingCreateSerializer,
                          ListingSearchSerializer, ListingSerializer, DealRegisterSerializer, SignSerializer,
                          TurnoverSerializer, WithdrawSerializer)


def _org(request):
    org = organization_of(request.user)
    if org is None:
        raise DRFValidationError({"organization": ["the caller has no organisation"]})
    return org


class ListingViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Listings on the market (listed ones for every signed-in user; a seller's own and its
    district's regulators' always). ``list`` searches with the query parameters."""

    serializer_class = ListingSerializer
    queryset = Listing.objects.select_related("seller")
    restrict_actions = {"create": VIEW, "interest": VIEW, "withdraw": CHANGE}

    @extend_schema(parameters=[ListingSearchSerializer], summary="Search the market")
    def list(self, request, *args, **kwargs):
        params = ListingSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        qs = selectors.search(request.user, selectors.SearchQuery(**params.validated_data))
        page = self.paginate_queryset(qs)
        rows = list(page) if page is not None else list(qs)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=ListingCreateSerializer, responses={201: ListingSerializer})
    def create(self, request, *args, **kwargs):
        data = ListingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        listing = services.listing_create(seller=_org(request), ip_key=v["ip_key"], kind=v["kind"], actor=request.user,
                                          asking_price=v.get("asking_price"), description=v.get("description", ""))
        return Response(ListingSerializer(listing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InterestSerializer, responses={201: DealSerializer})
    @action(detail=True, methods=["post"])
    def interest(self, request, pk=None):
        listing = self.get_object()
        data = InterestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.interest_express(listing=listing, buyer=_org(request), actor=request.user,
                                         message=data.validated_data.get("message", ""))
        return Response(DealSerializer(deal).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawSerializer, responses={200: ListingSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        listing = self.get_object()
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        listing = services.listing_withdraw(listing=listing, actor=request.user,
                                            reason=data.validated_data.get("reason", ""))
        return Response(ListingSerializer(listing).data)


class DealViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Deals the caller is a party to (or, a regulator, of its region); each step a service call."""

    serializer_class = DealSerializer
    queryset = Deal.objects.select_related("seller", "buyer")
    restrict_actions = {"negotiate": CHANGE, "agree": CHANGE, "sign": CHANGE, "register": CHANGE,
                        "withdraw": CHANGE, "turnover": VIEW}

    @extend_schema(request=None, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def negotiate(self, request, pk=None):
        return Response(DealSerializer(services.deal_negotiate(deal=self.get_object(), actor=request.user)).data)

    @extend_schema(request=AgreeSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def agree(self, request, pk=None):
        deal = self.get_object()
        data = AgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        deal = services.deal_agree(deal=deal, price=v["price"], terms=v.get("terms", ""), actor=request.user,
                                   payment_schedule=v.get("payment_schedule"))
        return Response(DealSerializer(deal).data)

    @extend_schema(request=SignSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        deal = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_sign(deal=deal, contract_date=data.validated_data["contract_date"], actor=request.user)
        return Response(DealSerializer(deal).data)

    @extend_schema(request=DealRegisterSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        deal = self.get_object()
        data = DealRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_register(deal=deal, registration_number=data.validated_data["registration_number"],
                                      actor=request.user)
        return Response(DealSerializer(deal).data)

    @extend_schema(request=WithdrawSerializer, responses={200: DealSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        deal = self.get_object()
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        deal = services.deal_withdraw(deal=deal, actor=request.user, reason=data.validated_data.get("reason", ""))
        return Response(DealSerializer(deal).data)

    @extend_schema(responses={200: TurnoverSerializer(many=True)},
                   summary="技术合同成交额 by district and signing month (deals the caller sees)")
    @action(detail=False, methods=["get"], pagination_class=None)
    def turnover(self, request):
        return Response(TurnoverSerializer(selectors.turnover_by_district_month(self.get_queryset()), many=True).data)
