from __future__ import annotations

from rest_framework import serializers

from kechuang.talent.models import TalentConsent, Valuation, ValuationRun


class ValuationSerializer(serializers.ModelSerializer):
    """A value range with its reasons; the person only by the masked name (the API never returns a
    full name or an ID number)."""

    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    as_of = serializers.DateField(source="run.as_of", read_only=True)
    model_version = serializers.CharField(source="run.model_version", read_only=True)

    class Meta:
        model = Valuation
        fields = ["id", "run", "as_of", "model_version", "person", "person_name", "enterprise", "region_code",
                  "industry_code", "total", "missing", "value_low", "value_high", "groups", "lifts", "drags"]


class TalentConsentSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.masked_name", read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = TalentConsent
        fields = ["id", "person", "person_name", "organization", "purpose", "valid_from", "valid_until",
                  "granted_at", "revoked_at", "active"]

    def get_active(self, obj) -> bool:
        return obj.is_active()


class ValuationRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ValuationRun
        fields = ["id", "model_version", "as_of", "region_code", "enterprise", "status", "people_total",
                  "skipped_without_consent", "value_low_total", "value_high_total", "is_synthetic", "created_at"]
