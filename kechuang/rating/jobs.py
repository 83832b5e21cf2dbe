"""Background job handlers and the demo step of the rating app (declared on the app config, see
``core.extensions``)."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q

from kechuang.core.models import Job
from kechuang.core.progress import NullProgress
from kechuang.enterprises.models import Enterprise, SourceBatch
from kechuang.synthetic import generate_outcomes

from .choices import ModelStatus, RunStatus
from .models import DEMO_MODEL_NOTE, DefaultOutcome, RatingModel, RatingRun
from django.core.exceptions import ValidationError

from .services import (default_outcomes_load, rating_model_promote, rating_model_train,
                       rating_run_create, rating_run_execute)

DEMO_ACTOR = "demo:rating"
DEMO_REGION = "370100"
#: The demo loader names its file ``jinan-{n}-{seed}-{date}-synthetic.jsonl``.
DEMO_FILE = re.compile(r"jinan-(\d+)-(\d+)-(\d{4}-\d{2}-\d{2})-synthetic\.jsonl$")


def run_rating_job(job: Job, progress) -> dict:
    run = RatingRun.objects.get(pk=job.params["run_id"])
    run = rating_run_execute(run=run, actor=job.created_by or "job", progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "enterprises_total": run.enterprises_total, "alert": run.alert}


def train_model_job(job: Job, progress) -> dict:
    """Train a candidate (``rating_model_train``); the engine's errors fail the job with the
    plain-Chinese message the page shows."""
    p = job.params
    try:
        model = rating_model_train(as_of=dt.date.fromisoformat(p["as_of"]),
                                   horizon_months=int(p.get("horizon_months", 12)), note=p.get("note", ""),
                                   actor=job.created_by or "job", progress=progress)
    except ValidationError as exc:
        raise RuntimeError(" ".join(exc.messages)) from exc
    return {"model_id": model.pk, "version": model.version, "auc": str(model.auc)}


def _demo_generation():
    """``(n, seed, as_of)`` of the synthetic file the demo loaded (latest), or ``None``."""
    batch = (SourceBatch.objects.filter(source__code="synthetic-demo").filter(~Q(file_name=""))
             .order_by("-recorded_at").first())
    match = DEMO_FILE.search(batch.file_name) if batch else None
    if match is None:
        return None
    n, seed, day = match.groups()
    return int(n), int(seed), dt.date.fromisoformat(day)


def demo_step(*, progress=None) -> dict:
    """Train a model on the demo enterprises' synthetic outcomes (the generator's documented latent
    risk), promote it as champion and rate the region — once: a second run changes nothing.
    Everything it creates is labelled synthetic (合成数据)."""
    progress = progress or NullProgress()
    generation = _demo_generation()
    if generation is None:
        return {"skipped": "no synthetic demo data"}
    n, seed, as_of = generation
    if RatingModel.objects.filter(is_synthetic=True, train_as_of=as_of).exists():
        return {"skipped": "already done"}
    if not DefaultOutcome.objects.filter(as_of=as_of, horizon_months=12).exists():
        drawn = list(generate_outcomes(n, seed=seed, as_of=as_of))
        known = set(Enterprise.objects.filter(uscc__in=[o["uscc"] for o in drawn])
                    .values_list("uscc", flat=True))
        rows = [(o["uscc"], int(o["defaulted"])) for o in drawn if o["uscc"] in known]
        default_outcomes_load(rows=rows, as_of=as_of, horizon_months=12, actor=DEMO_ACTOR,
                              source="合成数据：演示生成器的潜在风险模型（非真实违约）", is_synthetic=True)
    model = rating_model_train(as_of=as_of, actor=DEMO_ACTOR, is_synthetic=True, progress=progress,
                               note=DEMO_MODEL_NOTE)
    model = rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor=DEMO_ACTOR)
    run = rating_run_create(as_of=as_of, region_code=DEMO_REGION, actor=DEMO_ACTOR, model=model,
                            is_synthetic=True)
    run = rating_run_execute(run=run, actor=DEMO_ACTOR, progress=progress)
    return {"model": model.version, "auc": str(model.auc), "run": run.pk, "status": str(run.status),
            "rated": run.enterprises_total}
