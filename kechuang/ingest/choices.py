from django.db import models
from django.utils.translation import gettext_lazy as _


class FileFormat(models.TextChoices):
    JSONL = "jsonl", "JSON Lines"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    APPLIED = "applied", _("已入库")
    REJECTED = "rejected", _("文件无法读取")
    FAILED = "failed", _("失败或中断（可继续导入）")


IMPORT_STATUS_COLORS = {
    ImportStatus.QUEUED: "secondary", ImportStatus.RUNNING: "info", ImportStatus.APPLIED: "success",
    ImportStatus.REJECTED: "warning", ImportStatus.FAILED: "danger",
}


class QuarantineStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已修正入库")
    DISCARDED = "discarded", _("已放弃")


QUARANTINE_STATUS_COLORS = {QuarantineStatus.OPEN: "warning", QuarantineStatus.RESOLVED: "success",
                            QuarantineStatus.DISCARDED: "secondary"}
