"""Concurrent registrations on the same patent on PostgreSQL: the remaining value is never
exceeded — the enterprise row lock serialises the check and the insert."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kechuang.enterprises.tests.factories import regulator
from kechuang.ip import services as s
from kechuang.ip.models import IPValuation, Pledge, PledgeItem

from .factories import AS_OF, P1, bank_with_consent, ip_enterprise

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="postgresql only: real row locks and concurrency")
def test_six_banks_pledging_the_same_patent_at_once_never_exceed_its_value():
    ent, _u = ip_enterprise()
    banks = [bank_with_consent(ent, f"银行{i}") for i in range(6)]
    s.valuation_run(enterprise=ent, actor=regulator(), as_of=AS_OF)
    mid = IPValuation.objects.get(ip_key=P1).value_mid
    share = (mid * Decimal("0.4")).quantize(Decimal("0.01"))  # two fit, the third does not
    barrier = threading.Barrier(len(banks))
    wins, losses, errors = [], [], []

    def run(i):
        org, u = banks[i]
        try:
            barrier.wait()
            try:
                wins.append(s.pledge_register(enterprise=ent, pledgee=org, ip_keys=[P1], amount=share,
                                              registered_on=AS_OF, expires_on=AS_OF + dt.timedelta(days=365),
                                              actor=u).pk)
            except ValidationError as exc:
                losses.append(exc.error_dict["amount"][0].code)
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
    assert (len(wins), losses) == (2, ["over_value"] * 4)
    assert Pledge.objects.count() == 2
    assert sum(PledgeItem.objects.values_list("amount", flat=True)) == share * 2
