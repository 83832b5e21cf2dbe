from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "kechuang.supervision"
    label = "supervision"
    verbose_name = _("地方金融组织监管")
    demo_steps: tuple[str, ...] = ("kechuang.supervision.demo.demo_supervision",)
    nav_template = "supervision/_nav.html"
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.supervision.metrics.{code}" for code in ("lfo_in_breach", "lfo_overdue_rectifications")}
    #: Their names on the cockpit: ``{code: (label, kind, definition)}`` (see ``targets.selectors``).
    live_metric_info = {
        "lfo_in_breach": (_("地方金融组织超限占比"), "rate",
                          _("期末最近一期报表存在法定监管指标超限的地方金融组织数 ÷ 期末在册（未注销）的地方金融组织数。")),
        "lfo_overdue_rectifications": (_("逾期未整改的现场检查数"), "count",
                                       _("期末整改期限已过、仍未整改完毕的现场检查记录数。")),
    }
