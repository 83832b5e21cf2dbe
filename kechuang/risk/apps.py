from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "kechuang.risk"
    label = "risk"
    verbose_name = _("风险监测预警")
    job_handlers: dict[str, str] = {"risk.run": "kechuang.risk.jobs.run_warnings_job",
                                   "risk.escalate": "kechuang.risk.jobs.escalate_cases_job"}
    demo_steps: tuple[str, ...] = ("kechuang.risk.demo.demo_risk",)
    nav_template = "risk/_nav.html"
    #: Metrics the targets app may track: ``fn(*, region_code, start, end) -> (numerator, denominator | None)``.
    live_metrics = {code: f"kechuang.risk.metrics.{code}" for code in ("risk_hazards_cleared", "npl_ratio")}
    #: Their names on the cockpit: ``{code: (label, kind, definition)}`` (see ``targets.selectors``).
    live_metric_info = {
        "risk_hazards_cleared": (_("风险隐患化解率"), "rate",
                                 _("本年办结且结果为风险化解、应急转贷或债务重组的一企一策案件数 ÷ 本年处于处置中的案件数。")),
        "npl_ratio": (_("平台贷款不良率"), "rate",
                      _("截至期末担保已代偿的平台贷款批准金额 ÷ 截至期末平台已放款贷款的批准金额，按需求所属区划。")),
    }
