"""What a product's eligibility may ask about an enterprise: the marketplace's feature catalogue.

Product eligibility is written in the qualification engine's rule language (``condition`` /
``all_of`` / ``any_of`` clauses, its operators and status precedence); only the features differ:
these are facts the platform holds about an enterprise applying for finance (region, industry,
size, rating grade, tier and titles) rather than the standards' derived indicators. Every feature
is a column of the demand frame; ``None`` / null means unknown, which makes a clause ``unknown``,
never a silent ``unmet``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MatchFeature:
    name: str
    dtype: str  # "bool" | "number" | "string"
    zh: str
    en: str


_F = (
    MatchFeature("region_code", "string", "注册地区划代码", "registered region (GB/T 2260)"),
    MatchFeature("region_city", "string", "所在地市（区划代码前四位+00）", "city of registration (code prefix + 00)"),
    MatchFeature("region_province", "string", "所在省份（区划代码前两位+0000）", "province of registration"),
    MatchFeature("industry_code", "string", "行业代码（GB/T 4754）", "industry code (GB/T 4754)"),
    MatchFeature("industry_section", "string", "行业门类", "industry section (letter)"),
    MatchFeature("size", "string", "企业规模（micro/small/medium/large）", "enterprise size"),
    MatchFeature("employees", "number", "职工总数", "employees"),
    MatchFeature("operating_revenue", "number", "上年度营业收入（元）", "operating revenue (yuan)"),
    MatchFeature("rd_ratio", "number", "研发费用占比", "R&D ratio"),
    MatchFeature("ip_class1_count", "number", "Ⅰ类知识产权数", "Class I IP items"),
    MatchFeature("ip_total_count", "number", "知识产权总数", "IP items"),
    MatchFeature("adverse_count", "number", "不良记录数", "adverse records"),
    MatchFeature("years_registered", "number", "成立年限（年）", "years since registration"),
    MatchFeature("grade_rank", "number", "信用评级序号（1最好）", "rating grade rank (1 best)"),
    MatchFeature("grade", "string", "信用评级", "rating grade"),
    MatchFeature("tier_rank", "number", "科技企业梯度等级", "tier rank on the sci-tech ladder"),
    MatchFeature("hnte", "bool", "有效高新技术企业证书", "valid HNTE certificate"),
    MatchFeature("srdi_sme", "bool", "专精特新中小企业", "SRDI SME title"),
    MatchFeature("little_giant", "bool", "专精特新“小巨人”", "Little Giant title"),
    MatchFeature("tsme", "bool", "科技型中小企业", "tech SME status"),
    MatchFeature("gazelle", "bool", "瞪羚企业", "gazelle enterprise"),
    MatchFeature("first_loan", "bool", "首贷户（无银行贷款记录）", "first-time borrower (no bank loan on record)"),
    MatchFeature("innovation_points", "number", "创新积分（最近一次积分批次）", "innovation points (latest run)"),
    MatchFeature("talent_value_low", "number", "人才团队价值下限（元，已授权人员）", "talent team value, low end (yuan, consented people)"),
)

MATCH_FEATURES: dict[str, MatchFeature] = {f.name: f for f in _F}

#: The yes/no features (the titles and first-time borrower): a demand frame holds them as Boolean.
BOOL_FEATURES: tuple[str, ...] = tuple(f.name for f in _F if f.dtype == "bool")

SIZES = ("micro", "small", "medium", "large")
