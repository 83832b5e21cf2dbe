"""Background job handlers of the ingest app (declared on the app config, see ``core.extensions``)."""

from __future__ import annotations

from kechuang.core.models import Job

from .exports import export_to_file
from .models import ImportRun
from .services import import_run_execute


def run_import_job(job: Job, progress) -> dict:
    run = ImportRun.objects.select_related("source").get(pk=job.params["run_id"])
    run = import_run_execute(run=run, actor=job.created_by or "job", progress=progress)
    if run.status != "applied":
        raise RuntimeError(run.error)
    return {"run_id": run.pk, "rows_total": run.rows_total, "rows_valid": run.rows_valid,
            "rows_quarantined": run.rows_quarantined}


def run_export_job(job: Job, progress) -> dict:
    return export_to_file(job=job, progress=progress)
