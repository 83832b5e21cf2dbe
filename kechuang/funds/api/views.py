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
from kechuang.funds import choices as c
from kechuang.funds.loading import FIELD_LABELS, ImportFileError
from kechuang.funds.models import Claim, Programme, Repayment
from kechuang.funds.services_repayments import repayment_record, repayments_import

from .serializers import (ClaimApplySerializer, ClaimSerializer, NoteSerializer, ProgrammeSerializer, ProposeSerializer,
                          RepaymentBatchSerializer, RepaymentCreateSerializer, RepaymentSerializer)


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


class RepaymentViewSet(RestrictedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Banks' repayment records of loans (还本付息记录): seen by the lending bank, the enterprise and
    its region's regulators; recorded by the lending bank only (one, or a batch all-or-nothing).
    Interest subsidies use the recorded interest of a loan-year when there is any."""

    serializer_class = RepaymentSerializer
    queryset = Repayment.objects.all()
    audit_enterprise = "enterprise"
    restrict_actions = {"create": VIEW, "batch": VIEW}

    @extend_schema(request=RepaymentCreateSerializer, responses={201: RepaymentSerializer})
    def create(self, request, *args, **kwargs):
        data = RepaymentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rep = repayment_record(actor=request.user, source=c.RepaymentSource.API, **data.validated_data)
        return Response(RepaymentSerializer(rep).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RepaymentBatchSerializer, responses={201: RepaymentSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """Record many repayments: every one checked, none written unless all pass."""
        data = RepaymentBatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = list(enumerate(data.validated_data["records"]))
        try:
            made = repayments_import(actor=request.user, rows=rows, source=c.RepaymentSource.API)
        except ImportFileError as exc:
            fields = {v: k for k, v in FIELD_LABELS.items()}
            return Response({"errors": [{"field": f"records.{e.row}.{fields.get(e.field, e.field)}", "code": e.code,
                                         "message": e.message} for e in exc.errors]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(RepaymentSerializer(made, many=True).data, status=status.HTTP_201_CREATED)
