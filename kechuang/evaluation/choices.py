"""Choices of the evaluation app, with the badge colours the pages use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("评价中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败（未写入结果）")


RUN_STATUS_COLORS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info",
                     RunStatus.SUCCEEDED: "success", RunStatus.FAILED: "danger"}
FINISHED_RUN_STATUSES = frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED})


class RunScope(models.TextChoices):
    REGION = "region", _("区域（数据库）")
    FILE = "file", _("文件")


class RunDetails(models.TextChoices):
    """How much of each result a region run keeps: the clause detail costs ~5× the evaluation."""

    JSON = "json", _("保存条款明细")
    NONE = "none", _("仅保存结论与得分")


class ResultStatus(models.TextChoices):
    """The engine's statuses (data standard: met, unmet, manual_review, unknown)."""

    MET = "met", _("符合")
    MANUAL_REVIEW = "manual_review", _("需人工审核")
    UNKNOWN = "unknown", _("数据不足")
    UNMET = "unmet", _("不符合")


RESULT_STATUS_COLORS = {ResultStatus.MET: "success", ResultStatus.MANUAL_REVIEW: "info",
                        ResultStatus.UNKNOWN: "warning", ResultStatus.UNMET: "secondary"}
#: The engine's compact status codes (batch ``clauses`` JSON ``s``) → status.
STATUS_CODES = (ResultStatus.MET, ResultStatus.MANUAL_REVIEW, ResultStatus.UNKNOWN, ResultStatus.UNMET)


class Route(models.TextChoices):
    SCORE = "score", _("评分")
    DIRECT = "direct", _("直通")
    CONDITIONS = "conditions", _("条件")


class Standard(models.TextChoices):
    """Standard families of the engine (a family resolves to the version in force on ``as_of``)."""

    TSME = "tsme", _("科技型中小企业")
    INNOVATIVE_SME = "innovative-sme", _("创新型中小企业")
    SRDI_SME = "srdi-sme", _("专精特新中小企业")
    LITTLE_GIANT = "little-giant", _("专精特新“小巨人”企业")
    HNTE = "hnte", _("高新技术企业")
    STAR_MARKET = "star-market", _("科创属性（科创板）")
    GAZELLE_SD = "gazelle-sd", _("瞪羚企业（山东）")


class Tier(models.TextChoices):
    """The ladder (梯度培育): 科技型/创新型 → 专精特新 → 小巨人."""

    NONE = "none", _("未入梯度")
    TECH_INNOVATIVE = "tech-innovative-sme", _("科技型/创新型中小企业")
    SRDI = "srdi-sme", _("专精特新中小企业")
    LITTLE_GIANT = "little-giant", _("专精特新“小巨人”")


TIER_RANKS = {Tier.NONE: 0, Tier.TECH_INNOVATIVE: 1, Tier.SRDI: 2, Tier.LITTLE_GIANT: 3}
TIER_COLORS = {Tier.NONE: "light", Tier.TECH_INNOVATIVE: "info", Tier.SRDI: "primary",
               Tier.LITTLE_GIANT: "success"}
#: Flags beside the ladder (engine's ``ladder()['flags']``).
FLAG_LABELS = {"hnte": _("高新技术企业"), "star_market": _("科创属性"), "gazelle": _("瞪羚企业")}
