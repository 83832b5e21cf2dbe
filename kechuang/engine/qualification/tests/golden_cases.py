"""Worked cases per standard version, with the expectations worked out by hand from the texts.

Each case: the record, the standard (family or version id) and date, and what the official text
says the outcome is (status, score, route, and the clauses that decide it). ``test_golden`` checks
these hand-made expectations AND the full engine output stored in ``golden/<name>.json``.
"""

from __future__ import annotations

from .records import AS_OF, base, invention, utility, with_year, year


def _hnte_record(**kw):
    years = [
        year(2023, sales_revenue=40_000_000, operating_revenue=40_000_000, total_income=40_000_000,
             high_tech_revenue=28_000_000, rd_expense=2_400_000, rd_expense_domestic=2_400_000,
             total_assets=30_000_000, total_liabilities=10_000_000, tech_staff=15),
        year(2024, sales_revenue=50_000_000, operating_revenue=50_000_000, total_income=50_000_000,
             high_tech_revenue=35_000_000, rd_expense=3_000_000, rd_expense_domestic=3_000_000,
             total_assets=38_000_000, total_liabilities=10_000_000, tech_staff=15),
        year(2025, sales_revenue=62_500_000, operating_revenue=62_500_000, total_income=62_500_000,
             high_tech_revenue=43_750_000, rd_expense=3_750_000, rd_expense_domestic=3_750_000,
             total_assets=49_200_000, total_liabilities=10_000_000, tech_staff=15),
    ]
    experts = {"hnte.ia.ip.advanced": 7, "hnte.ia.ip.core": 7, "hnte.ia.ip.quantity.class1": 8,
               "hnte.ia.ip.acquisition.self": 6, "hnte.ia.conversion": 15, "hnte.ia.rdmgmt.1": 5,
               "hnte.ia.rdmgmt.2": 5, "hnte.ia.rdmgmt.3": 3, "hnte.ia.rdmgmt.4": 3,
               "hnte.ia.growth.net_assets": 10, "hnte.ia.growth.sales": 8}
    extra = kw.pop("experts", {})
    if extra is None:
        experts = None
    else:
        experts.update(extra)
    return base(years=years, expert_scores=experts, **kw)


def _star_years(y0: int, rd: int = 600_000):
    return [year(y0 - 2, operating_revenue=10_000_000, rd_expense=rd),
            year(y0 - 1, operating_revenue=12_500_000, rd_expense=int(rd * 1.25)),
            year(y0, operating_revenue=15_625_000, rd_expense=int(rd * 1.5625))]


def _gazelle(**kw):
    years = [year(2023, operating_revenue=12_500_000), year(2024, operating_revenue=16_000_000, rd_expense=1_000_000),
             year(2025, operating_revenue=20_000_000, rd_expense=1_200_000)]
    return base(years=years, ip=[invention(), invention(granted_on="2022-01-01")], **kw)


