"""Organisations, their users and the administrative regions that scope a regulator's view."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import FINANCIAL_KINDS, OrganizationKind, Role


class Region(models.Model):
    """An administrative division (GB/T 2260), e.g. 370100 济南市 and its districts 3701xx."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("上级区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def prefix(self) -> str:
        """The code prefix every sub-division shares: 370000 → 37, 370100 → 3701, 370112 → 370112."""
        return region_prefix(self.code)


def region_prefix(code: str) -> str:
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def within_region(code: str, field: str = "region_code") -> models.Q:
    """Rows whose ``field`` lies in the region ``code`` (370100 covers 3701xx), as a range on the
    digits rather than ``LIKE 'prefix%'``: a plain B-tree index serves it under any collation."""
    prefix = region_prefix(code)
    upper = str(int(prefix) + 1).zfill(len(prefix))
    return models.Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


class Organization(models.Model):
    """A body using the platform: the regulator and its partner departments, a bank, a guarantor,
    an insurer, an investor, a service agency, or an enterprise itself."""

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    kind = models.CharField(_("机构类型"), max_length=20, choices=OrganizationKind.choices)
    region = models.ForeignKey("accounts.Region", verbose_name=_("所属区划"), on_delete=models.PROTECT,
                               related_name="organizations")
    enterprise = models.OneToOneField(
        "enterprises.Enterprise", verbose_name=_("对应企业"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="organization",
        help_text=_("企业、高等院校或科研院所填写：该机构在主题库中的记录（按统一社会信用代码）。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        constraints = [
            models.CheckConstraint(
                name="organization_enterprise_only_for_enterprise_kind",
                condition=models.Q(kind__in=[OrganizationKind.ENTERPRISE, OrganizationKind.UNIVERSITY,
                                             OrganizationKind.RESEARCH_INSTITUTE]) | models.Q(enterprise__isnull=True),
                violation_error_message=_("只有企业、高等院校和科研院所可以关联主题库记录。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_regulator(self) -> bool:
        return self.kind == OrganizationKind.REGULATOR

    @property
    def is_financial(self) -> bool:
        return self.kind in FINANCIAL_KINDS


class User(AbstractUser):
    """A person; belongs to one organisation with one role there. Superusers need none."""

    organization = models.ForeignKey("accounts.Organization", verbose_name=_("所属机构"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username
