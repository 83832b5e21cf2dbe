"""Background job handlers of the risk app (declared on the app config, see ``core.extensions``)."""

from __future__ import annotations

from kechuang.core.models import Job

from .choices import RunStatus
from .models import WarningRun
from .services import cases_escalate, warning_run_execute


def run_warnings_job(job: Job, progress) -> dict:
    run = WarningRun.objects.get(pk=job.params["run_id"])
    run = warning_run_execute(run=run, actor=job.created_by or "job:risk.run", progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "enterprises_total": run.enterprises_total, "levels": run.level_counts}


def escalate_cases_job(job: Job, progress) -> dict:
    return {"escalated": cases_escalate(actor=job.created_by or "job:risk.escalate")}
