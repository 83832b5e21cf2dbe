"""The funds engine: programme rule data checked on load, the formula language, and the claims of
the batch path equal to the per-claim path to the cent."""

import datetime as dt

import polars as pl
import pytest

from kechuang.engine.funds import (CERTS_SCHEMA, LOANS_SCHEMA, LOSSES_SCHEMA, builtin_programmes, claim_for,
                                   claims_batch, claims_loop, load_programme, parse_formula, simulate)
from kechuang.engine.funds.formula import FormulaError
from kechuang.engine.funds.synthetic import as_rows, population
from kechuang.engine.qualification.errors import RuleError

AS_OF = dt.date(2026, 12, 31)
BY_ID = {p.id: p for p in builtin_programmes()}


def _doc(**over):
    doc = dict(BY_ID["jn-ip-pledge-interest"].raw)
    doc.update(over)
    return doc


def _loan(loan_id=1, enterprise_id=1, category="ip_pledge", principal=1_000_000.0, rate=0.04,
          disbursed_on=dt.date(2026, 7, 1), term_months=12, defaulted_on=None, first_loan=False, lender_id=7):
    return {"loan_id": loan_id, "enterprise_id": enterprise_id, "lender_id": lender_id, "guarantor_id": None,
            "category": category, "principal": principal, "rate": rate, "disbursed_on": disbursed_on,
            "term_months": term_months, "defaulted_on": defaulted_on, "first_loan": first_loan}


FEATS = {"enterprise_id": 1, "region_city": "370100", "region_code": "370102", "ip_class1_count": 2.0,
         "hnte": True, "tsme": False, "adverse_count": 0.0, "size": "small"}


def _batch(programmes, loans=(), losses=(), certs=(), feats=(FEATS,)):
    return claims_batch(programmes, 2026, AS_OF, loans=pl.DataFrame(list(loans), schema=LOANS_SCHEMA),
                        losses=pl.DataFrame(list(losses), schema=LOSSES_SCHEMA),
                        certs=pl.DataFrame(list(certs), schema=CERTS_SCHEMA), enterprises=pl.DataFrame(list(feats)))


def test_builtin_programmes_load_with_their_budgets_and_formulas():
    assert sorted(BY_ID) == ["jn-first-loan-award", "jn-ip-pledge-interest", "jn-risk-compensation",
                             "jn-tech-loan-interest"]
    p = BY_ID["jn-risk-compensation"]
    assert (p.basis, p.claimant, p.loss_party, p.formula.text, p.cap_per_claim) == (
        "principal_loss", "lender", "bank", "0.5 * principal_loss", 2_000_000.0)
    assert p.budget == {2026: 50_000_000.0}
    assert BY_ID["jn-tech-loan-interest"].exclusive_group == BY_ID["jn-ip-pledge-interest"].exclusive_group


def test_a_formula_naming_an_unknown_fact_is_refused_with_the_fact_and_the_known_ones():
    with pytest.raises(RuleError) as exc:
        load_programme(_doc(formula="0.5 * interest_paid + listing_bonus"))
    assert exc.value.problems == [
        "formula “0.5 * interest_paid + listing_bonus” refers to unknown fact “listing_bonus” "
        "(known facts for this basis: principal, loan_rate, interest_paid, days_in_period)"]


@pytest.mark.parametrize(("text", "fragment"), [
    ("__import__('os').system('x')", "is not allowed"),
    ("interest_paid.real", "is not allowed"),
    ("interest_paid > 3", "is not allowed"),
    ("min(interest_paid)", "needs two or more arguments"),
    ("0.5 *", "does not parse"),
])
def test_formula_language_refuses_anything_but_arithmetic(text, fragment):
    with pytest.raises(FormulaError, match=fragment):
        parse_formula(text, ["interest_paid"])


def test_formula_python_and_polars_agree():
    f = parse_formula("min(0.03 * a, 1000000) - b / 2", ["a", "b"])
    assert f({"a": 10_000_000, "b": 100}) == 299950.0
    assert f({"a": 10_000_000, "b": None}) is None
    out = pl.DataFrame({"a": [10_000_000.0, 1e9], "b": [100.0, 0.0]}).select(f.expr().alias("x"))
    assert out["x"].to_list() == [299950.0, 1000000.0]


