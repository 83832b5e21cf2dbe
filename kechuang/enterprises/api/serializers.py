from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kechuang.enterprises.models import Consent, Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    certificates = serializers.ListField(source="certificate_kinds", child=serializers.CharField(),
                                         read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "registered_on", "region_code", "industry_code", "latest_year",
                  "employees", "operating_revenue", "rd_ratio", "ip_class1_count", "ip_total_count",
                  "certificates", "adverse_count", "is_synthetic", "updated_at"]
        read_only_fields = fields


class ProvenanceSerializer(serializers.Serializer):
    source = serializers.CharField()
    batch = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()


class EnterpriseFactsSerializer(serializers.Serializer):
    """The interchange record (JSON-ready) as known at ``as_of``, with the provenance of each value:
    ``provenance[section][key][field]`` (``*`` for a whole list item)."""

    uscc = serializers.CharField()
    as_of = serializers.DateTimeField(allow_null=True)
    record = serializers.DictField(help_text=_("数据交换标准格式的企业记录"))
    provenance = serializers.DictField()
    sources = serializers.DictField(child=serializers.CharField())


class ConsentSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = ["id", "enterprise", "organization", "purpose", "valid_from", "valid_until",
                  "granted_by", "granted_at", "revoked_at", "revoked_by", "note", "active"]
        read_only_fields = ["id", "granted_by", "granted_at", "revoked_at", "revoked_by", "active"]

    def get_active(self, obj) -> bool:
        return obj.is_active()
