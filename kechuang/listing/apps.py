from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingConfig(AppConfig):
    name = "kechuang.listing"
    label = "listing"
    verbose_name = _("上市后备企业库")
    demo_steps = ("kechuang.listing.demo.demo_listing",)
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {"listing.reserve_enterprises": "kechuang.listing.metrics.listing_reserve_enterprises",
                    "listing.new_listed_companies": "kechuang.listing.metrics.new_listed_companies"}
    nav_template = "listing/_nav.html"
    job_handlers = {"listing.pool_run": "kechuang.listing.jobs.pool_run_job"}
