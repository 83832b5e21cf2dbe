"""Issue #10 ("Trust"), point 2 and the governance rules of point 1: each test failed on the code
before the one access path (see docs/architecture.md, "Access, consent and audit")."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import consent_grant
from kechuang.enterprises.tests.factories import load, organization, record, regulator, user, uscc
from kechuang.evaluation.choices import RunScope, RunStatus
from kechuang.evaluation.models import EvaluationRun, TierPlacement
from kechuang.evaluation.services import evaluation_run_create
from kechuang.marketplace import services as s
from kechuang.marketplace.models import Demand, FinancingRequest, FirstLoanCandidate
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product
from kechuang.rating.choices import ModelStatus
from kechuang.rating.error_codes import RatingErrorCode
from kechuang.rating.models import RatingModel
from kechuang.rating.services import rating_model_promote
from kechuang.targets.metrics import tier_ladder_any

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errs in exc.error_dict.values() for e in errs}


# --- four eyes and the city's champion --------------------------------------------------------


@pytest.fixture
def candidate():
    trainer = regulator("trainer", "370100")
    model = RatingModel.objects.create(version=7, train_as_of=dt.date(2026, 11, 1), model_json="{}",
                                       trained_by=trainer, trained_label="trainer",
                                       status=ModelStatus.CANDIDATE)
    return model, trainer


def test_the_trainer_cannot_approve_its_own_model(candidate):
    model, trainer = candidate
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor=trainer)
    assert codes(exc.value) == {RatingErrorCode.SELF_APPROVAL}
    model.refresh_from_db()
    assert (model.status, model.approved_by_id) == (ModelStatus.CANDIDATE, None)
    assert AuditEntry.objects.count() == before


def test_a_district_admin_cannot_promote_the_citys_champion(candidate):
    model, _trainer = candidate
    district_admin = regulator("lixia-admin", "370102")
    with pytest.raises(PermissionDenied):
        rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor=district_admin)
    model.refresh_from_db()
    assert model.status == ModelStatus.CANDIDATE

    city_admin = regulator("city-admin", "370100")
    promoted = rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor=city_admin)
    assert (promoted.status, promoted.approved_by_id) == (ModelStatus.CHAMPION, city_admin.pk)
    # ... and the district admin cannot retire it either
    with pytest.raises(PermissionDenied):
        rating_model_promote(model=promoted, status=ModelStatus.RETIRED, actor=district_admin)
    assert RatingModel.objects.get(pk=model.pk).status == ModelStatus.CHAMPION


def test_a_viewer_starts_no_evaluation_run():
    load([record(1, "370102")])
    viewer = regulator("city-viewer", "370100", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        evaluation_run_create(as_of=dt.date(2026, 11, 1), actor=viewer, region_code="370100")
    assert EvaluationRun.objects.count() == 0


# --- disburse / decline follow-ups -------------------------------------------------------------


@pytest.fixture
def deal():
    bank, bank_u = institution(K.BANK, "银行甲")
    ent, ent_u = enterprise(1)
    product = loan_product(bank, bank_u)
    demand = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                           actor=ent_u)
    req = s.request_apply(demand=demand, product=product, actor=ent_u)
    req = s.request_pick_up(request=req, actor=bank_u)
    req = s.request_review(request=req, actor=bank_u)
    return dict(bank_u=bank_u, ent=ent, ent_u=ent_u, demand=demand, req=req)


def test_disbursing_audits_the_demand_and_the_pool_graduation(deal):
    reg = regulator("pool-reg", "370100")
    candidate = s.first_loan_add(enterprise=deal["ent"], actor=reg)
    req = s.request_decide(request=deal["req"], approve=True, amount="800000", actor=deal["bank_u"])
    req = s.request_contract(request=req, actor=deal["bank_u"])
    req = s.request_disburse(request=req, actor=deal["bank_u"])
    demand_entry = AuditEntry.objects.get(object_type="marketplace.demand", object_id=str(deal["demand"].pk),
                                          context__disbursed_request=req.pk)
    assert (demand_entry.before["status"], demand_entry.after["status"]) == ("in_progress", "financed")
    pool_entry = AuditEntry.objects.get(object_type="marketplace.firstloancandidate",
                                        object_id=str(candidate.pk), context__disbursed_request=req.pk)
    assert (pool_entry.before["status"], pool_entry.after["status"]) == ("active", "graduated")


def test_a_failing_follow_up_leaves_the_request_undisbursed(deal, monkeypatch):
    req = s.request_decide(request=deal["req"], approve=True, amount="800000", actor=deal["bank_u"])
    req = s.request_contract(request=req, actor=deal["bank_u"])
    before = AuditEntry.objects.count()

    def broken(rows, actor, context, **fields):
        raise RuntimeError("pool table unavailable")
    monkeypatch.setattr(s, "_follow_up", broken)
    with pytest.raises(RuntimeError):
        s.request_disburse(request=req, actor=deal["bank_u"])
    assert FinancingRequest.objects.get(pk=req.pk).state == "contracted"
    assert Demand.objects.get(pk=deal["demand"].pk).status == "in_progress"
    assert AuditEntry.objects.count() == before


def test_declining_reopens_the_demand_audited(deal):
    req = s.request_decide(request=deal["req"], approve=False, reason="资料不全", actor=deal["bank_u"])
    assert Demand.objects.get(pk=deal["demand"].pk).status == "open"
    entry = AuditEntry.objects.get(object_type="marketplace.demand", object_id=str(deal["demand"].pk),
                                   context__declined_request=req.pk)
    assert (entry.before["status"], entry.after["status"]) == ("in_progress", "open")


# --- demand pre-fill and pool rows under consent or an application ------------------------------


def test_an_institution_reads_a_demands_prefill_only_under_consent():
    ent, ent_u = enterprise(1)
    bank, bank_u = institution(K.BANK, "银行甲")
    demand = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                           actor=ent_u)
    api = APIClient()
    api.force_authenticate(bank_u)
    row = api.get(f"/api/marketplace/demands/{demand.pk}/").json()
    assert (row["id"], row["prefill"]) == (demand.pk, {})
    assert api.get(f"/api/marketplace/demands/{demand.pk}/matches/").status_code == 403

    consent_grant(enterprise=ent, organization=bank, purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                  valid_until=timezone.now() + timedelta(days=30), actor=ent_u)
    row = api.get(f"/api/marketplace/demands/{demand.pk}/").json()
    assert row["prefill"]["region_code"] == "370102"
    assert row["prefill"]["employees"] == 100


def test_pool_rows_reach_an_institution_only_under_consent_or_an_application():
    ent, ent_u = enterprise(1)
    reg = regulator("pool-reg", "370100")
    agency, agency_u = institution(K.SERVICE_AGENCY, "服务机构甲")
    bank, bank_u = institution(K.BANK, "银行甲")
    row = s.first_loan_add(enterprise=ent, actor=reg, bank=bank)
    assert list(FirstLoanCandidate.objects.restrict(agency_u).values_list("pk", flat=True)) == []
    assert list(FirstLoanCandidate.objects.restrict(bank_u).values_list("pk", flat=True)) == []
    assert list(FirstLoanCandidate.objects.restrict(reg).values_list("pk", flat=True)) == [row.pk]

    consent_grant(enterprise=ent, organization=agency, purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                  valid_until=timezone.now() + timedelta(days=30), actor=ent_u)
    assert list(FirstLoanCandidate.objects.restrict(agency_u).values_list("pk", flat=True)) == [row.pk]
    assert list(FirstLoanCandidate.objects.restrict(bank_u).values_list("pk", flat=True)) == []
    product = loan_product(bank, bank_u)
    demand = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                           actor=ent_u)
    s.request_apply(demand=demand, product=product, actor=ent_u)
    assert list(FirstLoanCandidate.objects.restrict(bank_u).values_list("pk", flat=True)) == [row.pk]


# --- list reads audited like detail reads -------------------------------------------------------


def test_an_institutions_list_read_is_audited_per_enterprise():
    load([record(1, "370102"), record(2, "370102"), record(3, "370112")])
    ents = {e.uscc: e for e in Enterprise.objects.all()}
    b = user("bank-reader", organization(K.BANK, "银行-读"))
    owner = user("owner", organization(K.ENTERPRISE, enterprise=ents[uscc(1)]), Role.ADMIN)
    owner2 = user("owner2", organization(K.ENTERPRISE, enterprise=ents[uscc(2)]), Role.ADMIN)
    for e, o in ((ents[uscc(1)], owner), (ents[uscc(2)], owner2)):
        consent_grant(enterprise=e, organization=b.organization, purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                      valid_until=timezone.now() + timedelta(days=30), actor=o)
    api = APIClient()
    api.force_authenticate(b)
    resp = api.get("/api/enterprises/")
    assert sorted(r["uscc"] for r in resp.json()["results"]) == [uscc(1), uscc(2)]
    reads = AuditEntry.objects.filter(action="read", actor=b).order_by("object_id")
    assert [(r.object_id, r.context["what"]) for r in reads] == [
        (str(ents[uscc(1)].pk), "api list"), (str(ents[uscc(2)].pk), "api list")]


# --- the live tier metric of a district ----------------------------------------------------------


def _run(region_code: str, as_of: dt.date, placements: list[tuple]) -> EvaluationRun:
    run = EvaluationRun.objects.create(as_of=as_of, scope=RunScope.REGION, region_code=region_code,
                                       status=RunStatus.SUCCEEDED, finished_at=timezone.now())
    TierPlacement.objects.bulk_create(TierPlacement(run=run, enterprise=e, region_code=e.region_code,
                                                    tier_rank=rank) for e, rank in placements)
    return run


def test_a_districts_tier_metric_reads_the_latest_run_covering_it():
    load([record(1, "370102"), record(2, "370102"), record(3, "370112")])
    e1, e2, e3 = (Enterprise.objects.get(uscc=uscc(n, r)) for n, r in ((1, "370102"), (2, "370102"), (3, "370112")))
    _run("370102", dt.date(2026, 6, 30), [(e1, 1), (e2, 0)])      # 历下区's own run: 1 of 2 on the ladder
    _run("370112", dt.date(2026, 9, 30), [(e3, 2)])              # a later run of 历城区 only
    period = dict(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert tier_ladder_any(region_code="370102", **period) == (Decimal(1), Decimal(2))
    assert tier_ladder_any(region_code="370112", **period) == (Decimal(1), Decimal(1))
