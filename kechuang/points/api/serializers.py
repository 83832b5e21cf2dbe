from __future__ import annotations

from rest_framework import serializers

from kechuang.points.models import PointsModel, PointsResult, PointsRun


class PointsModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsModel
        fields = ["id", "code", "version", "name", "scope", "region_code", "schema_version", "source",
                  "provisional_weights", "actor_label", "created_at"]


class PointsModelCreateSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="the model as TOML or JSON text", trim_whitespace=False)
    fmt = serializers.ChoiceField(choices=["toml", "json"], default="toml")


class PointsRunSerializer(serializers.ModelSerializer):
    model_version = serializers.CharField(source="model.version", read_only=True)

    class Meta:
        model = PointsRun
        fields = ["id", "model", "model_version", "as_of", "region_code", "status", "error", "job", "enterprises_total",
                  "band_counts", "stage_counts", "mean_points", "previous", "is_synthetic", "actor_label",
                  "created_at", "finished_at"]


class PointsRunCreateSerializer(serializers.Serializer):
    region_code = serializers.RegexField(r"^\d{6}$")
    as_of = serializers.DateField()
    model = serializers.IntegerField(required=False, help_text="a registered model's id; default: the "
                                     "region's local model, else the national one")


class PointsResultSerializer(serializers.ModelSerializer):
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    as_of = serializers.DateField(source="run.as_of", read_only=True)

    class Meta:
        model = PointsResult
        fields = ["id", "run", "as_of", "enterprise", "uscc", "region_code", "stage", "points", "band", "rank",
                  "peers", "bonus", "negative", "scores", "values", "lifts", "drags", "next_band",
                  "previous_points", "previous_band", "movement"]
