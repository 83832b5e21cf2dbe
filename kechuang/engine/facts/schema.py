"""The enterprise-facts interchange standard as data: the single source of truth.

Every reader, writer, the validator and the JSON Schema are generated from :data:`SECTIONS`, so a
field is declared once, here. The standard (``/work/shared/data-standard/enterprise-facts.md``,
v1) is the contract: its fields keep their names and meanings; fields marked ``extension=True``
are the platform's optional additions (see ``docs/data-standard-extensions.md``).

A *section* is the top level of a record (``profile``, one row per enterprise) or one of its lists
(``years``, ``ip`` …). In Excel a section is a sheet named by ``label_zh``; in CSV a file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

SCHEMA_VERSION = "1.3"

FIELD_TYPES = frozenset(
    {"string", "date", "bool", "integer", "amount", "number", "ratio", "enum", "enum_list",
     "year", "object"}
)

#: The smallest year accepted in ``year`` fields (and the earliest date: enterprises older than
#: this exist, but a fiscal year or award before it is a typing error).
MIN_YEAR = 1900
#: Amounts are yuan with two decimals; anything at or above 10^15 yuan is a unit or typing error
#: (and would not fit the ``numeric(17, 2)`` columns of the store).
AMOUNT_LIMIT = 10**15
#: Counts (headcounts, days, ranks) must fit a 32-bit integer column; more is a typing error.
INTEGER_MAX = 2**31 - 1

#: Chinese name of each type, used in messages and the 说明 sheet.
TYPE_LABELS_ZH = {
    "string": "文本", "date": "日期", "bool": "是/否", "integer": "整数", "amount": "金额（元）",
    "number": "数值", "ratio": "比例", "enum": "选项", "enum_list": "多选项", "year": "年份",
    "object": "JSON 对象",
}
TYPE_LABELS_EN = {
    "string": "text", "date": "a date", "bool": "yes/no", "integer": "an integer",
    "amount": "an amount in yuan", "number": "a number", "ratio": "a fraction 0..1",
    "enum": "one of the choices", "enum_list": "a list of choices", "year": "a year",
    "object": "a JSON object",
}


#: The English of every field and section help of the standard, by its Chinese help (like
#: CHOICE_LABELS_EN: the second language travels with the data). A test keeps it complete.
HELP_EN: dict[str, str] = {
    "18位，第18位为 GB 32100-2015 校验码。":
        "18 characters; the 18th is the GB 32100-2015 check character.",
    "6位数字，GB/T 2260，如 370112。":
        "6 digits, GB/T 2260, e.g. 370112.",
    "GB/T 4754-2017 门类字母加代码，如 I6513。":
        "GB/T 4754-2017 section letter and code, e.g. I6513.",
    "专利号、登记号或证书号；填写后作为该项知识产权的唯一标识。":
        "Patent, registration or certificate number; once filled in, it identifies the IP item.",
    "主导产品在细分市场的占有率，填 0.12 或 12%。":
        "Market share of the main product in its niche market: 0.12 or 12%.",
    "主导产品属于《战略性新兴产业分类》。":
        "The main product is in the Strategic Emerging Industries Classification.",
    "事件发生或列入名录的日期。":
        "Date of the event or of the listing.",
    "亏损填负数。":
        "A loss is a negative number.",
    "产品（服务）属于国家规定的禁止、限制和淘汰类。":
        "Products (services) in the state's prohibited, restricted or phase-out categories.",
    "借款合同编号，同一企业内唯一。":
        "Loan contract number, unique within the enterprise.",
    "受让、受赠或并购取得的日期。":
        "Date acquired by transfer, gift or merger.",
    "可多选，用顿号（、）或逗号分隔。":
        "Several allowed, separated by 、 or commas.",
    "国家平台当年计算的专精特新发展评价得分。":
        "SRDI development score computed by the national platform for the year.",
    "在中国境内发生的研发费用。":
        "R&D expenses incurred in mainland China.",
    "在中国境内（不含港、澳、台地区）注册的居民企业。":
        "Resident enterprise registered in mainland China (not Hong Kong, Macao or Taiwan).",
    "在职、兼职、临时聘用人员；兼职、临时聘用人员全年须在企业累计工作183天以上。":
        "Full-time, part-time and temporary staff; part-time and temporary staff must work 183 days or more in the year.",
    "实际到账的新增股权融资。":
        "New equity financing actually received.",
    "年末数。":
        "Year-end figure.",
    "年末缴纳社会保险的职工人数。":
        "Employees covered by social insurance at year end.",
    "总收入 = 收入总额 − 不征税收入。":
        "Total income = gross income − non-taxable income.",
    "截至上年度末从事特定细分市场的年限。":
        "Years in the niche market up to the end of last year.",
    "数字化水平一级至四级，填 1–4。":
        "Digitalisation level 1 to 4: enter 1–4.",
    "有海外同族专利、维持年限超过10年、实现较高质押融资金额或获得国家级科技奖励。":
        "Has foreign family patents, has been maintained over 10 years, raised a high pledge financing amount or won a national science award.",
    "核心技术属于《国家重点支持的高新技术领域》。":
        "The core technology is in the State-Supported High-Tech Fields.",
    "格式 2015-06-30。新建企业时必填。":
        "Format 2015-06-30. Required for a new enterprise.",
    "每个企业每个年度一行。":
        "One row per enterprise and year.",
    "每份处罚决定书一行。":
        "One row per penalty decision.",
    "每份裁判文书一行。":
        "One row per court judgement.",
    "每项知识产权一行。":
        "One row per IP item.",
    "不填视为权利人；通过许可取得的条目为被许可人，不能用于质押或再转让。":
        "Blank means owner; an item obtained under a licence is held as licensee and cannot be pledged or sold.",
    "该项知识产权转让或作价入股给他人的日期；填写后本企业不再持有。":
        "When the item was transferred or contributed as equity to another party; from then on the enterprise no longer holds it.",
    "科创属性评价口径。":
        "As defined for the sci-tech attribute evaluation.",
    "移出名录（解除列入）或股权解冻的日期；仍在名录中或仍被冻结则留空。":
        "Date removed from the list or the equity unfrozen; empty while still listed or frozen.",
    "经认定的各级高层次人才人数。":
        "Recognised high-level talents at every level.",
    "营业执照上的全称。新建企业时必填；只补充年度等数据时可留空。":
        "Full name on the business licence. Required for a new enterprise; may be empty when only adding yearly data.",
    "银行的信贷视图和评级模型使用；每笔贷款一行。":
        "Used by banks' credit view and rating models; one row per loan.",
    "销售收入 = 主营业务收入 + 其他业务收入。":
        "Sales revenue = main business revenue + other business revenue.",
    "专家对数据无法判定的条款的评分，JSON 对象，键为评价条款编号，如 {\"hnte.tech_advance\": 20}。":
        "Experts' scores for clauses the data cannot decide: a JSON object keyed by clause id, e.g. {\"hnte.tech_advance\": 20}.",
    "专利保护期自申请日起算。": "A patent's term runs from its filing date.",
    "估算所依据的日期；上市标准只采用一年内的估算。":
        "The date the estimate is based on; the listing standards use only estimates less than a year old.",
    "保护期届满或权利终止的日期；不填时按申请日与法定期限推算。":
        "The date protection expires or the right ends; when empty it is derived from the filing date and the statutory term.",
    "含本专利在内的同族专利件数（含境外）。": "Patents in the family including this one (foreign ones included).",
    "填小数，如 8% 填 0.08。": "A decimal: enter 8% as 0.08.",
    "按发行上市的预计市值估算。": "Estimated as the expected market value at the listing.",
    "最近一年实施该项知识产权的产品（服务）收入。": "Last year's revenue from the products (services) that use this IP.",
    "经审计；亏损填负数。": "Audited; a loss is negative.",
    "经审计；净流出填负数。": "Audited; a net outflow is negative.",
    "该项知识产权涉及的侵权诉讼和无效宣告请求件数。":
        "Infringement suits and invalidation requests concerning this IP.",
    "单位：元（不是万元），保留两位小数。":
        "In yuan (not 10k yuan), two decimal places.",
}

def help_en(zh: str) -> str:
    """A help text in English: from :data:`HELP_EN`, also when it is one help followed by the
    amount unit's (``亏损填负数。`` + ``单位：元…``); a text it does not know is returned as given."""
    if zh in HELP_EN:
        return HELP_EN[zh]
    for tail, tail_en in HELP_EN.items():
        head = zh[:-len(tail)]
        if head and zh.endswith(tail) and head in HELP_EN:
            return f"{HELP_EN[head]} {tail_en}"
    return zh


