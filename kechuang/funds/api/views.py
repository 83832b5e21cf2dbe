"""REST API of the policy funds: programmes (with budgets; 免申即享 proposal as a POST action) and
claims (an application is a create; workflow verbs are POST actions calling one service each)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from kechuang.accounts.access import CHANGE, VIEW
from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.funds import services
from kechuang.funds.models import Claim, Programme

from .serializers import ClaimApplySerializer, ClaimSerializer, NoteSerializer, ProgrammeSerializer, ProposeSerializer


class ProgrammeViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Programme versions with their rule data and yearly budgets (public to signed-in users)."""

    serializer_class = ProgrammeSerializer
    queryset = Programme.objects.prefetch_related("budgets")
    restrict_actions = {"propose": CHANGE}

    @extend_schema(request=ProposeSerializer, responses={201: ClaimSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """免申即享: submit every claim the platform facts give for the year."""
        programme = self.get_object()  # a programme the caller may not run is not found, whatever the body
        data = ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        made = services.claims_propose(programme=programme, year=data.validated_data["year"], actor=request.user)
        return Response(ClaimSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class ClaimViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Claims its enterprise, its claimant institution and its region's regulators see; verbs change
    the state through the services (four-eyes and budget checks there)."""

    serializer_class = ClaimSerializer
    queryset = Claim.objects.prefetch_related("events", "payments")
    audit_enterprise = "enterprise"
    restrict_actions = {"create": VIEW}

    @extend_schema(request=ClaimApplySerializer, responses={201: ClaimSerializer})
    def create(self, request, *args, **kwargs):
        data = ClaimApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        prog = Programme.objects.restrict(request.user, VIEW).filter(pk=v.pop("programme")).first()
        if prog is None:
            raise DRFValidationError({"programme": ["unknown programme"]})
        claim = services.claim_apply(programme=prog, actor=request.user, **v)
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    def _verb(self, request, fn, kw):
        claim = self.get_object()
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = fn(claim=claim, actor=request.user, **kw(data.validated_data["note"]))
        return Response(ClaimSerializer(self.get_queryset().get(pk=claim.pk)).data)

    @extend_schema(request=NoteSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._verb(request, services.claim_review, kw=lambda n: {"note": n})

    @extend_schema(request=NoteSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._verb(request, services.claim_decide, kw=lambda n: {"approve": True, "reason": n})

    @extend_schema(request=NoteSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._verb(request, services.claim_decide, kw=lambda n: {"approve": False, "reason": n})

    @extend_schema(request=NoteSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        return self._verb(request, services.claim_pay, kw=lambda n: {"reference": n})

    @extend_schema(request=NoteSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def clawback(self, request, pk=None):
        return self._verb(request, services.claim_clawback, kw=lambda n: {"reason": n})
