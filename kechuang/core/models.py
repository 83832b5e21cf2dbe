"""The platform's shared records: the tamper-evident audit log and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, JobStatus


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit log is append-only")

    def delete(self):
        raise AppendOnlyError("the audit log is append-only")


class AuditEntry(models.Model):
    """One audited event: a write with before/after, or a protected read with its reason.

    Entries are numbered without gaps and each one's ``hash`` covers its content and the previous
    entry's hash, so changing, removing or reordering any entry breaks the chain; ``kechuang audit
    verify`` recomputes it. Database triggers refuse UPDATE and DELETE on the table.
    """

    seq = models.PositiveBigIntegerField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作人标识"), max_length=150)
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("操作机构"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("动作"), max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    context = models.JSONField(_("上下文"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit log is append-only")


class AuditChainHead(models.Model):
    """The last entry of the chain (a single row). Locking it serialises appends, and comparing
    it with the table detects a truncated tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints = [models.CheckConstraint(name="audit_chain_head_singleton", condition=models.Q(id=1),
                                              violation_error_message=_("审计链头只能有一行。"))]

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class Job(models.Model):
    """A long-running task (an import, an export, an evaluation run) executed by a worker, with
    progress a page can poll. Live progress lives in the cache; the row keeps the outcome."""

    kind = models.CharField(_("任务类型"), max_length=50)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices,
                              default=JobStatus.QUEUED, db_index=True)
    progress_done = models.PositiveBigIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveBigIntegerField(_("总量"), null=True, blank=True)
    message = models.CharField(_("进度说明"), max_length=200, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="jobs")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"
