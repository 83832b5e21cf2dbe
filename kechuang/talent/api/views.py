"""REST API of the talent app: valuations (latest, under an active consent only; masked names),
the talent consents a user may see (a person revokes theirs with POST …/revoke/) and the runs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from kechuang.accounts.access import CHANGE, VIEW, is_financial, organization_of, own_enterprise_id
from kechuang.accounts.models import Organization
from kechuang.core.api import int_param, region_param
from kechuang.core.restricted import RestrictedViewSetMixin, WritersOnly
from kechuang.enterprises.models import Enterprise
from kechuang.talent.models import TalentConsent, TalentPerson, Valuation, ValuationRun
from kechuang.talent.selectors import latest
from kechuang.talent.services import (person_register, person_valuation_read, talent_consent_grant,
                                      talent_consent_revoke, valuation_run_create)

from .serializers import (TalentConsentCreateSerializer, TalentConsentSerializer, TalentPersonCreateSerializer,
                          TalentPersonSerializer, TalentValuationSerializer, ValuationRunCreateSerializer,
                          ValuationRunSerializer)


class PersonOrWriter(WritersOnly):
    """Like :class:`WritersOnly` (viewers are refused before the body is read), except that a
    person with a talent record (a login without an organisation) writes their own consents."""

    def has_permission(self, request, view) -> bool:
        if super().has_permission(request, view):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.organization_id is None
                    and TalentPerson.objects.filter(user=user).exists())


class ValuationViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       viewsets.GenericViewSet):
    """Each person's latest valuation the user may see, only while the person's consent is active;
    an institution's reads are audited per person with the consent they rely on. Filters
    ``enterprise``, ``region``."""

    serializer_class = TalentValuationSerializer
    permission_classes = [WritersOnly]
    queryset = Valuation.objects.select_related("person", "run").order_by("enterprise_id", "-value_low", "pk")

    def get_queryset(self):
        qs = latest(super().get_queryset())
        p = self.request.query_params
        enterprise = int_param(p.get("enterprise"), field="enterprise")
        if enterprise is not None:
            qs = qs.filter(enterprise_id=enterprise)
        region = region_param(p.get("region"))
        if region:
            qs = qs.filter(region_code=region)
        org = organization_of(self.request.user)
        if is_financial(org):  # an institution: only the people who consented to it
            qs = qs.filter(person__in=TalentConsent.objects.active().filter(organization=org).values("person_id"))
        return qs

    def _audit_people(self, rows):
        if is_financial(organization_of(self.request.user)):
            for v in rows:
                person_valuation_read(person=v.person, user=self.request.user, what="api")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = page if page is not None else list(self.filter_queryset(self.get_queryset()))
        self._audit_people(rows)
        data = TalentValuationSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._audit_people([obj])
        return Response(TalentValuationSerializer(obj).data)


class TalentPersonViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """People the user may see (masked names, masked ID); POST records a member of the user's own
    enterprise (an admin or officer): the facts are checked on entry (``bad_facts`` naming the
    section, row and field; ``bad_id``; ``duplicate_person``), nothing written on refusal."""

    serializer_class = TalentPersonSerializer
    permission_classes = [WritersOnly]
    queryset = TalentPerson.objects.order_by("pk")

    @extend_schema(request=TalentPersonCreateSerializer, responses={201: TalentPersonSerializer})
    def create(self, request, *args, **kwargs):
        data = TalentPersonCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = organization_of(request.user)
        if org is None or org.enterprise_id is None or org.kind != "enterprise":
            raise PermissionDenied("only an enterprise records its own people")
        person = person_register(enterprise=org.enterprise, actor=request.user, **data.validated_data)
        return Response(TalentPersonSerializer(person).data, status=status.HTTP_201_CREATED)


class TalentConsentViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Talent consents the user may see: a person's own, those granted to the user's organisation,
    an employer's team's, a regulator's region's. POST records one (the person, or the employer with
    the written authorisation's reference in ``evidence``); POST ``revoke`` ends one now (the
    person only)."""

    serializer_class = TalentConsentSerializer
    permission_classes = [PersonOrWriter]
    queryset = TalentConsent.objects.select_related("person").order_by("-granted_at", "-pk")
    restrict_actions = {"revoke": CHANGE}

    @extend_schema(request=TalentConsentCreateSerializer, responses={201: TalentConsentSerializer})
    def create(self, request, *args, **kwargs):
        data = TalentConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        person = TalentPerson.objects.restrict(request.user, VIEW).filter(pk=v.pop("person")).first()
        org = Organization.objects.filter(pk=v.pop("organization"), is_active=True).first()
        if person is None or org is None:
            raise NotFound("unknown person or organisation")
        consent = talent_consent_grant(person=person, organization=org, actor=request.user, **v)
        return Response(TalentConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TalentConsentSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        consent = TalentConsent.objects.restrict(request.user, CHANGE).filter(pk=pk).first()
        if consent is None:
            if TalentConsent.objects.restrict(request.user, VIEW).filter(pk=pk).exists():
                raise PermissionDenied("only the person revokes a talent consent")
            raise NotFound()
        try:
            consent = talent_consent_revoke(consent=consent, actor=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(TalentConsentSerializer(consent).data)


class ValuationRunViewSet(RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Valuation runs of the user's region (regulators) or their own (creators). POST queues one (a
    ``talent.valuation_run`` background job): a regulator's of ``region_code``, an enterprise's of
    its own team; the answer (202) is the queued run, whose ``status`` goes ``running`` →
    ``succeeded`` / ``failed`` (a failed run keeps no valuation and says why in ``error``)."""

    serializer_class = ValuationRunSerializer
    permission_classes = [WritersOnly]
    queryset = ValuationRun.objects.order_by("-created_at", "-pk")

    @extend_schema(request=ValuationRunCreateSerializer, responses={202: ValuationRunSerializer})
    def create(self, request, *args, **kwargs):
        data = ValuationRunCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        eid = own_enterprise_id(request.user)
        try:
            run = valuation_run_create(actor=request.user, enqueue=True, as_of=data.validated_data.get("as_of"),
                                       region_code=data.validated_data.get("region_code", ""),
                                       enterprise=Enterprise.objects.get(pk=eid) if eid else None)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(ValuationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
