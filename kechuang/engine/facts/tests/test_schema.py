"""The schema keeps every field of the standard under its name, and the JSON Schema cannot drift."""

from __future__ import annotations

import ast
import json
import pathlib
import re

import pytest

from kechuang.engine.facts import schema
from kechuang.engine.facts.jsonschema import build_json_schema, render_json_schema
from kechuang.engine.facts.schema import SECTIONS, field_by_label, get_section
from kechuang.engine.facts.tests.factories import full_record, make_record

REPO = pathlib.Path(__file__).resolve().parents[4]
FACTS = pathlib.Path(__file__).resolve().parents[1]

#: The fields of the standard (enterprise-facts.md, v1), by section: never renamed or dropped.
STANDARD = {
    "profile": ["uscc", "name", "registered_on", "region_code", "industry_code",
                "resident_enterprise", "restricted_industry", "hnte_field", "strategic_emerging",
                "star_market_sector", "niche_years", "market_share", "market_rank_cn",
                "rd_institution_level", "digital_level", "quality_items", "srdi_platform_score",
                "expert_scores"],
    "years": ["year", "employees", "tech_staff", "rd_staff", "operating_revenue",
              "main_business_revenue", "sales_revenue", "total_income", "non_taxable_income",
              "high_tech_revenue", "rd_expense", "rd_expense_domestic", "cost_expense_total",
              "total_assets", "total_liabilities", "net_profit", "tech_conversions",
              "tax_credit_grade", "social_insurance_headcount"],
    "ip": ["type", "granted_on", "acquisition", "acquired_on", "main_product_related",
           "industrializable", "high_value", "used_in_hnte"],
    "equity_financing": ["date", "amount", "qualified_investor"],
    "awards": ["level", "year", "rank"],
    "standards_led": ["level", "year", "rank"],
    "maker_china": ["year", "top"],
    "certificates": ["kind", "valid_from", "valid_to"],
    "incidents": ["kind", "date"],
}
EXTENSIONS = {
    "profile": ["registered_capital", "expected_market_value", "market_value_basis", "market_value_date"],
    "years": ["tax_paid", "high_level_talent", "net_profit_deducted", "operating_cash_flow", "weighted_roe"],
    "ip": ["number", "title", "pledged", "pledged_on", "filed_on", "expires_on", "claims", "citations",
           "family_size", "litigations", "licences", "attributable_revenue", "held_as", "transferred_out_on"],
    "incidents": ["removed_on"],
    "loans": ["contract_number", "lender", "kind", "amount", "start_on", "due_on", "status",
              "max_overdue_days", "overdue_amount"],
    "judgments": ["case_number", "decided_on", "role", "kind", "amount"],
    "penalties": ["document_number", "decided_on", "authority", "kind", "amount"],
}


def test_every_standard_field_keeps_its_name_and_extensions_are_marked():
    for name, section in SECTIONS.items():
        standard = [f.name for f in section.fields if not (f.extension or section.extension)]
        added = [f.name for f in section.fields if f.extension or section.extension]
        assert (name, standard) == (name, STANDARD.get(name, []))
        assert (name, sorted(added)) == (name, sorted(EXTENSIONS.get(name, [])))


@pytest.mark.parametrize(("section", "choices"), [
    ("profile.rd_institution_level", ("national", "provincial", "municipal", "below_municipal",
                                      "none")),
    ("profile.quality_items", ("provincial_quality_award", "quality_system_cert", "own_brand",
                               "standard_drafting")),
    ("years.tax_credit_grade", ("A", "B", "M", "C", "D")),
    ("ip.type", ("invention_patent", "defense_patent", "plant_variety", "national_crop_variety",
                 "national_new_drug", "tcm_protected_variety", "ic_layout", "utility_model",
                 "design", "software_copyright")),
    ("ip.acquisition", ("self_developed", "transferred", "gifted", "merger")),
    ("awards.level", ("national", "provincial")),
    ("standards_led.level", ("international", "national", "industry")),
    ("maker_china.top", (50, 500)),
    ("certificates.kind", ("hnte", "tsme", "innovative_sme", "srdi_sme", "little_giant",
                           "tech_innovation_sme", "gazelle")),
    ("incidents.kind", ("major_safety_accident", "major_quality_accident",
                        "serious_environmental_violation", "serious_research_misconduct",
                        "abnormal_operation_list", "serious_dishonesty_list",
                        "equity_frozen")),  # the last one an extension (schema 1.2)
    ("loans.kind", ("credit", "ip_pledge", "guaranteed", "mortgage", "other")),
    ("loans.status", ("outstanding", "repaid", "overdue", "written_off")),
    ("judgments.role", ("plaintiff", "defendant", "third_party")),
    ("judgments.kind", ("civil", "commercial", "administrative", "criminal", "enforcement")),
    ("penalties.kind", ("warning", "fine", "confiscation", "suspension", "license_revoked",
                        "other")),
])
def test_choices_are_the_standards(section, choices):
    sec, name = section.split(".")
    assert schema.get_field(sec, name).choices == choices


def test_sections_sheet_names_and_keys():
    assert [(s.name, s.label_zh, s.key_fields) for s in SECTIONS.values()] == [
        ("profile", "企业基本信息", ()), ("years", "年度数据", ("year",)),
        ("ip", "知识产权", ("number",)), ("equity_financing", "股权融资", None),
        ("awards", "科技奖励", None), ("standards_led", "标准制定", None),
        ("maker_china", "创客中国", None), ("certificates", "资质证书", None),
        ("incidents", "不良事件", None), ("loans", "贷款记录", ("contract_number",)),
        ("judgments", "裁判文书", ("case_number",)),
        ("penalties", "行政处罚", ("document_number",)),
    ]
    assert [f.name for f in schema.columns("years")][:2] == ["uscc", "year"]


