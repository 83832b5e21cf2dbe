from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    REGULATOR = "regulator", _("监管及政府部门")
    BANK = "bank", _("银行")
    GUARANTOR = "guarantor", _("担保机构")
    INSURER = "insurer", _("保险机构")
    INVESTOR = "investor", _("投资机构")
    SERVICE_AGENCY = "service_agency", _("服务机构")
    ENTERPRISE = "enterprise", _("企业")
    UNIVERSITY = "university", _("高等院校")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")


#: Kinds that hold IP of their own in the theme database (a record under their USCC) and trade it.
IP_HOLDER_KINDS = frozenset({"enterprise", "university", "research_institute"})


#: Kinds whose reads of an enterprise profile need the enterprise's consent and are logged.
FINANCIAL_KINDS = frozenset({
    OrganizationKind.BANK, OrganizationKind.GUARANTOR, OrganizationKind.INSURER,
    OrganizationKind.INVESTOR, OrganizationKind.SERVICE_AGENCY,
})


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    OFFICER = "officer", _("经办人员")
    VIEWER = "viewer", _("查看人员")


#: Roles allowed to write on behalf of their organisation.
WRITER_ROLES = frozenset({Role.ADMIN, Role.OFFICER})
