from rest_framework import serializers

from kechuang.supervision import choices as c
from kechuang.supervision.models import Inspection, OrgRating, PeriodicReport, RatioBreach, ReportUpload, SupervisedOrg


class OrgSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupervisedOrg
        fields = ["id", "name", "licence_type", "licence_no", "licence_date", "registered_capital", "paid_in_capital",
                  "business_scope", "region_code", "status", "contact_name", "contact_phone", "institution",
                  "is_synthetic", "created_at"]
        read_only_fields = fields


class OrgCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    licence_type = serializers.CharField(max_length=40)  # checked by the service (coded bad_choice)
    licence_no = serializers.CharField(max_length=60)
    licence_date = serializers.DateField()
    registered_capital = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    paid_in_capital = serializers.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    region_code = serializers.CharField(max_length=6)
    business_scope = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)


class ReportRowSerializer(serializers.Serializer):
    licence_no = serializers.CharField(max_length=60)
    licence_type = serializers.CharField(max_length=40)
    frequency = serializers.CharField(max_length=20)
    period_end = serializers.CharField(max_length=20)
    figures = serializers.DictField(child=serializers.CharField(max_length=40, allow_blank=True), allow_empty=False)


class ReportsCreateSerializer(serializers.Serializer):
    reports = ReportRowSerializer(many=True, allow_empty=False, max_length=5000)


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = PeriodicReport
        fields = ["id", "org", "region_code", "licence_type", "frequency", "period_end", "figures", "values",
                  "breach_count", "rules_version", "source", "upload", "actor_label", "submitted_at", "is_synthetic"]
        read_only_fields = fields


class BreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatioBreach
        fields = ["id", "report", "org", "region_code", "period_end", "code", "label", "value", "limit", "op", "unit",
                  "binding", "document", "article", "certainty"]
        read_only_fields = fields


class UploadSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportUpload
        fields = ["id", "file_name", "status", "n_rows", "errors", "rows", "actor_label", "uploaded_at"]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "org", "inspected_on", "inspectors", "findings", "rectification_required", "deadline",
                  "status", "closed_on", "note", "actor_label", "created_at"]
        read_only_fields = fields


class InspectionCreateSerializer(serializers.Serializer):
    org = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    inspected_on = serializers.DateField()
    inspectors = serializers.CharField(max_length=200)
    findings = serializers.CharField(max_length=5000)
    rectification_required = serializers.BooleanField(default=False)
    deadline = serializers.DateField(required=False, allow_null=True)


class RectifySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[c.InspectionStatus.RECTIFIED, c.InspectionStatus.RECTIFYING])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgRating
        fields = ["id", "org", "report", "as_of", "score", "grade", "components", "weights", "rules_version",
                  "computed_at"]
        read_only_fields = fields
