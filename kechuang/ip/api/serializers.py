from rest_framework import serializers

from kechuang.ip import choices as c
from kechuang.ip.models import IPValuation, Pledge, PledgeItem, PledgeRate


class ValuationReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()


class ValuationSerializer(serializers.ModelSerializer):
    reasons = ValuationReasonSerializer(many=True, read_only=True)
    unknown_facts = serializers.SerializerMethodField()

    class Meta:
        model = IPValuation
        fields = ["id", "enterprise", "ip_key", "ip_title", "ip_type", "model_id", "as_of", "status", "value_low",
                  "value_mid", "value_high", "quality_low", "quality_high", "remaining_years", "unknown_facts",
                  "reasons", "expert", "created_at"]

    def get_unknown_facts(self, obj) -> list[str]:
        return list(obj.detail.get("unknown_facts", []))


class EnterpriseIPSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uscc = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField()
    valued_items = serializers.IntegerField(help_text="IP items with at least one valuation")
    active_pledges = serializers.IntegerField()


class ValuationRunSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    expert = serializers.DictField(
        child=serializers.DictField(child=serializers.ListField(child=serializers.FloatField(), min_length=2,
                                                                max_length=2)),
        required=False, help_text="item number → {expert indicator id: [low, high]} (0–100)")


class PledgeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PledgeItem
        fields = ["ip_key", "valuation", "amount"]


class PledgeSerializer(serializers.ModelSerializer):
    items = PledgeItemSerializer(many=True, read_only=True)

    class Meta:
        model = Pledge
        fields = ["id", "enterprise", "pledgee", "product", "registration_number", "amount", "registered_on",
                  "expires_on", "status", "released_on", "release_note", "region_code", "items", "created_at"]


class PledgeCreateSerializer(serializers.Serializer):
    enterprise_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    pledgee_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False,
                                          help_text="the pledgee; default: the caller's institution")
    product_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    ip_keys = serializers.ListField(child=serializers.CharField(max_length=64), min_length=1, max_length=100)
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    registered_on = serializers.DateField()
    expires_on = serializers.DateField()
    registration_number = serializers.CharField(max_length=64, required=False, allow_blank=True)


class PledgeReleaseSerializer(serializers.Serializer):
    released_on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PledgeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = PledgeRate
        fields = ["id", "product", "rate", "basis", "updated_at"]


class PledgeRateSetSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    basis = serializers.ChoiceField(choices=c.ValueBasis.choices, default=c.ValueBasis.LOW)


class LimitLineSerializer(serializers.Serializer):
    ip_key = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2)
    pledged = serializers.DecimalField(max_digits=20, decimal_places=2)
    limit = serializers.DecimalField(max_digits=20, decimal_places=2)


class LoanLimitSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    basis = serializers.CharField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    lines = LimitLineSerializer(many=True)
