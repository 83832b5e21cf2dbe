from __future__ import annotations

from rest_framework import serializers

from kechuang.talent.choices import TalentConsentPurpose
from kechuang.talent.models import TalentConsent, TalentPerson, Valuation, ValuationRun


class TalentValuationSerializer(serializers.ModelSerializer):
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
        fields = ["id", "model_version", "as_of", "region_code", "enterprise", "status", "error", "job",
                  "people_total", "skipped_without_consent", "value_low_total", "value_high_total", "is_synthetic",
                  "created_at"]


class ValuationRunCreateSerializer(serializers.Serializer):
    """A run to queue: a regulator names the region; an enterprise's run is of its own team."""

    region_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True)
    as_of = serializers.DateField(required=False)


class TalentPersonSerializer(serializers.ModelSerializer):
    """A person as every API answer shows them: masked name and masked ID, never the full name."""

    class Meta:
        model = TalentPerson
        fields = ["id", "enterprise", "region_code", "industry_code", "masked_name", "id_masked", "is_synthetic",
                  "created_at"]


class TalentPersonCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=18, help_text="18-character resident ID number; stored only hashed and masked")
    facts = serializers.JSONField(help_text="the person's facts document (see docs/talent.md)")


class TalentConsentCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    organization = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    purpose = serializers.ChoiceField(choices=TalentConsentPurpose.choices)
    valid_until = serializers.DateTimeField()
    evidence = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
