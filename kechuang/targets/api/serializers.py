from rest_framework import serializers

from kechuang.targets.choices import TaskStatus
from kechuang.targets.models import Plan, Task, TaskReport


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "name", "title", "region_name", "region_code", "issuing_body", "document_number",
                  "period_start", "period_end", "base_year", "source_file"]


class ProgressSerializer(serializers.Serializer):
    indicator_id = serializers.IntegerField()
    indicator = serializers.CharField()
    concept = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    target_year = serializers.IntegerField()
    target_year_presumed = serializers.BooleanField(help_text="the plan gives no year: its last year is assumed")
    target = serializers.DecimalField(max_digits=24, decimal_places=6)
    qualifier = serializers.CharField()
    quote = serializers.CharField()
    live_code = serializers.CharField(allow_null=True, help_text="the platform's live metric linked to the indicator")
    live_value = serializers.FloatField(allow_null=True, help_text="its value this year to date, in the indicator's unit")
    latest_year = serializers.IntegerField(allow_null=True)
    latest_value = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    required_rate = serializers.FloatField(allow_null=True)
    achieved_rate = serializers.FloatField(allow_null=True)
    forecast = serializers.DictField(allow_null=True)
    status = serializers.CharField()


class TargetCheckSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    target = serializers.DecimalField(max_digits=24, decimal_places=6)
    qualifier = serializers.CharField()
    actual = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    target_quote = serializers.CharField()
    actual_quote = serializers.CharField(allow_null=True)


class TaskSerializer(serializers.ModelSerializer):
    lead_units = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    units = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    plan = serializers.CharField(source="plan.name", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "plan", "code", "title", "text", "section", "is_key", "lead_units", "units", "deadline_text",
                  "deadline", "status", "percent", "last_report_at", "indicator"]


class TaskReportSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", read_only=True, allow_null=True)

    class Meta:
        model = TaskReport
        fields = ["id", "task", "unit", "status", "percent", "text", "reported_at"]
        read_only_fields = ["id", "task", "unit", "reported_at"]


class TaskReportCreateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    percent = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField()


class LiveMetricSerializer(serializers.Serializer):
    code = serializers.CharField()
    available = serializers.BooleanField()
    numerator = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    denominator = serializers.DecimalField(max_digits=24, decimal_places=6, allow_null=True)
    ratio = serializers.DecimalField(max_digits=30, decimal_places=10, allow_null=True)
