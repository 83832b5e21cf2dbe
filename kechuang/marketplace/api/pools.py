"""REST API of the pools (首贷培植, 白名单, 金融辅导队) and roadshows: lists for the staff who run
them and the region they cover, writes through one service each."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from kechuang.accounts.access import VIEW, is_regulator
from kechuang.accounts.models import Organization
from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.enterprises.models import Enterprise
from kechuang.marketplace import services
from kechuang.marketplace.models import (AdvisorAssignment, AdvisorVisit, FirstLoanCandidate, Product, Roadshow,
                                         RoadshowRegistration, WhitelistEntry)

from .serializers import RequestSerializer


def _enterprise(user, pk) -> Enterprise:
    e = Enterprise.objects.restrict(user, "view").filter(pk=pk).first()
    if e is None:
        raise NotFound("enterprise not found or not visible to you")
    return e


class FirstLoanSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = FirstLoanCandidate
        fields = ["id", "enterprise", "enterprise_name", "region_code", "plan", "bank", "status", "added_at",
                  "graduated_at", "is_synthetic"]
        read_only_fields = ["region_code", "status", "added_at", "graduated_at", "is_synthetic"]


class WhitelistSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = WhitelistEntry
        fields = ["id", "enterprise", "enterprise_name", "guarantor", "bank", "line_amount", "valid_until",
                  "is_active", "added_at", "is_synthetic"]
        read_only_fields = ["is_active", "added_at", "is_synthetic"]


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdvisorVisit
        fields = ["id", "assignment", "visited_on", "note", "satisfaction"]


class RoadshowSerializer(serializers.ModelSerializer):
    presenters = serializers.SerializerMethodField()
    investors = serializers.SerializerMethodField()

    class Meta:
        model = Roadshow
        fields = ["id", "title", "region_code", "organizer", "held_on", "status", "is_synthetic", "presenters",
                  "investors"]
        read_only_fields = ["organizer", "status", "is_synthetic"]

    def get_presenters(self, obj) -> list[int]:
        return [r.enterprise_id for r in obj.registrations.all() if r.enterprise_id]

    def get_investors(self, obj) -> list[int]:
        return [r.investor_id for r in obj.registrations.all() if r.investor_id]


class RegisterSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(required=False, allow_null=True)
    investor = serializers.IntegerField(required=False, allow_null=True)


class FollowUpSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField()
    product = serializers.IntegerField()
    amount = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True)


class FirstLoanViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """首贷培植名单 with 一企一策 plans (``FirstLoanCandidate.objects.restrict``)."""

    serializer_class = FirstLoanSerializer
    queryset = FirstLoanCandidate.objects.select_related("enterprise")

    def create(self, request, *args, **kwargs):
        s = FirstLoanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        row = services.first_loan_add(enterprise=_enterprise(request.user, v["enterprise"].pk), plan=v.get("plan", ""),
                                      bank=v.get("bank"), actor=request.user)
        return Response(FirstLoanSerializer(row).data, status=status.HTTP_201_CREATED)


class WhitelistViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """白名单 with 预授信 lines (``WhitelistEntry.objects.restrict``)."""

    serializer_class = WhitelistSerializer
    queryset = WhitelistEntry.objects.select_related("enterprise")

    def create(self, request, *args, **kwargs):
        s = WhitelistSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        row = services.whitelist_add(enterprise=_enterprise(request.user, v["enterprise"].pk), guarantor=v["guarantor"],
                                     bank=v["bank"], line_amount=v["line_amount"], valid_until=v["valid_until"],
                                     actor=request.user)
        return Response(WhitelistSerializer(row).data, status=status.HTTP_201_CREATED)


class VisitViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """金融辅导队: the calling advisor's visits (satisfaction 1–5), of the rows ``restrict`` allows;
    a regulator reads those of its region's enterprises in the list and the detail alike (the
    pools page shows it their counts and satisfaction)."""

    serializer_class = VisitSerializer
    queryset = AdvisorVisit.objects.all()

    def get_queryset(self):
        qs = super().get_queryset()
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or user.is_superuser or is_regulator(user):
            return qs
        return qs.filter(assignment__advisor=user)

    def create(self, request, *args, **kwargs):
        s = VisitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        assignment = get_object_or_404(AdvisorAssignment, pk=v["assignment"].pk)
        row = services.advisor_visit_record(assignment=assignment, visited_on=v["visited_on"], note=v.get("note", ""),
                                            satisfaction=v.get("satisfaction"), actor=request.user)
        return Response(VisitSerializer(row).data, status=status.HTTP_201_CREATED)


class RoadshowViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Roadshows (路演): events, registrations, held, follow-ups that become investor demands.
    Marking one held changes it (its organiser, the region's regulator); registering for a public
    event and following a presenter up act on one the caller sees (the services check who)."""

    serializer_class = RoadshowSerializer
    queryset = Roadshow.objects.prefetch_related("registrations")
    restrict_actions = {"register": VIEW, "follow_up": VIEW}

    def create(self, request, *args, **kwargs):
        s = RoadshowSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        row = services.roadshow_create(title=v["title"], region_code=v["region_code"], held_on=v["held_on"],
                                       actor=request.user)
        return Response(RoadshowSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RegisterSerializer, responses={201: RoadshowSerializer})
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        show = self.get_object()
        s = RegisterSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        ent, inv = s.validated_data.get("enterprise"), s.validated_data.get("investor")
        services.roadshow_register(roadshow=show, actor=request.user,
                                   enterprise=_enterprise(request.user, ent) if ent else None,
                                   investor=get_object_or_404(Organization, pk=inv) if inv else None)
        return Response(RoadshowSerializer(self.get_queryset().get(pk=show.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RoadshowSerializer)
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        show = services.roadshow_mark_held(roadshow=self.get_object(), actor=request.user)
        return Response(RoadshowSerializer(self.get_queryset().get(pk=show.pk)).data)

    @extend_schema(request=FollowUpSerializer, responses={201: RequestSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        show = self.get_object()
        s = FollowUpSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        v = s.validated_data
        reg = get_object_or_404(RoadshowRegistration, roadshow=show, enterprise_id=v["enterprise"], role="presenter")
        req = services.roadshow_follow_up(registration=reg, product=get_object_or_404(Product, pk=v["product"]),
                                          amount=v["amount"], note=v.get("note", ""), actor=request.user)
        return Response(RequestSerializer(req).data, status=status.HTTP_201_CREATED)
