"""explode / assemble: flat rows per section with stable keys and content hashes, and back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import orjson

from kechuang.engine.facts.tests.factories import TODAY, USCC_A, full_record, make_record
from kechuang.engine.facts.validate import (
    assemble,
    content_hash,
    explode,
    to_jsonable,
    validate_record,
)


def normalised(record: dict) -> dict:
    result = validate_record(record, today=TODAY)
    assert result.errors == []
    return result.record


def test_round_trip_of_every_section():
    # given a normalised record with every section
    record = normalised(full_record())
    # when exploded, assembled, sent through JSON and validated again
    back = assemble(explode(record))
    again = normalised(orjson.loads(orjson.dumps(back)))
    # then nothing changed
    assert again == record
    assert back == to_jsonable(record)


def test_rows_have_every_field_a_key_and_a_hash():
    rows = explode(normalised(full_record()))
    assert list(rows) == ["profile", "years", "ip", "equity_financing", "awards",
                          "standards_led", "maker_china", "certificates", "incidents", "loans",
                          "judgments", "penalties"]
    year = rows["years"][0]
    assert list(year)[:3] == ["year", "employees", "tech_staff"]
    assert list(year)[-2:] == ["key", "content_hash"]
    assert (year["key"], year["tax_paid"], year["operating_revenue"]) == (
        "2023", None, Decimal("41600000.28"))
    assert [r["key"] for r in rows["ip"][:3]] == ["ZL202110000001.X", "ZL202220000002.1",
                                                  "2023SR0000003"]
    assert rows["ip"][3]["key"] == rows["ip"][3]["content_hash"]  # no number: content identity
    assert rows["awards"][0]["key"] == rows["awards"][0]["content_hash"]
    assert rows["loans"][0]["key"] == "JK2024-0001"
    (profile,) = rows["profile"]
    assert (profile["key"], profile["uscc"], profile["registered_on"]) == (
        "", USCC_A, date(2015, 6, 30))
    assert "years" not in profile


def test_absent_list_is_not_an_empty_list():
    rows = explode(normalised(make_record(awards=[])))
    assert (rows["awards"], "loans" in rows) == ([], False)
    assert "loans" not in assemble(rows)
    assert assemble(rows)["awards"] == []


def test_content_hash_is_the_md5_of_the_documented_canonical_text():
    # golden value: md5(b"year=2025\x1eemployees=12\x1eoperating_revenue=1234.50"), schema order
    row = {"operating_revenue": Decimal("1234.50"), "employees": 12, "year": 2025}
    assert content_hash("years", row) == "c9f4b96da168f34d538f7fe9c53f7cf1"
    assert content_hash("years", {**row, "tax_paid": None}) == content_hash("years", row)
    assert content_hash("years", {**row, "employees": 13}) != content_hash("years", row)


def test_content_hash_quotes_strings_so_fields_cannot_run_together():
    a = content_hash("penalties", {"document_number": "A", "authority": "B"})
    b = content_hash("penalties", {"document_number": 'A"\x1eauthority="B'})
    assert a != b


def test_hash_changes_with_content_but_key_does_not():
    record = normalised(make_record())
    before = explode(record)["years"][2]
    record["years"][2]["employees"] = 121
    after = explode(record)["years"][2]
    assert (before["key"], after["key"]) == ("2025", "2025")
    assert before["content_hash"] != after["content_hash"]


def test_assemble_makes_json_ready_values():
    record = assemble(explode(normalised(full_record())))
    assert record["registered_capital"] == 10000000
    assert type(record["registered_capital"]) is int
    assert record["years"][0]["operating_revenue"] == 41600000.28
    assert record["ip"][0]["granted_on"] == "2022-03-15"
    assert record["quality_items"] == ["quality_system_cert", "own_brand"]
    assert "tax_paid" not in record["years"][0]
