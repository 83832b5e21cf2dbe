"""Background job handlers of the talent app (declared on the app config, see ``core.extensions``)."""

from __future__ import annotations

from kechuang.core.models import Job

from .choices import RunStatus
from .models import ValuationRun
from .services import valuation_run_compute


def valuation_run_job(job: Job, progress) -> dict:
    run = ValuationRun.objects.get(pk=job.params["run_id"])
    run = valuation_run_compute(run=run, actor=job.created_by or "job:talent.valuation_run", progress=progress)
    if run.status != RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "people_total": run.people_total}
