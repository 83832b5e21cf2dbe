"""validate_lines (the vectorised batch path) against the per-record path, which is the reference:
the JSON Lines reader, validate_record and explode, line by line, with the importer's rule for a
code seen twice. For any chunk both must accept the same records with the same rows (values, keys,
content hashes) and reject the others with the same errors."""

from __future__ import annotations

import copy
import io
import json
from decimal import Decimal

import orjson
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.engine.facts import validate as validate_module
from kechuang.engine.facts.batch import (
    BatchResult,
    duplicate_uscc_error,
    iter_chunks,
    output_schema,
    validate_lines,
)
from kechuang.engine.facts.batch_checks import CROSS_SECTIONS, json_text
from kechuang.engine.facts.errors import Code
from kechuang.engine.facts.readers import jsonl_line_reader
from kechuang.engine.facts.schema import LIST_SECTIONS, SECTIONS
from kechuang.engine.facts.tests.factories import TODAY, USCC_A, USCC_B, full_record, make_record
from kechuang.engine.facts.uscc import make_uscc
from kechuang.engine.facts.validate import explode, validate_record
from kechuang.synthetic import generate

_JSON_FIELDS = {name: [f.name for f in sec.fields if f.type in ("enum_list", "object")]
                for name, sec in SECTIONS.items()}


# --------------------------------------------------------------------------------------------
# The reference: the per-record path, line by line


def _error_view(errors) -> list[tuple]:
    return [(e.path, e.field, str(e.code), e.message, e.message_en, e.value, e.row)
            for e in errors]


def reference(chunk: bytes, *, first_row: int = 1, known=frozenset(), seen=None,
              encoding: str = "utf-8") -> dict:
    """What the importer gets from the per-record path for ``chunk``."""
    read = jsonl_line_reader(encoding)
    first: dict[str, int] = dict(seen or {})
    out = {"sections": {name: [] for name in SECTIONS}, "present": {n: [] for n in LIST_SECTIONS},
           "valid": [], "errors": [], "warnings": [], "total": 0}
    for offset, raw in enumerate(io.BytesIO(chunk).readlines()):
        row = first_row + offset
        if raw.isspace():
            continue
        out["total"] += 1
        line = read(raw, row)
        if line.data is None:
            out["errors"].append((row, "", _error_view(line.errors)))
            continue
        uscc = line.data.get("uscc")
        uscc = uscc if isinstance(uscc, str) else ""
        result = validate_record(line.data, today=TODAY, partial=uscc in known)
        errors = list(result.errors)
        if not errors and uscc in first:
            errors = [duplicate_uscc_error(uscc, first[uscc])]
        for e in errors + result.warnings:
            e.row = row
        if errors:
            out["errors"].append((row, uscc, _error_view(errors)))
            continue
        first[uscc] = row
        out["valid"].append((row, uscc))
        if result.warnings:
            out["warnings"].append((row, uscc, _error_view(result.warnings)))
        for name, rows in explode(result.record).items():
            if name != "profile":
                out["present"][name].append(uscc)
            for item in rows:
                item = _float_numbers(name, {**item, **{n: json_text(item[n])
                                                        for n in _JSON_FIELDS[name]}})
                out["sections"][name].append(item if name == "profile" else {"uscc": uscc, **item})
    return out


def _float_numbers(name: str, row: dict) -> dict:
    """Number columns are float64 (see batch._python_table)."""
    for f in SECTIONS[name].fields:
        if f.type in ("number", "ratio") and row[f.name] is not None:
            row[f.name] = float(row[f.name])
    return row


def batch_view(result: BatchResult) -> dict:
    return {"sections": {name: t.to_pylist() for name, t in result.sections.items()},
            "present": {name: a.to_pylist() for name, a in result.present.items()},
            "valid": result.valid_usccs,
            "errors": [(row, uscc, _error_view(errs)) for row, uscc, errs in result.errors],
            "warnings": [(row, uscc, _error_view(ws)) for row, uscc, ws in result.warnings],
            "total": result.total}


def assert_same(chunk: bytes, *, first_row: int = 1, **kw) -> BatchResult:
    """Both paths on ``chunk``: the same sections (first, for a readable diff), then the same
    everything."""
    result = validate_lines(chunk, today=TODAY, first_row=first_row, **kw)
    expected = reference(chunk, first_row=first_row, **kw)
    got = batch_view(result)
    for name in SECTIONS:
        assert got["sections"][name] == expected["sections"][name], name
    assert got == expected
    return result


