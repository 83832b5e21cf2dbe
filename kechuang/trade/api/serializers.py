from rest_framework import serializers

from kechuang.enterprises.choices import IPType
from kechuang.trade import choices as c
from kechuang.trade.models import Deal, Listing

_ID = {"min_value": 1, "max_value": 2**31 - 1}
_AMOUNT = {"max_digits": 20, "decimal_places": 2}


class ListingSerializer(serializers.ModelSerializer):
    seller_name = serializers.CharField(source="seller.name", read_only=True)

    class Meta:
        model = Listing
        fields = ["id", "seller", "seller_name", "holder", "ip_key", "ip_title", "ip_type", "kind", "asking_price",
                  "industry_code", "region_code", "description", "status", "created_at", "closed_at"]


class ListingCreateSerializer(serializers.Serializer):
    ip_key = serializers.CharField(max_length=64)
    kind = serializers.ChoiceField(choices=c.DealKind.choices)
    asking_price = serializers.DecimalField(required=False, allow_null=True, help_text="yuan; omit for 面议", **_AMOUNT)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ListingSearchSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    ip_type = serializers.ChoiceField(choices=IPType.choices, required=False)
    industry = serializers.RegexField(r"^[A-Z0-9]{1,5}$", required=False)
    kind = serializers.ChoiceField(choices=c.DealKind.choices, required=False)
    price_min = serializers.DecimalField(required=False, min_value=0, **_AMOUNT)
    price_max = serializers.DecimalField(required=False, min_value=0, **_AMOUNT)
    region = serializers.RegexField(r"^\d{2,6}$", required=False)


class InterestSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class InstalmentSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    amount = serializers.DecimalField(**_AMOUNT)


class DealSerializer(serializers.ModelSerializer):
    seller_name = serializers.CharField(source="seller.name", read_only=True)
    buyer_name = serializers.CharField(source="buyer.name", read_only=True)
    payment_schedule = InstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = Deal
        fields = ["id", "listing", "seller", "seller_name", "buyer", "buyer_name", "ip_key", "kind", "state", "message",
                  "price", "terms", "payment_schedule", "contract_date", "registration_number", "region_code",
                  "seller_batch", "buyer_batch", "withdrawn_reason", "created_at", "updated_at"]


class AgreeSerializer(serializers.Serializer):
    price = serializers.DecimalField(help_text="yuan", **_AMOUNT)
    terms = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    payment_schedule = InstalmentSerializer(many=True, required=False)


class SignSerializer(serializers.Serializer):
    contract_date = serializers.DateField()


class DealRegisterSerializer(serializers.Serializer):
    registration_number = serializers.CharField(max_length=40)


class TurnoverSerializer(serializers.Serializer):
    region_code = serializers.CharField()
    month = serializers.DateField()
    count = serializers.IntegerField()
    total = serializers.DecimalField(help_text="技术合同成交额, yuan", **_AMOUNT)
    equity = serializers.DecimalField(allow_null=True, help_text="of which 作价入股, yuan", **_AMOUNT)
