from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingConfig(AppConfig):
    name = "kechuang.rating"
    label = "rating"
    verbose_name = _("信用评级")
    job_handlers: dict[str, str] = {"rating.run": "kechuang.rating.jobs.run_rating_job",
                                   "rating.train": "kechuang.rating.jobs.train_model_job"}
    demo_steps: tuple[str, ...] = ("kechuang.rating.jobs.demo_step",)
    nav_template = "rating/_nav.html"