def lines(*records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records)


# --------------------------------------------------------------------------------------------
# Synthetic data, row for row


@pytest.fixture(scope="module")
def synthetic_chunk() -> bytes:
    return lines(*generate(5000))


def test_5000_synthetic_records_give_the_same_rows_keys_and_hashes(synthetic_chunk):
    # given 5,000 synthetic records; when validated by both paths; then the same everything
    result = assert_same(synthetic_chunk)
    # and every record took the vectorised path
    assert (result.total, result.valid.num_rows, result.fallback) == (5000, 5000, 0)
    assert result.sections["years"].num_rows == sum(
        len(json.loads(line)["years"]) for line in synthetic_chunk.splitlines())


def test_synthetic_records_known_to_the_database_and_split_over_chunks(synthetic_chunk):
    # given the same records in two chunks, half of them known
    body = synthetic_chunk.splitlines(keepends=True)
    known = {json.loads(line)["uscc"] for line in body[::2]}
    first = b"".join(body[:2500])
    second = b"".join(body[2500:])
    a = assert_same(first, known=known)
    # when the second chunk repeats a code of the first
    repeated = second + body[7]
    b = assert_same(repeated, first_row=2501, known=known, seen=dict(
        (uscc, row) for row, uscc in a.valid_usccs))
    # then that line is the importer's duplicate, pointing at the first chunk's row
    expected = duplicate_uscc_error(json.loads(body[7])["uscc"], 8)
    expected.row = 5001
    assert b.errors[-1][0] == 5001
    assert _error_view(b.errors[-1][2]) == _error_view([expected])


def test_output_types_load_straight_into_the_fact_tables(synthetic_chunk):
    result = validate_lines(synthetic_chunk, first_row=1, today=TODAY)
    years = result.sections["years"]
    assert years.schema == output_schema("years")
    assert years.schema.field("operating_revenue").type == pa.decimal128(20, 2)
    assert result.sections["profile"].schema.field("registered_on").type == pa.date32()
    assert years.column_names[:2] == ["uscc", "year"]
    assert years.column_names[-2:] == ["key", "content_hash"]
    first = years.slice(0, 1).to_pylist()[0]
    assert first["key"] == str(first["year"])
    assert isinstance(first["operating_revenue"], Decimal)


def test_sections_write_as_postgresql_copy_csv():
    # given the rows of a record with a negative amount and an unknown (null) field
    result = validate_lines(lines(make_record()), first_row=1, today=TODAY)
    years = result.sections["years"].select(["year", "net_profit", "tax_paid", "key"])
    # when written as CSV for COPY ... (FORMAT csv)
    out = io.BytesIO()
    pa_csv.write_csv(years.slice(0, 1), out, pa_csv.WriteOptions(include_header=False))
    # then amounts have two places, null is an unquoted empty field
    assert out.getvalue() == b'2023,-1200000.75,,"2023"\n'


# --------------------------------------------------------------------------------------------
# Each kind of bad input: the per-record messages, the rest of the chunk unharmed

GOOD = make_record(USCC_B)
WRONG_CHECK_DIGIT = USCC_A[:17] + ("0" if USCC_A[17] != "0" else "1")


def _with(change) -> dict:
    record = make_record()
    change(record)
    return record


