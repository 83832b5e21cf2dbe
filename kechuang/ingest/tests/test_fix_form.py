"""The quarantine fix form: one input per field, labelled in Chinese, each problem beside its field;
submitting goes through the audited resubmit service; a still-bad value is shown beside its field
again with nothing written; the USCC stays the row's."""

import json
import re
from pathlib import Path

import pytest

from kechuang.core.models import AuditEntry
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import bank, record, regulator, uscc
from kechuang.ingest.forms import parse
from kechuang.ingest.models import QuarantinedRow
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.engine.facts.schema import get_field

pytestmark = pytest.mark.django_db


def _quarantine(tmp_path: Path, rec: dict, actor) -> QuarantinedRow:
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=actor, store_copy=False)
    import_run_execute(run=run, actor=actor)
    return QuarantinedRow.objects.get(run=run)


def _bad():
    rec = record(12)
    rec["years"][1]["employees"] = -5
    rec["years"][2]["operating_revenue"] = "四千万"
    return rec


def _row_html(page: str, path: str) -> str:
    m = re.search(r'<tr class="fix-row[^"]*" data-path="' + re.escape(path) + r'">(.*?)</tr>', page, re.S)
    assert m, f"no row for {path}"
    return m.group(1)


def _inputs(page: str) -> dict[str, str]:
    """The form's input names by the record path they edit."""
    return dict((p, n) for n, p in re.findall(r'name="(f\d+)"[^>]*data-path="([^"]+)"', page))


def _post_data(page: str, changes: dict[str, str]) -> dict[str, str]:
    data = {}
    for name, value in re.findall(r'<input type="(?:text|date)" name="(f\d+)" value="([^"]*)"', page):
        data[name] = value
    for name in re.findall(r'<select name="(f\d+)"', page):
        m = re.search(r'<select name="' + name + r'".*?</select>', page, re.S)
        sel = re.search(r'<option value="([^"]*)" selected', m.group(0))
        data[name] = sel.group(1) if sel else ""
    names = _inputs(page)
    for path, value in changes.items():
        data[names[path]] = value
    return data


def test_each_field_is_labelled_in_chinese_with_its_problem_beside_it(tmp_path, client):
    reg = regulator()
    row = _quarantine(tmp_path, _bad(), reg)
    client.force_login(reg)

    page = client.get(f"/ingest/quarantine/{row.pk}/fix/").content.decode()

    employees = _row_html(page, "years[1].employees")
    assert ">职工总数</label>" in employees and 'value="-5"' in employees
    assert '<td class="fix-problem text-danger"><div>年度数据[2024] 职工总数 为负数（-5）</div></td>' in employees
    revenue = _row_html(page, "years[2].operating_revenue")
    assert ">营业收入</label>" in revenue and "四千万" in revenue and "应为金额（元）" in revenue
    name = _row_html(page, "name")
    assert ">企业名称</label>" in name and 'class="fix-problem text-danger"></td>' in name  # no problem there
    assert _row_html(page, "years[0].employees").count("fix-problem text-danger\"></td>") == 1
    assert 'id="record-errors"' not in page  # every problem has its field


def test_a_fix_is_loaded_through_the_audited_resubmit_service(tmp_path, client):
    reg = regulator()
    row = _quarantine(tmp_path, _bad(), reg)
    client.force_login(reg)
    page = client.get(f"/ingest/quarantine/{row.pk}/fix/").content.decode()

    resp = client.post(f"/ingest/quarantine/{row.pk}/fix/", _post_data(page, {
        "years[1].employees": "90", "years[2].operating_revenue": "40,000,000"}))

    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.status == "resolved"
    ent = Enterprise.objects.get(uscc=uscc(12))
    assert ent.employees == 100
    assert (row.data["years"][1]["employees"], row.data["years"][2]["operating_revenue"]) == (90, 40000000)
    entry = AuditEntry.objects.get(object_type="ingest.quarantinedrow", object_id=str(row.pk), action="update")
    assert entry.after["status"] == "resolved"


def test_a_value_still_wrong_is_shown_beside_its_field_and_nothing_is_written(tmp_path, client):
    reg = regulator()
    row = _quarantine(tmp_path, _bad(), reg)
    client.force_login(reg)
    page = client.get(f"/ingest/quarantine/{row.pk}/fix/").content.decode()

    resp = client.post(f"/ingest/quarantine/{row.pk}/fix/", _post_data(page, {
        "years[1].employees": "-1", "years[2].operating_revenue": "40000000"}))

    assert resp.status_code == 400
    again = resp.content.decode()
    assert "职工总数" in _row_html(again, "years[1].employees") and \
        'value="-1"' in _row_html(again, "years[1].employees")
    assert "职工总数 为负数（-1）</div></td>" in _row_html(again, "years[1].employees")
    assert "fix-problem text-danger\"></td>" in _row_html(again, "years[2].operating_revenue")
    row.refresh_from_db()
    assert (row.status, Enterprise.objects.count()) == ("open", 0)
    assert not AuditEntry.objects.filter(object_type="ingest.quarantinedrow", action="update").exists()


def test_the_uscc_is_not_editable(tmp_path, client):
    reg = regulator()
    row = _quarantine(tmp_path, _bad(), reg)
    client.force_login(reg)
    page = client.get(f"/ingest/quarantine/{row.pk}/fix/").content.decode()
    assert re.search(r'<input type="text" name="f0" value="' + uscc(12) + r'"[^>]*disabled', page)

    data = _post_data(page, {"years[1].employees": "90", "years[2].operating_revenue": "40000000"})
    data["f0"] = uscc(1)  # a tampered post
    assert client.post(f"/ingest/quarantine/{row.pk}/fix/", data).status_code == 302

    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [uscc(12)]


def test_the_quarantine_list_links_to_the_fix_form_and_institutions_are_refused(tmp_path, client):
    reg = regulator()
    row = _quarantine(tmp_path, _bad(), reg)
    client.force_login(reg)
    assert f'href="/ingest/quarantine/{row.pk}/fix/"' in client.get(f"/ingest/{row.run_id}/").content.decode()

    client.force_login(bank())
    assert client.get(f"/ingest/quarantine/{row.pk}/fix/").status_code == 403
    assert client.post(f"/ingest/quarantine/{row.pk}/fix/", {}).status_code == 403
    row.refresh_from_db()
    assert row.status == "open"


@pytest.mark.parametrize(("section", "field", "text", "value"), [
    ("years", "employees", "1,200", 1200),
    ("years", "operating_revenue", "52000000.50", 52000000.5),
    ("years", "operating_revenue", "四千万", "四千万"),  # left as typed: the validator names it
    ("profile", "market_share", "12%", 0.12),
    ("profile", "resident_enterprise", "false", False),
    ("profile", "quality_items", "own_brand、quality_system_cert", ["own_brand", "quality_system_cert"]),
    ("profile", "expert_scores", '{"hnte.tech_advance": 20}', {"hnte.tech_advance": 20}),
    ("profile", "name", "  ", None),  # emptied: not known
])
def test_typed_text_goes_back_in_the_standards_type(section, field, text, value):
    assert parse(text, get_field(section, field)) == value
