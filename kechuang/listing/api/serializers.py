"""Serializers of the listing API."""

from __future__ import annotations

from rest_framework import serializers

from kechuang.listing import choices as c
from kechuang.listing.models import Milestone, PoolPlacement, PoolRun


class PoolRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PoolRun
        fields = ["id", "region_code", "as_of", "status", "error", "rules_version", "boards", "enterprises_total",
                  "counts", "previous", "actor_label", "created_at"]
        read_only_fields = fields


class PoolRunCreateSerializer(serializers.Serializer):
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6)
    as_of = serializers.DateField()


class PoolPlacementSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = PoolPlacement
        fields = ["id", "run", "enterprise", "uscc", "enterprise_name", "region_code", "track", "tier", "rank",
                  "previous_tier", "previous_rank", "movement", "boards", "unmet", "unknown"]
        read_only_fields = fields


class MilestoneSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "enterprise", "uscc", "kind", "occurred_on", "board", "sponsor", "law_firm",
                  "accounting_firm", "note", "recorded_at"]
        read_only_fields = ["id", "uscc", "recorded_at"]


class MilestoneCreateSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=c.MilestoneKind.choices)
    occurred_on = serializers.DateField()
    board = serializers.ChoiceField(choices=c.Board.choices, required=False, allow_blank=True, default="")
    sponsor = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    law_firm = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    accounting_firm = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BoardClauseSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    threshold = serializers.JSONField(allow_null=True)
    source = serializers.CharField()


class BoardGapSerializer(serializers.Serializer):
    clause = serializers.CharField()
    needed = serializers.CharField()


class BoardReadinessSerializer(serializers.Serializer):
    standard = serializers.CharField()
    version = serializers.CharField()
    as_of = serializers.CharField()
    status = serializers.CharField()
    clauses = BoardClauseSerializer(many=True)
    gaps = BoardGapSerializer(many=True)


class AwardSerializer(serializers.Serializer):
    award = serializers.CharField()
    enterprise = serializers.IntegerField(source="enterprise.pk")
    uscc = serializers.CharField(source="enterprise.uscc")
    milestone = serializers.CharField()
    on = serializers.DateField()
    amount_max = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    title = serializers.CharField()
    document = serializers.CharField()
    issuer = serializers.CharField()
    source = serializers.CharField()
