"""Background job handlers of the points app (declared on the app config, see ``core.extensions``)."""

from __future__ import annotations

from kechuang.core.models import Job

from .choices import RunStatus
from .models import PointsRun
from .services import points_run_compute


def points_run_job(job: Job, progress) -> dict:
    run = PointsRun.objects.get(pk=job.params["run_id"])
    run = points_run_compute(run=run, actor=job.created_by or "job:points.run", progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "enterprises_total": run.enterprises_total}
