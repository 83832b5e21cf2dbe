"""The theme database (主题数据库) of tech enterprises.

An :class:`Enterprise` is the identity (统一社会信用代码) plus a summary of what is currently known,
kept for fast lists and filters. The facts themselves live in one table per section of the
interchange standard (``profile``, ``years``, ``ip`` …), as **versions per source**:

- each row says what one source (a feed, a person, an institution) told us about one item
  (``key``: the year, the patent number …) in one :class:`SourceBatch`;
- ``recorded_at`` is when the platform learned it, ``superseded_at`` when the same source told us
  something else (``NULL`` while current).  Rows are never updated otherwise and never deleted.

So every value keeps its source, and "what did we know about this enterprise on date D" is the set
of rows with ``recorded_at <= D < superseded_at``, merged across sources (selectors.facts_as_of).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.access import VIEW, RestrictedQuerySet, own_enterprise_id

from . import choices as c

#: The built-in sources' names as created (``ingest.services.default_source``), shown in the
#: request's language while unchanged; a renamed source shows its own name.
BUILTIN_SOURCE_NAMES = {"synthetic-demo": "合成演示数据（非真实企业）", "file-upload": "文件导入"}
_BUILTIN_SOURCE_LABELS = {"synthetic-demo": _("合成演示数据（非真实企业）"), "file-upload": _("文件导入")}
_BUILTIN_BY_NAME = {name: _BUILTIN_SOURCE_LABELS[code] for code, name in BUILTIN_SOURCE_NAMES.items()}


def source_label(name: str | None) -> str | None:
    """A source's name as stored with a fact: the built-in sources' in the request's language,
    any other as it was registered."""
    return str(_BUILTIN_BY_NAME[name]) if name in _BUILTIN_BY_NAME else name

AMOUNT = {"max_digits": 20, "decimal_places": 2, "null": True, "blank": True}
RATIO = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


class DataSource(models.Model):
    """Where facts come from: a government feed (税务、市场监管、科技、人社、法院 …), a person's
    manual entry, a reporting institution, or the synthetic demo generator."""

    code = models.SlugField(_("来源代码"), max_length=50, unique=True)
    name = models.CharField(_("来源名称"), max_length=100)
    kind = models.CharField(_("来源类型"), max_length=12, choices=c.SourceKind.choices)
    department = models.CharField(_("提供部门"), max_length=100, blank=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据来源")
        verbose_name_plural = _("数据来源")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if BUILTIN_SOURCE_NAMES.get(self.code) == self.name:
            return str(_BUILTIN_SOURCE_LABELS[self.code])
        return self.name


class SourceBatch(models.Model):
    """One delivery of facts from a source: an imported file, a feed pull, a manual edit."""

    source = models.ForeignKey("enterprises.DataSource", verbose_name=_("数据来源"),
                               on_delete=models.PROTECT, related_name="batches")
    recorded_at = models.DateTimeField(_("入库时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(_("操作人标识"), max_length=150)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("文件SHA-256"), max_length=64, blank=True, db_index=True)
    file_format = models.CharField(_("文件格式"), max_length=10, blank=True)
    mode = models.CharField(_("导入方式"), max_length=10, choices=c.ImportMode.choices,
                            default=c.ImportMode.UPSERT)
    status = models.CharField(_("状态"), max_length=12, choices=c.BatchStatus.choices,
                              default=c.BatchStatus.VALIDATING)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_valid = models.PositiveIntegerField(_("有效行数"), default=0)
    rows_quarantined = models.PositiveIntegerField(_("隔离行数"), default=0)
    enterprises_created = models.PositiveIntegerField(_("新增企业"), default=0)
    facts_inserted = models.PositiveIntegerField(_("新增事实版本"), default=0)
    facts_superseded = models.PositiveIntegerField(_("被替代事实版本"), default=0)
    facts_unchanged = models.PositiveIntegerField(_("未变化事实"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("数据批次")
        verbose_name_plural = _("数据批次")

    def __str__(self) -> str:
        return f"{self.source} #{self.pk} {self.file_name}".strip()


#: Certificate kinds with a partial index on the enterprise table (short names fit index names).
_CERTIFICATE_INDEXES = {"hnte": "hnte", "tsme": "tsme", "innovative_sme": "innov", "srdi_sme": "srdi",
                        "little_giant": "giant", "tech_innovation_sme": "tisme", "gazelle": "gazelle"}


class EnterpriseQuerySet(RestrictedQuerySet):
    """Enterprises through the one access rule (:mod:`kechuang.accounts.access`): a regulator sees
    its region, a financial institution the enterprises whose active consent it holds (an
    application to it carries one), an enterprise itself. Viewers never change anything;
    institutions never change enterprise facts."""

    access_enterprise = ""
    access_region = "region_code"

    def market_entities(self):
        """Those registered by market regulation (GB 32100-2015 registration authority code 9:
        companies, sole proprietorships, partnerships, cooperatives); a university or institute
        (code 1, 机构编制) holds IP in the theme database but is not an enterprise that can list."""
        return self.filter(uscc__startswith="9")


class Enterprise(models.Model):
    """An enterprise of the region, identified by its 统一社会信用代码, with a summary of what is
    currently known (refreshed by every load; the facts themselves are in the section tables)."""

    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    name = models.CharField(_("企业名称"), max_length=200)
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)
    # Indexed by (region_code, uscc) below; lists filter by district and page in code order.
    region_code = models.CharField(_("区划代码"), max_length=6, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, blank=True)
    # Summary of the latest fiscal year and portfolio, for lists and filters.
    latest_year = models.PositiveSmallIntegerField(_("最新年度"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("职工总数"), null=True, blank=True)
    operating_revenue = models.DecimalField(_("营业收入（元）"), **AMOUNT)
    rd_ratio = models.DecimalField(_("研发费用占比"), **RATIO)
    ip_class1_count = models.PositiveIntegerField(_("Ⅰ类知识产权数"), default=0)
    ip_total_count = models.PositiveIntegerField(_("知识产权总数"), default=0)
    certificates = models.CharField(
        _("有效资质"), max_length=200, blank=True,
        help_text=_("当前有效的资质，以逗号分隔并首尾带逗号（如 “,hnte,tsme,”），便于在任何数据库上筛选"))
    adverse_count = models.PositiveIntegerField(_("不良记录数"), default=0,
                                                help_text=_("未移出的失信、经营异常名单及逾期贷款、行政处罚数"))
    is_synthetic = models.BooleanField(_("合成演示数据"), default=False)
    created_at = models.DateTimeField(_("建档时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["uscc"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        # Lists filter by district and page in code order: one index serves both, so a page of a
        # million-enterprise region is an index range scan, not a sort. A constraint and plain
        # indexes rather than unique=/db_index=, which on PostgreSQL add a second pattern-ops
        # index per column that every one of a million inserted rows would maintain.
        constraints = [models.UniqueConstraint(fields=["uscc"], name="enterprise_uscc_unique",
                                               violation_error_message=_("统一社会信用代码已存在。"))]
        # The certificate filter (``certificates LIKE '%,hnte,%'``) gets a partial index per kind:
        # each holds only the certified enterprises, so "the 高企 of a district" reads those and
        # counting them does not walk every enterprise of the district.
        indexes = [models.Index(fields=["region_code", "uscc"], name="enterprise_region_uscc_idx"),
                   models.Index(fields=["industry_code"], name="enterprise_industry_idx"),
                   *(models.Index(fields=["region_code", "uscc"], name=f"ent_cert_{short}_idx",
                                  condition=Q(certificates__contains=f",{kind},"))
                     for kind, short in _CERTIFICATE_INDEXES.items())]

    def __str__(self) -> str:
        return f"{self.name}（{self.uscc}）"

    @property
    def certificate_kinds(self) -> list[str]:
        return [k for k in self.certificates.split(",") if k]


class FactVersion(models.Model):
    """What one source said about one item of one enterprise, valid in transaction time from
    ``recorded_at`` until ``superseded_at``.

    Text fact columns are nullable on purpose: in the interchange standard ``null`` means "not
    known", which an empty string would blur."""

    # Every read starts from an enterprise, and each index costs every one of the millions of rows
    # a regional load inserts (docs/benchmarks.md). So ``enterprise`` leads two partial indexes:
    # the unique one over current versions and one over superseded versions, which a new row
    # never enters; as-of reads combine them.
    #
    # The four references carry no database foreign-key constraint (``db_constraint=False``): the
    # only writer of these tables is ``loading.FactLoader``, which takes the batch and source from
    # the batch it loads and enterprise ids from the rows it creates in the same transaction or
    # joins from the enterprise table, and enterprises, sources and batches are never deleted
    # (``PROTECT``). A constraint would re-check each of the millions of rows of a regional load
    # one by one at commit — about a third of a million-enterprise import (docs/benchmarks.md).
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("企业"),
                                   on_delete=models.PROTECT, related_name="+", db_index=False,
                                   db_constraint=False)
    source = models.ForeignKey("enterprises.DataSource", verbose_name=_("数据来源"),
                               on_delete=models.PROTECT, related_name="+", db_index=False,
                               db_constraint=False)
    batch = models.ForeignKey("enterprises.SourceBatch", verbose_name=_("数据批次"),
                              on_delete=models.PROTECT, related_name="+", db_index=False,
                              db_constraint=False)
    key = models.CharField(_("条目标识"), max_length=64)
    content_hash = models.CharField(_("内容哈希"), max_length=32)
    recorded_at = models.DateTimeField(_("入库时间"))
    superseded_at = models.DateTimeField(_("被替代时间"), null=True, blank=True)
    superseded_by = models.ForeignKey("enterprises.SourceBatch", verbose_name=_("替代批次"),
                                      null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", db_index=False, db_constraint=False)

    #: The interchange standard's section this table holds.
    section: str = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        state = "current" if self.superseded_at is None else "superseded"
        return f"{self.section}:{self.key} of enterprise {self.enterprise_id} ({state})"

    @classmethod
    def current_constraint(cls, name: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(
            fields=["enterprise", "source", "key"], condition=Q(superseded_at__isnull=True),
            name=name, violation_error_message=_("同一来源的同一条目只能有一个当前版本。"))


def _fact_meta(model_name: str, verbose: str, ordering: list[str]):
    """Meta options every fact table shares: one current version per (enterprise, source, key),
    and the history of each enterprise by a partial index over superseded versions."""
    return type("Meta", (), {
        "ordering": ordering,
        "verbose_name": verbose,
        "verbose_name_plural": verbose,
        "constraints": [FactVersion.current_constraint(f"{model_name}_one_current")],
        "indexes": [models.Index(fields=["enterprise"], condition=Q(superseded_at__isnull=False),
                                 name=f"{model_name[:22]}_hist_idx")],
    })


class ProfileFact(FactVersion):
    """Top-level facts (企业基本信息) of an enterprise from one source."""

    section = "profile"
    name = models.CharField(_("企业名称"), max_length=200, null=True, blank=True)
    registered_on = models.DateField(_("成立日期"), null=True, blank=True)
    region_code = models.CharField(_("区划代码"), max_length=6, null=True, blank=True)
    industry_code = models.CharField(_("行业代码"), max_length=5, null=True, blank=True)
    resident_enterprise = models.BooleanField(_("居民企业"), null=True, blank=True)
    restricted_industry = models.BooleanField(_("属于禁止、限制和淘汰类"), null=True, blank=True)
    hnte_field = models.BooleanField(_("属于国家重点支持的高新技术领域"), null=True, blank=True)
    strategic_emerging = models.BooleanField(_("属于战略性新兴产业"), null=True, blank=True)
    star_market_sector = models.BooleanField(_("属于科创板定位行业领域"), null=True, blank=True)
    niche_years = models.DecimalField(_("从事细分市场年限"), max_digits=6, decimal_places=2, null=True, blank=True)
    market_share = models.DecimalField(_("细分市场占有率"), **RATIO)
    market_rank_cn = models.PositiveIntegerField(_("全国细分市场排名"), null=True, blank=True)
    rd_institution_level = models.CharField(_("研发机构级别"), max_length=20, null=True, blank=True,
                                            choices=c.RdInstitutionLevel.choices)
    digital_level = models.PositiveSmallIntegerField(_("数字化水平等级"), null=True, blank=True)
    quality_items = models.JSONField(_("质量与品牌"), null=True, blank=True)
    srdi_platform_score = models.DecimalField(_("专精特新发展评价得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    expert_scores = models.JSONField(_("专家评分"), null=True, blank=True)
    registered_capital = models.DecimalField(_("注册资本（元）"), **AMOUNT)
    expected_market_value = models.DecimalField(_("预计市值（元）"), **AMOUNT)
    market_value_basis = models.CharField(_("市值估算依据"), max_length=30, null=True, blank=True,
                                          choices=c.MarketValueBasis.choices)
    market_value_date = models.DateField(_("市值估算日期"), null=True, blank=True)
    reported_sections = models.CharField(
        _("报送的列表"), max_length=300, default="", blank=True,
        help_text=_("该来源本次报送了哪些列表（如 “,incidents,ip,”）：报送为空列表表示“确认没有”，"
                    "未报送表示“未知”，二者不能混为一谈。"))

    Meta = _fact_meta("profilefact", _("企业基本信息"), ["enterprise", "-recorded_at"])


class AnnualFact(FactVersion):
    """Facts of one fiscal year (年度数据) from one source; ``key`` is the year."""

    section = "years"
    year = models.PositiveSmallIntegerField(_("年度"))
    employees = models.PositiveIntegerField(_("职工总数"), null=True, blank=True)
    tech_staff = models.PositiveIntegerField(_("科技人员数"), null=True, blank=True)
    rd_staff = models.PositiveIntegerField(_("研发人员数"), null=True, blank=True)
    operating_revenue = models.DecimalField(_("营业收入"), **AMOUNT)
    main_business_revenue = models.DecimalField(_("主营业务收入"), **AMOUNT)
    sales_revenue = models.DecimalField(_("销售收入"), **AMOUNT)
    total_income = models.DecimalField(_("收入总额"), **AMOUNT)
    non_taxable_income = models.DecimalField(_("不征税收入"), **AMOUNT)
    high_tech_revenue = models.DecimalField(_("高新技术产品（服务）收入"), **AMOUNT)
    rd_expense = models.DecimalField(_("研发费用总额"), **AMOUNT)
    rd_expense_domestic = models.DecimalField(_("境内研发费用"), **AMOUNT)
    cost_expense_total = models.DecimalField(_("成本费用支出总额"), **AMOUNT)
    total_assets = models.DecimalField(_("资产总额"), **AMOUNT)
    total_liabilities = models.DecimalField(_("负债总额"), **AMOUNT)
    net_profit = models.DecimalField(_("净利润"), **AMOUNT)
    tech_conversions = models.PositiveIntegerField(_("科技成果转化数"), null=True, blank=True)
    tax_credit_grade = models.CharField(_("纳税信用等级"), max_length=1, null=True, blank=True,
                                        choices=c.TaxCreditGrade.choices)
    social_insurance_headcount = models.PositiveIntegerField(_("社保缴纳人数"), null=True, blank=True)
    tax_paid = models.DecimalField(_("纳税总额"), **AMOUNT)
    high_level_talent = models.PositiveIntegerField(_("高层次人才数"), null=True, blank=True)
    net_profit_deducted = models.DecimalField(_("扣除非经常性损益后的净利润"), **AMOUNT)
    operating_cash_flow = models.DecimalField(_("经营活动产生的现金流量净额"), **AMOUNT)
    weighted_roe = models.DecimalField(_("加权平均净资产收益率"), max_digits=9, decimal_places=6, null=True, blank=True)

    Meta = _fact_meta("annualfact", _("年度数据"), ["enterprise", "year", "-recorded_at"])


class IPFact(FactVersion):
    """An intellectual-property item (知识产权); ``key`` is its number when known."""

    section = "ip"
    type = models.CharField(_("类型"), max_length=30, choices=c.IPType.choices)
    number = models.CharField(_("专利号/登记号"), max_length=50, null=True, blank=True)
    title = models.CharField(_("名称"), max_length=200, null=True, blank=True)
    granted_on = models.DateField(_("授权日期"), null=True, blank=True)
    acquisition = models.CharField(_("获得方式"), max_length=20, null=True, blank=True, choices=c.IPAcquisition.choices)
    acquired_on = models.DateField(_("受让日期"), null=True, blank=True)
    main_product_related = models.BooleanField(_("与主营产品相关"), null=True, blank=True)
    industrializable = models.BooleanField(_("可产业化"), null=True, blank=True)
    high_value = models.BooleanField(_("Ⅰ类高价值"), null=True, blank=True)
    used_in_hnte = models.BooleanField(_("已用于高企认定"), null=True, blank=True)
    pledged = models.BooleanField(_("已质押"), null=True, blank=True)
    pledged_on = models.DateField(_("质押日期"), null=True, blank=True)
    filed_on = models.DateField(_("申请日"), null=True, blank=True)
    expires_on = models.DateField(_("届满日期"), null=True, blank=True)
    claims = models.PositiveIntegerField(_("权利要求数"), null=True, blank=True)
    citations = models.PositiveIntegerField(_("被引用次数"), null=True, blank=True)
    family_size = models.PositiveIntegerField(_("同族专利数"), null=True, blank=True)
    litigations = models.PositiveIntegerField(_("涉诉及无效案件数"), null=True, blank=True)
    licences = models.PositiveIntegerField(_("许可次数"), null=True, blank=True)
    attributable_revenue = models.DecimalField(_("专利产品年收入"), **AMOUNT)
    held_as = models.CharField(_("持有方式"), max_length=20, null=True, blank=True, choices=c.IPHolding.choices)
    transferred_out_on = models.DateField(_("转出日期"), null=True, blank=True)

    Meta = _fact_meta("ipfact", _("知识产权"), ["enterprise", "-granted_on"])


class EquityFinancingFact(FactVersion):
    """New equity financing actually paid in (股权融资)."""

    section = "equity_financing"
    date = models.DateField(_("日期"), null=True, blank=True)
    amount = models.DecimalField(_("金额"), **AMOUNT)
    qualified_investor = models.BooleanField(_("合格投资者"), null=True, blank=True)

    Meta = _fact_meta("equityfinancingfact", _("股权融资"), ["enterprise", "-date"])


class AwardFact(FactVersion):
    """A science and technology award (科技奖励)."""

    section = "awards"
    level = models.CharField(_("级别"), max_length=12, choices=c.AwardLevel.choices, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("完成单位排名"), null=True, blank=True)

    Meta = _fact_meta("awardfact", _("科技奖励"), ["enterprise", "-year"])


class StandardLedFact(FactVersion):
    """A standard the enterprise drafted (标准制定)."""

    section = "standards_led"
    level = models.CharField(_("级别"), max_length=15, choices=c.StandardLevel.choices, null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("起草单位排名"), null=True, blank=True)

    Meta = _fact_meta("standardledfact", _("标准制定"), ["enterprise", "-year"])


class MakerChinaFact(FactVersion):
    """A national-group result in the 创客中国 SME contest."""

    section = "maker_china"
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    top = models.PositiveSmallIntegerField(_("名次档"), null=True, blank=True)

    Meta = _fact_meta("makerchinafact", _("创客中国"), ["enterprise", "-year"])


class CertificateFact(FactVersion):
    """A qualification certificate (资质证书) with its validity window."""

    section = "certificates"
    kind = models.CharField(_("资质类型"), max_length=20, choices=c.CertificateKind.choices, null=True, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期止"), null=True, blank=True)

    Meta = _fact_meta("certificatefact", _("资质证书"), ["enterprise", "-valid_from"])


class IncidentFact(FactVersion):
    """An adverse event or listing (不良事件): accidents, violations, 失信 and 经营异常 listings."""

    section = "incidents"
    kind = models.CharField(_("事件类型"), max_length=40, choices=c.IncidentKind.choices, null=True, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)

    Meta = _fact_meta("incidentfact", _("不良事件"), ["enterprise", "-date"])


class LoanFact(FactVersion):
    """A loan and its repayment record (贷款记录); ``key`` is the contract number."""

    section = "loans"
    contract_number = models.CharField(_("合同编号"), max_length=64)
    lender = models.CharField(_("贷款机构"), max_length=100, null=True, blank=True)
    kind = models.CharField(_("担保方式"), max_length=12, null=True, blank=True, choices=c.LoanKind.choices)
    amount = models.DecimalField(_("金额"), **AMOUNT)
    start_on = models.DateField(_("发放日期"), null=True, blank=True)
    due_on = models.DateField(_("到期日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, null=True, blank=True, choices=c.LoanStatus.choices)
    max_overdue_days = models.PositiveIntegerField(_("最长逾期天数"), null=True, blank=True)
    overdue_amount = models.DecimalField(_("逾期金额"), **AMOUNT)

    Meta = _fact_meta("loanfact", _("贷款记录"), ["enterprise", "-start_on"])


class JudgmentFact(FactVersion):
    """A court judgment (裁判文书) naming the enterprise; ``key`` is the case number."""

    section = "judgments"
    case_number = models.CharField(_("案号"), max_length=64)
    decided_on = models.DateField(_("裁判日期"), null=True, blank=True)
    role = models.CharField(_("诉讼地位"), max_length=12, null=True, blank=True, choices=c.JudgmentRole.choices)
    kind = models.CharField(_("案件类型"), max_length=15, null=True, blank=True, choices=c.JudgmentKind.choices)
    amount = models.DecimalField(_("涉案金额"), **AMOUNT)

    Meta = _fact_meta("judgmentfact", _("裁判文书"), ["enterprise", "-decided_on"])


class PenaltyFact(FactVersion):
    """An administrative penalty (行政处罚); ``key`` is the decision document number."""

    section = "penalties"
    document_number = models.CharField(_("决定书文号"), max_length=64)
    decided_on = models.DateField(_("处罚日期"), null=True, blank=True)
    authority = models.CharField(_("处罚机关"), max_length=100, null=True, blank=True)
    kind = models.CharField(_("处罚类型"), max_length=16, null=True, blank=True, choices=c.PenaltyKind.choices)
    amount = models.DecimalField(_("罚没金额"), **AMOUNT)

    Meta = _fact_meta("penaltyfact", _("行政处罚"), ["enterprise", "-decided_on"])


#: Section name of the interchange standard → the table that holds it.
FACT_MODELS: dict[str, type[FactVersion]] = {m.section: m for m in (
    ProfileFact, AnnualFact, IPFact, EquityFinancingFact, AwardFact, StandardLedFact,
    MakerChinaFact, CertificateFact, IncidentFact, LoanFact, JudgmentFact, PenaltyFact)}


class ConsentQuerySet(RestrictedQuerySet):
    """Consents through the one access rule: the enterprise sees its own, the organisation holding
    one sees it, a regulator those of its region's enterprises. Consent itself opens nothing here
    (a consent is not read under a consent)."""

    access_enterprise = "enterprise"
    access_orgs = ("organization",)
    access_consent = False

    def restrict(self, user, action: str = VIEW):
        """As the rule says for reading; changing (revoking) a consent is the enterprise's own act,
        so the holder and the regulator, who read it, do not reach it for a change."""
        qs = super().restrict(user, action)
        if action == VIEW or getattr(user, "is_superuser", False):
            return qs
        own = own_enterprise_id(user)
        return qs.filter(enterprise_id=own) if own else qs.none()

    def active(self, at=None):
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=at, valid_until__gt=at)


class Consent(models.Model):
    """An enterprise's authorisation (授权) for an organisation to see its profile, for a purpose
    and a period; it ends at ``valid_until`` or when revoked. Every read made under it is audited
    with its id, so the enterprise can trace who looked and why."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("授权企业"),
                                   on_delete=models.PROTECT, related_name="consents")
    organization = models.ForeignKey("accounts.Organization", verbose_name=_("被授权机构"),
                                     on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("授权用途"), max_length=20, choices=c.ConsentPurpose.choices)
    valid_from = models.DateTimeField(_("生效时间"), default=timezone.now)
    valid_until = models.DateTimeField(_("到期时间"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("授权人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("数据授权")
        verbose_name_plural = _("数据授权")
        constraints = [
            models.CheckConstraint(name="consent_period_positive",
                                   condition=Q(valid_until__gt=models.F("valid_from")),
                                   violation_error_message=_("到期时间必须晚于生效时间。")),
        ]
        indexes = [models.Index(fields=["organization", "enterprise"], name="consent_org_ent_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} → {self.organization} ({self.get_purpose_display()})"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.valid_from <= at < self.valid_until


