from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingConfig(AppConfig):
    name = "kechuang.listing"
    label = "listing"
    verbose_name = _("上市后备企业库")
    demo_steps = ("kechuang.listing.demo.demo_listing",)
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.listing.metrics.{code}" for code in (
        "listing_reserve_enterprises", "new_listed_companies")}
    nav_template = "listing/_nav.html"