@pytest.mark.parametrize(("label", "section", "field"), [
    ("职工总数", "years", "employees"), ("营业收入（元）", "years", "operating_revenue"),
    ("营业收入(元)", "years", "operating_revenue"), ("operating_revenue", "years",
                                                   "operating_revenue"),
    (" 统一社会信用代码 ", "ip", "uscc"), ("\ufeff统一社会信用代码", "profile", "uscc"),
    ("贷款方式", "loans", "kind"), ("职工人数", "years", None), ("职工总数", "ip", None),
])
def test_field_by_label(label, section, field):
    found = field_by_label(label, section)
    assert (found.name if found else None) == field


def test_get_section_by_name_or_sheet_name():
    assert (get_section("年度数据").name, get_section("loans").name, get_section("年报")) == (
        "years", "loans", None)


def test_field_rejects_an_unknown_type_and_unlabelled_choices():
    with pytest.raises(ValueError, match="unknown field type"):
        schema.Field("x", "money", "金额", "Money")
    with pytest.raises(ValueError, match="Chinese label"):
        schema.Field("x", "enum", "选项", "Choice", choices=("a", "b"), choice_labels_zh={"a": "甲"})


def test_committed_json_schema_is_the_generated_one():
    committed = (REPO / "docs" / "enterprise-facts.schema.json").read_text(encoding="utf-8")
    assert committed == render_json_schema(), (
        "regenerate: python -m kechuang.engine.facts.jsonschema > docs/enterprise-facts.schema.json")


def test_json_schema_accepts_records_and_rejects_contract_breaches():
    jsonschema = pytest.importorskip("jsonschema")  # a test-only dependency
    validator = jsonschema.Draft202012Validator(build_json_schema(),
                                                format_checker=jsonschema.FormatChecker())
    jsonschema.Draft202012Validator.check_schema(build_json_schema())
    assert list(validator.iter_errors(full_record())) == []
    assert list(validator.iter_errors(make_record(market_share=None, years=None))) == []
    bad = make_record(market_share=12, registered_on="2015/06/30", employees=3)
    bad["ip"][0]["type"] = "trademark"
    messages = sorted(e.message for e in validator.iter_errors(bad))
    assert messages == [
        "'2015/06/30' is not a 'date'",
        "'trademark' is not one of ['invention_patent', 'defense_patent', 'plant_variety', "
        "'national_crop_variety', 'national_new_drug', 'tcm_protected_variety', 'ic_layout', "
        "'utility_model', 'design', 'software_copyright']",
        "12 is greater than the maximum of 1",
        "Additional properties are not allowed ('employees' was unexpected)",
    ]


def test_json_schema_shape():
    doc = build_json_schema()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["x-schema-version"] == "1.3"
    assert doc["required"] == ["uscc", "name", "registered_on"]
    assert doc["properties"]["market_share"]["type"] == ["number", "null"]
    assert doc["$defs"]["loans"]["required"] == ["contract_number", "amount"]
    assert doc["$defs"]["years"]["properties"]["net_profit"]["exclusiveMinimum"] == -10**15
    assert doc["properties"]["registered_capital"]["x-extension"] is True


def test_the_library_never_imports_django():
    # the import-linter contract checks it in CI; this keeps the facts tests honest on their own
    for path in FACTS.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert [n for n in names if n.split(".")[0] in ("django", "rest_framework")] == [], path


def test_committed_json_schema_is_valid_json():
    doc = json.loads((REPO / "docs" / "enterprise-facts.schema.json").read_text(encoding="utf-8"))
    assert doc["$id"] == "https://kechuang.example/schemas/enterprise-facts.schema.json"


def test_every_choice_label_has_its_english():
    missing = [(s.name, f.name, c) for s in schema.SECTIONS.values() for f in s.fields for c in f.choices
               if f.choice_labels_zh[c] not in schema.CHOICE_LABELS_EN]
    assert missing == []


def test_every_help_has_its_english():
    """The quarantine fix form shows each field's help in the page's language: every help of the
    standard (fields and sections) has an English text, and no English text is Chinese."""
    helps = {f.help_zh for s in schema.SECTIONS.values() for f in s.fields if f.help_zh}
    helps |= {s.help_zh for s in schema.SECTIONS.values() if s.help_zh}
    assert [h for h in sorted(helps) if re.search(r"[\u3400-\u9fff]", schema.help_en(h))] == []
    assert schema.help_en("年末数。单位：元（不是万元），保留两位小数。") == (
        "Year-end figure. In yuan (not 10k yuan), two decimal places.")
    name = schema.SECTIONS["profile"].by_name["name"]
    assert name.help_of(english=True) == ("Full name on the business licence. Required for a new enterprise; may "
                                          "be empty when only adding yearly data.")
    assert name.help_of() == "营业执照上的全称。新建企业时必填；只补充年度等数据时可留空。"


@pytest.mark.parametrize(("section", "name", "value", "zh", "en"), [
    ("years", "tax_credit_grade", "A", "A级", "Grade A"),
    ("loans", "status", "written_off", "已核销", "Written off"),
    ("maker_china", "top", 50, "全国50强", "National top 50"),
    ("years", "tax_credit_grade", "Z", "Z", "Z"),
])
def test_a_choice_reads_in_either_language(section, name, value, zh, en):
    field = schema.SECTIONS[section].by_name[name]
    assert (field.label_of(value), field.label_of(value, english=True)) == (zh, en)
