from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class ValueKind(models.TextChoices):
    TARGET = "target", _("目标值")
    BASELINE = "baseline", _("基期值")
    ACTUAL = "actual", _("实际值")
    GROWTH_TARGET = "growth_target", _("增速目标")


#: Chinese labels accepted in the import file's 类型 column.
VALUE_KIND_ALIASES = {"目标": ValueKind.TARGET, "目标值": ValueKind.TARGET, "基期": ValueKind.BASELINE,
                      "基期值": ValueKind.BASELINE, "实际": ValueKind.ACTUAL, "实际值": ValueKind.ACTUAL,
                      "增速目标": ValueKind.GROWTH_TARGET}


class ValueState(models.TextChoices):
    ACCEPTED = "accepted", _("有效")
    FLAGGED = "flagged", _("待核定")
    REJECTED = "rejected", _("已否决")


class FlagKind(models.TextChoices):
    CONTRADICTION = "contradiction", _("同一规划内目标相互矛盾")
    UNIT = "unit", _("单位不符")
    PERIOD = "period", _("期间超出规划期")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("推进中")
    DONE = "done", _("已完成")
    BLOCKED = "blocked", _("受阻")


TASK_STATUS_COLORS = {TaskStatus.NOT_STARTED: "secondary", TaskStatus.IN_PROGRESS: "info",
                      TaskStatus.DONE: "success", TaskStatus.BLOCKED: "danger"}


class ActionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


STATUS_LABELS = {"met": _("已达成"), "missed": _("未达成"), "on_track": _("进度正常"),
                 "at_risk": _("存在风险"), "off_track": _("明显滞后"), "no_data": _("暂无数据")}
STATUS_COLORS = {"met": "success", "missed": "danger", "on_track": "success", "at_risk": "warning",
                 "off_track": "danger", "no_data": "secondary"}
#: The same statuses as chart colours (the cockpit's donut and progress bars; Bootstrap's palette).
STATUS_HEX = {"met": "#198754", "on_track": "#20c997", "at_risk": "#ffc107", "off_track": "#dc3545",
              "missed": "#a52834", "no_data": "#adb5bd"}
