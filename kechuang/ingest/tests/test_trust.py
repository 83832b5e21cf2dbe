"""Issue #10 ("Trust"), the import points: a district writes only its district, sees only its
district's runs, duplicates lose nothing, a killed import is failed and resumed without writing a
row twice, and uploads have a size limit. Each test failed on the code before the fix."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from kechuang.accounts.choices import Role
from kechuang.core.services import job_run_pending
from kechuang.engine.facts import writers
from kechuang.engine.facts.errors import Code
from kechuang.enterprises.loading import FactLoader
from kechuang.enterprises.models import AnnualFact, Enterprise, SourceBatch
from kechuang.enterprises.tests.factories import load, record, regulator, uscc
from kechuang.ingest import services
from kechuang.ingest.error_codes import IngestErrorCode as E
from kechuang.ingest.models import ImportRun, QuarantinedRow
from kechuang.ingest.services import (can_import, default_source, import_run_create, import_run_execute,
                                      quarantined_row_resubmit)

pytestmark = pytest.mark.django_db

LIXIA, SHIZHONG = "370102", "370103"


def _write(tmp_path: Path, records: list[dict], fmt: str) -> Path:
    path = tmp_path / f"feed.{fmt}"
    if fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    elif fmt == "csv":
        out = io.BytesIO()
        writers.write_csv(records, "profile", out)
        path.write_bytes(out.getvalue())
    else:
        with path.open("wb") as fh:
            writers.write_xlsx(records, fh)
    return path


def _import(path: Path, actor, **kw) -> ImportRun:
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=actor,
                            store_copy=False, **kw)
    return import_run_execute(run=run, actor=actor)


# --- point 1: a district writes only inside its district --------------------------------------


@pytest.fixture
def neighbours():
    """Two enterprises of Shizhong and one of Lixia the platform already knows."""
    load([record(5, SHIZHONG), record(6, SHIZHONG), record(7, LIXIA)])
    return {n: Enterprise.objects.get(uscc=uscc(n, r)) for n, r in ((5, SHIZHONG), (6, SHIZHONG), (7, LIXIA))}


def _outside_file() -> list[dict]:
    return [
        record(1, LIXIA),                                              # row 1: new, in Lixia: fine
        record(2, SHIZHONG),                                           # row 2: create in Shizhong
        dict(record(5, SHIZHONG), name="被改名的企业"),                    # row 3: rename a Shizhong one
        dict(record(6, SHIZHONG), region_code=LIXIA),                  # row 4: move one in from Shizhong
        dict(record(7, LIXIA), region_code=SHIZHONG),                  # row 5: move one out to Shizhong
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_a_district_officer_cannot_create_rename_or_move_enterprises_outside_its_district(tmp_path, neighbours, fmt):
    officer = regulator("lixia-officer", LIXIA, role=Role.OFFICER)
    facts_before = AnnualFact.objects.count()

    run = _import(_write(tmp_path, _outside_file(), fmt), officer)

    assert (run.status, run.rows_total, run.rows_valid, run.rows_quarantined) == ("applied", 5, 1, 4)
    rows = {q.row - (1 if fmt != "jsonl" else 0): q for q in QuarantinedRow.objects.filter(run=run)}
    assert sorted(rows) == [2, 3, 4, 5]
    reasons = {n: (q.uscc, q.errors[0]["code"], q.errors[0]["field"]) for n, q in rows.items()}
    assert reasons == {2: (uscc(2, SHIZHONG), E.OUTSIDE_REGION, "region_code"),
                       3: (uscc(5, SHIZHONG), E.OUTSIDE_REGION, "uscc"),
                       4: (uscc(6, SHIZHONG), E.OUTSIDE_REGION, "uscc"),
                       5: (uscc(7, LIXIA), E.OUTSIDE_REGION, "region_code")}
    moved_out = rows[5].errors[0]["message"]
    assert f"第 {rows[5].row} 行" in moved_out and "市中区" in moved_out and "不在您的管辖范围" in moved_out
    assert "属于市中区，不在您的管辖范围（历下区）内" in rows[4].errors[0]["message"]  # its region today counts
    # nothing outside Lixia was written: no new Shizhong enterprise, names and regions unchanged
    assert set(Enterprise.objects.values_list("uscc", "region_code", "name")) == {
        (uscc(1, LIXIA), LIXIA, record(1)["name"]), (uscc(5, SHIZHONG), SHIZHONG, record(5)["name"]),
        (uscc(6, SHIZHONG), SHIZHONG, record(6)["name"]), (uscc(7, LIXIA), LIXIA, record(7)["name"])}
    if fmt != "csv":  # a profile-only CSV adds no annual facts
        assert AnnualFact.objects.count() == facts_before + 3


def test_a_city_regulator_imports_the_same_file_across_its_districts(tmp_path, neighbours):
    officer = regulator("city-officer", "370100", role=Role.OFFICER)

    run = _import(_write(tmp_path, _outside_file(), "jsonl"), officer)

    assert (run.status, run.rows_valid, run.rows_quarantined) == ("applied", 5, 0)
    assert Enterprise.objects.get(uscc=uscc(6, SHIZHONG)).region_code == LIXIA
    assert Enterprise.objects.get(uscc=uscc(5, SHIZHONG)).name == "被改名的企业"


def test_a_district_cannot_resubmit_a_quarantined_row_outside_its_district(tmp_path, neighbours):
    officer = regulator("lixia-officer", LIXIA, role=Role.OFFICER)
    bad_new = dict(record(2, SHIZHONG), years=[dict(y, employees=-1) for y in record(2)["years"]])
    bad_known = dict(record(6, SHIZHONG), region_code=LIXIA,
                     years=[dict(y, employees=-1) for y in record(6)["years"]])
    run = _import(_write(tmp_path, [bad_new, bad_known], "jsonl"), officer)
    new_row, known_row = QuarantinedRow.objects.filter(run=run).order_by("row")
    assert [q.errors[0]["code"] for q in (new_row, known_row)] == [Code.NEGATIVE, Code.NEGATIVE]

    with pytest.raises(ValidationError) as created:
        quarantined_row_resubmit(row=new_row, data=record(2, SHIZHONG), actor=officer)
    with pytest.raises(ValidationError) as moved:
        quarantined_row_resubmit(row=known_row, data=dict(record(6, SHIZHONG), region_code=LIXIA), actor=officer)

    assert (created.value.code, created.value.params["path"]) == (E.OUTSIDE_REGION, "region_code")
    assert (moved.value.code, moved.value.params["path"]) == (E.OUTSIDE_REGION, "uscc")
    assert "市中区" in created.value.messages[0]
    assert not Enterprise.objects.filter(uscc=uscc(2, SHIZHONG)).exists()
    assert Enterprise.objects.get(uscc=uscc(6, SHIZHONG)).region_code == SHIZHONG
    assert set(QuarantinedRow.objects.values_list("status", flat=True)) == {"open"}


# --- point 2: a district sees only its district's runs and rows -------------------------------


def test_a_district_sees_only_its_own_districts_runs_and_quarantine_on_the_pages(tmp_path):
    city = regulator("city-officer", "370100", role=Role.OFFICER)
    lixia = regulator("lixia-officer", LIXIA, role=Role.OFFICER)
    bad = dict(record(3, LIXIA), years=[dict(y, employees=-1) for y in record(3)["years"]])
    city_path, lixia_path = tmp_path / "city-run.jsonl", tmp_path / "lixia-run.jsonl"
    city_path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    lixia_path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    city_run, lixia_run = _import(city_path, city), _import(lixia_path, lixia)
    city_row = QuarantinedRow.objects.get(run=city_run)
    lixia_row = QuarantinedRow.objects.get(run=lixia_run)

    c = Client()
    c.force_login(lixia)
    listing = c.get("/ingest/").content.decode()
    assert "lixia-run.jsonl" in listing and "city-run.jsonl" not in listing
    assert c.get(f"/ingest/{lixia_run.pk}/").status_code == 200
    assert c.get(f"/ingest/{city_run.pk}/").status_code == 404
    assert c.get(f"/ingest/quarantine/{lixia_row.pk}/").status_code == 200
    assert c.get(f"/ingest/quarantine/{city_row.pk}/").status_code == 404
    assert c.post(f"/ingest/quarantine/{city_row.pk}/", {"action": "discard", "reason": "x"}).status_code == 404
    assert QuarantinedRow.objects.get(pk=city_row.pk).status == "open"

    api = APIClient()
    api.force_authenticate(lixia)
    assert [r["id"] for r in api.get("/api/imports/").json()["results"]] == [lixia_run.pk]
    assert [r["id"] for r in api.get("/api/quarantine/").json()["results"]] == [lixia_row.pk]

    assert (city_run.region_code, lixia_run.region_code) == ("370100", LIXIA)
    c.force_login(city)  # the city sees its districts' runs too
    listing = c.get("/ingest/").content.decode()
    assert "lixia-run.jsonl" in listing and "city-run.jsonl" in listing
    assert c.get(f"/ingest/quarantine/{lixia_row.pk}/").status_code == 200


# --- point 3: who may import, without role names ----------------------------------------------


def test_only_active_writers_of_an_active_regulator_may_import():
    officer = regulator("officer", LIXIA, role=Role.OFFICER)
    viewer = regulator("viewer", LIXIA, role=Role.VIEWER)
    assert (can_import(officer), can_import(viewer)) == (True, False)

    officer.organization.is_active = False
    officer.organization.save(update_fields=["is_active"])
    officer.refresh_from_db()
    assert can_import(officer) is False  # a closed organisation imports nothing any more
    source = Path(services.__file__).read_text(encoding="utf-8")
    assert '"officer"' not in source and '"admin"' not in source


# --- point 4: a code twice in one file loses neither row --------------------------------------


def test_two_profile_rows_of_one_code_in_a_csv_are_both_quarantined_with_their_own_values(tmp_path):
    officer = regulator("city-officer", "370100", role=Role.OFFICER)
    first, second = record(1, LIXIA), dict(record(1, LIXIA), name="第二行的名称", industry_code="C3981")
    out = io.BytesIO()
    writers.write_csv([first, record(2, LIXIA), second], "profile", out)
    path = tmp_path / "profiles.csv"
    path.write_bytes(out.getvalue())

    run = _import(path, officer)

    assert (run.rows_total, run.rows_valid, run.rows_quarantined) == (3, 1, 2)
    rows = list(QuarantinedRow.objects.filter(run=run).order_by("row"))
    assert [(q.row, q.data["name"], q.data["industry_code"]) for q in rows] == [
        (2, first["name"], "I6513"), (4, "第二行的名称", "C3981")]
    for q in rows:
        assert [(e["code"], e["field"], e["row"]) for e in q.errors] == [(Code.DUPLICATE, "uscc", q.row)]
        assert "第 2、4 行" in q.errors[0]["message"]
    assert list(Enterprise.objects.values_list("uscc", flat=True)) == [uscc(2, LIXIA)]


# --- point 5: a killed import fails and resumes without duplicates ----------------------------


def test_an_import_killed_mid_way_is_failed_and_resumes_after_its_last_committed_chunk(tmp_path, monkeypatch):
    officer = regulator("city-officer", "370100", role=Role.OFFICER)
    records = [record(n, LIXIA) for n in range(1, 6)]
    path = _write(tmp_path, records, "xlsx")
    monkeypatch.setattr(services, "_CHUNK", 2)  # three chunks: 2 + 2 + 1 records
    apply = FactLoader.apply
    calls = {"n": 0}

    def killed_in_the_second_chunk(self):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return apply(self)

    monkeypatch.setattr(FactLoader, "apply", killed_in_the_second_chunk)
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=officer,
                            store_copy=False)
    with pytest.raises(RuntimeError):
        import_run_execute(run=run, actor=officer)

    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.rows_total, Enterprise.objects.count()) == ("failed", 1, 2, 2)
    assert "继续导入" in run.error and "worker killed" in run.error
    monkeypatch.setattr(FactLoader, "apply", apply)

    api = APIClient()
    api.force_authenticate(officer)
    answer = api.post(f"/api/imports/{run.pk}/resume/")
    assert (answer.status_code, answer.json()["status"]) == (202, "queued")
    assert job_run_pending() == 1

    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.rows_total, run.rows_valid) == ("applied", 3, 5, 5)
    assert sorted(Enterprise.objects.values_list("uscc", flat=True)) == sorted(r["uscc"] for r in records)
    assert AnnualFact.objects.count() == 15  # three years each, none twice
    batch = SourceBatch.objects.get()
    assert (batch.pk, batch.rows_total, batch.enterprises_created) == (run.batch_id, 5, 5)
    # resuming an applied run is refused with a code
    again = api.post(f"/api/imports/{run.pk}/resume/")
    assert (again.status_code, again.json()["errors"][0]["code"]) == (400, E.NOT_RESUMABLE)


def test_a_large_json_lines_import_killed_mid_way_resumes_in_the_worker_path(tmp_path, monkeypatch):
    """The chunked JSON Lines path (validation in a worker process) skips committed chunks on resume."""
    officer = regulator("city-officer", "370100", role=Role.OFFICER)
    records = [record(n, LIXIA) for n in range(1, 31)]
    path = _write(tmp_path, records, "jsonl")
    monkeypatch.setattr(services, "CHUNK_BYTES", 8_000)  # a few records a chunk, validated in a worker
    apply = FactLoader.apply
    calls = {"n": 0}

    def killed_in_the_third_chunk(self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return apply(self)

    monkeypatch.setattr(FactLoader, "apply", killed_in_the_third_chunk)
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=officer,
                            store_copy=False)
    with pytest.raises(RuntimeError):
        import_run_execute(run=run, actor=officer)
    run.refresh_from_db()
    loaded = Enterprise.objects.count()
    assert (run.status, run.chunks_done, run.rows_total) == ("failed", 2, loaded)
    assert 0 < loaded < 30

    services.import_run_resume(run=run, actor=officer)
    job_run_pending()

    run.refresh_from_db()
    assert (run.status, run.rows_total, run.rows_valid, run.rows_quarantined) == ("applied", 30, 30, 0)
    assert run.chunks_done > 3
    assert (Enterprise.objects.count(), AnnualFact.objects.count()) == (30, 90)


def test_a_run_left_running_with_an_old_heartbeat_is_failed_on_page_load_and_resumed_by_its_button(tmp_path):
    officer = regulator("city-officer", "370100", role=Role.OFFICER)
    path = _write(tmp_path, [record(1, LIXIA), record(2, LIXIA)], "jsonl")
    killed = import_run_create(path=path, file_name=path.name, source=default_source(), actor=officer,
                               store_copy=False)
    alive = import_run_create(path=path, file_name="alive.jsonl", source=default_source(), actor=officer,
                              store_copy=False)
    long_ago = timezone.now() - timedelta(hours=2)
    ImportRun.objects.filter(pk=killed.pk).update(status="running", heartbeat_at=long_ago)
    ImportRun.objects.filter(pk=alive.pk).update(status="running", heartbeat_at=timezone.now())

    c = Client()
    c.force_login(officer)
    with override_settings(KECHUANG_IMPORT_STALE_SECONDS=600):
        page = c.get(f"/ingest/{killed.pk}/").content.decode()

    assert dict(ImportRun.objects.values_list("pk", "status")) == {killed.pk: "failed", alive.pk: "running"}
    assert "继续导入" in page and 'id="resume-form"' in page
    answer = c.post(f"/ingest/{killed.pk}/resume/")
    assert answer.status_code == 302
    assert ImportRun.objects.get(pk=killed.pk).status == "queued"
    job_run_pending()
    killed.refresh_from_db()
    assert (killed.status, killed.rows_valid, Enterprise.objects.count()) == ("applied", 2, 2)


def test_an_attempt_taken_for_dead_writes_nothing_more_when_it_wakes_up(tmp_path, monkeypatch):
    """Between two chunks the stale check marked the run failed (its heartbeat was old): the
    attempt, still alive, must not commit its next chunk, and the resumed run loads each row once."""
    officer = regulator("city-officer", "370100", role=Role.OFFICER)
    path = _write(tmp_path, [record(n, LIXIA) for n in range(1, 6)], "csv")
    monkeypatch.setattr(services, "_CHUNK", 2)
    process = services._process_records

    def stale_check_between_chunks(run, actor, progress, today, guard, index, chunk):
        if index == 1 and not ImportRun.objects.get(pk=run.pk).job_id:  # the first attempt only
            ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))
            assert services.import_runs_fail_stale() == [run.pk]
        return process(run, actor, progress, today, guard, index, chunk)

    monkeypatch.setattr(services, "_process_records", stale_check_between_chunks)
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=officer,
                            store_copy=False)
    run = import_run_execute(run=run, actor=officer)

    assert (run.status, run.chunks_done, run.rows_total, Enterprise.objects.count()) == ("failed", 1, 2, 2)
    assert "心跳" in run.error
    services.import_run_resume(run=run, actor=officer)
    job_run_pending()
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.rows_total, run.rows_valid, Enterprise.objects.count()) == (
        "applied", 3, 5, 5, 5)


def test_the_cron_command_fails_stale_runs_and_leaves_live_ones(tmp_path):
    path = _write(tmp_path, [record(1, LIXIA)], "jsonl")
    runs = [import_run_create(path=path, file_name=f"{n}.jsonl", source=default_source(), actor="test",
                              store_copy=False) for n in ("dead", "live", "queued")]
    ImportRun.objects.filter(pk=runs[0].pk).update(status="running", heartbeat_at=timezone.now() - timedelta(hours=1))
    ImportRun.objects.filter(pk=runs[1].pk).update(status="running", heartbeat_at=timezone.now())
    out = io.StringIO()

    call_command("import_stale", stdout=out)

    assert out.getvalue().strip() == f"已将 1 个过期导入标记为失败：{runs[0].pk}"
    assert list(ImportRun.objects.order_by("pk").values_list("status", flat=True)) == ["failed", "running", "queued"]


# --- point 6: the upload size limit -----------------------------------------------------------


@override_settings(KECHUANG_MAX_UPLOAD_MB=1)
def test_uploads_above_the_limit_are_refused_with_413_on_the_page_and_the_api():
    officer = regulator("city-officer", "370100", role=Role.OFFICER)
    big = b'{"uscc": "x"}\n' * (1024 * 1024 // 14 + 20_000)  # about 1.3 MB

    c = Client()
    c.force_login(officer)
    page = c.post("/ingest/", {"file": SimpleUploadedFile("big.jsonl", big)})
    assert page.status_code == 413
    assert "文件过大" in page.content.decode() and "1 MB" in page.content.decode()

    api = APIClient()
    api.force_authenticate(officer)
    answer = api.post("/api/imports/upload/", {"file": SimpleUploadedFile("big.jsonl", big)}, format="multipart")
    assert answer.status_code == 413
    [error] = answer.json()["errors"]
    assert (error["field"], error["code"]) == ("file", E.FILE_TOO_LARGE)
    assert "文件过大" in error["message"]
    assert ImportRun.objects.count() == 0

    small = api.post("/api/imports/upload/", {"file": SimpleUploadedFile("small.jsonl", big[:1000])},
                     format="multipart")
    assert small.status_code == 202