BAD_LINES = [
    ("wrong check digit", lines(make_record(WRONG_CHECK_DIGIT)), [("uscc", "uscc")]),
    ("unknown enum value", lines(make_record(rd_institution_level="county")),
     [("rd_institution_level", "enum")]),
    ("negative headcount", lines(_with(lambda r: r["years"][1].update(employees=-5))),
     [("years[1].employees", "negative")]),
    ("text in a number field", lines(_with(lambda r: r["years"][2].update(rd_expense="约360万"))),
     [("years[2].rd_expense", "type")]),
    ("unknown field", lines(make_record(employees=5)), [("employees", "unknown_field")]),
    ("unknown field with a null value", lines(make_record(foo=None)), [("foo", "unknown_field")]),
    ("unknown field in an item", lines(_with(lambda r: r["ip"][0].update(colour=None))),
     [("ip[0].colour", "unknown_field")]),
    ("non-object line", b"[1, 2]\n", [("", "json")]),
    ("bad JSON", b'{"uscc": "x",\n', [("", "json")]),
    ("two objects on one line", lines(GOOD)[:-1] + b" " + lines(GOOD), [("", "json")]),
    ("duplicate year", lines(_with(lambda r: r["years"][2].update(year=2024))),
     [("years[2].year", "duplicate")]),
    ("tech staff above employees", lines(_with(lambda r: r["years"][0].update(tech_staff=121))),
     [("years[0].tech_staff", "inconsistent")]),
    ("grant in the future", lines(_with(lambda r: r["ip"][0].update(granted_on="2026-11-23"))),
     [("ip[0].granted_on", "future_date")]),
    ("not a calendar day", lines(make_record(registered_on="2015-02-30")),
     [("registered_on", "type")]),
    ("a bool as an integer", lines(make_record(digital_level=True)), [("digital_level", "type")]),
    ("amount beyond 10^15", lines(make_record(registered_capital=1e16)),
     [("registered_capital", "range")]),
    ("item that is not an object", lines(_with(lambda r: r["ip"].insert(1, "ZL1"))),
     [("ip[1]", "type")]),
    ("name missing for a new enterprise", lines(make_record(name="")), [("name", "required")]),
    ("undecodable bytes", lines(GOOD)[:-1].replace("济南".encode(), b"\xff\xfe") + b"\n",
     [("", "encoding")]),
]


@pytest.mark.parametrize(("chunk", "expected"), [(c, e) for _, c, e in BAD_LINES],
                         ids=[label for label, _, _ in BAD_LINES])
def test_bad_input_is_reported_like_the_per_record_path(chunk, expected):
    # given a bad line between two good ones
    good_c = make_record(make_uscc("370102", "000000002"))
    data = lines(GOOD) + chunk + lines(good_c)
    # when validated; then exactly the per-record result
    result = assert_same(data)
    # and the bad line took the per-record path with the expected errors, the others not
    rejected = {row: [(e.path, str(e.code)) for e in errs] for row, _, errs in result.errors}
    assert rejected == {2: expected}
    assert result.valid_usccs == [(1, USCC_B), (3, good_c["uscc"])]
    assert result.fallback == 1


def test_gbk_text_in_a_utf8_file_is_read_like_the_reader_does():
    # given a line saved as GBK inside a UTF-8 file
    data = lines(make_record()).decode().encode("gbk")
    # when validated; then the reader's second encoding reads it and the record is accepted
    result = assert_same(lines(GOOD) + data)
    assert (result.valid_usccs, result.fallback) == ([(1, USCC_B), (2, USCC_A)], 1)
    assert result.sections["profile"].column("name").to_pylist()[1] == "济南示例科技有限公司"


def test_duplicate_uscc_in_the_chunk_rejects_the_second_occurrence():
    data = lines(GOOD, make_record(), GOOD)
    result = assert_same(data)
    assert result.valid_usccs == [(1, USCC_B), (2, USCC_A)]
    ((row, uscc, errors),) = result.errors
    expected = duplicate_uscc_error(USCC_B, 1)
    expected.row = 3
    assert (row, uscc, _error_view(errors)) == (3, USCC_B, _error_view([expected]))
    assert errors[0].message == (f"统一社会信用代码 {USCC_B} 在本文件第 1 行已出现，"
                                 "同一文件中每家企业只能出现一次")
    assert result.sections["profile"].column("uscc").to_pylist() == [USCC_B, USCC_A]


def test_known_enterprise_may_omit_the_creation_fields():
    partial = {"uscc": USCC_A, "years": [{"year": 2025, "employees": 7}]}
    assert_same(lines(partial), known={USCC_A})
    assert validate_lines(lines(partial), first_row=1, today=TODAY,
                          known={USCC_A}).valid_usccs == [(1, USCC_A)]
    result = assert_same(lines(partial))
    assert [(e.path, e.code) for e in result.errors[0][2]] == [
        ("name", Code.REQUIRED), ("registered_on", Code.REQUIRED)]


