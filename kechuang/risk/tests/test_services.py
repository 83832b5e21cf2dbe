"""Warning runs, changes between runs, institutions' responses and cases — every step audited,
denied steps change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import load, record
from kechuang.risk import services as s
from kechuang.risk.error_codes import RiskErrorCode as E
from kechuang.risk.models import CaseAction, EnterpriseWarning, RiskCase, WarningResponse, WarningRun
from kechuang.risk.selectors import concentrations, current_warnings, portfolio

from .factories import LISTED, OVERDUE, SUED, risk_world

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errs in exc.error_dict.values() for e in errs}
    return {e.code for e in exc.error_list}


@pytest.fixture
def world():
    return risk_world()


def run(actor, region="370100", as_of=None):
    r = s.warning_run_create(as_of=as_of or timezone.localdate(), region_code=region, actor=actor)
    return s.warning_run_execute(run=r, actor=actor)


def levels(r):
    return {w.enterprise.uscc[-9:]: (w.level, w.change) for w in EnterpriseWarning.objects.filter(run=r)}


def test_run_stores_levels_evidence_and_sources(world):
    # when the city runs its warnings
    r = run(world["city"])
    # then the overdue enterprise is orange (overdue now) with a yellow history, the listed one red
    assert r.status == "succeeded" and r.enterprises_total == 3
    w1 = EnterpriseWarning.objects.get(run=r, enterprise=world["e1"])
    assert (w1.level, w1.change, w1.region_code, w1.industry_code) == ("orange", "new", "370102", "I6513")
    assert {k: v for k, v in w1.levels.items() if v != "none"} == {"overdue_now": "orange"}
    assert w1.values["overdue_now"] == 1.0
    assert [(e["signal"], e["ident"], e["amount"], e["source"]) for e in w1.evidence] == [
        ("overdue_now", "JN-2025-001", 200000.0, "测试来源 test-feed")]
    w3 = EnterpriseWarning.objects.get(run=r, enterprise=world["e3"])
    assert (w3.level, w3.levels["dishonesty_list"]) == ("red", "red")
    assert not EnterpriseWarning.objects.filter(run=r, enterprise=world["e2"]).exists()
    assert (r.level_counts, r.change_counts) == (
        {"blue": 0, "yellow": 0, "orange": 1, "red": 1},
        {"new": 2, "escalated": 0, "unchanged": 0, "eased": 0, "cleared": 0})
    assert AuditEntry.objects.filter(object_type="risk.warningrun", object_id=str(r.pk)).count() == 2


def test_second_run_shows_new_escalated_and_cleared(world):
    first = run(world["city"])
    # given: e1 gets a second overdue loan (red), e2 is sued (blue), e3's listing is lifted
    load([record(1, "370102", loans=[OVERDUE, OVERDUE | {"contract_number": "JN-2025-002"}]),
          record(2, "370102", judgments=[SUED])])
    load([record(3, "370112", incidents=[LISTED | {"removed_on": "2026-10-01"}])], mode="replace")
    second = run(world["city"])
    assert second.previous == first
    assert levels(second) == {world["e1"].uscc[-9:]: ("red", "escalated"), world["e2"].uscc[-9:]: ("blue", "new"),
                              world["e3"].uscc[-9:]: ("none", "cleared")}
    assert second.change_counts == {"new": 1, "escalated": 1, "unchanged": 0, "eased": 0, "cleared": 1}
    cleared = EnterpriseWarning.objects.get(run=second, enterprise=world["e3"])
    assert (cleared.previous_level, cleared.values["dishonesty_list"]) == ("red", 0.0)
    # the cleared enterprise no longer shows among the current warnings
    assert [w.enterprise_id for w in current_warnings(world["city"])] == [world["e1"].pk, world["e2"].pk]


def test_no_look_ahead_and_future_dated_facts_flagged(world):
    # given facts recorded on 1 October, one judgment dated 15 November
    known = timezone.make_aware(dt.datetime(2026, 10, 1, 12))
    load([record(2, "370102", judgments=[SUED | {"decided_on": "2026-11-15"}])], recorded_at=known)
    # when warnings are computed as of 1 November
    r = run(world["city"], as_of=dt.date(2026, 11, 1))
    # then the judgment is flagged, not used; e1's overdue loan (recorded today) is not known yet
    assert r.future_items == 1
    assert not EnterpriseWarning.objects.filter(run=r, enterprise=world["e1"]).exists()
    assert not EnterpriseWarning.objects.filter(run=r, enterprise=world["e2"]).exists()


def test_district_run_covers_only_its_district_and_others_are_refused(world):
    r = run(world["shizhong"], region="370102")
    assert list(EnterpriseWarning.objects.filter(run=r).values_list("enterprise_id", flat=True)) == [world["e1"].pk]
    n = WarningRun.objects.count()
    with pytest.raises(ValidationError) as e:
        s.warning_run_create(as_of=timezone.localdate(), region_code="370112", actor=world["shizhong"])
    assert codes(e.value) == {E.BAD_REGION}
    with pytest.raises(PermissionDenied):
        s.warning_run_create(as_of=timezone.localdate(), region_code="370100", actor=world["viewer"])
    with pytest.raises(ValidationError) as e:
        s.warning_run_create(as_of=timezone.localdate() + dt.timedelta(days=1), region_code="370100",
                             actor=world["city"])
    assert codes(e.value) == {E.FUTURE_DATE}
    with pytest.raises(ValidationError) as e:
        s.warning_run_create(as_of=timezone.localdate(), region_code="370100", actor=world["city"],
                             rules_text="schema_version = 9")
    assert codes(e.value) == {E.BAD_RULES}
    assert WarningRun.objects.count() == n


def test_bank_sees_its_portfolio_with_exposure_and_responds(world):
    r = run(world["city"])
    bank_u = world["bank_u"]
    # the bank sees the warning of the enterprise it lent to, not the others; the other bank none
    assert [w.enterprise_id for w in EnterpriseWarning.objects.restrict(bank_u)] == [world["e1"].pk]
    assert EnterpriseWarning.objects.restrict(world["bank2_u"]).count() == 0
    assert EnterpriseWarning.objects.restrict(world["e1_u"]).count() == 0
    p = portfolio(bank_u)
    assert [(row["warning"].level, row["exposure"]) for row in p["rows"]] == [("orange", world["amount"])]
    assert p["by_level"]["orange"] == {"count": 1, "exposure": world["amount"]}
    w1 = EnterpriseWarning.objects.get(run=r, enterprise=world["e1"])
    resp = s.warning_respond(warning=w1, action="visit", note="已上门核实", actor=bank_u)
    assert (resp.institution, resp.exposure) == (world["bank"], world["amount"])
    assert AuditEntry.objects.filter(object_type="risk.warningresponse", object_id=str(resp.pk)).count() == 1
    # denied: another bank (no exposure), a bad action; nothing written
    with pytest.raises(ValidationError) as e:
        s.warning_respond(warning=w1, action="visit", actor=world["bank2_u"])
    assert codes(e.value) == {E.NOT_EXPOSED}
    with pytest.raises(ValidationError) as e:
        s.warning_respond(warning=w1, action="ignore", actor=bank_u)
    assert codes(e.value) == {E.BAD_CHOICE}
    with pytest.raises(PermissionDenied):
        s.warning_respond(warning=w1, action="visit", actor=world["city"])
    assert WarningResponse.objects.count() == 1


def test_concentrations_by_district_industry_and_institution(world):
    r = run(world["city"])
    conc = concentrations(r)
    assert [(g["key"], g["total"], g["orange"], g["red"], g["exposure"]) for g in conc["district"]] == [
        ("370102", 1, 1, 0, world["amount"]), ("370112", 1, 0, 1, Decimal(0))]
    assert [(g["key"], g["total"]) for g in conc["industry"]] == [("I6513", 2)]
    assert [(g["key"], g["total"], g["exposure"]) for g in conc["institution"]] == [("银行甲", 1, world["amount"])]


def test_case_lifecycle_audited_escalated_and_closed(world):
    r = run(world["city"])
    w1 = EnterpriseWarning.objects.get(run=r, enterprise=world["e1"])
    officer = world["shizhong"]
    deadline = timezone.localdate() + dt.timedelta(days=10)
    case = s.case_open(warning=w1, assignee=officer, deadline=deadline, plan="约谈企业，协调续贷", actor=officer)
    assert (case.status, case.level, case.region_code) == ("open", "orange", "370102")
    # a second case on the same enterprise, another district's officer, a bank as assignee: refused
    n_cases, n_audit = RiskCase.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as e:
        s.case_open(warning=w1, assignee=officer, deadline=deadline, actor=world["city"])
    assert codes(e.value) == {E.CASE_EXISTS}
    with pytest.raises(PermissionDenied):
        s.case_open(warning=w1, assignee=world["licheng"], deadline=deadline, actor=world["licheng"])
    w3 = EnterpriseWarning.objects.get(run=r, enterprise=world["e3"])
    with pytest.raises(ValidationError) as e:
        s.case_open(warning=w3, assignee=world["bank_u"], deadline=deadline, actor=world["city"])
    assert codes(e.value) == {E.BAD_ASSIGNEE}
    assert (RiskCase.objects.count(), AuditEntry.objects.count()) == (n_cases, n_audit)
    # steps
    s.case_action_add(case=case, kind="contact", party="bank", contact="银行甲 客户经理", note="协调展期", actor=officer)
    with pytest.raises(PermissionDenied):
        s.case_action_add(case=case, kind="note", note="x", actor=world["licheng"])
    # overdue: escalated once, with a step
    assert s.cases_escalate(actor="command:risk_escalate", today=deadline + dt.timedelta(days=1)) == 1
    assert s.cases_escalate(actor="command:risk_escalate", today=deadline + dt.timedelta(days=2)) == 0
    case.refresh_from_db()
    assert case.status == "escalated"
    closed = s.case_close(case=case, outcome="bridge_loan", note="应急转贷资金到位", actor=officer)
    assert (closed.status, closed.outcome) == ("closed", "bridge_loan")
    assert list(CaseAction.objects.filter(case=case).values_list("kind", flat=True)) == [
        "note", "contact", "escalation", "outcome"]
    with pytest.raises(ValidationError) as e:
        s.case_close(case=case, outcome="resolved", actor=officer)
    assert codes(e.value) == {E.CASE_CLOSED}
    assert AuditEntry.objects.filter(object_type="risk.riskcase", object_id=str(case.pk)).count() == 3
    # the assignee sees the case; a bank does not
    assert RiskCase.objects.restrict(officer).count() == 1
    assert RiskCase.objects.restrict(world["bank_u"]).count() == 0
