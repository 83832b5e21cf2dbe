"""Imports of enterprise facts and the quarantine of rows that failed validation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.enterprises.choices import ImportMode

from .choices import FileFormat, ImportStatus, QuarantineStatus
from .querysets import ImportRunQuerySet, QuarantinedRowQuerySet


class ImportRun(models.Model):
    """One attempt to import a file. Valid rows end up in a :class:`SourceBatch` (``batch``);
    invalid ones in the quarantine. The file is read in chunks and each chunk commits whole
    (``chunks_done`` counts them, ``heartbeat_at`` is written at each commit): ``applied`` means
    every valid row was loaded and every invalid row quarantined; ``failed`` means the run stopped
    after ``chunks_done`` chunks and can be resumed from there. ``region_code`` is the region the
    run was imported under (the importer organisation's, else the platform's): who may see it."""

    source = models.ForeignKey("enterprises.DataSource", verbose_name=_("数据来源"),
                               on_delete=models.PROTECT, related_name="import_runs")
    batch = models.OneToOneField("enterprises.SourceBatch", verbose_name=_("数据批次"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="import_run")
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="import_run")
    region_code = models.CharField(_("所属区划"), max_length=6, blank=True, db_index=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_path = models.CharField(_("存储路径"), max_length=500)
    file_sha256 = models.CharField(_("文件SHA-256"), max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    file_format = models.CharField(_("文件格式"), max_length=5, choices=FileFormat.choices)
    section = models.CharField(_("CSV 数据表"), max_length=30, blank=True)
    mode = models.CharField(_("导入方式"), max_length=10, choices=ImportMode.choices,
                            default=ImportMode.UPSERT)
    status = models.CharField(_("状态"), max_length=10, choices=ImportStatus.choices,
                              default=ImportStatus.QUEUED, db_index=True)
    rows_total = models.PositiveIntegerField(_("总记录数"), default=0)
    rows_valid = models.PositiveIntegerField(_("有效记录数"), default=0)
    rows_quarantined = models.PositiveIntegerField(_("隔离记录数"), default=0)
    warnings = models.JSONField(_("警告"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True,
                                        help_text=_("导入运行时在每个数据块提交时更新"))
    chunks_done = models.PositiveIntegerField(_("已提交数据块"), default=0)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"


class QuarantinedRow(models.Model):
    """A record that failed validation, kept whole with every reason, until someone corrects and
    re-submits it (it is then loaded in a batch of its own) or discards it."""

    run = models.ForeignKey("ingest.ImportRun", verbose_name=_("导入记录"), on_delete=models.PROTECT,
                            related_name="quarantined_rows")
    row = models.PositiveIntegerField(_("行号"))
    sheet = models.CharField(_("工作表"), max_length=50, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=64, blank=True, db_index=True)
    data = models.JSONField(_("原始数据"), null=True, blank=True)
    raw_text = models.TextField(_("原始文本"), blank=True, help_text=_("无法解析为 JSON 的原始行"))
    errors = models.JSONField(_("错误"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=QuarantineStatus.choices,
                              default=QuarantineStatus.OPEN, db_index=True)
    resolved_batch = models.ForeignKey("enterprises.SourceBatch", verbose_name=_("修正入库批次"),
                                       null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = QuarantinedRowQuerySet.as_manager()

    class Meta:
        ordering = ["run", "sheet", "row"]
        verbose_name = _("隔离记录")
        verbose_name_plural = _("隔离记录")

    def __str__(self) -> str:
        where = f"{self.sheet} " if self.sheet else ""
        return _("%(where)s第%(row)s行 %(uscc)s") % {"where": where, "row": self.row, "uscc": self.uscc}
