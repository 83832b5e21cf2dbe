"""Every record follows the interchange standard; identifiers are valid and unique."""

from __future__ import annotations

import re
from collections import Counter

from kechuang.engine.facts.uscc import is_valid_uscc
from kechuang.synthetic import DISTRICTS, generate
from kechuang.synthetic.tables import INDUSTRIES, TRADE_CHARS

from .conftest import AS_OF, SAMPLE
from .schema import check_record

ISO_AS_OF = AS_OF.isoformat()


def test_every_record_conforms_to_the_standard(sample):
    problems = {r["uscc"]: p for r in sample if (p := check_record(r))}
    assert problems == {}


def test_every_uscc_is_valid_unique_and_carries_its_district(sample):
    codes = [r["uscc"] for r in sample]
    assert all(is_valid_uscc(c) for c in codes)
    assert len(set(codes)) == SAMPLE
    assert all(r["uscc"][2:8] == r["region_code"] for r in sample)


def test_names_are_unique_jinan_companies(sample):
    names = [r["name"] for r in sample]
    assert len(set(names)) == SAMPLE
    pattern = re.compile(rf"^济南[{TRADE_CHARS}]{{2,3}}\w+(有限公司|股份有限公司|有限责任公司)$")
    assert [n for n in names if not pattern.match(n)] == []


def test_ip_numbers_and_contract_numbers_are_unique(sample):
    numbers = [i["number"] for r in sample for i in r["ip"]]
    contracts = [loan["contract_number"] for r in sample for loan in r["loans"]]
    assert len(numbers) == len(set(numbers))
    assert len(contracts) == len(set(contracts))
    invention = [n for r in sample for i in r["ip"] if i["type"] == "invention_patent"
                 for n in [i["number"]]]
    assert all(re.match(r"^ZL\d{4} 1 \d{7}\.[0-9X]$", n) for n in invention)


def test_codes_come_from_the_reference_tables(sample):
    assert {r["region_code"] for r in sample} == {d.code for d in DISTRICTS}
    assert {r["industry_code"] for r in sample} <= {i.code for i in INDUSTRIES}


def test_dates_are_consistent(sample):
    bad = []
    for r in sample:
        reg = r["registered_on"]
        if not reg <= ISO_AS_OF:
            bad.append(("registered", r["uscc"]))
        for i in r["ip"]:
            if not i["granted_on"] < ISO_AS_OF:
                bad.append(("granted", r["uscc"]))
            if i["acquired_on"] is not None and not (i["granted_on"] <= i["acquired_on"] < ISO_AS_OF
                                                     and i["acquired_on"] >= reg):
                bad.append(("acquired", r["uscc"]))
            if i["acquisition"] == "self_developed" and not (reg < i["granted_on"]
                                                             and i["acquired_on"] is None):
                bad.append(("self", r["uscc"]))
        for c in r["certificates"]:
            if not (reg <= c["valid_from"] <= ISO_AS_OF and c["valid_from"] < c["valid_to"]):
                bad.append(("certificate", r["uscc"], c["kind"]))
        for loan in r["loans"]:
            if not (reg <= loan["start_on"] < loan["due_on"]):
                bad.append(("loan", r["uscc"]))
            if (loan["status"] == "outstanding") and loan["due_on"] < ISO_AS_OF:
                bad.append(("status", r["uscc"]))
            if (loan["overdue_amount"] > 0) != (loan["status"] in ("overdue", "written_off")):
                bad.append(("overdue", r["uscc"]))
        for inc in r["incidents"]:
            if "removed_on" in inc and not inc["date"] < inc["removed_on"] < ISO_AS_OF:
                bad.append(("removed", r["uscc"]))
        years = [y["year"] for y in r["years"]]
        if years != sorted(years) or not set(years) <= {2023, 2024, 2025}:
            bad.append(("years", r["uscc"]))
        if years and int(reg[:4]) > years[0]:
            bad.append(("year before registration", r["uscc"]))
    assert bad == []


def test_annual_facts_are_internally_consistent(sample):
    bad = []
    for r in sample:
        for y in r["years"]:
            emp, tech, rd_staff = y["employees"], y["tech_staff"], y["rd_staff"]
            if None not in (emp, tech) and not 0 <= tech <= emp:
                bad.append(("tech", r["uscc"], y["year"]))
            if None not in (tech, rd_staff) and not rd_staff <= tech:
                bad.append(("rd_staff", r["uscc"], y["year"]))
            if None not in (y["rd_expense"], y["rd_expense_domestic"]) and \
                    y["rd_expense_domestic"] > y["rd_expense"] + 0.01:
                bad.append(("domestic", r["uscc"], y["year"]))
            if None not in (y["rd_expense"], y["cost_expense_total"]) and \
                    y["rd_expense"] > y["cost_expense_total"]:
                bad.append(("cost", r["uscc"], y["year"]))
    assert bad == []


def test_a_district_region_restricts_every_record():
    recs = list(generate(300, region="370116"))
    assert Counter(r["region_code"] for r in recs) == Counter({"370116": 300})


def test_the_platform_validator_accepts_every_record(sample):
    from kechuang.engine.facts.validate import validate_record

    head = sample[:2000]  # the validator's own speed is benchmarked elsewhere
    results = [validate_record(r, today=AS_OF) for r in head]
    errors = {r["uscc"]: res.errors for r, res in zip(head, results, strict=True) if not res.ok}
    warnings = {r["uscc"]: res.warnings for r, res in zip(head, results, strict=True) if res.warnings}
    assert errors == {}
    assert warnings == {}
