from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kechuang.core.selectors import job_progress
from kechuang.evaluation.choices import RunDetails, Standard
from kechuang.evaluation.models import EvaluationResult, EvaluationRun, TierPlacement


class ClauseSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    threshold = serializers.JSONField(allow_null=True)
    points = serializers.JSONField(allow_null=True)
    source = serializers.CharField()


class GapSerializer(serializers.Serializer):
    clause = serializers.CharField()
    needed = serializers.CharField(help_text=_("中文 / English"))


class LiveResultSerializer(serializers.Serializer):
    """One result in the data standard's format (enterprise-facts.md, "Evaluation results")."""

    uscc = serializers.CharField()
    standard = serializers.CharField()
    version = serializers.CharField()
    as_of = serializers.DateField()
    status = serializers.CharField(help_text="met | unmet | manual_review | unknown")
    score = serializers.FloatField(allow_null=True)
    score_range = serializers.ListField(child=serializers.FloatField(), allow_null=True)
    route = serializers.CharField()
    clauses = ClauseSerializer(many=True)
    gaps = GapSerializer(many=True)


class IssueSerializer(serializers.Serializer):
    fact = serializers.CharField()
    code = serializers.CharField()
    message_zh = serializers.CharField()
    message_en = serializers.CharField()


class EnterpriseEvaluationSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    as_of = serializers.DateField()
    results = LiveResultSerializer(many=True)
    ladder = serializers.DictField(allow_null=True, help_text=_("tier, tier_rank, flags, versions, next（仅评价全部标准时）"))
    issues = IssueSerializer(many=True)


_RESULT_KEYS = tuple(LiveResultSerializer().fields)
_CLAUSE_KEYS = tuple(ClauseSerializer().fields)


def evaluation_payload(payload: dict) -> dict:
    """``EnterpriseEvaluationSerializer(payload).data`` without DRF's per-field pass: the engine's
    results are JSON-ready already (same keys, same values; ``test_api`` checks both agree)."""
    results = [{k: r[k] for k in _RESULT_KEYS} | {"clauses": [{k: c[k] for k in _CLAUSE_KEYS}
                                                               for c in r["clauses"]]}
               for r in payload["results"]]
    return {"uscc": payload["uscc"], "as_of": payload["as_of"].isoformat(), "results": results,
            "ladder": payload["ladder"], "issues": [{k: i[k] for k in ("fact", "code", "message_zh",
                                                                        "message_en")}
                                                     for i in payload["issues"]]}


class BatchRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    standards = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    gaps = serializers.ChoiceField(choices=["unmet", "none"], default="unmet")
    records = serializers.ListField(child=serializers.JSONField(), allow_empty=True,
                                    help_text=_("数据标准的企业记录（enterprise-facts.md），最多 1000 条"))


class RecordIssueSerializer(IssueSerializer):
    record = serializers.IntegerField(help_text=_("记录在 records 中的位置"))


class BatchResultSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    results = LiveResultSerializer(many=True)
    issues = RecordIssueSerializer(many=True)


class WhatIfRequestSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False)
    standards = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    changes = serializers.DictField(help_text=_("引擎路径 → 新值，如 {\"years[2025].tech_staff\": 12, \"ip[+]\": {...}}"))


class ChangeSerializer(serializers.Serializer):
    standard = serializers.CharField()
    version = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()
    score_before = serializers.JSONField(allow_null=True)
    score_after = serializers.JSONField(allow_null=True)


class WhatIfSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    as_of = serializers.DateField()
    changes = serializers.DictField()
    before = LiveResultSerializer(many=True)
    after = LiveResultSerializer(many=True)
    changed = ChangeSerializer(many=True)
    ladder_before = serializers.DictField(allow_null=True)
    ladder_after = serializers.DictField(allow_null=True)
    issues = IssueSerializer(many=True)


class EvaluationRunSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text="queued | running | succeeded | failed")

    class Meta:
        model = EvaluationRun
        fields = ["id", "as_of", "scope", "region_code", "file_name", "standards", "versions", "rules",
                  "details", "status", "enterprises_total", "results_total", "records_rejected",
                  "counts", "error", "actor_label", "created_at", "started_at", "finished_at", "job",
                  "progress"]
        read_only_fields = fields

    def get_progress(self, obj) -> dict | None:
        return job_progress(obj.job) if obj.job_id else None


class EvaluationRunCreateSerializer(serializers.Serializer):
    region_code = serializers.CharField(max_length=6)
    as_of = serializers.DateField()
    standards = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                      help_text=_("标准族或版本号：%s") % ", ".join(Standard.values))
    details = serializers.ChoiceField(choices=RunDetails.choices, default=RunDetails.JSON)


class EvaluationResultSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    status = serializers.CharField(read_only=True, help_text="met | unmet | manual_review | unknown")
    score_range = serializers.ListField(child=serializers.DecimalField(max_digits=7, decimal_places=2),
                                        allow_null=True, read_only=True)

    class Meta:
        model = EvaluationResult
        fields = ["id", "run", "enterprise", "uscc", "standard", "version", "status", "score",
                  "score_min", "score_max", "score_range", "route", "clauses", "gaps"]
        read_only_fields = fields


class TierPlacementSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    next_status = serializers.CharField(read_only=True, help_text="met | unmet | manual_review | unknown | ''")
    next_standard = serializers.CharField(read_only=True, help_text=_("下一梯度的标准族（空 = 已在最高梯度）"))

    class Meta:
        model = TierPlacement
        fields = ["id", "run", "enterprise", "uscc", "region_code", "tier", "tier_rank", "flags",
                  "next_standard", "next_status", "failing", "unknown", "points_short", "closeness"]
        read_only_fields = fields
