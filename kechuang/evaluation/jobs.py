"""Background job handlers and the demo step of the evaluation app (declared on the app config,
see ``core.extensions``)."""

from __future__ import annotations

import time

from django.utils import timezone

from kechuang.accounts.models import Region
from kechuang.core.models import Job
from kechuang.core.progress import NullProgress
from kechuang.enterprises.models import Enterprise

from .choices import RunScope, RunStatus
from .models import EvaluationRun
from .services import evaluation_run_create, evaluation_run_execute

DEMO_ACTOR = "demo:evaluation"
DEMO_REGION = "370100"


def run_evaluation_job(job: Job, progress) -> dict:
    run = EvaluationRun.objects.get(pk=job.params["run_id"])
    run = evaluation_run_execute(run=run, actor=job.created_by or "job", progress=progress)
    if run.status != "succeeded":
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "enterprises_total": run.enterprises_total,
            "results_total": run.results_total}


def demo_step(*, progress=None) -> dict:
    """Evaluate the demo region (济南, 370100) against every standard in force today, with clause
    details, so the tier pages, the "close to qualifying" list and the reports have content right
    after ``kechuang serve``. Once per day: if a succeeded demo run of today exists, nothing changes.
    The enterprises evaluated are the demo's synthetic ones (合成数据), labelled as such on their pages."""
    progress = progress or NullProgress()
    today = timezone.localdate()
    if not Enterprise.objects.filter(is_synthetic=True, region_code__startswith=DEMO_REGION[:4]).exists():
        return {"skipped": "no synthetic demo enterprises"}
    done = EvaluationRun.objects.filter(scope=RunScope.REGION, region_code=DEMO_REGION, as_of=today,
                                        status=RunStatus.SUCCEEDED, actor_label=DEMO_ACTOR).first()
    if done is not None:
        return {"skipped": "already done", "run": done.pk}
    if not Region.objects.filter(code=DEMO_REGION).exists():
        return {"skipped": f"region {DEMO_REGION} is not in the region table"}
    t = time.perf_counter()
    run = evaluation_run_create(as_of=today, actor=DEMO_ACTOR, region_code=DEMO_REGION)
    run = evaluation_run_execute(run=run, actor=DEMO_ACTOR, progress=progress)
    return {"run": run.pk, "status": str(run.status), "enterprises": run.enterprises_total,
            "results": run.results_total, "seconds": round(time.perf_counter() - t, 1)}