def test_known_may_be_asked_of_a_function_with_the_chunks_codes():
    # given a chunk of a known enterprise sending only annual facts, a new one, and a line Arrow
    # cannot read (text in a number field) of another known enterprise
    partial = {"uscc": USCC_A, "years": [{"year": 2025, "employees": 7}]}
    other = make_uscc("370102", "000000006")
    odd = {"uscc": other, "years": [{"year": 2025, "employees": "7"}]}
    asked = []

    def existing(codes):
        asked.append(codes)
        return {USCC_A, other} & set(codes)

    # when validated with a function for known
    data = lines(partial, GOOD, odd)
    result = validate_lines(data, first_row=1, today=TODAY, known=existing)
    # then it was asked once about every code, and the partial record is accepted
    assert asked == [sorted([USCC_A, USCC_B, other])]
    assert result.valid_usccs == [(1, USCC_A), (2, USCC_B)]
    assert [(row, [(e.path, e.code) for e in errs]) for row, _, errs in result.errors] == [
        (3, [("years[0].employees", Code.TYPE)])]
    assert batch_view(result) == batch_view(assert_same(data, known={USCC_A, other}))


def test_warnings_keep_the_record_and_carry_their_row():
    record = _with(lambda r: r["years"][0].update(social_insurance_headcount=500))
    result = assert_same(lines(GOOD, record))
    assert [(row, uscc, [(e.path, e.code) for e in ws]) for row, uscc, ws in result.warnings] == [
        (2, USCC_A, [("years[0].social_insurance_headcount", Code.INCONSISTENT)])]
    assert result.valid_usccs == [(1, USCC_B), (2, USCC_A)]


def test_every_section_and_field_type_round_trips():
    assert_same(lines(full_record(), make_record(USCC_B, awards=[], quality_items=[])))


def test_blank_lines_crlf_and_lone_carriage_returns_keep_their_row_numbers():
    body = lines(GOOD).replace(b"\n", b"\r\n")
    lone = orjson.dumps(make_record(make_uscc("370102", "000000003"))).replace(b",", b",\r", 1)
    data = b"\n  \n" + body + b"\x0c\n" + lone + b"\n" + lines(make_record())
    result = assert_same(data, first_row=101)
    assert result.valid_usccs == [(103, USCC_B), (105, make_uscc("370102", "000000003")),
                                  (106, USCC_A)]


def test_an_item_with_no_known_value_hashes_the_empty_text():
    # an empty item beside a full one (Arrow's join would drop an all-null row if asked to skip)
    result = assert_same(lines(make_record(equity_financing=[{}, {"amount": 5}])))
    assert result.sections["equity_financing"].column("content_hash")[0].as_py() == \
        "d41d8cd98f00b204e9800998ecf8427e"  # md5 of ""


def test_a_list_of_lines_is_the_same_chunk():
    data = lines(GOOD, b"[1]", make_record())
    as_lines = [line if i % 2 else line.rstrip(b"\n")
                for i, line in enumerate(data.splitlines(keepends=True))]
    expected = batch_view(validate_lines(data, first_row=7, today=TODAY))
    assert batch_view(validate_lines(as_lines, first_row=7, today=TODAY)) == expected
    assert expected["valid"] == [(7, USCC_B), (9, USCC_A)]


def test_escaped_text_is_hashed_like_explode():
    record = make_record(name='济南"引号"\\公司')
    record["ip"][0]["title"] = "a\\b"
    assert_same(lines(record, GOOD))


def test_other_encodings_take_the_per_record_path():
    data = lines(GOOD, make_record()).decode().encode("gb18030")
    result = assert_same(data, encoding="gb18030")
    assert (result.fallback, len(result.valid_usccs)) == (2, 2)


def test_iter_chunks_gives_whole_lines_and_rows_go_on(tmp_path):
    # given a file with a byte-order mark, read in chunks smaller than two lines
    path = tmp_path / "x.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + lines(GOOD, make_record()) + b"\n" + lines(GOOD))
    size = len(lines(GOOD)) + 10
    # when each chunk is validated, the next one starting where the last ended
    row, seen, errors, chunks = 1, {}, [], []
    for chunk, encoding in iter_chunks(path, size=size):
        result = validate_lines(chunk, first_row=row, today=TODAY, seen=seen, encoding=encoding)
        chunks.append((row, encoding, result.lines))
        seen.update((uscc, r) for r, uscc in result.valid_usccs)
        errors += [(r, [e.code for e in errs]) for r, _, errs in result.errors]
        row += result.lines
    # then whole lines came out with their rows, and the repeated code was caught across chunks
    assert chunks == [(1, "utf-8-sig", 1), (2, "utf-8-sig", 2), (4, "utf-8-sig", 1)]
    assert seen == {USCC_B: 1, USCC_A: 2}
    assert errors == [(4, [Code.DUPLICATE])]


