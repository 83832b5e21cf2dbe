from rest_framework import serializers

from kechuang.funds.models import Budget, Claim, ClaimEvent, Payment, Programme, Repayment


class BudgetSerializer(serializers.ModelSerializer):
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Budget
        fields = ["year", "amount", "committed", "paid", "remaining"]


class ProgrammeSerializer(serializers.ModelSerializer):
    budgets = BudgetSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "code", "version", "title", "title_en", "document", "issuer", "source", "region_code",
                  "claimant", "basis", "mode", "period_from", "period_to", "claim_deadline", "formula",
                  "exclusive_group", "confidence", "rules", "is_active", "budgets"]


class ClaimEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimEvent
        fields = ["at", "from_state", "to_state", "actor_label", "note"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["kind", "amount", "reference", "at"]


class ClaimSerializer(serializers.ModelSerializer):
    events = ClaimEventSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "programme", "year", "subject", "exclusive_group", "enterprise", "claimant_org", "loan", "leg",
                  "region_code", "origin", "state", "amount", "evidence", "submitted_at", "reviewed_at", "decided_at",
                  "paid_at", "reason", "events", "payments"]


class ClaimApplySerializer(serializers.Serializer):
    programme = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    loan_id = serializers.IntegerField(required=False)
    leg_id = serializers.IntegerField(required=False)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ProposeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class RepaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Repayment
        fields = ["id", "loan", "enterprise", "lender", "region_code", "paid_on", "principal_repaid", "interest_paid",
                  "contract_interest", "flagged", "flag_reason", "source", "note", "recorded_at"]


class RepaymentCreateSerializer(serializers.Serializer):
    """One repayment as the lending bank reports it (amounts in yuan, at most two decimals)."""

    loan_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    paid_on = serializers.DateField()
    principal_repaid = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=0)
    interest_paid = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, default=0)
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=300, default="",
                                        help_text="why interest far above the contract's is right (penalty interest, …)")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class RepaymentBatchSerializer(serializers.Serializer):
    """Many repayments at once, all or nothing (errors name ``records.<index>.<field>``)."""

    records = RepaymentCreateSerializer(many=True, allow_empty=False, max_length=5000)
