from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "kechuang.ingest"
    label = "ingest"
    verbose_name = _("数据归集")
    job_handlers = {
        "ingest.import": "kechuang.ingest.jobs.run_import_job",
        "ingest.export": "kechuang.ingest.jobs.run_export_job",
    }
