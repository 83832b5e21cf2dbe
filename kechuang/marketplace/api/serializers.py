from rest_framework import serializers

from kechuang.marketplace import choices as c
from kechuang.marketplace.models import Demand, FinancingRequest, Leg, Product, RequestEvent


class ProductSerializer(serializers.ModelSerializer):
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Product
        fields = ["id", "institution", "institution_name", "kind", "category", "name", "description", "eligibility",
                  "amount_min", "amount_max", "term_min_months", "term_max_months", "rate", "fees", "stages",
                  "needs_guarantee", "needs_insurance", "sla_pickup_days", "sla_decision_days", "sla_contract_days",
                  "sla_disburse_days", "is_active", "is_synthetic", "created_at"]
        read_only_fields = ["institution", "is_active", "is_synthetic", "created_at"]


class ProductCreateSerializer(serializers.Serializer):
    """Input of a new product; the service checks every value (ranges, rule data, publisher)."""

    kind = serializers.ChoiceField(choices=c.ProductKind.choices)
    category = serializers.ChoiceField(choices=c.ProductCategory.choices)
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    eligibility = serializers.JSONField(required=False)
    amount_min = serializers.CharField()
    amount_max = serializers.CharField()
    term_min_months = serializers.IntegerField(required=False, allow_null=True)
    term_max_months = serializers.IntegerField(required=False, allow_null=True)
    rate = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    fees = serializers.CharField(required=False, allow_blank=True)
    needs_guarantee = serializers.BooleanField(required=False, default=False)
    needs_insurance = serializers.BooleanField(required=False, default=False)
    sla_pickup_days = serializers.IntegerField(required=False, default=2)
    sla_decision_days = serializers.IntegerField(required=False, allow_null=True, default=None)


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestEvent
        fields = ["at", "from_state", "to_state", "actor_label", "note"]


class RequestSerializer(serializers.ModelSerializer):
    """A request with where it stands and who holds it."""

    institution_name = serializers.CharField(source="institution.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    holder = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = FinancingRequest
        fields = ["id", "demand", "product", "product_name", "institution", "institution_name", "route", "state",
                  "state_label", "holder", "submitted_at", "picked_up_at", "decided_at", "contracted_at",
                  "disbursed_at", "due_at", "escalated_at", "decision_reason", "approved_amount", "approved_rate",
                  "consent", "is_synthetic", "events"]

    def get_holder(self, obj) -> str:
        if not obj.is_active:
            return ""
        handler = obj.handler.display_name or obj.handler.username if obj.handler_id else ""
        return f"{obj.institution.name}{'（' + handler + '）' if handler else ''}"


class DemandSerializer(serializers.ModelSerializer):
    """A demand; its ``prefill`` (the enterprise's facts) is empty unless the queryset marked the
    row ``prefill_visible`` for the caller (an institution needs consent or an application)."""

    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    prefill = serializers.SerializerMethodField()

    def get_prefill(self, obj) -> dict:
        return obj.prefill if getattr(obj, "prefill_visible", False) else {}

    class Meta:
        model = Demand
        fields = ["id", "enterprise", "enterprise_name", "kind", "amount", "term_months", "purpose", "purpose_note",
                  "collateral", "equity_share", "status", "region_code", "prefill", "is_synthetic", "created_at"]


class DemandCreateSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(required=False, help_text="enterprise id (advisors; default: your own)")
    kind = serializers.ChoiceField(choices=c.DemandKind.choices)
    amount = serializers.CharField()
    term_months = serializers.IntegerField(required=False, allow_null=True)
    purpose = serializers.ChoiceField(choices=c.Purpose.choices)
    purpose_note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    collateral = serializers.ChoiceField(choices=c.Collateral.choices, required=False, default=c.Collateral.NONE)
    equity_share = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class ProductChoiceSerializer(serializers.Serializer):
    product = serializers.IntegerField()


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    amount = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    rate = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class RerouteSerializer(serializers.Serializer):
    to_product = serializers.IntegerField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class MatchSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    institution_name = serializers.CharField()
    fits = serializers.BooleanField()
    status = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    fails = serializers.ListField(child=serializers.CharField())


class QueueRowSerializer(serializers.Serializer):
    demand = DemandSerializer()
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    score = serializers.FloatField()
    status = serializers.CharField()


class MetricSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=20, decimal_places=4)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)


class BreakdownRowSerializer(serializers.Serializer):
    """One institution's, product's or district's request metrics (``metrics.breakdown``)."""

    key = serializers.CharField(allow_null=True)
    requests = serializers.IntegerField()
    pickup_rate = serializers.FloatField(allow_null=True)
    approval_rate = serializers.FloatField(allow_null=True)
    disbursed_amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    mean_pickup_days = serializers.FloatField(allow_null=True)
    mean_decision_days = serializers.FloatField(allow_null=True)


class LegSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Leg
        fields = ["id", "request", "kind", "provider", "provider_name", "product", "state", "covered_amount",
                  "share_national", "share_provincial", "share_city", "share_bank"]


class LegCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=c.LegKind.choices)
    provider = serializers.IntegerField()
    covered_amount = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    shares = serializers.DictField(child=serializers.CharField(), required=False,
                                   help_text="percent per party: national, provincial, city, bank (sum 100)")


class LegDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class LossSerializer(serializers.Serializer):
    loss = serializers.CharField()


class LossBookingSerializer(serializers.Serializer):
    party = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
