"""REST API of the talent app: valuations (latest, under an active consent only; masked names),
the talent consents a user may see (a person revokes theirs with POST …/revoke/) and the runs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from kechuang.accounts.access import CHANGE, VIEW, is_financial, organization_of
from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.talent.models import TalentConsent, Valuation, ValuationRun
from kechuang.talent.selectors import latest
from kechuang.talent.services import person_valuation_read, talent_consent_revoke

from .serializers import TalentConsentSerializer, ValuationRunSerializer, ValuationSerializer


def _coded(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages, "code": [e.code for e in exc.error_list] if hasattr(exc, "error_list") else []})


class ValuationViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Each person's latest valuation the user may see, only while the person's consent is active;
    an institution's reads are audited per person with the consent they rely on. Filters
    ``enterprise``, ``region``."""

    serializer_class = ValuationSerializer
    permission_classes = [WritersOnly]
    queryset = Valuation.objects.select_related("person", "run").order_by("enterprise_id", "-value_low", "pk")

    def get_queryset(self):
        qs = latest(super().get_queryset())
        p = self.request.query_params
        if p.get("enterprise"):
            if not p["enterprise"].isdigit():
                raise ValidationError({"enterprise": ["must be an integer"]})
            qs = qs.filter(enterprise_id=p["enterprise"])
        if p.get("region"):
            qs = qs.filter(region_code=p["region"])
        org = organization_of(self.request.user)
        if is_financial(org):  # an institution: only the people who consented to it
            qs = qs.filter(person__in=TalentConsent.objects.active().filter(organization=org).values("person_id"))
        return qs

    def _audit_people(self, rows):
        if is_financial(organization_of(self.request.user)):
            for v in rows:
                try:
                    person_valuation_read(person=v.person, user=self.request.user, what="api")
                except DjangoValidationError as exc:
                    raise _coded(exc) from None

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = page if page is not None else list(self.filter_queryset(self.get_queryset()))
        self._audit_people(rows)
        data = ValuationSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._audit_people([obj])
        return Response(ValuationSerializer(obj).data)


class TalentConsentViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Talent consents the user may see: a person's own, those granted to the user's organisation,
    an employer's team's, a regulator's region's. POST ``revoke`` ends one now (the person only)."""

    serializer_class = TalentConsentSerializer
    permission_classes = [IsAuthenticated]
    queryset = TalentConsent.objects.select_related("person").order_by("-granted_at", "-pk")
    restrict_actions = {"revoke": CHANGE}

    @extend_schema(request=None, responses={200: TalentConsentSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        consent = TalentConsent.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
        if consent is None:
            if TalentConsent.objects.restrict(request.user, VIEW).filter(pk=pk).exists():
                raise PermissionDenied("only the person revokes a talent consent")
            from rest_framework.exceptions import NotFound
            raise NotFound()
        try:
            consent = talent_consent_revoke(consent=consent, actor=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _coded(exc) from None
        return Response(TalentConsentSerializer(consent).data)


class ValuationRunViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """Valuation runs of the user's region (regulators) or their own (creators)."""

    serializer_class = ValuationRunSerializer
    permission_classes = [WritersOnly]
    queryset = ValuationRun.objects.order_by("-created_at", "-pk")
