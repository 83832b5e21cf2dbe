"""Funds services: programmes stored only when their rules check, claims from platform facts and
from applications, the review workflow with the four-eyes rule, payments, clawbacks, and every
bad input refused with its code and nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.models import AuditEntry
from kechuang.funds import services as s
from kechuang.funds.error_codes import FundsErrorCode as E
from kechuang.funds.models import Budget, Claim, ClaimEvent, Payment, Programme
from kechuang.funds.selectors import enterprise_entitlements
from kechuang.engine.funds import builtin_programmes

from .factories import defaulted_loss, disbursed_loan, world as make_world

pytestmark = pytest.mark.django_db
YEAR_END = dt.date(2026, 12, 31)


def codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list} if not hasattr(exc, "error_dict") else {
        e.code for errs in exc.error_dict.values() for e in errs}


@pytest.fixture
def w():
    return make_world()


def _state():
    return (Claim.objects.count(), ClaimEvent.objects.count(), Payment.objects.count(),
            list(Budget.objects.order_by("pk").values_list("committed", "paid")),
            list(Claim.objects.order_by("pk").values_list("state", flat=True)))


def test_builtin_programmes_are_stored_with_their_budgets(w):
    assert sorted(w["programmes"]) == ["jn-first-loan-award", "jn-ip-pledge-interest", "jn-risk-compensation",
                                       "jn-tech-loan-interest"]
    b = Budget.objects.get(programme=w["programmes"]["jn-risk-compensation"], year=2026)
    assert (b.amount, b.committed, b.paid) == (Decimal("50000000.00"), 0, 0)
    assert s.programmes_sync(actor=w["reg_a"]) == []  # idempotent


def test_a_programme_whose_formula_names_an_unknown_fact_is_refused_and_nothing_is_stored(w):
    rules = {**builtin_programmes()[1].to_json(), "version": 2, "formula": "0.5 * interest_paid * subsidy_factor"}
    before = (Programme.objects.count(), Budget.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        s.programme_define(rules=rules, actor=w["reg_a"])
    assert codes(exc.value) == {E.BAD_RULE}
    assert "unknown fact “subsidy_factor”" in str(exc.value)
    assert (Programme.objects.count(), Budget.objects.count(), AuditEntry.objects.count()) == before


def test_a_new_version_supersedes_the_old_one(w):
    rules = {**builtin_programmes()[1].to_json(), "version": 2, "formula": "0.6 * interest_paid"}
    new = s.programme_define(rules=rules, actor=w["reg_a"])
    assert list(Programme.objects.filter(code="jn-ip-pledge-interest").values_list("version", "is_active")) == [
        (2, True), (1, False)]
    with pytest.raises(ValidationError) as exc:
        s.programme_define(rules=rules, actor=w["reg_a"])
    assert codes(exc.value) == {E.PROGRAMME_EXISTS}
    assert new.formula == "0.6 * interest_paid"


def test_propose_from_facts_pays_interest_once_within_the_exclusive_group(w):
    loan = disbursed_loan(w)  # ¥800,000 at 4% from 2026-07-01: 184 days in 2026
    ip, tech = w["programmes"]["jn-ip-pledge-interest"], w["programmes"]["jn-tech-loan-interest"]
    claims = s.claims_propose(programme=ip, year=2026, as_of=YEAR_END, actor=w["reg_a"])
    assert [(c.subject, c.amount, c.enterprise_id, c.claimant_org_id, c.origin) for c in claims] == [
        (f"loan:{loan.pk}", Decimal("8065.75"), w["ent"].pk, None, "facts")]
    assert claims[0].evidence["facts"] == {"principal": 800000.0, "loan_rate": 0.04, "days_in_period": 184,
                                           "interest_paid": pytest.approx(16131.5068, abs=1e-4)}
    # 就高不重复: the tech-loan programme (30%) is in the same group; the loan is taken.
    assert s.claims_propose(programme=tech, year=2026, as_of=YEAR_END, actor=w["reg_a"]) == []
    # proposing again finds nothing new
    assert s.claims_propose(programme=ip, year=2026, as_of=YEAR_END, actor=w["reg_a"]) == []


def test_review_approve_pay_and_claw_back_with_the_four_eyes_rule(w):
    defaulted_loss(w)  # ¥1,000,000 loss: the bank's 20% share ¥200,000 → half compensated
    prog = w["programmes"]["jn-risk-compensation"]
    claim = s.claims_propose(programme=prog, year=2026, as_of=YEAR_END, actor=w["reg_a"])[0]
    assert (claim.amount, claim.claimant_org_id) == (Decimal("100000.00"), w["bank"].pk)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_review(claim=claim, actor=w["reg_a"])  # the proposer
    assert codes(exc.value) == {E.FOUR_EYES}
    assert _state() == before
    s.claim_review(claim=claim, actor=w["reg_b"], note="材料齐全")
    for who in ("reg_a", "reg_b"):
        with pytest.raises(ValidationError) as exc:
            s.claim_decide(claim=claim, approve=True, actor=w[who])
        assert codes(exc.value) == {E.FOUR_EYES}
    s.claim_decide(claim=claim, approve=True, actor=w["reg_c"])
    budget = Budget.objects.get(programme=prog, year=2026)
    assert (budget.committed, budget.paid) == (Decimal("100000.00"), 0)
    s.claim_pay(claim=claim, actor=w["reg_a"], reference="财拨-2026-001")
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal("100000.00"), Decimal("100000.00"))
    s.claim_clawback(claim=claim, actor=w["reg_b"], reason="银行已追回损失")
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (0, 0)
    claim.refresh_from_db()
    assert claim.state == "clawed_back"
    assert list(claim.events.values_list("from_state", "to_state", "actor__username")) == [
        ("", "submitted", "officer-a"), ("submitted", "reviewed", "officer-b"), ("reviewed", "approved", "officer-c"),
        ("approved", "paid", "officer-a"), ("paid", "clawed_back", "officer-b")]
    assert list(claim.payments.values_list("kind", "amount")) == [("payment", Decimal("100000.00")),
                                                                  ("clawback", Decimal("100000.00"))]
    assert AuditEntry.objects.filter(object_type="funds.claim", object_id=str(claim.pk)).count() == 4


def test_decline_needs_a_reason_and_frees_the_subject(w):
    disbursed_loan(w)
    prog = w["programmes"]["jn-ip-pledge-interest"]
    claim = s.claims_propose(programme=prog, year=2026, as_of=YEAR_END, actor=w["reg_a"])[0]
    s.claim_review(claim=claim, actor=w["reg_b"])
    with pytest.raises(ValidationError) as exc:
        s.claim_decide(claim=claim, approve=False, actor=w["reg_c"], reason="  ")
    assert codes(exc.value) == {E.REASON_REQUIRED}
    s.claim_decide(claim=claim, approve=False, actor=w["reg_c"], reason="贷款用途不符")
    claim.refresh_from_db()
    assert (claim.state, claim.reason) == ("declined", "贷款用途不符")
    again = s.claim_apply(programme=prog, year=2026, loan_id=claim.loan_id, actor=w["ent_u"], today=YEAR_END)
    assert (again.origin, again.amount) == ("application", Decimal("8065.75"))


def test_a_district_officer_sees_but_cannot_review_a_city_programmes_claims(w):
    disbursed_loan(w)
    claim = s.claims_propose(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026, as_of=YEAR_END,
                             actor=w["reg_a"])[0]
    before = _state()
    with pytest.raises(PermissionDenied):
        s.claim_review(claim=claim, actor=w["district"])
    with pytest.raises(PermissionDenied):
        s.claims_propose(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026, actor=w["bank_u"])
    assert _state() == before


# ---------------------------------------------------------------------------------------------
# Bad input: coded errors, nothing changed


def test_application_over_the_cap_is_refused(w):
    loan = disbursed_loan(w)
    prog = w["programmes"]["jn-ip-pledge-interest"]
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=prog, year=2026, loan_id=loan.pk, amount="8065.76", actor=w["ent_u"], today=YEAR_END)
    assert codes(exc.value) == {E.OVER_CAP}
    assert "8065.75" in str(exc.value)
    assert _state() == before


def test_application_after_the_deadline_is_refused(w):
    loan = disbursed_loan(w)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026, loan_id=loan.pk,
                      actor=w["ent_u"], today=dt.date(2027, 4, 1))
    assert codes(exc.value) == {E.DEADLINE}
    assert _state() == before


def test_application_for_a_loan_not_on_the_platform_is_refused(w):
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026, loan_id=987654,
                      actor=w["ent_u"], today=YEAR_END)
    assert codes(exc.value) == {E.NOT_ON_PLATFORM}
    assert _state() == before


def test_one_loss_claimed_twice_is_refused(w):
    r = defaulted_loss(w)
    prog = w["programmes"]["jn-risk-compensation"]
    first = s.claim_apply(programme=prog, year=2026, leg_id=r.legs.get().pk, actor=w["bank_u"], today=YEAR_END)
    assert first.amount == Decimal("100000.00")
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=prog, year=2026, leg_id=r.legs.get().pk, actor=w["bank_u"], today=YEAR_END)
    assert codes(exc.value) == {E.DUPLICATE}
    assert f"申领#{first.pk}" in str(exc.value)
    assert s.claims_propose(programme=prog, year=2026, as_of=YEAR_END, actor=w["reg_a"]) == []
    assert _state() == before


def test_only_the_lender_claims_its_loss(w):
    r = defaulted_loss(w)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=w["programmes"]["jn-risk-compensation"], year=2026, leg_id=r.legs.get().pk,
                      actor=w["bank2_u"], today=YEAR_END)
    assert codes(exc.value) == {E.NOT_CLAIMANT}
    assert _state() == before


def test_a_claim_exceeding_the_remaining_budget_is_refused_at_application_and_approval(w):
    loan = disbursed_loan(w)
    prog = w["programmes"]["jn-ip-pledge-interest"]
    claim = s.claim_apply(programme=prog, year=2026, loan_id=loan.pk, actor=w["ent_u"], today=YEAR_END)
    s.claim_review(claim=claim, actor=w["reg_a"])
    Budget.objects.filter(programme=prog, year=2026).update(amount=Decimal("8000.00"))  # given: a budget cut
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_decide(claim=claim, approve=True, actor=w["reg_b"])
    assert codes(exc.value) == {E.BUDGET_EXCEEDED}
    assert _state() == before
    loan2 = disbursed_loan(w)
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=prog, year=2026, loan_id=loan2.pk, actor=w["ent_u"], today=YEAR_END)
    assert codes(exc.value) == {E.BUDGET_EXCEEDED}
    assert _state() == before


def test_an_ineligible_enterprise_is_told_what_it_lacks(w):
    from kechuang.enterprises.models import Enterprise
    loan = disbursed_loan(w)
    Enterprise.objects.filter(pk=w["ent"].pk).update(ip_class1_count=0)  # given: the patent lapsed
    before = _state()
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026, loan_id=loan.pk,
                      actor=w["ent_u"], today=YEAR_END)
    assert codes(exc.value) == {E.NOT_ELIGIBLE}
    assert "不符合：拥有Ⅰ类知识产权（要求 >= 1，实际 0）" in str(exc.value)
    assert _state() == before


def test_recheck_claws_back_a_paid_claim_whose_condition_failed(w):
    from kechuang.enterprises.models import Enterprise
    disbursed_loan(w)
    prog = w["programmes"]["jn-ip-pledge-interest"]
    claim = s.claims_propose(programme=prog, year=2026, as_of=YEAR_END, actor=w["reg_a"])[0]
    s.claim_review(claim=claim, actor=w["reg_b"])
    s.claim_decide(claim=claim, approve=True, actor=w["reg_c"])
    s.claim_pay(claim=claim, actor=w["reg_c"])
    assert s.claims_recheck(programme=prog, year=2026, actor=w["reg_a"], as_of=YEAR_END) == []
    Enterprise.objects.filter(pk=w["ent"].pk).update(ip_class1_count=0)
    back = s.claims_recheck(programme=prog, year=2026, actor=w["reg_a"], as_of=YEAR_END)
    assert [(c.pk, c.state) for c in back] == [(claim.pk, "clawed_back")]
    assert back[0].reason == "条件已不满足：不符合：拥有Ⅰ类知识产权（要求 >= 1，实际 0）"
    assert Budget.objects.filter(programme=prog, year=2026).values_list("committed", "paid").get() == (0, 0)


def test_entitlements_list_what_the_enterprise_gets_and_lacks(w):
    disbursed_loan(w)
    rows = {r["programme"].code: r for r in enterprise_entitlements(w["ent"], 2026, as_of=YEAR_END)}
    assert (rows["jn-ip-pledge-interest"]["eligible"], rows["jn-ip-pledge-interest"]["amount"]) == (True, Decimal("8065.75"))
    assert (rows["jn-tech-loan-interest"]["eligible"], rows["jn-tech-loan-interest"]["amount"]) == (True, Decimal("4839.45"))
    assert rows["jn-risk-compensation"]["subjects"] == 0
    assert rows["jn-first-loan-award"]["lacks"] == []


def test_claims_are_visible_to_their_enterprise_claimant_and_regulators_only(w):
    r = defaulted_loss(w)
    claim = s.claim_apply(programme=w["programmes"]["jn-risk-compensation"], year=2026, leg_id=r.legs.get().pk,
                          actor=w["bank_u"], today=YEAR_END)
    seen = {k: list(Claim.objects.restrict(w[k]).values_list("pk", flat=True))
            for k in ("ent_u", "bank_u", "bank2_u", "guar_u", "ent2_u", "reg_a", "district")}
    assert seen == {"ent_u": [claim.pk], "bank_u": [claim.pk], "bank2_u": [], "guar_u": [], "ent2_u": [],
                    "reg_a": [claim.pk], "district": []}


def test_live_metrics_follow_payments_and_clawbacks(w):
    from django.utils import timezone

    from kechuang.funds import metrics
    defaulted_loss(w)
    claim = s.claims_propose(programme=w["programmes"]["jn-risk-compensation"], year=2026, as_of=YEAR_END,
                             actor=w["reg_a"])[0]
    s.claim_review(claim=claim, actor=w["reg_b"])
    s.claim_decide(claim=claim, approve=True, actor=w["reg_c"])
    today = timezone.localdate()
    kw = {"region_code": "370100", "start": today, "end": today}
    assert metrics.funds_budget_used(**kw) == (Decimal("100000.00"), Decimal("105000000.00"))
    s.claim_pay(claim=claim, actor=w["reg_a"])
    assert (metrics.funds_paid_amount(**kw), metrics.funds_claims_paid(**kw),
            metrics.funds_enterprises_reached(**kw)) == ((Decimal("100000.00"), None), (1, None), (1, None))
    s.claim_clawback(claim=claim, actor=w["reg_a"], reason="追回")
    assert metrics.funds_paid_amount(**kw) == (Decimal("0.00"), None)
    assert metrics.funds_paid_amount(region_code="370112", start=today, end=today) == (0, None)
