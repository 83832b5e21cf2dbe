"""Background job handlers of the evaluation app (declared on the app config, see ``core.extensions``)."""

from __future__ import annotations

from kechuang.core.models import Job

from .models import EvaluationRun
from .services import evaluation_run_execute


def run_evaluation_job(job: Job, progress) -> dict:
    run = EvaluationRun.objects.get(pk=job.params["run_id"])
    run = evaluation_run_execute(run=run, actor=job.created_by or "job", progress=progress)
    if run.status != "succeeded":
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "enterprises_total": run.enterprises_total,
            "results_total": run.results_total}
