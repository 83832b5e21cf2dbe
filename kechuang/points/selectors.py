"""Reads of the points app: the engine model of a stored version, the latest result of an
enterprise, a run's distribution by stage and district, the movements between runs and the
result in words (indicator names, reasons and the next band) in the request's language."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.models import Avg, Count, F, Max, Min
from django.utils.translation import get_language

from kechuang.accounts.access import VIEW
from kechuang.engine.points import FACTS_BY_NAME, PointsModelError, load_model
from kechuang.engine.points import PointsModel as EngineModel

from .choices import RunStatus
from .models import PointsModel, PointsResult, PointsRun


@lru_cache(maxsize=32)
def _engine(version: str, text: str) -> EngineModel:
    return load_model(text, fmt="json")


def engine_model(model: PointsModel) -> EngineModel:
    """The stored model as the engine's (checked again on load; cached by version)."""
    return _engine(model.version, model.model_json)


def english() -> bool:
    return (get_language() or "zh-hans").startswith("en")


def _label(obj) -> str:
    return obj.label_en if english() else obj.label


def default_model(region_code: str = "") -> PointsModel | None:
    """The model a run of ``region_code`` uses unless told: the district's own local model when one
    is registered for exactly that region, else the latest national model."""
    if region_code:
        local = PointsModel.objects.filter(scope="local", region_code=region_code).order_by("-created_at").first()
        if local is not None:
            return local
    return PointsModel.objects.filter(scope="national").order_by("-created_at").first()


def previous_run(*, region_code: str, model: PointsModel, before: PointsRun | None = None) -> PointsRun | None:
    """The latest succeeded run of the same region and model family (``code``) before ``before``."""
    qs = PointsRun.objects.filter(region_code=region_code, model__code=model.code, status=RunStatus.SUCCEEDED)
    if before is not None and before.pk:
        qs = qs.filter(pk__lt=before.pk)
    return qs.order_by("-pk").first()


def latest_result(enterprise, user=None) -> PointsResult | None:
    qs = PointsResult.objects.filter(enterprise=enterprise, run__status=RunStatus.SUCCEEDED)
    if user is not None:
        qs = PointsResult.objects.restrict(user, VIEW).filter(pk__in=qs.values("pk"))
    return qs.select_related("run", "run__model").order_by("-run__as_of", "-run_id").first()


def enterprise_history(enterprise, user) -> list[PointsResult]:
    return list(PointsResult.objects.restrict(user, VIEW)
                .filter(enterprise=enterprise, run__status=RunStatus.SUCCEEDED)
                .select_related("run", "run__model").order_by("-run__as_of", "-run_id")[:20])


def latest_points(enterprise_ids) -> dict[int, float]:
    """Each enterprise's points in its latest succeeded run (the marketplace's ``innovation_points``)."""
    rows = (PointsResult.objects.filter(enterprise_id__in=list(enterprise_ids), run__status=RunStatus.SUCCEEDED)
            .order_by("enterprise_id", "-run__as_of", "-run_id").values_list("enterprise_id", "points"))
    out: dict[int, float] = {}
    for eid, pts in rows:
        out.setdefault(eid, float(pts))
    return out


def stage_label(model: EngineModel, stage: str) -> str:
    return next((_label(s) for s in model.stages if s.id == stage), stage)


def band_label(model: EngineModel, band: str | None) -> str:
    return next((_label(b) for b in model.bands if b.id == band), band or "")


def indicator_label(model: EngineModel, ind: str) -> str:
    return next((_label(i) for i in model.indicators if i.id == ind), ind)


def item_label(model: EngineModel, item: str | None) -> str:
    return next((_label(i) for i in model.bonus + model.negative if i.id == item), item or "")


