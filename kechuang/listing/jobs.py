"""Background job handlers of the listing app (declared on the app config, see ``core.extensions``)."""

from __future__ import annotations

from kechuang.core.models import Job

from .choices import RunStatus
from .models import PoolRun
from .services import pool_run_compute


def pool_run_job(job: Job, progress) -> dict:
    run = PoolRun.objects.get(pk=job.params["run_id"])
    run = pool_run_compute(run=run, actor=job.created_by or "job:listing.pool_run", progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "enterprises_total": run.enterprises_total}
