"""Reads of the rating app: who may see and govern what, the champion, training samples, online
scoring of one enterprise, runs and results, champion/challenger comparison."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
from django.db.models import QuerySet

from kechuang.accounts.access import VIEW, is_admin, region_scope
from kechuang.accounts.models import within_region
from kechuang.core.formatting import english
from kechuang.engine.rating import FEATURE_NAMES, FEATURES_BY_NAME, GROUPS, GROUPS_EN, reason_text
from kechuang.engine.rating.training import compare_models, holdout_mask, training_frame
from kechuang.engine.scorecard import ScorecardModel
from kechuang.enterprises.models import Enterprise

from .adapter import features_as_of
from .choices import ModelStatus, RunStatus
from .models import DefaultOutcome, RatingModel, RatingResult, RatingRun


def can_govern(user) -> bool:
    """Only platform administrators and regulator administrators train and promote models."""
    return region_scope(user) is not None and is_admin(user)


def champion() -> RatingModel | None:
    return RatingModel.objects.filter(status=ModelStatus.CHAMPION).first()


def loaded_model(model: RatingModel) -> ScorecardModel:
    """The engine's model of a registry row (parsed once per row object)."""
    cached = getattr(model, "_engine_model", None)
    if cached is None:
        cached = ScorecardModel.from_json(model.model_json)
        model._engine_model = cached
    return cached


def models_for(user) -> QuerySet[RatingModel]:
    return RatingModel.objects.restrict(user, VIEW).select_related("trained_by", "approved_by")


def runs_for(user, action: str = VIEW) -> QuerySet[RatingRun]:
    """Runs ``user`` may see: a regulator those of its region and the districts in it."""
    return RatingRun.objects.restrict(user, action).select_related("model", "created_by", "job")


def results_for(user, run: RatingRun | None = None) -> QuerySet[RatingResult]:
    """Results of the enterprises ``user`` may see (its own, those that authorised it, its region)."""
    qs = RatingResult.objects.restrict(user, VIEW).filter(run__status=RunStatus.SUCCEEDED)
    if run is not None:
        qs = qs.filter(run=run)
    return qs.select_related("enterprise", "run", "run__model")


def latest_result(enterprise: Enterprise) -> RatingResult | None:
    """The enterprise's rating in the latest succeeded run that rated it."""
    return (RatingResult.objects.filter(enterprise=enterprise, run__status=RunStatus.SUCCEEDED)
            .select_related("run", "run__model").order_by("-run__as_of", "-run__finished_at").first())


def enterprise_history(enterprise: Enterprise, limit: int = 12) -> list[RatingResult]:
    return list(RatingResult.objects.filter(enterprise=enterprise, run__status=RunStatus.SUCCEEDED)
                .select_related("run", "run__model").order_by("-run__as_of", "-run__finished_at")[:limit])


def grade_distribution(run: RatingRun) -> list[dict[str, Any]]:
    """Each master-scale grade of the run's model with its PD bounds and count in the run."""
    scale = loaded_model(run.model).master_scale
    out, lower = [], 0.0
    for grade, upper in scale:
        out.append({"grade": grade, "pd_from": lower, "pd_to": upper, "pd_from_label": f"{lower:.2%}",
                    "pd_to_label": f"{upper:.2%}", "count": int(run.grade_counts.get(grade, 0))})
        lower = upper
    return out


def enterprise_features(enterprise: Enterprise, as_of: dt.date) -> dict[str, Any] | None:
    """The enterprise's rating features on ``as_of`` from what was known then (``None`` when
    nothing was)."""
    for frame in features_as_of([enterprise.pk], as_of=as_of):
        return frame.row(0, named=True)
    return None


