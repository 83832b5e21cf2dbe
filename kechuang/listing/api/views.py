"""REST API of the listing pool: runs (list, retrieve, create = run now), placements, milestones
(list, create), an enterprise's readiness per board (live) and the awards its milestones earned."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from kechuang.accounts.access import VIEW, region_scope
from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import enterprise_profile_read
from kechuang.listing import choices as c
from kechuang.listing.models import Milestone, PoolPlacement, PoolRun
from kechuang.listing.selectors import awards_for, enterprise_readiness
from kechuang.listing.services import milestone_record, pool_run_create

from .serializers import (AwardSerializer, BoardReadinessSerializer, MilestoneCreateSerializer, MilestoneSerializer,
                          PoolPlacementSerializer, PoolRunCreateSerializer, PoolRunSerializer)


class IsRegulator(permissions.BasePermission):
    message = "only the regulator (or a superuser) sees pool runs"

    def has_permission(self, request, view):
        return region_scope(request.user) is not None


class PoolRunViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Pool runs of the user's region; POST queues one (a ``listing.pool_run`` background job): the
    answer is the queued run, whose ``status`` goes ``running`` → ``succeeded`` / ``failed``."""

    serializer_class = PoolRunSerializer
    permission_classes = [IsRegulator, WritersOnly]
    queryset = PoolRun.objects.order_by("-created_at", "-pk")

    @extend_schema(request=PoolRunCreateSerializer, responses={202: PoolRunSerializer})
    def create(self, request, *args, **kwargs):
        data = PoolRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = pool_run_create(actor=request.user, enqueue=True, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(PoolRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class PoolPlacementFilter(filters.FilterSet):
    run_id = filters.NumberFilter(field_name="run_id")
    enterprise_id = filters.NumberFilter(field_name="enterprise_id")
    track = filters.ChoiceFilter(choices=c.Track.choices)
    tier = filters.ChoiceFilter(choices=[x for x in c.PoolTier.choices if x[0]])
    movement = filters.ChoiceFilter(choices=c.Movement.choices)

    class Meta:
        model = PoolPlacement
        fields = ["run_id", "enterprise_id", "track", "tier", "movement"]


class PoolPlacementViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Placements (filter by run, enterprise, track, tier, movement); institutions' reads audited."""

    serializer_class = PoolPlacementSerializer
    permission_classes = [WritersOnly]
    queryset = PoolPlacement.objects.select_related("enterprise").order_by("-run_id", "track", "-rank", "pk")
    filterset_class = PoolPlacementFilter
    audit_enterprise = "enterprise"


class MilestoneFilter(filters.FilterSet):
    enterprise_id = filters.NumberFilter(field_name="enterprise_id")
    kind = filters.ChoiceFilter(choices=c.MilestoneKind.choices)

    class Meta:
        model = Milestone
        fields = ["enterprise_id", "kind"]


class MilestoneViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Listing milestones; POST records one (in order: 股改 → 辅导备案 → 申报 → 过会 → 注册 → 上市;
    out of order → 400 ``out_of_order``, nothing changes)."""

    serializer_class = MilestoneSerializer
    permission_classes = [WritersOnly]
    queryset = Milestone.objects.select_related("enterprise").order_by("enterprise_id", "occurred_on", "pk")
    filterset_class = MilestoneFilter
    audit_enterprise = "enterprise"
    restrict_actions = {"create": VIEW}

    @extend_schema(request=MilestoneCreateSerializer, responses={201: MilestoneSerializer})
    def create(self, request, *args, **kwargs):
        data = MilestoneCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        enterprise = Enterprise.objects.restrict(request.user, VIEW).filter(pk=fields.pop("enterprise")).first()
        if enterprise is None:
            raise NotFound("enterprise not found or not visible to you")
        try:
            m = milestone_record(enterprise=enterprise, actor=request.user, **fields)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(MilestoneSerializer(m).data, status=status.HTTP_201_CREATED)


class EnterpriseListingViewSet(viewsets.ViewSet):
    """One enterprise against each board's listing standard in force today (科创板 2.1.2, 创业板
    2.1.2, 北交所 2.1.3), from the facts known today, with the gaps (nothing stored)."""

    permission_classes = [WritersOnly]

    @extend_schema(responses=BoardReadinessSerializer(many=True))
    def list(self, request, uscc: str):
        enterprise = Enterprise.objects.restrict(request.user, VIEW).filter(uscc=uscc).first()
        if enterprise is None:
            raise NotFound("enterprise not found or not visible to you")
        enterprise_profile_read(enterprise=enterprise, user=request.user, what="listing readiness")
        out = enterprise_readiness(enterprise=enterprise, as_of=timezone.localdate())
        return Response(BoardReadinessSerializer(out, many=True).data)


class AwardViewSet(viewsets.ViewSet):
    """The listing awards the seeds promise that the visible enterprises' milestones earned
    (computed and shown, never paid here)."""

    permission_classes = [WritersOnly]

    @extend_schema(responses=AwardSerializer(many=True))
    def list(self, request):
        return Response(AwardSerializer(awards_for(request.user), many=True).data)
