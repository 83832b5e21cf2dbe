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

    Writers only insert: ``seq`` comes from the database's sequence (no lock, so numbers burned by a
    rolled-back transaction leave gaps that mean nothing) and a row in :class:`AuditPending` queues
    the entry for the sealer. The sealer gives each committed entry a gapless *position* in a Merkle
    tree (:class:`AuditSeal`) and signs tree heads (:class:`AuditCheckpoint`); ``kechuang audit
    verify`` recomputes all of it. Database triggers refuse UPDATE and DELETE on the table.
    ``region_code`` is the region the entry concerns (the object's, else the actor organisation's);
    it scopes who may read the entry.
    """

    seq = models.BigAutoField(_("序号"), primary_key=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作人标识"), max_length=150)
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("操作机构"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(_("涉及区划"), max_length=6, blank=True, default="", db_index=True)
    action = models.CharField(_("动作"), max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    context = models.JSONField(_("上下文"), default=dict, blank=True)

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


class AuditPending(models.Model):
    """An entry waiting for the sealer (Trillian's "unsequenced" queue). Written in the entry's own
    transaction, so the sealer sees it exactly when the entry commits; deleted when sealed. The only
    audit table rows are ever deleted from."""

    seq = models.PositiveBigIntegerField(_("日志序号"), primary_key=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("待封存审计日志")
        verbose_name_plural = _("待封存审计日志")

    def __str__(self) -> str:
        return f"#{self.seq}"


class AuditSeal(models.Model):
    """A sealed entry: its gapless position (assigned by the single sealer, in the order entries
    became visible) and its RFC 6962 leaf hash. Append-only (triggers)."""

    position = models.PositiveBigIntegerField(_("位置"), primary_key=True)
    entry_seq = models.PositiveBigIntegerField(_("日志序号"), unique=True)
    leaf_hash = models.CharField(_("叶哈希"), max_length=64)

    class Meta:
        ordering = ["position"]
        verbose_name = _("审计封存")
        verbose_name_plural = _("审计封存")

    def __str__(self) -> str:
        return f"@{self.position} #{self.entry_seq}"


class AuditCheckpoint(models.Model):
    """A signed tree head: the Merkle root over the first ``tree_size`` sealed entries, signed with
    the Ed25519 key held outside the database. ``frontier`` lets the sealer continue the tree
    without rereading it; verify never trusts it. Append-only (triggers)."""

    tree_size = models.PositiveBigIntegerField(_("树大小"), primary_key=True)
    root_hash = models.CharField(_("根哈希"), max_length=64)
    signed_at = models.DateTimeField(_("签名时间"))
    key_id = models.CharField(_("公钥标识"), max_length=16)
    signature = models.CharField(_("签名"), max_length=100)
    frontier = models.JSONField(_("树前沿"), default=list)

    class Meta:
        ordering = ["-tree_size"]
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")

    def __str__(self) -> str:
        return f"{self.tree_size} {self.root_hash[:12]}"


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
