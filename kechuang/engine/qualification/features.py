"""Derived features: the one feature step both evaluation paths share.

Each feature is defined ONCE as a small expression tree (:class:`Node`, the language in
:mod:`.expr`). The rules only ever read features by name, so a rule
file can name any feature in :data:`FEATURES` and nothing else.

Conventions
- ``None`` / null means unknown and propagates; a ratio with a zero denominator is unknown.
- Counts over lists (IP, awards, certificates …) use three-valued item predicates: an item whose
  attribute is unknown may or may not count. A count feature therefore has a lower value (items that
  surely count) and an upper value (``<name>__hi``: items that may count). A clause whose outcome
  differs between the two is ``unknown``, never a silent ``unmet``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .expr import (AmountSum, And, Held, AvgGrowth2, Cagr2, Cmp, Contains, Count, DaysRegistered, Div, FiscalYears, Growth, HnteGrowth, In, Is, ListLen, Lowest, MarketValue, Node, Not, Or, Pred, Rank, StartsWith, Sub, Sum, Top, WindowSum, Y)
from .schema import IP_TYPES_CLASS_1, IP_TYPES_CLASS_2, Context

# ---------------------------------------------------------------------------------------------
# The catalogue


@dataclass
class Lever:
    """How a feature can be moved by changing one fact (for gap analysis).

    kind ``ratio``: num / den (``subset``: num is part of den, e.g. tech staff of employees);
    ``amount``: the fact itself; ``count``: acquire more items; ``growth``: the latest-year value
    of the fact drives it; ``none``: nothing the enterprise can change in the short run."""

    kind: str
    fact: str | None = None
    den: str | None = None
    subset: bool = False
    integer: bool = False
    what_zh: str = ""
    what_en: str = ""
    #: relative effort of one unit for count levers (an award or a title is harder than a patent)
    weight: float = 1.0


@dataclass
class Feature:
    name: str
    node: Node
    dtype: str  # number | count | bool | string
    title_zh: str
    title_en: str
    unit: str = ""  # "ratio", "yuan", "people", "items", "years", "days", ""
    domain_min: float | None = 0.0
    lever: Lever = field(default_factory=lambda: Lever("none"))

    @property
    def has_range(self) -> bool:
        return isinstance(self.node, Count | AmountSum)


def _ip(*conds: Pred) -> Pred:
    """An IP count's item predicate: the conditions, on items the enterprise still holds."""
    return And(HELD, *conds)


HELD = Held()
GRANTED = Cmp("granted_on", "<=", lambda c: c.as_of)
MAIN = Is("main_product_related")
CLASS1 = In("type", IP_TYPES_CLASS_1)
CLASS2 = In("type", IP_TYPES_CLASS_2)
INVENTION = In("type", ("invention_patent", "defense_patent"))
SELF = In("acquisition", ("self_developed",))
ACQUIRED = In("acquisition", ("transferred", "gifted", "merger"))
# 63号附件1 (S): Ⅱ类 counts when maintained > 2 years after grant; IP transferred in < 1 year excluded.
GRANTED_2Y = Cmp("granted_on", "<=", lambda c: c.years_before(2))
RECENT_TRANSFER = And(In("acquisition", ("transferred",)), Cmp("acquired_on", ">", lambda c: c.years_before(1)))


def _year_window(n: int) -> Pred:
    """Items dated by ``year`` in the last ``n`` years: reference year − n + 1 … as_of.year."""
    return And(Cmp("year", ">=", lambda c: c.ref_year - n + 1), Cmp("year", "<=", lambda c: c.as_of.year))


def _date_window(n: int) -> Pred:
    """Items dated by ``date`` in (as_of − n years, as_of]."""
    return And(Cmp("date", ">", lambda c: c.years_before(n)), Cmp("date", "<=", lambda c: c.as_of))


def _rank_le(k: int) -> Pred:
    return Cmp("rank", "<=", lambda c: k)


def _cert(*kinds: str) -> Node:
    return Count("certificates", And(In("kind", kinds), Cmp("valid_from", "<=", lambda c: c.as_of),
                                     Cmp("valid_to", ">=", lambda c: c.as_of)))


INST_RANK = {"none": 0, "below_municipal": 1, "municipal": 2, "provincial": 3, "national": 4}
TSME_VETO = ("major_safety_accident", "major_quality_accident", "serious_environmental_violation",
             "serious_research_misconduct", "abnormal_operation_list", "serious_dishonesty_list")
