"""The talent pages that write: an enterprise registers and edits its people (form and XLSX import,
all rows or none), a person grants a consent on a page, the facts update service, and valuation
runs computed by a background job (progress, 202 from the API, a failed run keeps nothing)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kechuang.core.models import AuditEntry
from kechuang.core.services import job_run_pending
from kechuang.engine.talent import id_hash
from kechuang.enterprises.tests.factories import regulator, user
from kechuang.talent import services as talent_services
from kechuang.talent.error_codes import TalentErrorCode as E
from kechuang.talent.models import TalentConsent, TalentPerson, Valuation, ValuationRun
from kechuang.talent.services import (person_facts_update, person_register, talent_consent_grant,
                                      valuation_run_execute)

from .factories import PLAIN, STRONG, id_number, until, world

pytestmark = pytest.mark.django_db


def _client(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


def _codes(exc) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


# --- person_facts_update ------------------------------------------------------------------------


def test_facts_update_replaces_the_facts_with_an_audit_entry_naming_the_sections_only():
    w = world()
    p = person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(11), facts=PLAIN, actor=w["ent1"])
    person_facts_update(person=p, facts=STRONG, actor=w["ent1"])
    p.refresh_from_db()
    assert p.facts == STRONG
    entry = AuditEntry.objects.filter(action="update", object_type="talent.talentperson").get()
    assert entry.object_repr == "王*" and entry.before == {"sections": sorted(PLAIN)}
    assert entry.after == {"sections": sorted(STRONG)} and "王五" not in str(entry.after)


@pytest.mark.parametrize("who", ["other_enterprise", "bank", "viewer"])
def test_facts_update_is_refused_to_anyone_but_the_employers_writers_and_nothing_changes(who):
    w = world()
    p = person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(12), facts=PLAIN, actor=w["ent1"])
    actor = {"other_enterprise": w["ent2"], "bank": w["bank"],
             "viewer": user("v1", w["org1"], role="viewer")}[who]
    with pytest.raises(PermissionDenied):
        person_facts_update(person=p, facts=STRONG, actor=actor)
    p.refresh_from_db()
    assert p.facts == PLAIN and not AuditEntry.objects.filter(action="update").exists()


@pytest.mark.parametrize("facts, where", [
    ({"education": [{"degree": "genius"}]}, "education[1].degree"),
    ({"salary": 1}, "salary"),
    ({"economic": {"equity_share": 120}}, "economic.equity_share"),
    ({"insurance": {"continuous_months": -3}}, "insurance.continuous_months"),
], ids=["unknown-degree", "unknown-section", "share-over-100", "negative-months"])
def test_facts_update_refuses_bad_facts_naming_the_field_and_writes_nothing(facts, where):
    w = world()
    p = person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(13), facts=PLAIN, actor=w["ent1"])
    with pytest.raises(ValidationError) as exc:
        person_facts_update(person=p, facts=facts, actor=w["ent1"])
    assert _codes(exc.value) == {E.BAD_FACTS} and where in " ".join(exc.value.messages)
    p.refresh_from_db()
    assert p.facts == PLAIN and not AuditEntry.objects.filter(action="update").exists()


# --- the person form ------------------------------------------------------------------------


FORM = {"full_name": "赵六", "degree": "master", "institution_tier": "key", "title_level": "intermediate",
        "honours": ["taishan_scholar"], "ip_invention": "2", "ip_software": "1", "project_level": "provincial",
        "project_count": "3", "project_lead_count": "1", "insurance_months": "60", "insurance_base": "9000",
        "annual_salary": "30", "equity_share": "0.5", "attributable_revenue": "200"}


def test_an_enterprise_registers_a_person_from_the_form_stored_minimised():
    w = world()
    number = id_number(21)
    r = _client(w["ent1"]).post(reverse("talent:talentperson_add"), dict(FORM, id_number=number))
    assert r.status_code == 302
    p = TalentPerson.objects.get()
    assert (p.enterprise, p.masked_name, p.id_masked) == (w["e1"], "赵*", "3701**********" + number[-4:])
    assert p.id_hash == id_hash(number, talent_services._salt())
    assert p.facts == {"education": [{"degree": "master", "tier": "key"}], "titles": [{"level": "intermediate"}],
                       "honours": [{"programme": "taishan_scholar"}],
                       "ip": [{"kind": "invention"}, {"kind": "invention"}, {"kind": "software"}],
                       "projects": [{"level": "provincial", "role": "lead"}, {"level": "provincial", "role": "member"},
                                    {"level": "provincial", "role": "member"}],
                       "insurance": {"continuous_months": 60, "base_monthly": 9000},
                       "economic": {"annual_salary": 300000, "equity_share": 0.5, "attributable_revenue": 2000000}}


def test_the_form_refuses_a_bad_id_and_a_duplicate_with_the_field_and_writes_nothing():
    w = world()
    c = _client(w["ent1"])
    r = c.post(reverse("talent:talentperson_add"), dict(FORM, id_number="370102198801010000"))
    assert r.status_code == 400 and 'id="error-id_number"' in r.content.decode()
    assert not TalentPerson.objects.exists()
    number = id_number(22)
    assert c.post(reverse("talent:talentperson_add"), dict(FORM, id_number=number)).status_code == 302
    r = c.post(reverse("talent:talentperson_add"), dict(FORM, id_number=number))
    assert r.status_code == 400 and "该证件号的人才已登记" in r.content.decode()
    r = c.post(reverse("talent:talentperson_add"), dict(FORM, id_number=id_number(23), project_lead_count="9"))
    assert r.status_code == 400 and 'id="error-project_lead_count"' in r.content.decode()
    assert TalentPerson.objects.count() == 1


@pytest.mark.parametrize("extra, field", [
    ({"project_level": "", "project_count": "2", "project_lead_count": ""}, "project_level"),
    ({"project_level": "national", "project_count": "0", "project_lead_count": ""}, "project_count"),
    ({"degree": "", "institution_tier": "top"}, "degree"),
], ids=["projects-without-level", "level-without-projects", "tier-without-degree"])
def test_the_form_refuses_what_it_could_not_write_instead_of_dropping_it(extra, field):
    w = world()
    r = _client(w["ent1"]).post(reverse("talent:talentperson_add"), {**FORM, "id_number": id_number(25), **extra})
    assert r.status_code == 400 and f'id="error-{field}"' in r.content.decode()
    assert not TalentPerson.objects.exists()


def test_only_an_enterprise_writer_reaches_the_person_form():
    w = world()
    assert _client(w["bank"]).get(reverse("talent:talentperson_add")).status_code == 403
    assert _client(user("v1", w["org1"], role="viewer")).get(reverse("talent:talentperson_add")).status_code == 403
    assert _client(w["ent1"]).get(reverse("talent:talentperson_add")).status_code == 200


def test_editing_keeps_the_details_of_sections_left_alone_and_other_enterprises_get_404():
    w = world()
    facts = dict(PLAIN, ip=[{"kind": "invention", "number": "ZL2020-1", "title": "某发明"}])
    p = person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(24), facts=facts, actor=w["ent1"])
    c = _client(w["ent1"])
    page = c.get(reverse("talent:talentperson_edit", args=[p.pk])).content.decode()
    assert 'name="full_name"' not in page and 'value="24"' in page  # insurance months from the facts
    r = c.post(reverse("talent:talentperson_edit", args=[p.pk]),
               {"degree": "bachelor", "ip_invention": "1", "ip_utility_model": "0", "ip_design": "0",
                "ip_software": "0", "title_level": "junior", "insurance_months": "24", "insurance_base": "6000",
                "annual_salary": "15"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.facts["ip"] == [{"kind": "invention", "number": "ZL2020-1", "title": "某发明"}]  # unchanged: kept
    assert p.facts["titles"] == [{"level": "junior"}] and p.facts["economic"] == {"annual_salary": 150000}
    assert _client(w["ent2"]).get(reverse("talent:talentperson_edit", args=[p.pk])).status_code == 404


# --- the XLSX import --------------------------------------------------------------------------


def _workbook(rows, headers=None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.title = "人才信息"
    ws.append(headers or ["姓名", "居民身份证号码", "最高学历", "专业技术职称", "人才称号（可多项）", "发明专利（件）",
                          "年薪（万元）"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "people.xlsx"
    return buf


def test_the_template_downloads_with_chinese_headers_and_imports_once_filled():
    w = world()
    c = _client(w["ent1"])
    r = c.get(reverse("talent:talentperson_template"))
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.title == "人才信息" and [x.value for x in ws[1]][:3] == ["姓名", "居民身份证号码", "最高学历"]
    ws.delete_rows(2)
    ws.append(["孙七", id_number(31), "博士"])
    ws.append(["周八", id_number(32), "本科"])
    buf = io.BytesIO()
    ws.parent.save(buf)
    buf.seek(0)
    buf.name = "t.xlsx"
    r = c.post(reverse("talent:talentperson_import"), {"file": buf})
    assert r.status_code == 302
    people = list(TalentPerson.objects.order_by("pk").values_list("masked_name", "facts"))
    assert people == [("孙*", {"education": [{"degree": "phd", "tier": "other"}]}),
                      ("周*", {"education": [{"degree": "bachelor", "tier": "other"}]})]
    assert AuditEntry.objects.filter(action="create", object_type="talent.talentperson").count() == 2


def test_an_import_with_any_bad_row_writes_nothing_and_names_sheet_row_field_and_reason():
    w = world()
    book = _workbook([["甲一", id_number(41), "博士", "正高级", "泰山学者", 3, 50],
                      ["乙二", "12345", "博士"],
                      ["丙三", id_number(43), "天才", "", "不存在的称号", -1],
                      ["丁四", id_number(41)]])
    r = _client(w["ent1"]).post(reverse("talent:talentperson_import"), {"file": book})
    page = r.content.decode()
    assert r.status_code == 400 and not TalentPerson.objects.exists() and not AuditEntry.objects.exists()
    for text in ["工作表“人才信息”第 4 行 · 最高学历：“天才”不是可选值", "第 4 行 · 人才称号（可多项）：“不存在的称号”不在",
                 "第 4 行 · 发明专利（件）：不能为负数"]:
        assert text in page, text
    book = _workbook([["甲一", id_number(41), "博士"], ["乙二", "12345", "博士"], ["丁四", id_number(41)]])
    page = _client(w["ent1"]).post(reverse("talent:talentperson_import"), {"file": book}).content.decode()
    assert "工作表“人才信息”第 3 行 · 居民身份证号码：证件号不是有效的18位居民身份证号码" in page
    assert "工作表“人才信息”第 4 行 · 居民身份证号码：与第 2 行的证件号重复" in page
    assert not TalentPerson.objects.exists()


def test_an_import_row_with_projects_but_no_level_is_refused_not_dropped():
    w = world()
    book = _workbook([["甲一", id_number(52), 2]], headers=["姓名", "居民身份证号码", "科研项目数"])
    r = _client(w["ent1"]).post(reverse("talent:talentperson_import"), {"file": book})
    assert r.status_code == 400 and "工作表“人才信息”第 2 行 · 承担科研项目最高级别：填写了科研项目数，请选择项目级别。" in (
        r.content.decode())
    assert not TalentPerson.objects.exists()


def test_an_import_refuses_an_unknown_column_and_a_bank_gets_403():
    w = world()
    book = _workbook([["甲一", id_number(51)]], headers=["姓名", "居民身份证号码", "血型"])
    r = _client(w["ent1"]).post(reverse("talent:talentperson_import"), {"file": book})
    assert r.status_code == 400 and "第 1 行 · 血型：未知的列" in r.content.decode()
    assert _client(w["bank"]).post(reverse("talent:talentperson_import"),
                                   {"file": _workbook([["甲一", id_number(51)]])}).status_code == 403
    assert not TalentPerson.objects.exists()


# --- consents on a page ----------------------------------------------------------------------


def test_the_person_grants_a_consent_on_a_page_and_sees_it_on_their_record():
    w = world()
    p = person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(61), facts=PLAIN, actor=w["ent1"],
                        user=user("ww", None))
    me = _client(p.user)
    page = me.get(reverse("talent:talentconsent_add")).content.decode()
    assert "银行" in page and "企业二" not in page  # another enterprise cannot hold it
    r = me.post(reverse("talent:talentconsent_add"), {"organization": w["bank_org"].pk, "purpose": "talent_loan",
                                                      "valid_until": "2099-12-31"})
    assert r.status_code == 302
    consent = TalentConsent.objects.get()
    assert (consent.person, consent.organization, consent.purpose, consent.granted_by) == (
        p, w["bank_org"], "talent_loan", p.user)
    assert AuditEntry.objects.filter(action="grant").count() == 1
    assert "撤销" in me.get(reverse("talent:mine")).content.decode()
    r = me.post(reverse("talent:talentconsent_add"), {"organization": w["agency"].pk, "purpose": "valuation",
                                                      "valid_until": "2020-01-01"})
    assert r.status_code == 400 and "到期时间必须晚于生效时间和当前时间" in r.content.decode()
    assert TalentConsent.objects.count() == 1


def test_the_employer_records_a_consent_only_with_the_written_authorisation():
    w = world()
    p = person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(62), facts=PLAIN, actor=w["ent1"])
    url = reverse("talent:talentconsent_record", args=[p.pk])
    body = {"organization": w["bank_org"].pk, "purpose": "valuation", "valid_until": "2099-12-31"}
    r = _client(w["ent1"]).post(url, body)
    assert r.status_code == 400 and 'id="error-evidence"' in r.content.decode() and not TalentConsent.objects.exists()
    assert _client(w["ent1"]).post(url, dict(body, evidence="授权书-7")).status_code == 302
    assert TalentConsent.objects.get().evidence == "授权书-7"
    assert _client(w["ent2"]).post(url, dict(body, evidence="x")).status_code == 404


def test_a_login_without_a_talent_record_cannot_grant():
    assert _client(user("nobody", None)).get(reverse("talent:talentconsent_add")).status_code == 403


# --- valuation runs as background jobs ------------------------------------------------------------


@pytest.fixture
def consented():
    w = world()
    a = person_register(enterprise=w["e1"], full_name="张小明", id_number=id_number(71), facts=STRONG, actor=w["ent1"])
    b = person_register(enterprise=w["e1"], full_name="李大伟", id_number=id_number(72), facts=PLAIN, actor=w["ent1"])
    for p in (a, b):
        talent_consent_grant(person=p, organization=w["bank_org"], purpose="valuation", valid_until=until(),
                             actor="test")
    return w


def test_the_team_page_queues_a_run_shows_its_progress_and_reloads_when_done(consented):
    w = consented
    c = _client(w["ent1"])
    assert c.post(reverse("talent:team")).status_code == 302
    run = ValuationRun.objects.get()
    assert run.status == "queued" and run.job.kind == "talent.valuation_run" and not Valuation.objects.exists()
    page = c.get(reverse("talent:team")).content.decode()
    assert f'id="run-progress-{run.pk}"' in page and 'hx-trigger="every 1s"' in page
    poll = c.get(reverse("talent:valuationrun_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "HX-Refresh" not in poll
    assert job_run_pending() == 1
    run.refresh_from_db()
    assert (run.status, run.people_total) == ("succeeded", 2) and Valuation.objects.filter(run=run).count() == 2
    assert (run.job.progress_done, run.job.progress_total) == (2, 2)
    poll = c.get(reverse("talent:valuationrun_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    assert f'id="run-progress-{run.pk}"' not in c.get(reverse("talent:team")).content.decode()
    assert _client(w["ent2"]).get(reverse("talent:valuationrun_progress", args=[run.pk])).status_code == 404


def test_the_api_answers_202_and_a_failed_run_keeps_no_valuation(consented, monkeypatch):
    reg = regulator("city")
    r = _client(reg).post("/api/talent-runs/", {"region_code": "370100"})
    assert r.status_code == 202 and r.json()["status"] == "queued" and r.json()["job"]
    real = talent_services.audit_record

    def fail_after_the_rows(**kw):  # the valuations are inserted, then the run's audit entry fails
        if kw.get("action") == "update":
            assert Valuation.objects.count() == 2
            raise RuntimeError("audit store down")
        return real(**kw)

    monkeypatch.setattr(talent_services, "audit_record", fail_after_the_rows)
    assert job_run_pending() == 1
    run = ValuationRun.objects.get(pk=r.json()["id"])
    assert run.status == "failed" and "audit store down" in run.error and run.job.status == "failed"
    assert not Valuation.objects.exists() and run.people_total == 0
    page = _client(reg).get(reverse("talent:distribution")).content.decode()
    assert "audit store down" in page


def test_the_api_refuses_a_run_with_nobody_consented_and_queues_nothing():
    w = world()
    person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(81), facts=PLAIN, actor=w["ent1"])
    r = _client(w["ent1"]).post("/api/talent-runs/", {})
    assert r.status_code == 400 and E.NO_PEOPLE in r.content.decode()
    assert not ValuationRun.objects.exists()


def test_execute_still_computes_in_process(consented):
    run = valuation_run_execute(actor=consented["ent1"], enterprise=consented["e1"])
    assert (run.status, run.people_total, run.job) == ("succeeded", 2, None)
