"""Concurrent grabs of the same demand on PostgreSQL: exactly one wins, nothing is lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.marketplace import services as s
from kechuang.marketplace.models import Demand, FinancingRequest, RequestEvent

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="postgresql only: real row locks and concurrency")
def test_eight_banks_grab_the_same_demands_concurrently_one_wins_each():
    ent, ent_u = enterprise(1)
    banks = [institution(K.BANK, f"银行{i}") for i in range(8)]
    products = [loan_product(org, u, name=f"产品{i}") for i, (org, u) in enumerate(banks)]
    demands = [s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                             actor=ent_u) for _ in range(5)]
    audit_before = AuditEntry.objects.count()
    barrier = threading.Barrier(len(banks))
    wins, losses, errors = [], [], []

    def run(i):
        org, u = banks[i]
        try:
            barrier.wait()
            for d in demands:
                try:
                    wins.append((d.pk, s.demand_grab(demand=d, product=products[i], actor=u).pk))
                except ValidationError as exc:
                    losses.append((d.pk, exc.error_list[0].code))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(banks))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(d for d, _r in wins) == sorted(d.pk for d in demands)
    assert len(losses) == len(demands) * (len(banks) - 1)
    assert {code for _d, code in losses} == {"already_held"}
    assert FinancingRequest.objects.count() == len(demands)
    assert RequestEvent.objects.count() == len(demands)
    assert set(Demand.objects.values_list("status", flat=True)) == {"in_progress"}
    assert AuditEntry.objects.count() - audit_before == len(demands)