#: The English of every choice label of the standard, by its Chinese label (a label means the same
#: in every field that uses it: 国家级 is "National" for an R&D institution and for an award). The
#: engine cannot use Django's catalogue, so the second language travels with the data.
CHOICE_LABELS_EN: dict[str, str] = {
    "国家级": "National", "省级": "Provincial", "市级": "Municipal", "市级以下": "Below municipal",
    "无": "None",
    "省级以上质量奖": "Provincial or higher quality award", "质量管理体系认证": "Quality management certification",
    "自主品牌": "Own brand", "参与标准制定": "Took part in drafting standards",
    "A级": "Grade A", "B级": "Grade B", "M级": "Grade M", "C级": "Grade C", "D级": "Grade D",
    "发明专利": "Invention patent", "国防专利": "Defence patent", "植物新品种": "New plant variety",
    "国家级农作物品种": "National crop variety", "国家新药": "National new drug",
    "国家一级中药保护品种": "Class 1 protected TCM variety", "集成电路布图设计专有权": "IC layout design right",
    "实用新型专利": "Utility model patent", "外观设计专利": "Design patent", "软件著作权": "Software copyright",
    "权利人": "Owner", "独占被许可人": "Exclusive licensee", "普通被许可人": "Non-exclusive licensee",
    "自主研发": "Own R&D", "受让": "Transferred", "受赠": "Gifted", "并购": "Merger or acquisition",
    "国际标准": "International standard", "国家标准": "National standard", "行业标准": "Industry standard",
    "全国50强": "National top 50", "全国500强": "National top 500",
    "高新技术企业": "HNTE", "科技型中小企业": "Tech-based SME", "创新型中小企业": "Innovative SME",
    "专精特新中小企业": "SRDI SME", "专精特新“小巨人”企业": "SRDI \"little giant\"",
    "科技创新型中小企业": "Sci-tech innovative SME", "瞪羚企业": "Gazelle enterprise",
    "重大安全事故": "Major safety accident", "重大质量事故": "Major quality accident",
    "严重环境违法行为": "Serious environmental violation", "严重科研失信行为": "Serious research misconduct",
    "列入经营异常名录": "On the abnormal operation list", "列入严重失信主体名单": "On the serious dishonesty list",
    "股权被冻结": "Equity frozen",
    "信用": "Credit", "知识产权质押": "IP pledge", "保证": "Guarantee", "抵押": "Mortgage", "其他": "Other",
    "未结清": "Outstanding", "已结清": "Repaid", "逾期": "Overdue", "已核销": "Written off",
    "原告": "Plaintiff", "被告": "Defendant", "第三人": "Third party",
    "民事": "Civil", "商事": "Commercial", "行政": "Administrative", "刑事": "Criminal", "执行": "Enforcement",
    "最近一次外部股权融资估值": "Latest external equity financing", "可比公司估值": "Comparable companies",
    "保荐机构预估": "Sponsor's estimate", "上市后市值": "Market capitalisation after listing",
    "警告": "Warning", "罚款": "Fine", "没收违法所得、没收非法财物": "Confiscation of illegal gains or property",
    "责令停产停业": "Ordered to suspend production or business",
    "暂扣或者吊销许可证、执照": "Licence suspended or revoked",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the standard.

    ``past_only`` marks event dates that cannot lie after the evaluation day (a grant, a decision);
    ``pattern`` is a regular expression a string must match in full; ``extension`` marks a field
    the platform added to the standard; ``example`` feeds the templates and the JSON Schema.
    """

    name: str
    type: str
    label_zh: str
    label_en: str
    required: bool = False
    choices: tuple = ()
    choice_labels_zh: Mapping = field(default_factory=dict, hash=False, compare=False)
    minimum: float | None = None
    maximum: float | None = None
    allow_negative: bool = False
    help_zh: str = ""
    past_only: bool = False
    pattern: str | None = None
    extension: bool = False
    example: object = None

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"{self.name}: unknown field type {self.type!r}")
        if self.type in ("enum", "enum_list"):
            if not self.choices:
                raise ValueError(f"{self.name}: an enum needs choices")
            if set(self.choice_labels_zh) != set(self.choices):
                raise ValueError(f"{self.name}: every choice needs exactly one Chinese label")
        object.__setattr__(self, "choice_labels_zh", MappingProxyType(dict(self.choice_labels_zh)))

    @property
    def header_zh(self) -> str:
        """The column header written to Excel/CSV: the label, with the unit for amounts so nobody
        types 万元 (``营业收入（元）``). Readers accept the bare label too."""
        return f"{self.label_zh}（元）" if self.type == "amount" else self.label_zh

    def label_of(self, value: object, english: bool = False) -> str:
        """The Chinese label of one choice, or its English label (:data:`CHOICE_LABELS_EN`) when
        ``english``; the value itself when it has none."""
        zh = self.choice_labels_zh.get(value)
        if zh is None:
            return str(value)
        return CHOICE_LABELS_EN.get(zh, zh) if english else zh

    def help_of(self, english: bool = False) -> str:
        """The field's help in Chinese, or in English (:data:`HELP_EN`) when ``english``."""
        return help_en(self.help_zh) if english else self.help_zh


@dataclass(frozen=True, slots=True)
class Section:
    """A group of fields: the profile (one row per enterprise) or one list of the record.

    ``key_fields`` is the identity of an item within one enterprise: ``()`` for the profile (one
    row), a tuple of field names, or ``None`` meaning "identity is the content hash". For ``ip``
    the key is ``number`` when the item has one, else its content hash.
    """

    name: str
    label_zh: str
    label_en: str
    fields: tuple[Field, ...]
    key_fields: tuple[str, ...] | None
    extension: bool = False
    help_zh: str = ""
    by_name: Mapping[str, Field] = field(init=False, hash=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_name = {f.name: f for f in self.fields}
        if len(by_name) != len(self.fields):
            raise ValueError(f"{self.name}: duplicate field names")
        if len({f.label_zh for f in self.fields}) != len(self.fields):
            raise ValueError(f"{self.name}: duplicate Chinese labels")
        for key in self.key_fields or ():
            if key not in by_name:
                raise ValueError(f"{self.name}: key field {key} is not a field")
        object.__setattr__(self, "by_name", MappingProxyType(by_name))

    @property
    def is_list(self) -> bool:
        return self.name != "profile"

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


def _f(name, type_, label_zh, label_en, **kw) -> Field:
    return Field(name, type_, label_zh, label_en, **kw)


def _enum(name, label_zh, label_en, labels: dict, **kw) -> Field:
    return Field(name, "enum", label_zh, label_en, choices=tuple(labels), choice_labels_zh=labels,
                 **kw)


_AMOUNT_HELP = "单位：元（不是万元），保留两位小数。"

USCC = _f("uscc", "string", "统一社会信用代码", "Unified social credit code", required=True,
          help_zh="18位，第18位为 GB 32100-2015 校验码。", example="91370112MA3C0CQ95K")

PROFILE = Section("profile", "企业基本信息", "Enterprise profile", (
    USCC,
    _f("name", "string", "企业名称", "Enterprise name", required=True,
       help_zh="营业执照上的全称。新建企业时必填；只补充年度等数据时可留空。",
       example="济南示例科技有限公司"),
    _f("registered_on", "date", "成立日期", "Date of registration", required=True,
       past_only=True, help_zh="格式 2015-06-30。新建企业时必填。", example="2015-06-30"),
    _f("region_code", "string", "行政区划代码", "Administrative division code (GB/T 2260)",
       pattern=r"\d{6}", help_zh="6位数字，GB/T 2260，如 370112。", example="370112"),
    _f("industry_code", "string", "国民经济行业代码", "Industry code (GB/T 4754-2017)",
       pattern=r"[A-T](\d{2,4})?", help_zh="GB/T 4754-2017 门类字母加代码，如 I6513。",
       example="I6513"),
    _f("resident_enterprise", "bool", "居民企业", "Resident enterprise",
       help_zh="在中国境内（不含港、澳、台地区）注册的居民企业。", example=True),
    _f("restricted_industry", "bool", "属于禁止、限制和淘汰类", "Restricted or prohibited industry",
       help_zh="产品（服务）属于国家规定的禁止、限制和淘汰类。", example=False),
    _f("hnte_field", "bool", "属于国家重点支持的高新技术领域", "In a state-supported high-tech field",
       help_zh="核心技术属于《国家重点支持的高新技术领域》。", example=True),
    _f("strategic_emerging", "bool", "属于战略性新兴产业", "Strategic emerging industry",
       help_zh="主导产品属于《战略性新兴产业分类》。", example=True),
    _f("star_market_sector", "bool", "属于科创板定位行业领域", "STAR Market sector",
       example=False),
    _f("niche_years", "number", "从事细分市场年限", "Years in the niche market", minimum=0,
       help_zh="截至上年度末从事特定细分市场的年限。", example=6),
    _f("market_share", "ratio", "细分市场占有率", "Share of the niche market",
       help_zh="主导产品在细分市场的占有率，填 0.12 或 12%。", example=0.12),
    _f("market_rank_cn", "integer", "细分市场全国排名", "National rank in the niche market",
       minimum=1, example=8),
    _enum("rd_institution_level", "研发机构级别", "Highest recognised R&D institution",
          {"national": "国家级", "provincial": "省级", "municipal": "市级",
           "below_municipal": "市级以下", "none": "无"}, example="provincial"),
    _f("digital_level", "integer", "数字化水平等级", "Digitalisation level", minimum=1, maximum=4,
       help_zh="数字化水平一级至四级，填 1–4。", example=2),
    Field("quality_items", "enum_list", "质量与品牌", "Quality and brand items",
          choices=("provincial_quality_award", "quality_system_cert", "own_brand",
                   "standard_drafting"),
          choice_labels_zh={"provincial_quality_award": "省级以上质量奖",
                            "quality_system_cert": "质量管理体系认证",
                            "own_brand": "自主品牌", "standard_drafting": "参与标准制定"},
          help_zh="可多选，用顿号（、）或逗号分隔。", example=("quality_system_cert", "own_brand")),
    _f("srdi_platform_score", "number", "专精特新发展评价得分", "SRDI platform score", minimum=0,
       help_zh="国家平台当年计算的专精特新发展评价得分。", example=72.5),
    _f("registered_capital", "amount", "注册资本", "Registered capital", extension=True,
       help_zh=_AMOUNT_HELP, example=10_000_000),
    # listing standards (科创板/创业板/北交所): the expected market value with its basis and date
    _f("expected_market_value", "amount", "预计市值", "Expected market value", extension=True,
       help_zh="按发行上市的预计市值估算。" + _AMOUNT_HELP, example=1_500_000_000),
    _enum("market_value_basis", "市值估算依据", "Basis of the market value",
          {"recent_financing": "最近一次外部股权融资估值", "comparable_companies": "可比公司估值",
           "sponsor_estimate": "保荐机构预估", "listed_price": "上市后市值"},
          extension=True, example="recent_financing"),
    _f("market_value_date", "date", "市值估算日期", "Date of the market value", extension=True,
       past_only=True, help_zh="估算所依据的日期；上市标准只采用一年内的估算。", example="2026-06-30"),
    _f("expert_scores", "object", "专家评分", "Expert scores",
       help_zh='专家对数据无法判定的条款的评分，JSON 对象，键为评价条款编号，如 {"hnte.tech_advance": 20}。',
       example={"hnte.tech_advance": 20}),
), key_fields=())

YEARS = Section("years", "年度数据", "Annual facts", (
    _f("year", "year", "年度", "Fiscal year", required=True, example=2025),
    _f("employees", "integer", "职工总数", "Employees", minimum=0,
       help_zh="在职、兼职、临时聘用人员；兼职、临时聘用人员全年须在企业累计工作183天以上。",
       example=120),
    _f("tech_staff", "integer", "科技人员数", "Science and technology staff", minimum=0,
       example=40),
    _f("rd_staff", "integer", "研发人员数", "R&D staff", minimum=0, example=30),
    _f("operating_revenue", "amount", "营业收入", "Operating revenue", help_zh=_AMOUNT_HELP,
       example=52_000_000),
    _f("main_business_revenue", "amount", "主营业务收入", "Main business revenue",
       help_zh=_AMOUNT_HELP, example=50_000_000),
    _f("sales_revenue", "amount", "销售收入", "Sales revenue", allow_negative=True,
       help_zh="销售收入 = 主营业务收入 + 其他业务收入。" + _AMOUNT_HELP, example=52_000_000),
    _f("total_income", "amount", "收入总额", "Total income", help_zh=_AMOUNT_HELP,
       example=53_000_000),
    _f("non_taxable_income", "amount", "不征税收入", "Non-taxable income",
       help_zh="总收入 = 收入总额 − 不征税收入。" + _AMOUNT_HELP, example=500_000),
    _f("high_tech_revenue", "amount", "高新技术产品（服务）收入", "High-tech product revenue",
       help_zh=_AMOUNT_HELP, example=40_000_000),
    _f("rd_expense", "amount", "研发费用总额", "R&D expense", help_zh=_AMOUNT_HELP,
       example=3_600_000),
    _f("rd_expense_domestic", "amount", "境内研发费用", "R&D expense incurred in China",
       help_zh="在中国境内发生的研发费用。" + _AMOUNT_HELP, example=3_600_000),
    _f("cost_expense_total", "amount", "成本费用支出总额", "Total costs and expenses",
       help_zh=_AMOUNT_HELP, example=45_000_000),
    _f("total_assets", "amount", "资产总额", "Total assets", help_zh="年末数。" + _AMOUNT_HELP,
       example=80_000_000),
    _f("total_liabilities", "amount", "负债总额", "Total liabilities",
       help_zh="年末数。" + _AMOUNT_HELP, example=30_000_000),
    _f("net_profit", "amount", "净利润", "Net profit", allow_negative=True,
       help_zh="亏损填负数。" + _AMOUNT_HELP, example=4_200_000),
    _f("tech_conversions", "integer", "科技成果转化数", "Technology conversions", minimum=0,
       example=5),
    _enum("tax_credit_grade", "纳税信用等级", "Tax credit grade",
          {"A": "A级", "B": "B级", "M": "M级", "C": "C级", "D": "D级"}, example="A"),
    _f("social_insurance_headcount", "integer", "参保人数", "Social insurance headcount",
       minimum=0, help_zh="年末缴纳社会保险的职工人数。", example=110),
    _f("tax_paid", "amount", "纳税总额", "Taxes paid", extension=True, help_zh=_AMOUNT_HELP,
       example=2_100_000),
    _f("high_level_talent", "integer", "高层次人才数", "High-level talent", minimum=0,
       extension=True, help_zh="经认定的各级高层次人才人数。", example=3),
    _f("net_profit_deducted", "amount", "扣除非经常性损益后的净利润", "Net profit after non-recurring items",
       extension=True, allow_negative=True, help_zh="经审计；亏损填负数。" + _AMOUNT_HELP, example=3_800_000),
    _f("operating_cash_flow", "amount", "经营活动产生的现金流量净额", "Net cash flow from operating activities",
       extension=True, allow_negative=True, help_zh="经审计；净流出填负数。" + _AMOUNT_HELP, example=5_100_000),
    _f("weighted_roe", "number", "加权平均净资产收益率", "Weighted average return on equity", extension=True,
       allow_negative=True, minimum=-10, maximum=10, help_zh="填小数，如 8% 填 0.08。", example=0.11),
), key_fields=("year",), help_zh="每个企业每个年度一行。")

IP_TYPES = {
    "invention_patent": "发明专利", "defense_patent": "国防专利", "plant_variety": "植物新品种",
    "national_crop_variety": "国家级农作物品种", "national_new_drug": "国家新药",
    "tcm_protected_variety": "国家一级中药保护品种", "ic_layout": "集成电路布图设计专有权",
    "utility_model": "实用新型专利", "design": "外观设计专利", "software_copyright": "软件著作权",
}
#: Class Ⅰ and Ⅱ intellectual property of the standard (trademarks do not count).
IP_CLASS_I = ("invention_patent", "defense_patent", "plant_variety", "national_crop_variety",
              "national_new_drug", "tcm_protected_variety", "ic_layout")
IP_CLASS_II = ("utility_model", "design", "software_copyright")

IP = Section("ip", "知识产权", "Intellectual property", (
    _f("number", "string", "专利号/登记号", "Patent or registration number", extension=True,
       help_zh="专利号、登记号或证书号；填写后作为该项知识产权的唯一标识。",
       example="ZL202110000001.X"),
    _f("title", "string", "名称", "Title", extension=True, example="一种数据加密方法"),
    _enum("type", "知识产权类型", "Type", IP_TYPES, required=True, example="invention_patent"),
    _f("granted_on", "date", "授权日期", "Date of grant or registration", past_only=True,
       example="2022-03-15"),
    _enum("acquisition", "获得方式", "Acquisition",
          {"self_developed": "自主研发", "transferred": "受让", "gifted": "受赠",
           "merger": "并购"}, example="self_developed"),
    _f("acquired_on", "date", "受让日期", "Date acquired", past_only=True,
       help_zh="受让、受赠或并购取得的日期。"),
    _f("main_product_related", "bool", "与主要产品（服务）相关", "Related to the main products",
       example=True),
    _f("industrializable", "bool", "应用于主营业务并能产业化", "Applied and industrialisable",
       help_zh="科创属性评价口径。", example=True),
    _f("high_value", "bool", "Ⅰ类高价值", "Class I high value",
       help_zh="有海外同族专利、维持年限超过10年、实现较高质押融资金额或获得国家级科技奖励。",
       example=False),
    _f("used_in_hnte", "bool", "已用于高新技术企业认定", "Already used in an HNTE application",
       example=False),
    _f("pledged", "bool", "是否已质押", "Pledged", extension=True, example=False),
    _f("pledged_on", "date", "质押日期", "Date pledged", extension=True, past_only=True),
    # Facts of the IP valuation for pledge (issue 12, GB/T 42748-2023 indicators).
    _f("filed_on", "date", "申请日", "Filing date", extension=True, past_only=True,
       help_zh="专利保护期自申请日起算。", example="2021-06-01"),
    _f("expires_on", "date", "届满日期", "Expiry date", extension=True,
       help_zh="保护期届满或权利终止的日期；不填时按申请日与法定期限推算。"),
    _f("claims", "integer", "权利要求数", "Number of claims", extension=True, minimum=0, example=10),
    _f("citations", "integer", "被引用次数", "Forward citations", extension=True, minimum=0, example=3),
    _f("family_size", "integer", "同族专利数", "Patent family size", extension=True, minimum=0,
       help_zh="含本专利在内的同族专利件数（含境外）。", example=2),
    _f("litigations", "integer", "涉诉及无效案件数", "Litigation and invalidation cases", extension=True,
       minimum=0, help_zh="该项知识产权涉及的侵权诉讼和无效宣告请求件数。", example=0),
    _f("licences", "integer", "许可次数", "Licences granted", extension=True, minimum=0, example=1),
    _f("attributable_revenue", "amount", "专利产品年收入", "Annual revenue from the item", extension=True,
       minimum=0, help_zh="最近一年实施该项知识产权的产品（服务）收入。" + _AMOUNT_HELP, example=3_000_000),
    # Facts of IP trading (issue 12 point 3, schema 1.3): how the enterprise holds the item.
    _enum("held_as", "持有方式", "Held as",
          {"owner": "权利人", "exclusive_licensee": "独占被许可人", "licensee": "普通被许可人"}, extension=True,
          help_zh="不填视为权利人；通过许可取得的条目为被许可人，不能用于质押或再转让。", example="owner"),
    _f("transferred_out_on", "date", "转出日期", "Date transferred away", extension=True, past_only=True,
       help_zh="该项知识产权转让或作价入股给他人的日期；填写后本企业不再持有。"),
), key_fields=("number",), help_zh="每项知识产权一行。")

EQUITY_FINANCING = Section("equity_financing", "股权融资", "Equity financing", (
    _f("date", "date", "融资日期", "Date paid in", past_only=True, example="2024-09-01"),
    _f("amount", "amount", "融资金额", "Amount", help_zh="实际到账的新增股权融资。" + _AMOUNT_HELP,
       example=20_000_000),
    _f("qualified_investor", "bool", "投资方为合格投资机构", "From a qualified investor",
       example=True),
), key_fields=None)

AWARDS = Section("awards", "科技奖励", "Science and technology awards", (
    _enum("level", "奖励级别", "Level", {"national": "国家级", "provincial": "省级"},
          example="provincial"),
    _f("year", "year", "获奖年度", "Year", example=2023),
    _f("rank", "integer", "获奖单位排名", "Rank among winning units", minimum=1, example=1),
), key_fields=None)

STANDARDS_LED = Section("standards_led", "标准制定", "Standards drafted", (
    _enum("level", "标准级别", "Level",
          {"international": "国际标准", "national": "国家标准", "industry": "行业标准"},
          example="industry"),
    _f("year", "year", "发布年度", "Year", example=2024),
    _f("rank", "integer", "起草单位排名", "Rank among drafting units", minimum=1, example=2),
), key_fields=None)

MAKER_CHINA = Section("maker_china", "创客中国", "Maker China contest", (
    _f("year", "year", "参赛年度", "Year", example=2024),
    _enum("top", "全国名次", "National group result", {50: "全国50强", 500: "全国500强"},
          example=500),
), key_fields=None)

CERTIFICATE_KINDS = {
    "hnte": "高新技术企业", "tsme": "科技型中小企业", "innovative_sme": "创新型中小企业",
    "srdi_sme": "专精特新中小企业", "little_giant": "专精特新“小巨人”企业",
    "tech_innovation_sme": "科技创新型中小企业", "gazelle": "瞪羚企业",
}

CERTIFICATES = Section("certificates", "资质证书", "Certificates", (
    _enum("kind", "证书类型", "Kind", CERTIFICATE_KINDS, example="hnte"),
    _f("valid_from", "date", "有效期起", "Valid from", example="2023-12-08"),
    _f("valid_to", "date", "有效期至", "Valid to", example="2026-12-07"),
), key_fields=None)

INCIDENTS = Section("incidents", "不良事件", "Adverse incidents", (
    _enum("kind", "事件类型", "Kind", {
        "major_safety_accident": "重大安全事故", "major_quality_accident": "重大质量事故",
        "serious_environmental_violation": "严重环境违法行为",
        "serious_research_misconduct": "严重科研失信行为",
        "abnormal_operation_list": "列入经营异常名录",
        "serious_dishonesty_list": "列入严重失信主体名单",
        "equity_frozen": "股权被冻结",
    }, example="abnormal_operation_list"),
    _f("date", "date", "发生日期", "Date", past_only=True,
       help_zh="事件发生或列入名录的日期。", example="2023-04-10"),
    _f("removed_on", "date", "移出日期", "Date removed", past_only=True, extension=True,
       help_zh="移出名录（解除列入）或股权解冻的日期；仍在名录中或仍被冻结则留空。", example="2023-10-20"),
), key_fields=None)

LOANS = Section("loans", "贷款记录", "Loans", (
    _f("contract_number", "string", "合同编号", "Contract number", required=True,
       help_zh="借款合同编号，同一企业内唯一。", example="JK2024-0001"),
    _f("lender", "string", "贷款机构", "Lender", example="某银行济南分行"),
    _enum("kind", "贷款方式", "Kind",
          {"credit": "信用", "ip_pledge": "知识产权质押", "guaranteed": "保证", "mortgage": "抵押",
           "other": "其他"}, example="ip_pledge"),
    _f("amount", "amount", "贷款金额", "Amount", required=True, help_zh=_AMOUNT_HELP,
       example=5_000_000),
    _f("start_on", "date", "放款日期", "Date drawn", past_only=True, example="2024-03-01"),
    _f("due_on", "date", "到期日期", "Due date", example="2027-02-28"),
    _enum("status", "贷款状态", "Status",
          {"outstanding": "未结清", "repaid": "已结清", "overdue": "逾期",
           "written_off": "已核销"}, example="outstanding"),
    _f("max_overdue_days", "integer", "最长逾期天数", "Longest overdue period (days)", minimum=0,
       example=0),
    _f("overdue_amount", "amount", "逾期金额", "Overdue amount", help_zh=_AMOUNT_HELP,
       example=0),
), key_fields=("contract_number",), extension=True,
   help_zh="银行的信贷视图和评级模型使用；每笔贷款一行。")

JUDGMENTS = Section("judgments", "裁判文书", "Court judgments", (
    _f("case_number", "string", "案号", "Case number", required=True,
       example="（2024）鲁0112民初1234号"),
    _f("decided_on", "date", "裁判日期", "Date decided", past_only=True, example="2024-06-18"),
    _enum("role", "诉讼地位", "Role",
          {"plaintiff": "原告", "defendant": "被告", "third_party": "第三人"},
          example="defendant"),
    _enum("kind", "案件类型", "Kind",
          {"civil": "民事", "commercial": "商事", "administrative": "行政", "criminal": "刑事",
           "enforcement": "执行"}, example="civil"),
    _f("amount", "amount", "涉案金额", "Amount at stake", help_zh=_AMOUNT_HELP, example=120_000),
), key_fields=("case_number",), extension=True, help_zh="每份裁判文书一行。")

PENALTIES = Section("penalties", "行政处罚", "Administrative penalties", (
    _f("document_number", "string", "处罚决定书文号", "Decision number", required=True,
       example="济市监罚〔2024〕15号"),
    _f("decided_on", "date", "处罚日期", "Date decided", past_only=True, example="2024-05-06"),
    _f("authority", "string", "处罚机关", "Authority", example="济南市市场监督管理局"),
    _enum("kind", "处罚类型", "Kind",
          {"warning": "警告", "fine": "罚款", "confiscation": "没收违法所得、没收非法财物",
           "suspension": "责令停产停业", "license_revoked": "暂扣或者吊销许可证、执照",
           "other": "其他"}, example="fine"),
    _f("amount", "amount", "罚没金额", "Amount", help_zh=_AMOUNT_HELP, example=10_000),
), key_fields=("document_number",), extension=True, help_zh="每份处罚决定书一行。")

#: Every section, in the order of the standard (then the extensions): sheet order in Excel.
SECTIONS: dict[str, Section] = {
    s.name: s for s in (PROFILE, YEARS, IP, EQUITY_FINANCING, AWARDS, STANDARDS_LED, MAKER_CHINA,
                        CERTIFICATES, INCIDENTS, LOANS, JUDGMENTS, PENALTIES)
}
#: The list sections (every section but the profile).
LIST_SECTIONS: tuple[str, ...] = tuple(name for name in SECTIONS if name != "profile")

#: The top-level fields that must be present only when an enterprise is first created: a feed may
#: send just annual facts for an enterprise the platform already knows (``partial=True``).
CREATION_FIELDS = ("name", "registered_on")

_SHEETS = {s.label_zh: s for s in SECTIONS.values()}
_UNIT_SUFFIX = re.compile(r"\s*[（(]\s*元\s*[)）]\s*$")


def get_section(name_or_label: str) -> Section | None:
    """A section by its name (``years``) or its sheet name (``年度数据``)."""
    return SECTIONS.get(name_or_label) or _SHEETS.get(name_or_label.strip())


def get_field(section: str, name: str) -> Field:
    """The field ``name`` of ``section``; ``KeyError`` when there is none."""
    return SECTIONS[section].by_name[name]


def columns(section: str) -> tuple[Field, ...]:
    """The columns of a section's sheet: list sections start with 统一社会信用代码."""
    sec = SECTIONS[section]
    return sec.fields if not sec.is_list else (USCC, *sec.fields)


def field_by_label(label: str, section: str) -> Field | None:
    """The column of ``section`` a header names: the Chinese label, the label with a unit suffix
    (``营业收入（元）``) or the English field name; ``None`` when it names none."""
    return _column_index(section).get(_normalise_header(label))


def sections_with_label(label: str) -> tuple[str, ...]:
    """The sections that have a column named ``label`` (to detect a CSV file's section)."""
    key = _normalise_header(label)
    return tuple(name for name in SECTIONS if key in _column_index(name))


def _normalise_header(label: str) -> str:
    return _UNIT_SUFFIX.sub("", str(label).strip().lstrip("\ufeff")).strip()


def _build_index(section: str) -> dict[str, Field]:
    index: dict[str, Field] = {}
    for f in columns(section):
        index[f.name] = f
        index[f.label_zh] = f
    return index


_INDEX: dict[str, dict[str, Field]] = {name: _build_index(name) for name in SECTIONS}


def _column_index(section: str) -> dict[str, Field]:
    return _INDEX[section]