def test_cross_field_rules_cover_the_validators_sections():
    # a new cross-field rule in validate.py must be mirrored in batch_checks.py
    assert CROSS_SECTIONS == frozenset(validate_module._CROSS)


# --------------------------------------------------------------------------------------------
# Property: any mix of valid and invalid values

ODD_VALUES = [
    None, "", " ", "x", 'a"b\\c', True, False, 0, -1, 1, 2, 4, 5, 3.0, 2.5, -0.0, 0.004, -0.006,
    12.345, 0.1, 1e10 + 0.5, 99999999999.995, 123456789012.345, 1e15, 1e16, 2**53 + 1, 2**31,
    10**20, 1900, 2025, 2026, 2027, 50, 500, 50.0, "2015-02-30", "2016-02-29", "2027-01-01",
    "1899-12-31", "2015-6-30", "２０１５-01-01", "2025-01-01", "370112", "３７０１１２", "I6513",
    "Z", "A", "national", "invention_patent", "hnte", [], [1], [None], ["own_brand"],
    ["own_brand", "own_brand"], ["own_brand", "quality_system_cert"], {}, {"a": 1},
    {"a": None}, {"a": "x"}, {"a": 1.0}, USCC_A, USCC_B, WRONG_CHECK_DIGIT,
]
_PROFILE_FIELDS = [f.name for f in SECTIONS["profile"].fields] + ["foo"]
_USCCS = [USCC_A, USCC_B, make_uscc("370102", "000000004"), make_uscc("370102", "000000005")]


@st.composite
def mutated_record(draw) -> bytes:
    base = draw(st.sampled_from(["typical", "full", "synthetic"]))
    record = {"typical": make_record, "full": full_record}.get(base, lambda: copy.deepcopy(
        _SYNTHETIC[draw(st.integers(0, len(_SYNTHETIC) - 1))]))()
    record["uscc"] = draw(st.sampled_from(_USCCS))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["top", "item", "drop", "list", "duplicate", "item_key"]))
        sections = [n for n in LIST_SECTIONS if isinstance(record.get(n), list) and record[n]]
        if kind == "top":
            record[draw(st.sampled_from(_PROFILE_FIELDS))] = draw(st.sampled_from(ODD_VALUES))
        elif kind == "drop" and record:
            record.pop(draw(st.sampled_from(sorted(record))))
        elif kind == "list":
            record[draw(st.sampled_from(LIST_SECTIONS))] = draw(st.sampled_from(
                [None, [], {}, "x", [None], [1], [{}]]))
        elif sections:
            name = draw(st.sampled_from(sections))
            items = record[name]
            i = draw(st.integers(0, len(items) - 1))
            if kind == "duplicate":
                items.append(copy.deepcopy(items[i]))
            elif isinstance(items[i], dict):
                names = [f.name for f in SECTIONS[name].fields] + ["colour"]
                key = draw(st.sampled_from(names))
                if kind == "item_key" and key in items[i]:
                    items[i].pop(key)
                else:
                    items[i][key] = draw(st.sampled_from(ODD_VALUES))
    return json.dumps(record, ensure_ascii=draw(st.booleans())).encode()


_SYNTHETIC = list(generate(20))
_RAW_LINES = [b"", b"   ", b"[1]", b'"text"', b"null", b'{"uscc":', b"{} {}", b"\x0c", b"{}",
              b'{"uscc": "x", "uscc": "y"}', b'{"uscc": NaN}']


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(st.one_of(mutated_record(), st.sampled_from(_RAW_LINES)), min_size=1,
                        max_size=8),
       known=st.sets(st.sampled_from(_USCCS)), first_row=st.integers(1, 10**6))
def test_any_mix_of_records_gives_the_per_record_result(records, known, first_row):
    assert_same(b"\n".join(records) + b"\n", known=known, first_row=first_row)
