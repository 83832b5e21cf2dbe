"""Choices of the theme database. Values are the interchange standard's enum values."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    FEED = "feed", _("政务数据接口")
    FILE = "file", _("文件导入")
    PERSON = "person", _("人工录入")
    INSTITUTION = "institution", _("金融机构报送")
    SYNTHETIC = "synthetic", _("合成演示数据")


class BatchStatus(models.TextChoices):
    VALIDATING = "validating", _("校验中")
    APPLIED = "applied", _("已入库")
    FAILED = "failed", _("失败")


class ImportMode(models.TextChoices):
    UPSERT = "upsert", _("增量（只更新文件中出现的条目）")
    REPLACE = "replace", _("全量（文件中企业的本来源条目以文件为准）")


class RdInstitutionLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    BELOW_MUNICIPAL = "below_municipal", _("市级以下")
    NONE = "none", _("无")


class MarketValueBasis(models.TextChoices):
    RECENT_FINANCING = "recent_financing", _("最近一次外部股权融资估值")
    COMPARABLE_COMPANIES = "comparable_companies", _("可比公司估值")
    SPONSOR_ESTIMATE = "sponsor_estimate", _("保荐机构预估")
    LISTED_PRICE = "listed_price", _("上市后市值")


class TaxCreditGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    M = "M", "M"
    C = "C", "C"
    D = "D", "D"


class IPType(models.TextChoices):
    INVENTION_PATENT = "invention_patent", _("发明专利")
    DEFENSE_PATENT = "defense_patent", _("国防专利")
    PLANT_VARIETY = "plant_variety", _("植物新品种")
    NATIONAL_CROP_VARIETY = "national_crop_variety", _("国家级农作物品种")
    NATIONAL_NEW_DRUG = "national_new_drug", _("国家新药")
    TCM_PROTECTED_VARIETY = "tcm_protected_variety", _("国家一级中药保护品种")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计专有权")
    UTILITY_MODEL = "utility_model", _("实用新型专利")
    DESIGN = "design", _("外观设计专利")
    SOFTWARE_COPYRIGHT = "software_copyright", _("软件著作权")


IP_CLASS_I = frozenset({
    IPType.INVENTION_PATENT, IPType.DEFENSE_PATENT, IPType.PLANT_VARIETY,
    IPType.NATIONAL_CROP_VARIETY, IPType.NATIONAL_NEW_DRUG, IPType.TCM_PROTECTED_VARIETY,
    IPType.IC_LAYOUT,
})


class IPAcquisition(models.TextChoices):
    SELF_DEVELOPED = "self_developed", _("自主研发")
    TRANSFERRED = "transferred", _("受让")
    GIFTED = "gifted", _("受赠")
    MERGER = "merger", _("并购")


class IPHolding(models.TextChoices):
    OWNER = "owner", _("权利人")
    EXCLUSIVE_LICENSEE = "exclusive_licensee", _("独占被许可人")
    LICENSEE = "licensee", _("普通被许可人")


class AwardLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


class StandardLevel(models.TextChoices):
    INTERNATIONAL = "international", _("国际标准")
    NATIONAL = "national", _("国家标准")
    INDUSTRY = "industry", _("行业标准")


class CertificateKind(models.TextChoices):
    HNTE = "hnte", _("高新技术企业")
    TSME = "tsme", _("科技型中小企业")
    INNOVATIVE_SME = "innovative_sme", _("创新型中小企业")
    SRDI_SME = "srdi_sme", _("专精特新中小企业")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”企业")
    TECH_INNOVATION_SME = "tech_innovation_sme", _("科技和创新型中小企业")
    GAZELLE = "gazelle", _("瞪羚企业")


class IncidentKind(models.TextChoices):
    MAJOR_SAFETY_ACCIDENT = "major_safety_accident", _("重大安全事故")
    MAJOR_QUALITY_ACCIDENT = "major_quality_accident", _("重大质量事故")
    SERIOUS_ENVIRONMENTAL_VIOLATION = "serious_environmental_violation", _("严重环境违法")
    SERIOUS_RESEARCH_MISCONDUCT = "serious_research_misconduct", _("科研严重失信")
    ABNORMAL_OPERATION_LIST = "abnormal_operation_list", _("列入经营异常名录")
    SERIOUS_DISHONESTY_LIST = "serious_dishonesty_list", _("列入严重违法失信名单")


INCIDENT_COLORS = {k: "danger" for k in IncidentKind.values} | {
    IncidentKind.ABNORMAL_OPERATION_LIST: "warning"}


class LoanKind(models.TextChoices):
    CREDIT = "credit", _("信用")
    IP_PLEDGE = "ip_pledge", _("知识产权质押")
    GUARANTEED = "guaranteed", _("保证")
    MORTGAGE = "mortgage", _("抵押")
    OTHER = "other", _("其他")


class LoanStatus(models.TextChoices):
    OUTSTANDING = "outstanding", _("未结清")
    REPAID = "repaid", _("已结清")
    OVERDUE = "overdue", _("逾期")
    WRITTEN_OFF = "written_off", _("已核销")


LOAN_STATUS_COLORS = {LoanStatus.OUTSTANDING: "info", LoanStatus.REPAID: "success",
                      LoanStatus.OVERDUE: "danger", LoanStatus.WRITTEN_OFF: "dark"}


class JudgmentRole(models.TextChoices):
    PLAINTIFF = "plaintiff", _("原告")
    DEFENDANT = "defendant", _("被告")
    THIRD_PARTY = "third_party", _("第三人")


class JudgmentKind(models.TextChoices):
    CIVIL = "civil", _("民事")
    COMMERCIAL = "commercial", _("商事")
    ADMINISTRATIVE = "administrative", _("行政")
    CRIMINAL = "criminal", _("刑事")
    ENFORCEMENT = "enforcement", _("执行")


class PenaltyKind(models.TextChoices):
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收")
    SUSPENSION = "suspension", _("责令停产停业")
    LICENSE_REVOKED = "license_revoked", _("吊销许可证照")
    OTHER = "other", _("其他")


class ConsentPurpose(models.TextChoices):
    CREDIT_ASSESSMENT = "credit_assessment", _("授信评估")
    LOAN_APPLICATION = "loan_application", _("贷款申请")
    GUARANTEE = "guarantee", _("担保审查")
    INSURANCE = "insurance", _("保险承保")
    INVESTMENT = "investment", _("投资尽调")
    SERVICE = "service", _("综合金融服务")
