from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("新建")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    READ = "read", _("查阅")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    GRANT = "grant", _("授权")
    REVOKE = "revoke", _("撤销授权")
    LOGIN = "login", _("登录")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


JOB_STATUS_COLORS = {
    JobStatus.QUEUED: "secondary",
    JobStatus.RUNNING: "info",
    JobStatus.SUCCEEDED: "success",
    JobStatus.FAILED: "danger",
}
FINISHED_JOB_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})