HNTE_VETO = ("major_safety_accident", "major_quality_accident", "serious_environmental_violation")


def _ratio(num: str, den: str, k: int = 0, subset: bool = False, integer: bool = False) -> tuple[Node, Lever]:
    return Div(Y(num, k), Y(den, k)), Lever("ratio", f"years[{{y{k}}}].{num}", f"years[{{y{k}}}].{den}",
                                           subset=subset, integer=integer)


def _count_lever(zh: str, en: str, weight: float = 1.0) -> Lever:
    return Lever("count", integer=True, what_zh=zh, what_en=en, weight=weight)


def _catalogue() -> dict[str, Feature]:
    F: list[Feature] = []

    def add(name, node, dtype, zh, en, unit="", domain_min=0.0, lever=None):
        F.append(Feature(name, node, dtype, zh, en, unit, domain_min, lever or Lever("none")))

    # -- scalar facts
    add("resident_enterprise", Top("resident_enterprise"), "bool", "境内注册的居民企业", "resident enterprise registered in mainland China")
    add("restricted_industry", Top("restricted_industry"), "bool", "属于禁止、限制和淘汰类", "in a prohibited/restricted/eliminated category")
    add("hnte_field", Top("hnte_field"), "bool", "核心技术属于国家重点支持的高新技术领域", "core technology in the state-supported high-tech fields")
    add("strategic_emerging", Top("strategic_emerging"), "bool", "主导产品属于战略性新兴产业", "main product in a strategic emerging industry")
    add("star_market_sector", Top("star_market_sector"), "bool", "属于科创板定位行业领域", "in a STAR Market sector")
    add("niche_years", Top("niche_years"), "number", "从事细分市场年限", "years in the niche market", "years",
        lever=Lever("none"))
    add("market_share", Top("market_share"), "number", "细分市场占有率", "niche market share", "ratio")
    add("market_rank_cn", Top("market_rank_cn"), "number", "细分市场全国排名", "national rank in the niche market", "", domain_min=1)
    add("rd_institution_rank", Rank(Top("rd_institution_level"), INST_RANK), "number",
        "研发机构级别（0无 1市级以下 2市级 3省级 4国家级）", "R&D institution level (0 none … 4 national)")
    add("digital_level", Top("digital_level"), "number", "数字化水平等级", "digitalisation level", "", domain_min=1)
    add("quality_items_count", ListLen(Top("quality_items")), "number", "质量管理水平项数", "quality-management items")
    add("has_quality_cert", Contains(Top("quality_items"), "quality_system_cert"), "bool", "通过管理体系认证", "management-system certification")
    add("has_own_brand", Contains(Top("quality_items"), "own_brand"), "bool", "拥有自主品牌", "own brand")
    add("srdi_platform_score", Top("srdi_platform_score"), "number", "专精特新发展评价得分", "SRDI development score (platform)")
    add("region_shandong", StartsWith(Top("region_code"), "37"), "bool", "在山东省注册", "registered in Shandong")
    add("days_registered", DaysRegistered(), "number", "成立天数", "days since registration", "days")
    add("fiscal_years", FiscalYears(full=False), "number", "经营年度数（含成立当年）", "fiscal years incl. the registration year", "years")
    add("full_fiscal_years", FiscalYears(full=True), "number", "完整会计年度数", "full fiscal years", "years")

    # -- reference-year values
    for f, zh, en, unit in (
        ("employees", "职工总数", "employees", "people"),
        ("sales_revenue", "销售收入", "sales revenue", "yuan"),
        ("operating_revenue", "营业收入", "operating revenue", "yuan"),
        ("total_assets", "资产总额", "total assets", "yuan"),
        ("rd_expense", "研发费用", "R&D expense", "yuan"),
    ):
        add(f"{f}_y0", Y(f), "number", f"上年度{zh}", f"{en} (reference year)", unit,
            lever=Lever("amount", f"years[{{y0}}].{f}", integer=unit == "people"))
    add("rd_expense_y1", Y("rd_expense", 1), "number", "前一年度研发费用", "R&D expense (year before)", "yuan",
        lever=Lever("amount", "years[{y1}].rd_expense"))

    n, lv = _ratio("tech_staff", "employees", subset=True, integer=True)
    add("tech_staff_ratio", n, "number", "科技人员占职工总数比例", "tech staff / employees", "ratio", lever=lv)
    n, lv = _ratio("rd_staff", "employees", subset=True, integer=True)
    add("rd_staff_ratio", n, "number", "研发人员占职工总数比例", "R&D staff / employees", "ratio", lever=lv)
    n, lv = _ratio("rd_expense", "sales_revenue")
    add("rd_to_sales", n, "number", "研发费用占销售收入比例", "R&D / sales revenue", "ratio", lever=lv)
    n, lv = _ratio("rd_expense", "cost_expense_total")
    add("rd_to_cost", n, "number", "研发费用占成本费用支出比例", "R&D / total costs and expenses", "ratio", lever=lv)
    n, lv = _ratio("rd_expense", "operating_revenue")
    add("rd_to_oprev", n, "number", "研发费用占营业收入比例", "R&D / operating revenue", "ratio", lever=lv)
    n, lv = _ratio("rd_expense", "operating_revenue", k=1)
    add("rd_to_oprev_y1", n, "number", "前一年度研发费用占营业收入比例", "R&D / operating revenue (year before)", "ratio", lever=lv)
    n, lv = _ratio("main_business_revenue", "operating_revenue")
    add("main_share", n, "number", "主营业务收入占营业收入比例", "main-business / operating revenue", "ratio", lever=lv)
    add("debt_ratio", Div(Y("total_liabilities"), Y("total_assets")), "number", "资产负债率", "debt-to-asset ratio", "ratio",
        lever=Lever("ratio", "years[{y0}].total_liabilities", "years[{y0}].total_assets"))
    add("net_margin", Div(Y("net_profit"), Y("operating_revenue")), "number", "净利润率（净利润÷营业收入）", "net profit margin",
        "ratio", domain_min=None, lever=Lever("ratio", "years[{y0}].net_profit", "years[{y0}].operating_revenue"))
    add("high_tech_income_share",
        Div(Y("high_tech_revenue"), Sub(Y("total_income"), Y("non_taxable_income"))), "number",
        "高新技术产品（服务）收入占总收入比例", "high-tech product/service income / total income", "ratio",
        lever=Lever("ratio", "years[{y0}].high_tech_revenue", "years[{y0}].total_income"))

    # -- look-backs
    add("rd_to_sales_3y_hnte", Div(WindowSum("rd_expense", 3, actual=True), WindowSum("sales_revenue", 3, actual=True)),
        "number", "近三个会计年度研发费用总额占同期销售收入总额比例", "R&D / sales over the last 3 fiscal years", "ratio",
        lever=Lever("ratio", "years[{y0}].rd_expense", "sales_3y"))
    add("rd_domestic_share_3y_hnte",
        Div(WindowSum("rd_expense_domestic", 3, actual=True), WindowSum("rd_expense", 3, actual=True)), "number",
        "境内研发费用占全部研发费用比例（近三年）", "domestic R&D share (last 3 years)", "ratio",
        lever=Lever("ratio", "years[{y0}].rd_expense_domestic", "rd_3y", subset=True))
    add("conversions_avg3_hnte", WindowSum("tech_conversions", 3, actual=True, mean=True), "number",
        "近三年科技成果转化年均数", "average tech conversions per year (last 3 years)", "items",
        lever=Lever("amount", "years[{y0}].tech_conversions", integer=True))
    add("rd_sum_2y", WindowSum("rd_expense", 2), "number", "近两年研发费用总额", "R&D over the last 2 years", "yuan",
        lever=Lever("amount", "years[{y0}].rd_expense"))
    add("rd_avg_2y", WindowSum("rd_expense", 2, mean=True), "number", "近两年研发费用平均数", "average R&D over the last 2 years",
        "yuan", lever=Lever("amount", "years[{y0}].rd_expense"))
    add("rd_sum_3y", WindowSum("rd_expense", 3), "number", "近三年研发费用累计", "R&D over the last 3 years", "yuan",
        lever=Lever("amount", "years[{y0}].rd_expense"))
    add("rd_to_oprev_3y", Div(WindowSum("rd_expense", 3), WindowSum("operating_revenue", 3)), "number",
        "近三年研发投入占营业收入比例", "R&D / operating revenue over the last 3 years", "ratio",
        lever=Lever("ratio", "years[{y0}].rd_expense", "oprev_3y"))
    add("rd_to_oprev_2y", Div(WindowSum("rd_expense", 2), WindowSum("operating_revenue", 2)), "number",
        "近两年研发投入占营业收入比例", "R&D / operating revenue over the last 2 years", "ratio",
        lever=Lever("ratio", "years[{y0}].rd_expense", "oprev_2y"))
    add("main_growth", Growth(Y("main_business_revenue"), Y("main_business_revenue", 1)), "number",
        "上年度主营业务收入增长率", "main-business revenue growth (reference year)", "ratio", domain_min=None,
        lever=Lever("growth", "years[{y0}].main_business_revenue"))
    add("main_growth_avg2", AvgGrowth2(Y("main_business_revenue"), Y("main_business_revenue", 1), Y("main_business_revenue", 2)),
        "number", "近两年主营业务收入平均增长率", "average main-business revenue growth (last 2 years)", "ratio",
        domain_min=None, lever=Lever("growth", "years[{y0}].main_business_revenue"))
    add("oprev_cagr_2p", Cagr2(Y("operating_revenue"), Y("operating_revenue", 2)), "number",
        "营业收入复合增长率（近三个年度，两个增长期）", "operating revenue CAGR (3 years, 2 periods)", "ratio",
        domain_min=-1.0, lever=Lever("growth", "years[{y0}].operating_revenue"))
    add("profit_cagr_2p", Cagr2(Y("net_profit"), Y("net_profit", 2)), "number",
        "净利润复合增长率（近三个年度，两个增长期）", "net profit CAGR (3 years, 2 periods)", "ratio",
        domain_min=-1.0, lever=Lever("growth", "years[{y0}].net_profit"))
    net_assets = tuple(Sub(Y("total_assets", k), Y("total_liabilities", k)) for k in (2, 1, 0))
    add("hnte_net_assets_growth", HnteGrowth(net_assets), "number", "净资产增长率（高企）", "net-asset growth (HNTE)",
        "ratio", domain_min=None, lever=Lever("growth", "years[{y0}].total_assets"))
    add("hnte_sales_growth", HnteGrowth(tuple(Y("sales_revenue", k) for k in (2, 1, 0))), "number",
        "销售收入增长率（高企）", "sales growth (HNTE)", "ratio", domain_min=None,
        lever=Lever("growth", "years[{y0}].sales_revenue"))

    # -- listing standards (科创板 2.1.2, 创业板 2.1.2, 北交所 2.1.3): net profit is the lower of before
    #    and after non-recurring items; market value is the dated estimate (docs/listing.md)
    add("expected_market_value", MarketValue(), "number", "预计市值（一年内估算）", "expected market value (estimated within a year)",
        "yuan", lever=Lever("amount", "expected_market_value"))
    lnp = [Lowest(Y("net_profit", k), Y("net_profit_deducted", k)) for k in (0, 1)]
    add("listing_net_profit_y0", lnp[0], "number", "最近一年净利润（扣非前后孰低）", "net profit, last year (lower of before/after non-recurring items)",
        "yuan", domain_min=None)
    add("listing_net_profit_min_2y", Lowest(*lnp), "number", "最近两年净利润较低者（扣非前后孰低）",
        "lower net profit of the last 2 years (before/after non-recurring items)", "yuan", domain_min=None)
    add("listing_net_profit_sum_2y", Sum(*lnp), "number", "最近两年累计净利润（扣非前后孰低）",
        "cumulative net profit, last 2 years (lower of before/after non-recurring items)", "yuan", domain_min=None)
    add("oprev_avg_2y", WindowSum("operating_revenue", 2, mean=True), "number", "最近两年营业收入平均数",
        "average operating revenue, last 2 years", "yuan", lever=Lever("amount", "years[{y0}].operating_revenue"))
    add("oprev_growth_y0", Growth(Y("operating_revenue"), Y("operating_revenue", 1)), "number", "最近一年营业收入增长率",
        "operating revenue growth, last year", "ratio", domain_min=None, lever=Lever("growth", "years[{y0}].operating_revenue"))
    add("operating_cash_flow_y0", Y("operating_cash_flow"), "number", "最近一年经营活动产生的现金流量净额",
        "net operating cash flow, last year", "yuan", domain_min=None, lever=Lever("amount", "years[{y0}].operating_cash_flow"))
    add("operating_cash_flow_3y", WindowSum("operating_cash_flow", 3), "number", "最近三年经营活动产生的现金流量净额累计",
        "cumulative net operating cash flow, last 3 years", "yuan", domain_min=None,
        lever=Lever("amount", "years[{y0}].operating_cash_flow"))
    add("weighted_roe_y0", Y("weighted_roe"), "number", "最近一年加权平均净资产收益率", "weighted average ROE, last year", "ratio",
        domain_min=None)
    add("weighted_roe_avg_2y", WindowSum("weighted_roe", 2, mean=True), "number", "最近两年加权平均净资产收益率平均",
        "average weighted ROE, last 2 years", "ratio", domain_min=None)

    # -- IP counts (valid = granted on or before as_of; related to the main products)
    def ip(name, pred, zh, en):
        add(name, Count("ip", pred), "count", zh, en, "items", lever=_count_lever(zh, en))

    ip("ip1_main", _ip(CLASS1, MAIN, GRANTED), "与主要产品相关的Ⅰ类知识产权", "Class I IP related to the main products")
    ip("ip2_main", _ip(CLASS2, MAIN, GRANTED), "与主要产品相关的Ⅱ类知识产权", "Class II IP related to the main products")
    ip("ip1_main_self", _ip(CLASS1, MAIN, GRANTED, SELF), "自主研发的Ⅰ类知识产权", "self-developed Class I IP")
    ip("ip1_main_high_value", _ip(CLASS1, MAIN, GRANTED, Is("high_value")), "Ⅰ类高价值知识产权", "high-value Class I IP")
    ip("ip2_main_innov", _ip(CLASS2, MAIN, GRANTED_2Y, Not(RECENT_TRANSFER)),
       "授权满两年的Ⅱ类知识产权（受让满一年）", "Class II IP granted > 2 years ago (transfers > 1 year old)")
    ip("ip_main_any", _ip(Or(CLASS1, CLASS2), MAIN, GRANTED), "与主要产品相关的知识产权", "IP related to the main products")
    ip("ip2_main_unused_hnte", _ip(CLASS2, MAIN, GRANTED, Is("used_in_hnte", False)),
       "未在以往高企认定中使用的Ⅱ类知识产权", "Class II IP not used in an earlier HNTE application")
    ip("ip_main_self_any", _ip(Or(CLASS1, CLASS2), MAIN, GRANTED, SELF), "自主研发的知识产权", "self-developed IP")
    ip("ip_main_acquired_any", _ip(Or(CLASS1, CLASS2), MAIN, GRANTED, ACQUIRED), "受让、受赠、并购取得的知识产权",
       "IP obtained by transfer, gift or merger")
    ip("ip1_main_not_transferred", _ip(CLASS1, MAIN, GRANTED, Not(In("acquisition", ("transferred",)))),
       "非受让取得的Ⅰ类知识产权", "Class I IP not transferred in")
    ip("invention_main", _ip(INVENTION, MAIN, GRANTED), "形成主营业务收入的发明专利", "invention patents in the main business")
    ip("invention_industrializable", _ip(INVENTION, Is("industrializable"), GRANTED),
       "应用于主营业务并能够产业化的发明专利", "invention patents applied in the main business and industrialisable")
    ip("invention_any", _ip(INVENTION, GRANTED), "已授权发明专利", "granted invention patents")
    ip("utility_software_any", _ip(In("type", ("utility_model", "software_copyright")), GRANTED),
       "实用新型专利和软件著作权", "utility models and software copyrights")

    # -- awards, standards, contests, financing, certificates, incidents
    def cnt(name, lst, pred, zh, en):
        weight = 1.0 if lst == "ip" else 10.0
        add(name, Count(lst, pred), "count", zh, en, "items", lever=_count_lever(zh, en, weight))

    nat, prov = In("level", ("national",)), In("level", ("provincial",))
    cnt("awards_nat_top3_5y", "awards", And(nat, _rank_le(3), _year_window(5)), "近五年国家级科技奖励（前三名）", "national S&T award, top 3, last 5 years")
    cnt("awards_nat_prov_3y", "awards", And(Or(nat, prov), _year_window(3)), "近三年国家级或省级科技奖励", "national or provincial S&T award, last 3 years")
    cnt("awards_prov3_nat5_3y", "awards", And(Or(And(prov, _rank_le(3)), And(nat, _rank_le(5))), _year_window(3)),
        "近三年省级科技奖励前三名或国家级前五名", "provincial award top 3 or national top 5, last 3 years")
    cnt("awards_nat_top3_3y", "awards", And(nat, _rank_le(3), _year_window(3)), "近三年国家级科技奖励（前三名）", "national S&T award, top 3, last 3 years")
    cnt("awards_prov_plus_top3_3y", "awards", And(Or(nat, prov), _rank_le(3), _year_window(3)),
        "近三年省级以上科技奖励（前三名）", "provincial-or-higher S&T award, top 3, last 3 years")
    cnt("awards_nat_any", "awards", nat, "国家科技奖励", "national S&T award")
    std_lvl = In("level", ("international", "national", "industry"))
    cnt("standards_led_top5_5y", "standards_led", And(std_lvl, _rank_le(5), _year_window(5)), "近五年主导制定国际、国家或行业标准",
        "led an international/national/industry standard, last 5 years")
    cnt("standards_led_top5", "standards_led", And(std_lvl, _rank_le(5)), "主导制定国际、国家或行业标准", "led an international/national/industry standard")
    cnt("standards_any_3y", "standards_led", And(In("level", ("national", "industry")), _year_window(3)),
        "近三年参与编制国家或行业标准", "took part in a national or industry standard, last 3 years")
    cnt("maker_top500_3y", "maker_china", And(In("top", (50, 500)), _year_window(3)), "近三年创客中国全国500强", "Maker China national top 500, last 3 years")
    cnt("maker_top50_3y", "maker_china", And(In("top", (50,)), _year_window(3)), "近三年创客中国全国50强", "Maker China national top 50, last 3 years")
    for n_years in (2, 3):
        add(f"equity_qualified_{n_years}y",
            AmountSum("equity_financing", "amount", And(Is("qualified_investor"), _date_window(n_years))), "number",
            f"近{n_years}年合格机构投资者实缴股权融资", f"qualified equity financing paid in, last {n_years} years", "yuan",
            lever=Lever("amount", "equity_financing"))
    cnt("cert_hnte_valid", "certificates", And(In("kind", ("hnte",)), Cmp("valid_from", "<=", lambda c: c.as_of), Cmp("valid_to", ">=", lambda c: c.as_of)),
        "有效期内的高新技术企业证书", "valid HNTE certificate")
    add("cert_srdi_sme_valid", _cert("srdi_sme"), "count", "有效期内的专精特新中小企业称号", "valid SRDI SME title", "items",
        lever=_count_lever("专精特新中小企业称号", "SRDI SME title", 10.0))
    add("cert_tier1_valid", _cert("tsme", "innovative_sme", "tech_innovation_sme"), "count",
        "有效期内的科技和创新型中小企业（含科技型、创新型）", "valid tech/innovative SME status", "items",
        lever=_count_lever("科技和创新型中小企业资格", "tech/innovative SME status", 10.0))
    cnt("incidents_tsme_2y", "incidents", And(In("kind", TSME_VETO), Cmp("date", ">=", lambda c: dt.date(c.as_of.year - 1, 1, 1)),
                                 Cmp("date", "<=", lambda c: c.as_of)),
        "申报当年及前一年的重大事故、违法、失信或异常经营记录", "incidents in the filing year and the year before")
    cnt("incidents_hnte_1y", "incidents", And(In("kind", HNTE_VETO), _date_window(1)),
        "申请前一年内重大安全、质量事故或严重环境违法", "major safety/quality accident or serious environmental violation in the past year")
    return {f.name: f for f in F}


