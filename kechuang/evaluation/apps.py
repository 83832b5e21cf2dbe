from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "kechuang.evaluation"
    label = "evaluation"
    verbose_name = _("资质评价")
    job_handlers = {
        "evaluation.run": "kechuang.evaluation.jobs.run_evaluation_job",
    }
    demo_steps = ("kechuang.evaluation.jobs.demo_step",)