CASES = [
    # ---- 科技型中小企业 (国科发政〔2017〕115号)
    dict(name="tsme-base", standard="tsme", as_of=AS_OF, record=base(),
         why="30% tech staff (20) + R&D/sales 6% (50) + one Class I IP (30) = 100 >= 60",
         expect=dict(status="met", score=100, route="score", version="tsme-2017",
                     clauses={"tsme.7.1": ("met", 20), "tsme.7.2": ("met", 50), "tsme.7.3": ("met", 30)})),
    dict(name="tsme-staff-exactly-10pct", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, tech_staff=10),
         why="10%（含）is band E: 4 points, so the tech-staff score is not 0",
         expect=dict(status="met", score=84, route="score", clauses={"tsme.7.1": ("met", 4), "tsme.6.5.staff": ("met", None)})),
    dict(name="tsme-staff-below-10pct", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, tech_staff=9),
         why="9% scores 0 on the tech-staff indicator: 第六条（五） fails although the total is 80",
         expect=dict(status="unmet", score=80, route="score", clauses={"tsme.7.1": ("unmet", 0), "tsme.6.5.staff": ("unmet", None)},
                     gap_contains="再增加 2 名科技人员")),
    dict(name="tsme-direct-hnte", standard="tsme", as_of=AS_OF,
         record=with_year(base(certificates=[{"kind": "hnte", "valid_from": "2024-12-01", "valid_to": "2027-11-30"}]), 2025, tech_staff=9),
         why="第八条 直通: a valid HNTE certificate confirms without scoring",
         expect=dict(status="met", route="direct", clauses={"tsme.8.1": ("met", None), "tsme.6.5.staff": ("unmet", None)})),
    dict(name="tsme-rd-exactly-5pct", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, rd_expense=500_000),
         why="R&D/sales 5%（含）is band B: 40 points",
         expect=dict(status="met", score=90, clauses={"tsme.7.2.1": ("met", 40)})),
    dict(name="tsme-rd-just-below-5pct", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, rd_expense=499_999),
         why="4.99999% is band C: 30 points",
         expect=dict(status="met", score=80, clauses={"tsme.7.2.1": ("met", 30)})),
    dict(name="tsme-employees-500", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, employees=500, tech_staff=150),
         why="职工总数 500 is within 不超过500人",
         expect=dict(status="met", clauses={"tsme.6.2.employees": ("met", None)})),
    dict(name="tsme-employees-501", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, employees=501, tech_staff=151),
         why="501 employees is above the limit",
         expect=dict(status="unmet", clauses={"tsme.6.2.employees": ("unmet", None)})),
    dict(name="tsme-missing-employees", standard="tsme", as_of=AS_OF,
         record=with_year(base(), 2025, employees=None),
         why="职工总数 unknown: the size condition and the tech-staff score are unknown, never unmet",
         expect=dict(status="unknown", score=None, score_range=[80, 100],
                     clauses={"tsme.6.2.employees": ("unknown", None), "tsme.7.1": ("unknown", [0, 20])},
                     gap_contains="years[2025].employees")),
    dict(name="tsme-veto-incident", standard="tsme", as_of=AS_OF,
         record=base(incidents=[{"kind": "major_quality_accident", "date": "2026-02-01"}]),
         why="第六条（四）: a major quality accident in the filing year",
         expect=dict(status="unmet", clauses={"tsme.6.4": ("unmet", None)})),
    dict(name="tsme-four-class2", standard="tsme", as_of=AS_OF, record=base(ip=[utility() for _ in range(4)]),
         why="no Class I but 4 Class II: 24 points",
         expect=dict(status="met", score=94, clauses={"tsme.7.3": ("met", 24)})),
    # ---- 高新技术企业 (国科发火〔2016〕32号, 指引 195号)
    dict(name="hnte-met-77", standard="hnte", as_of=AS_OF, record=_hnte_record(),
         why="8 conditions hold; experts 28 (IP) + 15 + 16 + growth 10 + 8 = 77 > 70. Sales growth exactly 25% is band B",
         expect=dict(status="met", score=77, route="score", version="hnte-2016",
                     clauses={"hnte.11.5": ("met", None), "hnte.ia.growth.sales": ("met", 8),
                              "hnte.ia.growth.net_assets": ("met", 10), "hnte.ia.ip": ("met", 28)})),
    dict(name="hnte-score-exactly-70", standard="hnte", as_of=AS_OF,
         record=_hnte_record(experts={"hnte.ia.rdmgmt.1": 0, "hnte.ia.rdmgmt.3": 1}),
         why="70分以上（不含70分）: exactly 70 fails",
         expect=dict(status="unmet", score=70, clauses={"hnte-2016.pass": ("unmet", None)})),
    dict(name="hnte-score-71", standard="hnte", as_of=AS_OF,
         record=_hnte_record(experts={"hnte.ia.rdmgmt.1": 0, "hnte.ia.rdmgmt.3": 2}),
         why="71 > 70", expect=dict(status="met", score=71)),
    dict(name="hnte-no-expert-scores", standard="hnte", as_of=AS_OF, record=_hnte_record(experts=None),
         why="without experts the score is the range of the bands the data decides: [37, 86]",
         expect=dict(status="manual_review", score=None, score_range=[37, 86],
                     clauses={"hnte.ia.ip.quantity": ("manual_review", [7, 8]), "hnte.ia.conversion": ("manual_review", [13, 18])})),
    dict(name="hnte-rd-5000w-inclusive", standard="hnte", as_of=AS_OF,
         record=base(years=[year(y, sales_revenue=50_000_000, operating_revenue=50_000_000, total_income=50_000_000,
                                  high_tech_revenue=35_000_000, rd_expense=2_450_000, rd_expense_domestic=2_450_000, tech_staff=15)
                            for y in (2023, 2024, 2025)]),
         why="sales exactly 5,000万（含）: the 5% band applies and 4.9% fails; the smallest change is ¥1 more sales, which moves the enterprise into the 4% band",
         expect=dict(status="unmet", clauses={"hnte.11.5": ("unmet", None), "hnte.11.5.a.sales": ("met", None),
                                              "hnte.11.5.a.ratio": ("unmet", None), "hnte.11.5.b.sales_lo": ("unmet", None)},
                     gap_contains="上年度销售收入增加 ¥1（years[2025].sales_revenue）")),
    dict(name="hnte-rd-above-5000w", standard="hnte", as_of=AS_OF,
         record=base(years=[year(y, sales_revenue=s, operating_revenue=s, total_income=s, high_tech_revenue=s * 0.7,
                                  rd_expense=s * 0.049, rd_expense_domestic=s * 0.049, tech_staff=15)
                            for y, s in ((2023, 50_000_000), (2024, 50_000_000), (2025, 60_000_000))]),
         why="last-year sales 6,000万 is in the 5,000万–2亿 band: 4.9% >= 4%",
         expect=dict(clauses={"hnte.11.5": ("met", None), "hnte.11.5.b": ("met", None)})),
    dict(name="hnte-registered-365-days", standard="hnte", as_of=AS_OF, record=base(registered_on="2025-11-22"),
         why="注册成立一年以上: 365 days counts", expect=dict(clauses={"hnte.11.1": ("met", None)})),
    dict(name="hnte-registered-364-days", standard="hnte", as_of=AS_OF, record=base(registered_on="2025-11-23"),
         why="364 days is short of a year", expect=dict(status="unmet", clauses={"hnte.11.1": ("unmet", None)})),
    dict(name="hnte-missing-first-year", standard="hnte", as_of=AS_OF,
         record=base(years=[year(2025, tech_staff=15), year(2024, tech_staff=15)]),
         why="three fiscal years needed (registered 2018): 2023 R&D unknown → unknown naming the fact",
         expect=dict(status="unknown", clauses={"hnte.11.5.a.ratio": ("unknown", None)}, gap_contains="years[2023].rd_expense")),
    # ---- 创新型中小企业 (63号 附件1)
    dict(name="isme-base", standard="innovative-sme", as_of=AS_OF, record=base(),
         why="self-developed Class I (15) + R&D 6% (20) + growth 0% (5) + debt 40% (10) + strategic (10) + main 90% (20) = 80",
         expect=dict(status="met", score=80, route="score", version="innovative-sme-2022",
                     clauses={"isme.innovation": ("met", 35), "isme.growth": ("met", 15), "isme.special": ("met", 30)})),
    dict(name="isme-rd-exactly-3pct", standard="innovative-sme", as_of=AS_OF,
         record=with_year(base(), 2025, rd_expense=300_000),
         why="a value on a boundary scores in the higher band: 3% → 15",
         expect=dict(status="met", score=75, clauses={"isme.innovation.rd": ("met", 15)})),
    dict(name="isme-rd-just-below-3pct", standard="innovative-sme", as_of=AS_OF,
         record=with_year(base(), 2025, rd_expense=299_999),
         why="2.99999% → 10", expect=dict(status="met", score=70, clauses={"isme.innovation.rd": ("met", 10)})),
    dict(name="isme-debt-exactly-55pct", standard="innovative-sme", as_of=AS_OF,
         record=with_year(base(), 2025, total_liabilities=11_000_000),
         why="≤55% → 10", expect=dict(status="met", score=80, clauses={"isme.growth.debt": ("met", 10)})),
    dict(name="isme-debt-above-55pct-group-minimum", standard="innovative-sme", as_of=AS_OF,
         record=with_year(base(), 2025, total_liabilities=11_000_010),
         why="55.00005% → 5: 成长性 10 < 15 fails although the total 75 >= 60",
         expect=dict(status="unmet", score=75, clauses={"isme.growth.debt": ("met", 5), "isme.min.growth": ("unmet", None)})),
    dict(name="isme-direct-equity", standard="innovative-sme", as_of=AS_OF,
         record=with_year(base(equity_financing=[{"date": "2025-06-01", "amount": 5_000_000, "qualified_investor": True}]),
                          2025, total_liabilities=19_000_000),
         why="成长性 5 fails, but 500万 qualified equity in 3 years is a 直通",
         expect=dict(status="met", route="direct", clauses={"isme.direct.equity": ("met", None), "isme.min.growth": ("unmet", None)})),
    # ---- version switch of 2026-04-01 (工信部企业〔2026〕2号)
    dict(name="srdi-2026-03-31-uses-2022", standard="srdi-sme", as_of="2026-03-31", record=base(),
         why="63号 in force until 2026-03-31: R&D 60万 < 100万 fails",
         expect=dict(status="unmet", version="srdi-sme-2022", clauses={"srdi22.2.amount": ("unmet", None)})),
    dict(name="srdi-2026-04-01-uses-2026", standard="srdi-sme", as_of="2026-04-01", record=base(),
         why="2号 from 2026-04-01: a valid 科技和创新型 title is required",
         expect=dict(status="unmet", version="srdi-sme-2026", clauses={"srdi26.1": ("unmet", None), "srdi26.6.y0": ("unmet", None)})),
    dict(name="little-giant-2026-03-31-uses-2022", standard="little-giant", as_of="2026-03-31", record=base(),
         why="63号 附件3", expect=dict(status="unmet", version="little-giant-2022", clauses={"lg22.special.share": ("unmet", None)})),
    dict(name="little-giant-2026-04-01-uses-2026", standard="little-giant", as_of="2026-04-01", record=base(),
         why="2号: revenue 1,000万 < 5,000万", expect=dict(status="unmet", version="little-giant-2026", clauses={"lg26.2": ("unmet", None)})),
    # ---- 科创属性 (2024 and 2022 texts)
    dict(name="star-2024-seven-patents", standard="star-market", as_of=AS_OF,
         record=base(years=_star_years(2025), ip=[invention() for _ in range(7)]),
         why="R&D 6%, R&D staff 20%, 7 industrialisable invention patents, revenue CAGR exactly 25%",
         expect=dict(status="met", route="conditions", version="star-market-2024",
                     clauses={"star.3": ("met", None), "star.4.cagr": ("met", None)})),
    dict(name="star-2024-six-patents", standard="star-market", as_of=AS_OF,
         record=base(years=_star_years(2025), ip=[invention() for _ in range(6)]),
         why="6 < 7: the regular route fails; exceptions 1, 3, 4 need a reviewer",
         expect=dict(status="manual_review", clauses={"star.3": ("unmet", None), "star.regular": ("unmet", None)})),
    dict(name="star-2022-five-patents", standard="star-market", as_of="2024-04-29",
         record=base(years=_star_years(2023), ip=[invention() for _ in range(5)]),
         why="before 2024-04-30 the 2022 text applies: 5 patents suffice",
         expect=dict(status="met", version="star-market-2022", clauses={"star.3": ("met", None)})),
    # ---- 山东瞪羚 (鲁工信发〔2020〕8号)
    dict(name="gazelle-2000w-band", standard="gazelle-sd", as_of=AS_OF, record=_gazelle(),
         why="revenue exactly 2,000万 is in the 2,000万–1亿 band (CAGR 26.5% >= 20%); credit score needs a reviewer",
         expect=dict(status="manual_review", version="gazelle-sd-2020",
                     clauses={"gz.4.b": ("met", None), "gz.4.a.hi": ("unmet", None), "gz.5": ("met", None), "gz.6": ("manual_review", None)})),
    dict(name="gazelle-below-1000w", standard="gazelle-sd", as_of=AS_OF,
         record=with_year(_gazelle(), 2025, operating_revenue=9_999_999),
         why="below 1,000万 no growth band applies", expect=dict(status="unmet", clauses={"gz.4": ("unmet", None)})),
]