FEATURES: dict[str, Feature] = _catalogue()


def fact_path(template: str, ctx: Context) -> str:
    """Fill the year placeholders of a fact template (``years[{y0}].employees`` → ``years[2025]…``)."""
    return template.format(y0=ctx.year_of(0), y1=ctx.year_of(1), y2=ctx.year_of(2))


def compute_row(row: dict[str, Any], ctx: Context, names: list[str]) -> dict[str, Any]:
    """Features of one row (``<name>__hi`` for the upper bound of list counts)."""
    out: dict[str, Any] = {}
    for name in names:
        node = FEATURES[name].node
        if isinstance(node, Count | AmountSum):
            out[name], out[f"{name}__hi"] = node.py_range(row, ctx)
        else:
            out[name] = node.py(row, ctx)
    return out


def feature_exprs(ctx: Context, names: list[str]) -> list[pl.Expr]:
    """The same features as Polars expressions (on a frame prepared by ``sanitise_frame``)."""
    exprs = []
    for name in names:
        node = FEATURES[name].node
        if isinstance(node, Count | AmountSum):
            lo, hi = node.pl_range(ctx)
            exprs += [lo.alias(name), hi.alias(f"{name}__hi")]
        else:
            exprs.append(node.pl(ctx).alias(name))
    return exprs
