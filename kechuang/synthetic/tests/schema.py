"""A small checker of enterprise-facts v1 records plus the agreed optional extensions
(docs/data-standard-extensions.md): field names, types, enums and date formats.

Returns a list of problems (empty when the record conforms) so a test can show them all.
"""

from __future__ import annotations

import re

from kechuang.engine.facts.uscc import is_valid_uscc

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = (int, float)


def _two_decimals(v: float) -> bool:
    return abs(round(v, 2) - v) < 1e-9


def _is(v, kind) -> bool:
    if v is None:
        return True
    if kind == "date":
        return isinstance(v, str) and bool(DATE.match(v))
    if kind == "money":
        return isinstance(v, NUMBER) and not isinstance(v, bool) and _two_decimals(v)
    if kind == "number":
        return isinstance(v, NUMBER) and not isinstance(v, bool)
    if kind == "int":
        return isinstance(v, int) and not isinstance(v, bool)
    if kind == "bool":
        return isinstance(v, bool)
    if kind == "str":
        return isinstance(v, str)
    if isinstance(kind, tuple):
        return v in kind
    raise AssertionError(kind)


TOP = {
    "uscc": "str", "name": "str", "registered_on": "date", "region_code": "str",
    "industry_code": "str", "resident_enterprise": "bool", "restricted_industry": "bool",
    "hnte_field": "bool", "strategic_emerging": "bool", "star_market_sector": "bool",
    "niche_years": "number", "market_share": "number", "market_rank_cn": "int",
    "rd_institution_level": ("national", "provincial", "municipal", "below_municipal", "none"),
    "digital_level": (1, 2, 3, 4), "srdi_platform_score": "number", "registered_capital": "money",
}
TOP_LISTS = ("quality_items", "years", "ip", "equity_financing", "awards", "standards_led",
             "maker_china", "certificates", "incidents", "loans", "judgments", "penalties")
YEAR = {
    "year": "int", "employees": "int", "tech_staff": "int", "rd_staff": "int",
    "operating_revenue": "money", "main_business_revenue": "money", "sales_revenue": "money",
    "total_income": "money", "non_taxable_income": "money", "high_tech_revenue": "money",
    "rd_expense": "money", "rd_expense_domestic": "money", "cost_expense_total": "money",
    "total_assets": "money", "total_liabilities": "money", "net_profit": "money",
    "tech_conversions": "int", "tax_credit_grade": ("A", "B", "M", "C", "D"),
    "social_insurance_headcount": "int", "tax_paid": "money", "high_level_talent": "int",
}
IP = {
    "type": ("invention_patent", "defense_patent", "plant_variety", "national_crop_variety",
             "national_new_drug", "tcm_protected_variety", "ic_layout", "utility_model", "design",
             "software_copyright"),
    "granted_on": "date", "acquisition": ("self_developed", "transferred", "gifted", "merger"),
    "acquired_on": "date", "main_product_related": "bool", "industrializable": "bool",
    "high_value": "bool", "used_in_hnte": "bool", "number": "str", "title": "str", "pledged": "bool",
    "pledged_on": "date",
}
ITEMS = {
    "equity_financing": {"date": "date", "amount": "money", "qualified_investor": "bool"},
    "awards": {"level": ("national", "provincial"), "year": "int", "rank": "int"},
    "standards_led": {"level": ("international", "national", "industry"), "year": "int", "rank": "int"},
    "maker_china": {"year": "int", "top": (50, 500)},
    "certificates": {"kind": ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant",
                              "tech_innovation_sme", "gazelle"),
                     "valid_from": "date", "valid_to": "date"},
    "incidents": {"kind": ("major_safety_accident", "major_quality_accident",
                           "serious_environmental_violation", "serious_research_misconduct",
                           "abnormal_operation_list", "serious_dishonesty_list"),
                  "date": "date", "removed_on": "date"},
    "loans": {"contract_number": "str", "lender": "str",
              "kind": ("credit", "ip_pledge", "guaranteed", "mortgage", "other"), "amount": "money",
              "start_on": "date", "due_on": "date",
              "status": ("outstanding", "repaid", "overdue", "written_off"),
              "max_overdue_days": "int", "overdue_amount": "money"},
    "judgments": {"case_number": "str", "decided_on": "date",
                  "role": ("plaintiff", "defendant", "third_party"),
                  "kind": ("civil", "commercial", "administrative", "criminal", "enforcement"),
                  "amount": "money"},
    "penalties": {"document_number": "str", "decided_on": "date", "authority": "str",
                  "kind": ("warning", "fine", "confiscation", "suspension", "license_revoked", "other"),
                  "amount": "money"},
}
REQUIRED = {"uscc", "name", "registered_on"}
QUALITY = {"provincial_quality_award", "quality_system_cert", "own_brand", "standard_drafting"}


def _fields(obj: dict, spec: dict, where: str, problems: list[str]) -> None:
    for key, value in obj.items():
        if key not in spec:
            problems.append(f"{where}: unknown field {key}")
        elif not _is(value, spec[key]):
            problems.append(f"{where}.{key}: {value!r} is not {spec[key]}")


def check_record(rec: dict) -> list[str]:
    problems: list[str] = []
    for key in REQUIRED:
        if rec.get(key) in (None, ""):
            problems.append(f"missing required {key}")
    if not is_valid_uscc(rec.get("uscc")):
        problems.append(f"invalid uscc {rec.get('uscc')!r}")
    known = set(TOP) | set(TOP_LISTS) | {"expert_scores"}
    for key in rec:
        if key not in known:
            problems.append(f"unknown top-level field {key}")
    _fields({k: v for k, v in rec.items() if k in TOP}, TOP, "record", problems)
    for key in TOP_LISTS:
        if not isinstance(rec.get(key), list):
            problems.append(f"{key} is not a list")
    if not set(rec.get("quality_items", [])) <= QUALITY:
        problems.append(f"quality_items {rec['quality_items']}")
    scores = rec.get("expert_scores")
    if scores is not None and not (isinstance(scores, dict)
                                   and all(_is(v, "number") for v in scores.values())):
        problems.append(f"expert_scores {scores!r}")
    for y in rec.get("years", []):
        _fields(y, YEAR, f"years[{y.get('year')}]", problems)
        if not isinstance(y.get("year"), int):
            problems.append("years[].year missing")
    for item in rec.get("ip", []):
        _fields(item, IP, "ip[]", problems)
        if "type" not in item:
            problems.append("ip[].type missing")
    for key, spec in ITEMS.items():
        for item in rec.get(key, []):
            _fields(item, spec, f"{key}[]", problems)
    return problems
