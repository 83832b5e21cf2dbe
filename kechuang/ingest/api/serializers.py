from rest_framework import serializers

from kechuang.core.selectors import job_progress

from kechuang.enterprises.choices import ImportMode
from kechuang.enterprises.models import DataSource
from kechuang.ingest.models import ImportRun, QuarantinedRow


class ImportRunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = ["id", "source", "batch", "file_name", "file_sha256", "file_size", "file_format",
                  "section", "mode", "status", "rows_total", "rows_valid", "rows_quarantined",
                  "warnings", "error", "created_at", "finished_at", "heartbeat_at", "chunks_done",
                  "region_code", "progress"]
        read_only_fields = fields

    def get_progress(self, obj) -> dict | None:
        return job_progress(obj.job) if obj.job_id else None


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.SlugRelatedField(slug_field="code", queryset=DataSource.objects.all(), required=False)
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.UPSERT)
    section = serializers.CharField(required=False, allow_blank=True, default="")


class QuarantinedRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuarantinedRow
        fields = ["id", "run", "row", "sheet", "uscc", "data", "raw_text", "errors", "status",
                  "resolved_batch", "resolved_at"]
        read_only_fields = fields


class ResubmitSerializer(serializers.Serializer):
    data = serializers.DictField(help_text="the corrected record in the interchange format")


class DiscardSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