def test_the_loader_lists_every_problem_at_once():
    with pytest.raises(RuleError) as exc:
        load_programme(_doc(schema=2, claimant="city", budget=[{"year": 2026, "amount": 1}, {"year": 2026, "amount": 2}],
                            cap_per_claim=-5, declared_facts=["x"]))
    assert exc.value.problems == [
        "schema must be 1 (got 2)",
        "claimant must be one of enterprise, lender, guarantor (got 'city')",
        "declared_facts need mode = \"application\": the claimant declares them and a reviewer checks them",
        "cap_per_claim must be a positive number of yuan (got -5)",
        "budget[1]: year 2026 given twice",
    ]


def test_interest_paid_is_the_contract_interest_of_the_days_in_the_year_floored_to_the_cent():
    # 1,000,000 at 4% from 2026-07-01: 184 days in 2026 → 20,164.38; half of it, floored.
    out = _batch([BY_ID["jn-ip-pledge-interest"]], loans=[_loan()])
    assert out.select("subject", "days_in_period", "amount").to_dicts() == [
        {"subject": "loan:1", "days_in_period": 184, "amount": 10082.19}]


def test_a_default_stops_the_interest():
    out = _batch([BY_ID["jn-ip-pledge-interest"]], loans=[_loan(defaulted_on=dt.date(2026, 8, 1))])
    assert out.select("days_in_period", "amount").to_dicts() == [{"days_in_period": 31, "amount": 1698.63}]


def test_interest_the_bank_recorded_replaces_the_contract_estimate():
    # The contract gives 20,164.38 for 2026; the bank reported 18,000.00 actually paid: half of that.
    p = BY_ID["jn-ip-pledge-interest"]
    out = _batch([p], loans=[_loan(1), {**_loan(2), "interest_recorded": 18_000.0}])
    assert out.select("subject", "interest_basis", "interest_paid", "amount").to_dicts() == [
        {"subject": "loan:1", "interest_basis": "estimated", "interest_paid": pytest.approx(20164.3836, abs=1e-4),
         "amount": 10082.19},
        {"subject": "loan:2", "interest_basis": "recorded", "interest_paid": 18_000.0, "amount": 9000.0}]
    one = claim_for(p, 2026, AS_OF, "loan", {**_loan(2), "interest_recorded": 18_000.0}, FEATS)
    assert (one["interest_basis"], one["interest_paid"], one["amount"]) == ("recorded", 18_000.0, 9000.0)


def test_recorded_interest_paid_after_the_loan_stopped_running_still_counts():
    # Matured 2026-01-01 (no contract days in 2026) but the last interest was paid in January.
    loan = {**_loan(disbursed_on=dt.date(2025, 1, 1)), "interest_recorded": 1_200.0}
    out = _batch([BY_ID["jn-ip-pledge-interest"]], loans=[loan])
    assert out.select("days_in_period", "interest_basis", "amount").to_dicts() == [
        {"days_in_period": 0, "interest_basis": "recorded", "amount": 600.0}]
    assert _batch([BY_ID["jn-ip-pledge-interest"]], loans=[_loan(disbursed_on=dt.date(2025, 1, 1))]).height == 0


def test_same_loan_under_two_interest_programmes_is_paid_once_by_the_higher():
    # The enterprise is an HNTE with Class I IP: both programmes apply; 就高不重复 keeps 50%.
    out = _batch([BY_ID["jn-ip-pledge-interest"], BY_ID["jn-tech-loan-interest"]], loans=[_loan()])
    assert out.select("programme", "amount").to_dicts() == [{"programme": "jn-ip-pledge-interest@1",
                                                             "amount": 10082.19}]


def test_the_yearly_cap_per_claimant_trims_the_last_claims():
    p = load_programme(_doc(cap_per_claimant_year=15000))
    loans = [_loan(1), _loan(2)]
    out = _batch([p], loans=loans)
    assert out.select("subject", "amount").to_dicts() == [{"subject": "loan:1", "amount": 10082.19},
                                                          {"subject": "loan:2", "amount": 4917.81}]


def test_ineligible_enterprises_get_nothing_and_the_reasons_say_why():
    feats = {**FEATS, "ip_class1_count": 0.0}
    assert _batch([BY_ID["jn-ip-pledge-interest"]], loans=[_loan()], feats=[feats]).height == 0
    one = claim_for(BY_ID["jn-ip-pledge-interest"], 2026, AS_OF, "loan", _loan(), feats)
    assert (one["eligible"], one["amount"]) == (False, 0.0)
    assert one["reasons"] == ["符合：注册在济南市（济南市）", "不符合：拥有Ⅰ类知识产权（要求 >= 1，实际 0.0）"]


