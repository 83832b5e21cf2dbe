"""Talent value (人才有价): people — only with their own consent — their facts, valuations and the
人才贷 terms of marketplace products.

* :class:`TalentPerson` — a person of an enterprise's team, held minimised: the full name (shown
  only to the person and to an organisation holding their active consent), the masked name every
  other page, export and log shows, the ID number only as a salted hash (to find duplicates) and
  a masked form; the facts document (education, titles, honours, IP, projects, employment,
  social insurance, economic contribution) checked by the engine on entry.
* :class:`TalentConsent` — the person's separate, purpose-bound consent (人才价值评估 / 人才贷授信)
  to one organisation, with validity and revocation; distinct from an enterprise's consent.
* :class:`ValuationRun` / :class:`Valuation` — a valuation of the consented people of a region (or
  of one enterprise's team) with one model version; each result is a range with its reasons.
* :class:`TalentLoanTerms` — makes a marketplace product a 人才贷: limit = min(cap, product maximum,
  advance rate × the team's (or person's) value low end).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.core.formatting import region_name

from . import choices as c
from .querysets import (TalentConsentQuerySet, TalentLoanTermsQuerySet, TalentPersonQuerySet, ValuationQuerySet,
                        ValuationRunQuerySet)

MONEY = {"max_digits": 16, "decimal_places": 2}


class TalentPerson(models.Model):
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("现工作单位"), on_delete=models.PROTECT,
                                   related_name="talent_people")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True, db_index=True)
    industry_code = models.CharField(_("行业代码"), max_length=10, blank=True)
    full_name = models.CharField(_("姓名"), max_length=60)
    masked_name = models.CharField(_("姓名（脱敏）"), max_length=60)
    id_hash = models.CharField(_("证件号摘要"), max_length=64, unique=True)
    id_masked = models.CharField(_("证件号（脱敏）"), max_length=24)
    facts = models.JSONField(_("人才事实"), default=dict, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("本人账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="talent_person")
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = TalentPersonQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "pk"]
        verbose_name = _("人才")
        verbose_name_plural = _("人才")

    def __str__(self) -> str:  # what the audit log and any generic page shows: never the full name
        return self.masked_name


class TalentConsent(models.Model):
    person = models.ForeignKey("talent.TalentPerson", verbose_name=_("授权人"), on_delete=models.PROTECT,
                               related_name="consents")
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("被授权机构"), on_delete=models.PROTECT,
                                     related_name="talent_consents")
    purpose = models.CharField(_("授权用途"), max_length=20, choices=c.TalentConsentPurpose.choices)
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    valid_until = models.DateTimeField(_("到期时间"))
    evidence = models.CharField(_("授权凭证"), max_length=200, blank=True,
                                help_text=_("由单位代为登记时须填写本人书面授权的编号"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    granted_label = models.CharField(_("登记人标识"), max_length=150)
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = TalentConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("人才数据授权")
        verbose_name_plural = _("人才数据授权")
        constraints = [models.CheckConstraint(name="talentconsent_period_positive",
                                              condition=Q(valid_until__gt=models.F("valid_from")),
                                              violation_error_message=_("到期时间必须晚于生效时间。"))]
        indexes = [models.Index(fields=["organization", "person"], name="talentconsent_org_idx")]

    def __str__(self) -> str:
        return f"{self.person} → {self.organization} ({self.get_purpose_display()})"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.valid_from <= at < self.valid_until


class ValuationRun(models.Model):
    model_version = models.CharField(_("模型版本"), max_length=60)
    model_json = models.TextField(_("模型（JSON）"))
    as_of = models.DateField(_("评估基准日"))
    region_code = models.CharField(_("区划代码"), max_length=6)
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("仅评估该企业团队"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=c.RunStatus.choices, default=c.RunStatus.QUEUED)
    error = models.TextField(_("错误"), blank=True)
    job = models.OneToOneField("core.Job", verbose_name=_("后台任务"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="talent_valuation_run")
    people_total = models.PositiveIntegerField(_("评估人数"), default=0)
    skipped_without_consent = models.PositiveIntegerField(_("无有效授权未评估人数"), default=0)
    value_low_total = models.DecimalField(_("价值下限合计（元）"), **MONEY, default=0)
    value_high_total = models.DecimalField(_("价值上限合计（元）"), **MONEY, default=0)
    is_synthetic = models.BooleanField(_("合成演示"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("发起人标识"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = ValuationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("人才价值评估批次")
        verbose_name_plural = _("人才价值评估批次")

    def __str__(self) -> str:
        return _("人才价值评估 #%(pk)s %(region)s @ %(as_of)s") % {"pk": self.pk, "region": region_name(self.region_code),
                                                               "as_of": self.as_of}


class Valuation(models.Model):
    run = models.ForeignKey("talent.ValuationRun", verbose_name=_("评估批次"), on_delete=models.CASCADE,
                            related_name="valuations")
    person = models.ForeignKey("talent.TalentPerson", verbose_name=_("人才"), on_delete=models.PROTECT,
                               related_name="valuations")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT,
                                   related_name="+")
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=10, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    missing = models.DecimalField(_("缺失事实占比"), max_digits=5, decimal_places=4)
    value_low = models.DecimalField(_("价值下限（元）"), **MONEY)
    value_high = models.DecimalField(_("价值上限（元）"), **MONEY)
    groups = models.JSONField(_("才彩采财分项得分"), default=dict)
    scores = models.JSONField(_("各指标得分"), default=dict)
    lifts = models.JSONField(_("拉升指标"), default=list)
    drags = models.JSONField(_("拖累指标"), default=list)

    objects = ValuationQuerySet.as_manager()

    class Meta:
        ordering = ["run", "-value_low", "pk"]
        verbose_name = _("人才价值")
        verbose_name_plural = _("人才价值")
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="valuation_one_per_run")]
        indexes = [models.Index(fields=["person", "run"], name="valuation_person_idx"),
                   models.Index(fields=["enterprise", "run"], name="valuation_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.person} @ run {self.run_id}"


class TalentLoanTerms(models.Model):
    product = models.OneToOneField("marketplace.Product", verbose_name=_("产品"), on_delete=models.CASCADE,
                                   related_name="talent_terms")
    basis = models.CharField(_("额度依据"), max_length=10, choices=[("team", _("团队价值")), ("person", _("个人价值"))],
                             default="team")
    advance_rate = models.DecimalField(_("价值折算率"), max_digits=5, decimal_places=4)
    cap = models.DecimalField(_("额度上限（元）"), **MONEY)
    created_at = models.DateTimeField(_("设定时间"), default=timezone.now)

    objects = TalentLoanTermsQuerySet.as_manager()

    class Meta:
        verbose_name = _("人才贷额度规则")
        verbose_name_plural = _("人才贷额度规则")
        constraints = [models.CheckConstraint(name="talentloan_rate_range",
                                              condition=Q(advance_rate__gt=0) & Q(advance_rate__lte=1)),
                       models.CheckConstraint(name="talentloan_cap_positive", condition=Q(cap__gt=0))]

    def __str__(self) -> str:
        return f"{self.product} ({self.advance_rate})"