def distribution(run: PointsRun, user) -> dict[str, Any]:
    """Counts, mean / min / max points and band counts by stage and by district (the user's rows)."""
    model = engine_model(run.model)
    qs = PointsResult.objects.restrict(user, VIEW).filter(run=run)
    by_stage = {r["stage"]: r for r in qs.values("stage").annotate(n=Count("id"), mean=Avg("points"),
                                                                      low=Min("points"), high=Max("points"))}
    bands = {(r["stage"], r["band"]): r["n"] for r in qs.values("stage", "band").annotate(n=Count("id"))}
    stages = [{"id": s.id, "label": _label(s), "n": by_stage.get(s.id, {}).get("n", 0),
               "mean": by_stage.get(s.id, {}).get("mean"), "low": by_stage.get(s.id, {}).get("low"),
               "high": by_stage.get(s.id, {}).get("high"),
               "bands": [bands.get((s.id, b.id), 0) for b in reversed(model.bands)]} for s in model.stages]
    districts = []
    for r in qs.values("region_code").annotate(n=Count("id"), mean=Avg("points")).order_by("region_code"):
        per = {x["stage"]: x["n"] for x in qs.filter(region_code=r["region_code"]).values("stage").annotate(n=Count("id"))}
        districts.append({"code": r["region_code"], "n": r["n"], "mean": r["mean"],
                          "stages": [per.get(s.id, 0) for s in model.stages]})
    return {"stages": stages, "districts": districts,
            "bands": [{"id": b.id, "label": _label(b), "min": b.min} for b in reversed(model.bands)]}


def movements(run: PointsRun, user, limit: int = 10) -> dict[str, list[PointsResult]]:
    """The largest rises and falls since the previous run (results the user may see)."""
    qs = (PointsResult.objects.restrict(user, VIEW).filter(run=run, movement__isnull=False)
          .select_related("enterprise"))
    return {"up": list(qs.filter(movement__gt=0).order_by("-movement", "enterprise_id")[:limit]),
            "down": list(qs.filter(movement__lt=0).order_by("movement", "enterprise_id")[:limit]),
            "band_changes": qs.exclude(previous_band="").exclude(band=F("previous_band")).count()}


def result_view(result: PointsResult) -> dict[str, Any]:
    """The result in words: stage and band, each indicator (value, score, weight status), reasons
    and the next band's smallest changes."""
    model = engine_model(result.run.model)
    inds = {i.id: i for i in model.indicators}

    def fmt(ind_id: str, value):
        ind = inds.get(ind_id)
        return {"value": value, "unit": ind.unit if ind else ""}

    rows = []
    for ind in model.indicators:
        group = next(g for g in model.groups if g.id == ind.group)
        rows.append({"id": ind.id, "label": _label(ind), "group": _label(group),
                     "weight": model.effective_weight(ind, result.stage) if result.stage in model.stage_ids else None,
                     "weight_status": ind.weight_status, "source": ind.source,
                     "score": result.scores.get(ind.id), **fmt(ind.id, result.values.get(ind.id))})
    nb = result.next_band or {}
    def change(ch: dict) -> dict:
        ind = inds.get(ch["indicator"])
        return {"label": indicator_label(model, ch["indicator"]), "from": result.values.get(ch["indicator"]),
                "to": ch["to"], "unit": ind.unit if ind else "", "lower": bool(ind and ind.direction == "lower")}

    changes = [change(ch) for ch in nb.get("changes") or []]
    plan = [change(ch) for ch in nb.get("plan") or []]
    return {"stage": stage_label(model, result.stage), "band": band_label(model, result.band),
            "band_id": result.band, "indicators": rows,
            "lifts": [indicator_label(model, i) for i in result.lifts],
            "drags": [indicator_label(model, i) for i in result.drags],
            "next": {"band": band_label(model, nb.get("band")) if nb.get("band") else "",
                     "gap": nb.get("gap"), "changes": changes, "item": item_label(model, nb.get("item")),
                     "plan": plan, "short": bool(nb.get("short"))},
            "model": model}


def formula_text(text: str) -> str:
    """A formula with each fact by its name (``rd_expense / operating_revenue`` → 研发费用总额 / 营业收入)."""
    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: fact_label(m.group(0)) if m.group(0) in FACTS_BY_NAME
                  else m.group(0), text)


def fact_label(name: str) -> str:
    f = FACTS_BY_NAME.get(name)
    return (f.en if english() else f.zh) if f else name


__all__ = ["PointsModelError", "default_model", "distribution", "engine_model", "enterprise_history",
           "latest_points", "latest_result", "movements", "previous_run", "result_view"]
