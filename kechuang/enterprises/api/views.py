"""REST API of the theme database: enterprises (list, detail, facts as of a date) and consents."""

from __future__ import annotations

from datetime import datetime, time

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.engine.facts.validate import to_jsonable
from kechuang.enterprises.filtersets import ConsentFilterSet, EnterpriseFilterSet
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.selectors import facts_as_of
from kechuang.enterprises.services import (consent_grant, consent_revoke, enterprise_list_read,
                                           enterprise_profile_read)

from .serializers import ConsentSerializer, EnterpriseFactsSerializer, EnterpriseSerializer


def parse_as_of(text: str | None) -> datetime | None:
    """``2024-06-30`` (end of that day, Asia/Shanghai) or a full ISO timestamp."""
    if not text:
        return None
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise serializers.ValidationError({"as_of": "expected YYYY-MM-DD or an ISO 8601 timestamp"})
        moment = datetime.combine(day, time.max)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class EnterpriseViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Enterprises the caller may see (``restrict``): a regulator its region, an institution those
    that authorised it, an enterprise itself."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    lookup_field = "uscc"
    lookup_value_regex = "[0-9A-Z]{18}"
    queryset = Enterprise.objects.order_by("uscc")

    def list(self, request, *args, **kwargs):
        # A page of enterprises; an institution's read of each row is audited like a detail read.
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page) if page is not None else list(qs)
        enterprise_list_read(enterprises=rows, user=request.user, what="api list")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        enterprise = self.get_object()
        enterprise_profile_read(enterprise=enterprise, user=request.user, what="api summary")
        return Response(self.get_serializer(enterprise).data)

    @extend_schema(parameters=[OpenApiParameter("as_of", OpenApiTypes.STR, description=
                   "YYYY-MM-DD or ISO timestamp: what the platform knew then (default: now)")],
                   responses=EnterpriseFactsSerializer)
    @action(detail=True, methods=["get"])
    def facts(self, request, uscc=None):
        """All facts, merged across sources, with each value's source; ``as_of`` reconstructs what
        was known at a past moment (models must train only on that)."""
        enterprise = self.get_object()
        as_of = parse_as_of(request.query_params.get("as_of"))
        enterprise_profile_read(enterprise=enterprise, user=request.user,
                                what=f"api facts as of {as_of.isoformat()}" if as_of else "api facts")
        merged = facts_as_of(enterprise, as_of)
        names = {b.pk: b.source.name for b in merged.batches.values()}
        provenance = {
            section: {key: {name: {"source": names.get(fv.batch_id, ""), "batch": fv.batch_id,
                                   "recorded_at": fv.recorded_at} for name, fv in item.items()}
                      for key, item in items.items()}
            for section, items in merged.provenance.items()}
        payload = {"uscc": enterprise.uscc, "as_of": as_of, "record": to_jsonable(merged.record),
                   "provenance": provenance,
                   "sources": {str(pk): s.name for pk, s in merged.sources.items()}}
        return Response(EnterpriseFactsSerializer(payload).data)


class ConsentViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Consents (``Consent.objects.restrict``): an enterprise grants and revokes its own;
    institutions list those they hold; a regulator those of its region's enterprises."""

    serializer_class = ConsentSerializer
    filterset_class = ConsentFilterSet
    queryset = Consent.objects.select_related("organization", "enterprise").order_by("-granted_at")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        consent = consent_grant(enterprise=data["enterprise"], organization=data["organization"],
                                purpose=data["purpose"], valid_until=data["valid_until"],
                                valid_from=data.get("valid_from"), note=data.get("note", ""),
                                actor=request.user)
        return Response(self.get_serializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ConsentSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        consent = consent_revoke(consent=self.get_object(), actor=request.user)
        return Response(self.get_serializer(consent).data)
