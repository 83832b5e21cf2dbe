"""Serializers of the rating API."""

from __future__ import annotations

from rest_framework import serializers

from kechuang.rating.choices import ModelStatus
from kechuang.rating.models import RatingModel, RatingResult, RatingRun


class RatingModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingModel
        fields = ["id", "name", "version", "status", "train_as_of", "horizon_months", "region_code",
                  "n_rows", "n_events", "auc", "ks", "gini", "features", "is_synthetic", "note",
                  "trained_label", "trained_at", "approved_label", "approved_at"]


class PromoteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ModelStatus.choices)


class RatingRunSerializer(serializers.ModelSerializer):
    model_version = serializers.IntegerField(source="model.version", read_only=True)

    class Meta:
        model = RatingRun
        fields = ["id", "model", "model_version", "as_of", "region_code", "status", "enterprises_total",
                  "grade_counts", "mean_pd", "alert", "is_synthetic", "error", "actor_label",
                  "created_at", "started_at", "finished_at", "job"]
        read_only_fields = fields


class RatingRunCreateSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    region_code = serializers.CharField(max_length=6)


class MonitoringSerializer(serializers.ModelSerializer):
    model_version = serializers.IntegerField(source="model.version", read_only=True)
    score_psi = serializers.SerializerMethodField()
    features = serializers.SerializerMethodField()

    class Meta:
        model = RatingRun
        fields = ["id", "model_version", "as_of", "region_code", "alert", "score_psi", "features"]

    def get_score_psi(self, run) -> dict:
        return run.monitoring.get("score_psi", {})

    def get_features(self, run) -> list:
        return run.monitoring.get("features", [])


class RatingResultSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    name = serializers.CharField(source="enterprise.name", read_only=True)
    as_of = serializers.DateField(source="run.as_of", read_only=True)
    model_version = serializers.IntegerField(source="run.model.version", read_only=True)
    is_synthetic = serializers.BooleanField(source="run.is_synthetic", read_only=True)

    class Meta:
        model = RatingResult
        fields = ["id", "run", "uscc", "name", "region_code", "as_of", "model_version", "pd", "score",
                  "grade", "points", "reasons", "values", "is_synthetic"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    points_lost = serializers.FloatField()


class OnlineRatingSerializer(serializers.Serializer):
    uscc = serializers.CharField()
    as_of = serializers.DateField()
    model = serializers.CharField()
    model_version = serializers.IntegerField()
    pd = serializers.FloatField()
    score = serializers.FloatField()
    grade = serializers.CharField()
    points = serializers.DictField(child=serializers.FloatField())
    reasons = ReasonSerializer(many=True)
    values = serializers.DictField()
    is_synthetic = serializers.BooleanField()