def test_risk_compensation_pays_half_the_banks_booked_loss_to_the_lender():
    loss = {"leg_id": 9, "loan_id": 1, "enterprise_id": 1, "lender_id": 7, "guarantor_id": 8, "party": "bank",
            "amount": 200_000.0, "loss_total": 1_000_000.0, "principal": 1_000_000.0, "booked_on": dt.date(2026, 5, 1)}
    city = {**loss, "party": "city", "amount": 400_000.0}
    out = _batch([BY_ID["jn-risk-compensation"]], losses=[loss, city])
    assert out.select("subject", "claimant_id", "principal_loss", "amount").to_dicts() == [
        {"subject": "loss:9", "claimant_id": 7, "principal_loss": 200_000.0, "amount": 100_000.0}]


def test_certificate_awards_and_windows():
    p = load_programme({**_doc(), "id": "test-cert", "basis": "certificate", "formula": "100000",
                        "certificate_kinds": ["hnte"], "loan_categories": [], "cap_per_claimant_year": None})
    certs = [{"enterprise_id": 1, "kind": "hnte", "valid_from": dt.date(2026, 3, 1)},
             {"enterprise_id": 1, "kind": "hnte", "valid_from": dt.date(2025, 3, 1)}]
    out = _batch([p], certs=certs)
    assert out.select("subject", "amount").to_dicts() == [{"subject": "cert:1:hnte:2026-03-01", "amount": 100000.0}]


def test_batch_and_loop_agree_to_the_cent_on_a_synthetic_population():
    pop = population(3000, 6000, seed=5)
    progs = list(builtin_programmes())
    batch = claims_batch(progs, 2026, AS_OF, loans=pop["loans"], losses=pop["losses"], certs=pop["certs"],
                         enterprises=pop["enterprises"])
    loop = claims_loop(progs, 2026, AS_OF, **as_rows(pop))
    assert {(r["programme"], r["subject"]): r["amount"] for r in batch.iter_rows(named=True)} == {
        (c["programme"], c["subject"]): c["amount"] for c in loop}
    assert batch.height == len(loop)
    assert set(batch["programme"]) == {p.key for p in progs}
    # Both paths to interest_paid are exercised (about half the running loans have bank records)
    # and agree on which was used.
    assert {(r["programme"], r["subject"]): r["interest_basis"] for r in batch.iter_rows(named=True)} == {
        (c["programme"], c["subject"]): c["interest_basis"] for c in loop}
    assert set(batch["interest_basis"].drop_nulls()) == {"recorded", "estimated"}


def test_simulation_reports_cost_reach_and_who_gains_or_loses_by_district_and_tier():
    cur = BY_ID["jn-tech-loan-interest"]
    # 0.3 → 0.4 of the interest
    new = load_programme({**cur.raw, "version": 2, "formula": "0.4 * interest_paid"})
    feats = [{**FEATS, "enterprise_id": 1, "tier": "hnte", "ip_class1_count": 0.0},
             {**FEATS, "enterprise_id": 2, "tier": "tsme", "region_code": "370112", "ip_class1_count": 2.0}]
    loans = [_loan(1, enterprise_id=1, category="credit"), _loan(2, enterprise_id=2, category="ip_pledge")]
    frames = dict(loans=pl.DataFrame(loans, schema=LOANS_SCHEMA), losses=pl.DataFrame(schema=LOSSES_SCHEMA),
                  certs=pl.DataFrame(schema=CERTS_SCHEMA), enterprises=pl.DataFrame(feats))
    r = simulate(cur, new, list(builtin_programmes()), 2026, AS_OF, **frames)
    # enterprise 1: 30% → 40% of 20,164.38; enterprise 2's IP-pledge loan stays with the 50% subsidy
    assert {k: r[k] for k in ("before", "after", "delta", "reached_before", "reached_after", "gainers", "losers")} == {
        "before": 16131.50, "after": 18147.94, "delta": 2016.44, "reached_before": 2,
        "reached_after": 2, "gainers": 1, "losers": 0}
    assert r["by_group"].select("region_code", "tier", "delta", "gainers").to_dicts() == [
        {"region_code": "370102", "tier": "hnte", "delta": 2016.44, "gainers": 1},
        {"region_code": "370112", "tier": "tsme", "delta": 0.0, "gainers": 0}]
