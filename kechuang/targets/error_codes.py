from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetsError(models.TextChoices):
    MISSING_COLUMN = "missing_column", _("缺少必需的列")
    REQUIRED = "required", _("必填项为空")
    BAD_NUMBER = "bad_number", _("数值格式错误")
    BAD_KIND = "bad_kind", _("类型无法识别")
    UNKNOWN_PLAN = "unknown_plan", _("规划不存在")
    BAD_FILE = "bad_file", _("文件无法读取")
    FORMULA_CELL = "formula_cell", _("单元格含公式")
    FORBIDDEN = "forbidden", _("无权操作")
    BAD_PERCENT = "bad_percent", _("进度应在 0 至 100 之间")
    FLAG_CLOSED = "flag_closed", _("该问题已处理")
    UNKNOWN_METRIC = "unknown_metric", _("平台实时指标不存在")
