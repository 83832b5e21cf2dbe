"""The catalogue, demands, the request workflow, bad input, risk sharing, pools and roadshows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.marketplace import choices as c
from kechuang.marketplace import services as s
from kechuang.marketplace.error_codes import MarketplaceErrorCode as E
from kechuang.marketplace.models import AdvisorAssignment, Demand, FinancingRequest, LossBooking, Product
from kechuang.marketplace.selectors import demand_matches, institution_queue

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errs in exc.error_dict.values() for e in errs}
    return {e.code for e in exc.error_list}


@pytest.fixture
def world():
    bank, bank_u = institution(K.BANK, "银行甲")
    bank2, bank2_u = institution(K.BANK, "银行乙")
    guar, guar_u = institution(K.GUARANTOR, "担保甲")
    ent, ent_u = enterprise(1)
    p1 = loan_product(bank, bank_u)
    p2 = loan_product(bank2, bank2_u, name="乙行科技贷", rate=Decimal("0.045"))
    return dict(bank=bank, bank_u=bank_u, bank2=bank2, bank2_u=bank2_u, guar=guar, guar_u=guar_u, ent=ent,
                ent_u=ent_u, p1=p1, p2=p2)


def post(w, **kw):
    args = dict(enterprise=w["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd", actor=w["ent_u"])
    args.update(kw)
    return s.demand_post(**args)


def test_product_bad_input_named_and_nothing_written(world):
    bank, u = world["bank"], world["bank_u"]
    n = Product.objects.count()
    cases = [
        (dict(amount_min="0"), "amount_min", E.AMOUNT_RANGE),
        (dict(amount_max="1e12"), "amount_max", E.AMOUNT_RANGE),
        (dict(amount_min="600000", amount_max="500000"), "amount_max", E.AMOUNT_RANGE),
        (dict(term_min_months=0), "term_min_months", E.TERM_RANGE),
        (dict(rate="0.9"), "rate", E.RATE_RANGE),
        (dict(sla_pickup_days=0), "sla_pickup_days", E.SLA),
        (dict(eligibility=[{"id": "x", "kind": "condition", "title": "x", "feature": "nope", "op": "==", "value": 1}]),
         "eligibility", E.BAD_RULE),
        (dict(kind=c.ProductKind.EQUITY), "kind", E.WRONG_PUBLISHER),
    ]
    for kw, field, code in cases:
        with pytest.raises(ValidationError) as e:
            loan_product(bank, u, name=f"bad {field}", **kw)
        assert field in e.value.error_dict and codes(e.value) == {code}, kw
    assert Product.objects.count() == n


def test_credit_products_default_to_three_working_days_for_a_decision(world):
    assert (world["p1"].sla_pickup_days, world["p1"].sla_decision_days) == (2, 3)
    ip = loan_product(world["bank"], world["bank_u"], name="知识产权质押贷", category=c.ProductCategory.IP_PLEDGE)
    assert ip.sla_decision_days == 10


@pytest.mark.parametrize("kw, field, code", [
    (dict(amount="0"), "amount", E.AMOUNT_RANGE),
    (dict(amount="-5"), "amount", E.AMOUNT_RANGE),
    (dict(amount="20000000000"), "amount", E.AMOUNT_RANGE),
    (dict(amount="abc"), "amount", E.AMOUNT_RANGE),
    (dict(amount="100.001"), "amount", E.AMOUNT_RANGE),
    (dict(term_months=0), "term_months", E.TERM_RANGE),
    (dict(term_months=400), "term_months", E.TERM_RANGE),
    (dict(term_months=None), "term_months", E.TERM_RANGE),
])
def test_demand_bad_input(world, kw, field, code):
    with pytest.raises(ValidationError) as e:
        post(world, **kw)
    assert field in e.value.error_dict and codes(e.value) == {code}
    assert Demand.objects.count() == 0


def test_demand_prefilled_from_what_the_platform_knows(world):
    d = post(world)
    e = world["ent"]
    assert d.prefill["region_city"] == "370100"
    assert d.prefill["employees"] == e.employees == 100
    assert d.prefill["tsme"] is True and d.prefill["hnte"] is False
    assert d.prefill["grade"] is None  # not rated: unknown, not a guess
    assert AuditEntry.objects.filter(object_type="marketplace.demand", object_id=str(d.pk), action="create").count() == 1


def test_only_the_enterprise_or_its_advisor_posts(world):
    with pytest.raises(PermissionDenied):
        post(world, actor=world["bank_u"])
    agency, adv = institution(K.SERVICE_AGENCY, "辅导中心")
    s.advisor_assign(enterprise=world["ent"], advisor=adv, actor=adv, team="历下一队")
    d = post(world, actor=adv)
    assert d.posted_by == adv


def test_matches_ranked_with_reasons(world):
    d = post(world)
    world["p2"].amount_max = Decimal("500000")
    world["p2"].save()
    res = demand_matches(d)
    assert [r["product_id"] for r in res["ranked"]] == [world["p1"].pk]
    assert any("符合：科技型中小企业" in x for x in res["ranked"][0]["reasons"])
    assert res["rejected"][0]["product_id"] == world["p2"].pk
    assert "不在产品额度" in res["rejected"][0]["fails"][0]


def test_apply_carries_consent_and_the_full_path_is_audited(world):
    d = post(world)
    before = AuditEntry.objects.count()
    r = s.request_apply(demand=d, product=world["p1"], actor=world["ent_u"])
    assert r.state == "submitted" and r.route == "assigned" and r.consent.organization == world["bank"]
    assert Enterprise.objects.restrict(world["bank_u"]).filter(pk=world["ent"].pk).exists()
    assert not Enterprise.objects.restrict(world["bank2_u"]).filter(pk=world["ent"].pk).exists()
    assert r.due_at > r.submitted_at
    r = s.request_pick_up(request=r, actor=world["bank_u"])
    r = s.request_review(request=r, actor=world["bank_u"])
    r = s.request_decide(request=r, approve=True, amount="800000", rate="0.04", actor=world["bank_u"])
    r = s.request_contract(request=r, actor=world["bank_u"])
    r = s.request_disburse(request=r, actor=world["bank_u"])
    assert r.state == "disbursed" and r.approved_amount == Decimal("800000.00")
    assert Demand.objects.get(pk=d.pk).status == "financed"
    assert [e.to_state for e in r.events.all()] == ["submitted", "picked_up", "under_review", "approved",
                                                     "contracted", "disbursed"]
    # consent grant + 6 request entries + the demand financed (a follow-up write, audited too)
    assert AuditEntry.objects.count() - before == 8


def test_out_of_order_and_non_holder_change_nothing(world):
    d = post(world)
    r = s.request_apply(demand=d, product=world["p1"], actor=world["ent_u"])
    n_events, n_audit = r.events.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as e:
        s.request_decide(request=r, approve=True, actor=world["bank_u"])
    assert codes(e.value) == {E.BAD_TRANSITION}
    with pytest.raises(ValidationError) as e:
        s.request_disburse(request=r, actor=world["bank_u"])
    assert codes(e.value) == {E.BAD_TRANSITION}
    with pytest.raises(PermissionDenied):
        s.request_pick_up(request=r, actor=world["bank2_u"])
    r = s.request_pick_up(request=r, actor=world["bank_u"])
    r = s.request_review(request=r, actor=world["bank_u"])
    with pytest.raises(PermissionDenied):
        s.request_decide(request=r, approve=False, reason="不是我的", actor=world["bank2_u"])
    with pytest.raises(ValidationError) as e:
        s.request_decide(request=r, approve=False, reason="  ", actor=world["bank_u"])
    assert codes(e.value) == {E.REASON_REQUIRED}
    r.refresh_from_db()
    assert r.state == "under_review" and r.events.count() == n_events + 2
    assert AuditEntry.objects.count() == n_audit + 2


def test_second_grab_loses_and_changes_nothing(world):
    d = post(world)
    r = s.demand_grab(demand=d, product=world["p1"], actor=world["bank_u"])
    assert r.state == "picked_up" and r.route == "grab" and r.handler == world["bank_u"]
    n = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as e:
        s.demand_grab(demand=d, product=world["p2"], actor=world["bank2_u"])
    assert codes(e.value) == {E.ALREADY_HELD}
    assert FinancingRequest.objects.filter(demand=d).count() == 1 and AuditEntry.objects.count() == n


def test_grab_checks_the_fit_on_the_demand_as_claimed_not_the_callers_stale_copy(world):
    # given a caller holding the demand as posted (1,000,000: p1 fits), while the stored demand
    # has since become 9,000,000, outside p1's range
    d = post(world)
    Demand.objects.filter(pk=d.pk).update(amount=Decimal("9000000"))
    n_audit = AuditEntry.objects.count()
    # when the bank grabs with that copy
    with pytest.raises(ValidationError) as e:
        s.demand_grab(demand=d, product=world["p1"], actor=world["bank_u"])
    # then the grab is refused on the stored amount and the claim is rolled back
    assert codes(e.value) == {E.AMOUNT_RANGE}
    assert Demand.objects.get(pk=d.pk).status == "open"
    assert not FinancingRequest.objects.filter(demand_id=d.pk).exists()
    assert AuditEntry.objects.count() == n_audit


def test_grab_of_an_unfit_demand_is_refused(world):
    d = post(world, amount="9000000")
    with pytest.raises(ValidationError) as e:
        s.demand_grab(demand=d, product=world["p1"], actor=world["bank_u"])
    assert codes(e.value) == {E.AMOUNT_RANGE}
    d2 = post(world, term_months=60)
    with pytest.raises(ValidationError) as e:
        s.request_apply(demand=d2, product=world["p1"], actor=world["ent_u"])
    assert codes(e.value) == {E.TERM_RANGE}
    assert FinancingRequest.objects.count() == 0
    assert set(Demand.objects.values_list("status", flat=True)) == {"open"}


def test_queue_lists_fitting_open_demands_only(world):
    d1 = post(world)
    post(world, amount="9000000")
    q = institution_queue(world["bank"])
    assert [row["demand"].pk for row in q] == [d1.pk]
    s.demand_grab(demand=d1, product=world["p1"], actor=world["bank_u"])
    assert institution_queue(world["bank2"]) == []


def test_stale_request_escalates_to_the_advisor_and_is_rerouted(world):
    agency, adv = institution(K.SERVICE_AGENCY, "辅导中心")
    s.advisor_assign(enterprise=world["ent"], advisor=adv, actor=adv)
    d = post(world)
    r = s.request_apply(demand=d, product=world["p1"], actor=world["ent_u"])
    assert s.requests_escalate(actor="job:test", now=timezone.now()) == 0
    assert s.requests_escalate(actor="job:test", now=r.due_at + timedelta(minutes=1)) == 1
    r.refresh_from_db()
    assert r.escalated_to == adv
    new = s.request_reroute(request=r, to_product=world["p2"], actor=adv, reason="银行甲两日未接单")
    r.refresh_from_db()
    assert r.state == "rerouted" and new.state == "submitted" and new.institution == world["bank2"]
    assert new.route == "rerouted"
    with pytest.raises(ValidationError) as e:
        s.request_reroute(request=new, to_product=world["p2"], actor=adv)
    assert codes(e.value) == {E.BAD_TRANSITION}
    # the enterprise reopens it for grabs instead
    assert s.request_reroute(request=new, actor=world["ent_u"]) is None
    assert Demand.objects.get(pk=d.pk).status == "open"


def test_guarantee_leg_blocks_contract_until_approved_and_books_loss_exactly(world):
    d = post(world)
    r = s.demand_grab(demand=d, product=world["p1"], actor=world["bank_u"])
    r = s.request_review(request=r, actor=world["bank_u"])
    r = s.request_decide(request=r, approve=True, actor=world["bank_u"])
    leg = s.leg_add(request=r, kind="guarantee", provider=world["guar"], covered_amount="1000000",
                    actor=world["bank_u"])
    with pytest.raises(ValidationError) as e:
        s.request_contract(request=r, actor=world["bank_u"])
    assert codes(e.value) == {E.LEGS_PENDING}
    with pytest.raises(ValidationError) as e:
        s.leg_add(request=r, kind="guarantee", provider=world["guar"], actor=world["bank_u"],
                  shares={"national": 20, "provincial": 20, "city": 40, "bank": 30})
    assert codes(e.value) == {E.SHARES}
    s.leg_decide(leg=leg, approve=True, actor=world["guar_u"])
    s.request_contract(request=r, actor=world["bank_u"])
    rows = s.leg_default_book(leg=leg, loss="333333.33", actor=world["guar_u"])
    got = {b.party: b.amount for b in rows}
    assert got == {"national": Decimal("66666.67"), "provincial": Decimal("66666.67"), "city": Decimal("133333.33"),
                   "bank": Decimal("66666.66")}
    assert sum(got.values()) == Decimal("333333.33")
    with pytest.raises(ValidationError):
        s.leg_default_book(leg=leg, loss="1", actor=world["guar_u"])
    assert LossBooking.objects.count() == 4


def test_split_loss_jinan_2_2_4_2():
    shares = {"national": Decimal(20), "provincial": Decimal(20), "city": Decimal(40), "bank": Decimal(20)}
    assert s.split_loss(Decimal("1000000.00"), shares) == {"national": Decimal("200000.00"),
                                                           "provincial": Decimal("200000.00"),
                                                           "city": Decimal("400000.00"), "bank": Decimal("200000.00")}
    assert sum(s.split_loss(Decimal("0.03"), shares).values()) == Decimal("0.03")


def test_pools_and_roadshow_follow_up(world):
    reg_org, reg = institution(K.REGULATOR, "金融局")
    inv, inv_u = institution(K.INVESTOR, "创投甲")
    cand = s.first_loan_add(enterprise=world["ent"], plan="一企一策：知识产权质押+担保", actor=reg)
    with pytest.raises(ValidationError):
        s.first_loan_add(enterprise=world["ent"], actor=reg)
    s.whitelist_add(enterprise=world["ent"], guarantor=world["guar"], bank=world["bank"], line_amount="3000000",
                    valid_until=date.today() + timedelta(days=365), actor=world["guar_u"])
    with pytest.raises(ValidationError) as e:  # a regulator is no 金融辅导员
        s.advisor_assign(enterprise=world["ent"], advisor=reg, actor=reg)
    assert codes(e.value) == {E.ADVISOR_NOT_ALLOWED} and not AdvisorAssignment.objects.exists()
    agency, adv = institution(K.SERVICE_AGENCY, "辅导中心")
    a = s.advisor_assign(enterprise=world["ent"], advisor=adv, actor=reg)
    with pytest.raises(ValidationError) as e:
        s.advisor_visit_record(assignment=a, visited_on=date.today(), satisfaction=6, actor=adv)
    assert codes(e.value) == {E.SATISFACTION}
    s.advisor_visit_record(assignment=a, visited_on=date.today(), satisfaction=5, actor=adv)
    mandate = s.product_create(institution=inv, kind="equity", category="venture", name="早期基金",
                               amount_min="1000000", amount_max="30000000", actor=inv_u)
    show = s.roadshow_create(title="科创路演第1期", region_code="370100", held_on=date.today(), actor=reg)
    s.roadshow_register(roadshow=show, enterprise=world["ent"], actor=world["ent_u"])
    s.roadshow_register(roadshow=show, investor=inv, actor=inv_u)
    s.roadshow_mark_held(roadshow=show, actor=reg)
    presenter = show.registrations.get(role="presenter")
    req = s.roadshow_follow_up(registration=presenter, product=mandate, amount="5000000", actor=inv_u)
    assert req.demand.kind == "equity" and req.demand.roadshow == show and req.institution == inv
    # first loan disbursed → the candidate graduates
    d = post(world)
    r = s.demand_grab(demand=d, product=world["p1"], actor=world["bank_u"])
    for step in (s.request_review,):
        r = step(request=r, actor=world["bank_u"])
    r = s.request_decide(request=r, approve=True, actor=world["bank_u"])
    r = s.request_contract(request=r, actor=world["bank_u"])
    s.request_disburse(request=r, actor=world["bank_u"])
    cand.refresh_from_db()
    assert cand.status == "graduated"


def test_consent_after_grab_is_the_enterprises_own(world):
    d = post(world)
    r = s.demand_grab(demand=d, product=world["p1"], actor=world["bank_u"])
    assert r.consent is None
    with pytest.raises(PermissionDenied):
        s.request_consent(request=r, actor=world["bank_u"])
    consent = s.request_consent(request=r, actor=world["ent_u"])
    assert consent.organization == world["bank"] and Consent.objects.active().filter(pk=consent.pk).exists()


def test_a_product_that_needs_a_guarantee_cannot_be_contracted_without_one(world):
    p = loan_product(world["bank"], world["bank_u"], name="知识产权质押贷", category="ip_pledge", needs_guarantee=True)
    d = post(world)
    r = s.demand_grab(demand=d, product=p, actor=world["bank_u"])
    r = s.request_review(request=r, actor=world["bank_u"])
    r = s.request_decide(request=r, approve=True, actor=world["bank_u"])
    with pytest.raises(ValidationError) as e:
        s.request_contract(request=r, actor=world["bank_u"])
    assert codes(e.value) == {E.LEGS_PENDING} and "需要担保环节" in e.value.messages[0]
    r.refresh_from_db()
    assert r.state == "approved"
    leg = s.leg_add(request=r, kind="guarantee", provider=world["guar"], actor=world["bank_u"])
    s.leg_decide(leg=leg, approve=True, actor=world["guar_u"])
    assert s.request_contract(request=r, actor=world["bank_u"]).state == "contracted"
