from rest_framework import serializers

from kechuang.risk import choices as c
from kechuang.risk.models import CaseAction, EnterpriseWarning, RiskCase, WarningResponse, WarningRun


class WarningRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = WarningRun
        fields = ["id", "as_of", "region_code", "rules_version", "status", "enterprises_total", "level_counts",
                  "change_counts", "future_items", "previous", "rating_runs", "is_synthetic", "error", "actor_label",
                  "created_at", "finished_at"]
        read_only_fields = fields


class WarningRunCreateSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    region_code = serializers.CharField(max_length=6)
    rules_toml = serializers.CharField(required=False, allow_blank=False, max_length=100_000)


class WarningSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = EnterpriseWarning
        fields = ["id", "run", "enterprise", "uscc", "name", "region_code", "industry_code", "tier", "level",
                  "previous_level", "change", "values", "levels", "evidence", "future", "pd", "pd_prev"]
        read_only_fields = fields


class RespondSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=c.ResponseAction.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = WarningResponse
        fields = ["id", "warning", "institution", "action", "note", "exposure", "actor_label", "at"]
        read_only_fields = fields


class CaseActionSerializer(serializers.ModelSerializer):
    party = serializers.ChoiceField(choices=c.Party.choices, allow_blank=True, read_only=True)

    class Meta:
        model = CaseAction
        fields = ["id", "kind", "party", "contact", "note", "due_on", "actor_label", "at"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    actions = CaseActionSerializer(many=True, read_only=True)
    outcome = serializers.ChoiceField(choices=c.Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = RiskCase
        fields = ["id", "warning", "enterprise", "region_code", "level", "assignee", "plan", "deadline", "status",
                  "outcome", "opened_at", "escalated_at", "closed_at", "actions"]
        read_only_fields = fields


class CaseOpenSerializer(serializers.Serializer):
    warning = serializers.IntegerField()
    assignee = serializers.IntegerField()
    deadline = serializers.DateField()
    plan = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class CaseActionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k, v) for k, v in c.ActionKind.choices if k in ("action", "contact", "note")])
    note = serializers.CharField(max_length=500)
    party = serializers.ChoiceField(choices=c.Party.choices, required=False, allow_blank=True)
    contact = serializers.CharField(required=False, allow_blank=True, max_length=100)
    due_on = serializers.DateField(required=False, allow_null=True)


class CaseCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=c.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PortfolioRowSerializer(serializers.Serializer):
    warning = WarningSerializer()
    exposure = serializers.DecimalField(max_digits=16, decimal_places=2)