def score_enterprise(*, enterprise: Enterprise, as_of: dt.date,
                     model: RatingModel | None = None) -> dict[str, Any] | None:
    """Online scoring of one enterprise (a read: nothing is stored): PD, score, grade, points
    per feature, reasons, the feature values and the model used. ``None`` without a model or
    without facts known on ``as_of``."""
    model = model or champion()
    if model is None:
        return None
    feats = enterprise_features(enterprise, as_of)
    if feats is None:
        return None
    engine = loaded_model(model)
    out = engine.score_one({f: feats[f] for f in engine.features})
    return {"uscc": enterprise.uscc, "as_of": as_of, "model": str(model), "model_version": model.version,
            "pd": out["pd"], "score": out["score"], "grade": out["grade"], "points": out["points"],
            "reasons": out["reasons"], "values": {f: feats[f] for f in FEATURE_NAMES},
            "is_synthetic": model.is_synthetic}


def outcomes_window(*, as_of: dt.date, horizon_months: int, region_code: str = "") -> dict[int, bool]:
    """``enterprise id → defaulted`` of the outcomes recorded for the window."""
    qs = DefaultOutcome.objects.filter(as_of=as_of, horizon_months=horizon_months)
    if region_code:
        qs = qs.filter(within_region(region_code, "enterprise__region_code"))
    return dict(qs.values_list("enterprise_id", "defaulted"))


def training_sample(*, as_of: dt.date, horizon_months: int = 12, region_code: str = "",
                    progress=None, with_ids: bool = False):
    """Features on ``as_of`` (as known then) joined with the window's outcomes: ``(X, y)``, and
    the enterprises' codes in the same order with ``with_ids``."""
    outcomes = outcomes_window(as_of=as_of, horizon_months=horizon_months, region_code=region_code)
    ids = sorted(outcomes)
    frames = []
    if progress is not None:
        progress.start(len(ids), "读取训练样本特征")
    for frame in features_as_of(ids, as_of=as_of):
        frames.append(frame)
        if progress is not None:
            progress.advance(frame.height)
    if not frames:
        empty = pl.DataFrame(schema={f: pl.Float64 for f in FEATURE_NAMES}), np.zeros(0, dtype=np.int8)
        return (*empty, []) if with_ids else empty
    features = pl.concat(frames)
    by_uscc = dict(zip(features["uscc"].to_list(),
                       (outcomes[e] for e in features["enterprise_id"].to_list()), strict=True))
    X, y = training_frame(features, by_uscc, feature_names=[*FEATURE_NAMES, "uscc"])
    return (X.drop("uscc"), y, X["uscc"].to_list()) if with_ids else (X.drop("uscc"), y)


def compare(models: list[RatingModel], *, as_of: dt.date, horizon_months: int = 12,
            region_code: str = "", holdout_share: float = 0.3) -> dict[str, Any]:
    """Each model's AUC, KS, Gini and mean PD on the same sample: the window's hold-out rows. The
    split is a fixed function of the enterprise's code, so rows held out when one model was
    trained on this window are held out for any other trained on it too — no model is judged on
    rows it learned from."""
    X, y, usccs = training_sample(as_of=as_of, horizon_months=horizon_months, region_code=region_code,
                                  with_ids=True)
    held = holdout_mask(usccs, holdout_share)
    X, y = X.filter(pl.Series(held)), y[held]
    if y.size == 0 or y.min() == y.max():
        return {"rows": int(y.size), "models": []}
    metrics = compare_models({str(m.pk): loaded_model(m) for m in models}, X, y)
    return {"rows": int(y.size), "events": int(y.sum()),
            "models": [{"model": m, **metrics[str(m.pk)]} for m in models]}


def feature_label(name: str) -> str:
    """A rating feature by its name in the active language (the engine carries both)."""
    f = FEATURES_BY_NAME.get(name)
    if f is None:
        return name
    return f.label_en if english() else f.label


def group_label(group: str) -> str:
    """A feature group (``human_capital``) by its name in the active language."""
    return (GROUPS_EN if english() else GROUPS).get(group, "")


def reason_view(reason: dict) -> dict:
    """A stored reason (``{code, text, points_lost}``) for a page: its text in the active language
    (Chinese as stored; English from the engine by the reason's code) and its feature's name."""
    code = reason.get("code") or ""
    text = reason_text(code, english=True, default=reason.get("text", "")) if english() else reason.get("text", "")
    return reason | {"text": text, "feature": feature_label(code.split(".", 1)[0])}
