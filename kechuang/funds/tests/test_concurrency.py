"""Concurrent approvals on PostgreSQL never overspend a budget, and concurrent applications for
one loss under two programmes of one exclusive group create one claim."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kechuang.funds import services as s
from kechuang.funds.models import Budget, Claim

from .factories import disbursed_loan
from .factories import world as make_world

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql", reason="postgresql only: real row locks")]


def _run(n, fn):
    barrier = threading.Barrier(n)
    ok, refused, errors = [], [], []

    def run(i):
        try:
            barrier.wait()
            ok.append(fn(i))
        except ValidationError as exc:
            refused.append(exc.error_list[0].code if not hasattr(exc, "error_dict")
                           else next(iter(exc.error_dict.values()))[0].code)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion of the caller
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, refused, errors


def test_eight_concurrent_approvals_stop_at_the_budget():
    w = make_world()
    prog = w["programmes"]["jn-ip-pledge-interest"]
    for _ in range(8):
        disbursed_loan(w, amount="100000", rate="0.0365")
    claims = s.claims_propose(programme=prog, year=2026, as_of=dt.date(2026, 12, 31),
                              actor=w["reg_a"])
    assert len(claims) == 8
    assert {c.amount for c in claims} == {Decimal("920.00")}  # 100,000 × 3.65% × 184/365 ÷ 2
    for c in claims:
        s.claim_review(claim=c, actor=w["reg_b"])
    # Given a budget for three and a half claims
    Budget.objects.filter(programme=prog, year=2026).update(amount=Decimal("3220.00"))
    ok, refused, errors = _run(8, lambda i: s.claim_decide(claim=claims[i], approve=True, actor=w["reg_c"]))
    assert errors == []
    assert len(ok) == 3
    assert refused == ["budget_exceeded"] * 5
    b = Budget.objects.get(programme=prog, year=2026)
    assert b.committed == Decimal("2760.00")
    assert Claim.objects.filter(state="approved").count() == 3
    assert Claim.objects.filter(state="reviewed").count() == 5


def test_one_loan_applied_for_under_two_programmes_at_once_is_claimed_once():
    w = make_world()
    loan = disbursed_loan(w)
    progs = [w["programmes"]["jn-ip-pledge-interest"], w["programmes"]["jn-tech-loan-interest"]]
    ok, refused, errors = _run(2, lambda i: s.claim_apply(
        programme=progs[i], year=2026, loan_id=loan.pk, actor=w["ent_u"],
        today=dt.date(2026, 12, 31)))
    assert errors == []
    assert (len(ok), refused) == (1, ["duplicate"])
    assert Claim.objects.filter(subject=f"loan:{loan.pk}").count() == 1
