from django.db import models


class TargetsError(models.TextChoices):
    MISSING_COLUMN = "missing_column", "缺少必需的列"
    REQUIRED = "required", "必填项为空"
    BAD_NUMBER = "bad_number", "数值格式错误"
    BAD_KIND = "bad_kind", "类型无法识别"
    UNKNOWN_PLAN = "unknown_plan", "规划不存在"
    BAD_FILE = "bad_file", "文件无法读取"
    FORMULA_CELL = "formula_cell", "单元格含公式"
    FORBIDDEN = "forbidden", "无权操作"
    BAD_PERCENT = "bad_percent", "进度应在 0 至 100 之间"
    FLAG_CLOSED = "flag_closed", "该问题已处理"
