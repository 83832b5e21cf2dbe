"""Valuation runs, pledge registration (every refusal leaves the state unchanged), release,
pledge rates, loan limits and the live metric."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.accounts.choices import Role
from kechuang.core.models import AuditEntry
from kechuang.engine.ipvalue import get_model, value_item
from kechuang.enterprises.tests.factories import regulator, user
from kechuang.ip import metrics, selectors
from kechuang.ip import services as s
from kechuang.ip.error_codes import IPErrorCode as E
from kechuang.ip.models import IPValuation, Pledge, PledgeItem, PledgeRate

from .factories import AS_OF, IP_ITEMS, P1, P2, P3, bank_with_consent, ip_enterprise, ip_product

pytestmark = pytest.mark.django_db


def _code(exc: ValidationError) -> str:
    return exc.value.error_list[0].code if hasattr(exc.value, "error_list") else exc.value.code


@pytest.fixture
def world():
    ent, ent_user = ip_enterprise()
    bank_org, bank_user = bank_with_consent(ent)
    reg = regulator()
    s.valuation_run(enterprise=ent, actor=reg, as_of=AS_OF)
    return {"ent": ent, "ent_user": ent_user, "bank": bank_org, "bank_user": bank_user, "reg": reg}


def _register(w, amount, keys=(P1,), **kw):
    args = dict(enterprise=w["ent"], pledgee=w["bank"], ip_keys=list(keys), amount=amount,
                registered_on=AS_OF, expires_on=AS_OF + dt.timedelta(days=365), actor=w["bank_user"])
    args.update(kw)
    return s.pledge_register(**args)


def test_valuation_run_stores_the_engines_range_for_each_item(world):
    rows = {v.ip_key: v for v in IPValuation.objects.filter(enterprise=world["ent"])}
    assert {k: v.status for k, v in rows.items()} == {P1: "valued", P2: "expired", P3: "unknown"}
    expected = value_item(IP_ITEMS[0], get_model(), AS_OF).value
    v1 = rows[P1]
    assert (v1.value_low, v1.value_mid, v1.value_high) == tuple(Decimal(repr(x)).quantize(Decimal("0.01")) for x in expected)
    assert v1.reasons[0]["code"] == "range"
    assert (rows[P2].value_low, rows[P2].value_high) == (Decimal("0.00"), Decimal("0.00"))
    assert rows[P3].value_mid is None
    assert rows[P3].detail["unknown_facts"] == ["citations", "family_size", "litigations", "licences",
                                                "attributable_revenue", "industrializable"]
    assert AuditEntry.objects.filter(object_type="ip.ipvaluation", object_id=str(world["ent"].pk)).count() == 1


def test_valuation_refused_to_a_bank_without_consent_and_to_a_viewer(world):
    from kechuang.enterprises.tests.factories import bank
    stranger = bank("stranger")
    viewer = user("viewer", world["bank"], role=Role.VIEWER)
    before = IPValuation.objects.count()
    for actor in (stranger, viewer):
        with pytest.raises(PermissionDenied):
            s.valuation_run(enterprise=world["ent"], actor=actor, as_of=AS_OF)
    assert IPValuation.objects.count() == before


def test_bad_expert_input_is_a_coded_error_and_stores_nothing(world):
    before = IPValuation.objects.count()
    with pytest.raises(ValidationError) as exc:
        s.valuation_run(enterprise=world["ent"], actor=world["reg"], as_of=AS_OF,
                        expert={P1: {"advancement": [90, 10]}})
    assert exc.value.error_dict["expert"][0].code == E.BAD_EXPERT
    assert IPValuation.objects.count() == before


def test_register_splits_nothing_for_one_item_and_audits(world):
    mid = IPValuation.objects.get(ip_key=P1).value_mid
    pledge = _register(world, "500000.00")
    assert (pledge.status, pledge.amount, pledge.region_code) == ("active", Decimal("500000.00"), "370102")
    assert list(pledge.items.values_list("ip_key", "amount")) == [(P1, Decimal("500000.00"))]
    assert selectors.pledged_amounts(world["ent"]) == {P1: Decimal("500000.00")}
    assert selectors.remaining_value(IPValuation.objects.get(ip_key=P1), Decimal("500000.00")) == mid - Decimal("500000.00")
    assert AuditEntry.objects.filter(object_type="ip.pledge", object_id=str(pledge.pk), action="create").count() == 1


@pytest.mark.parametrize(("keys", "amount", "field", "code"), [
    pytest.param([P2], "1000", "ip_keys", E.EXPIRED, id="expired-patent"),
    pytest.param(["ZL999"], "1000", "ip_keys", E.NOT_HELD, id="not-held"),
    pytest.param([P3], "1000", "ip_keys", E.NOT_VALUED, id="no-value"),
    pytest.param([P1, P1], "1000", "ip_keys", E.DUPLICATE_ITEM, id="duplicate"),
    pytest.param([], "1000", "ip_keys", E.NO_ITEMS, id="no-items"),
    pytest.param([P1], "-5", "amount", E.AMOUNT, id="negative"),
    pytest.param([P1], "abc", "amount", E.AMOUNT, id="not-a-number"),
    pytest.param([P1], "99999999999", "amount", E.OVER_VALUE, id="above-value"),
])
def test_bad_registrations_are_refused_with_a_code_and_nothing_written(world, keys, amount, field, code):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        _register(world, amount, keys=keys)
    assert exc.value.error_dict[field][0].code == code
    assert (Pledge.objects.count(), PledgeItem.objects.count(), AuditEntry.objects.count()) == (0, 0, audit_before)


def test_a_second_pledge_can_take_only_what_the_first_left(world):
    mid = IPValuation.objects.get(ip_key=P1).value_mid
    _register(world, mid - Decimal("1000.00"))
    with pytest.raises(ValidationError) as exc:
        _register(world, "1000.01")
    assert exc.value.error_dict["amount"][0].code == E.OVER_VALUE
    assert "1,000.00" in exc.value.error_dict["amount"][0].message
    second = _register(world, "1000.00")
    assert second.amount == Decimal("1000.00")
    assert Pledge.objects.count() == 2


def test_release_on_repayment_frees_the_value_and_cannot_repeat(world):
    mid = IPValuation.objects.get(ip_key=P1).value_mid
    pledge = _register(world, mid)
    released = s.pledge_release(pledge=pledge, actor=world["bank_user"], released_on=AS_OF + dt.timedelta(days=90),
                                note="贷款已结清")
    assert (released.status, released.released_on) == ("released", AS_OF + dt.timedelta(days=90))
    assert selectors.pledged_amounts(world["ent"]) == {}
    assert _register(world, mid).amount == mid  # the whole value is free again
    with pytest.raises(ValidationError) as exc:
        s.pledge_release(pledge=pledge, actor=world["bank_user"])
    assert exc.value.code == E.NOT_ACTIVE


def test_the_enterprise_cannot_release_its_own_pledge(world):
    pledge = _register(world, "100000")
    with pytest.raises(PermissionDenied):
        s.pledge_release(pledge=pledge, actor=world["ent_user"])
    pledge.refresh_from_db()
    assert (pledge.status, pledge.released_on) == ("active", None)


def test_a_bank_without_consent_cannot_register(world):
    from kechuang.enterprises.tests.factories import bank
    stranger = bank("stranger")
    with pytest.raises(PermissionDenied):
        _register(world, "1000", pledgee=stranger.organization, actor=stranger)
    assert Pledge.objects.count() == 0


def test_loan_limit_is_value_times_rate_minus_pledges(world):
    product = ip_product(world["bank"], world["bank_user"])
    assert selectors.loan_limit(world["ent"], product) is None  # no pledge rate yet
    s.pledge_rate_set(product=product, rate="0.5", basis="low", actor=world["bank_user"])
    low = IPValuation.objects.get(ip_key=P1).value_low
    limit = selectors.loan_limit(world["ent"], product)
    assert [(line.ip_key, line.limit) for line in limit.lines] == [(P1, (low * Decimal("0.5")).quantize(Decimal("0.01"), rounding=ROUND_DOWN))]
    _register(world, "100000", product=product)
    limit = selectors.loan_limit(world["ent"], product)
    assert limit.total == (low * Decimal("0.5")).quantize(Decimal("0.01"), rounding=ROUND_DOWN) - Decimal("100000")


def test_pledge_rate_only_by_the_products_institution_and_in_range(world):
    product = ip_product(world["bank"], world["bank_user"])
    other_org, other_user = bank_with_consent(world["ent"], "银行乙")
    with pytest.raises(PermissionDenied):
        s.pledge_rate_set(product=product, rate="0.5", basis="low", actor=other_user)
    with pytest.raises(ValidationError) as exc:
        s.pledge_rate_set(product=product, rate="1.5", basis="low", actor=world["bank_user"])
    assert exc.value.error_dict["rate"][0].code == E.RATE
    assert PledgeRate.objects.count() == 0


def test_live_metric_sums_registered_amounts_in_the_region_and_period(world):
    _register(world, "100000")
    _register(world, "200000", registered_on=AS_OF - dt.timedelta(days=400), expires_on=AS_OF)
    assert metrics.ip_pledge_financing_amount(region_code="370100", start=dt.date(2026, 1, 1),
                                              end=dt.date(2026, 12, 31)) == (Decimal("100000.00"), None)
    assert metrics.ip_pledge_financing_amount(region_code="370200", start=dt.date(2026, 1, 1),
                                              end=dt.date(2026, 12, 31)) == (Decimal("0"), None)
    assert metrics.ip_pledges_registered(region_code="370102", start=dt.date(2025, 1, 1),
                                         end=dt.date(2026, 12, 31)) == (Decimal("2"), None)


def test_pledge_register_and_release_write_the_pledged_fact_with_provenance(world):
    """Registering writes ip[].pledged = true (with the date) to the theme database under the
    registry's source, batch 知识产权质押#<id>; releasing writes it back to false."""
    from kechuang.enterprises.models import IPFact, SourceBatch
    from kechuang.ip.selectors import ip_items

    pledge = s.pledge_register(enterprise=world["ent"], pledgee=world["bank"], ip_keys=[P1],
                                      amount=Decimal("100000"), registered_on=AS_OF,
                                      expires_on=AS_OF + dt.timedelta(days=365), actor=world["bank_user"])
    item = next(i for i in ip_items(world["ent"]) if i["number"] == P1)
    assert (item["pledged"], item["pledged_on"]) == (True, AS_OF)
    fact = IPFact.objects.get(enterprise=world["ent"], key=P1, superseded_at__isnull=True, source__code="ip-pledge-registry")
    assert SourceBatch.objects.get(pk=fact.batch_id).file_name == f"知识产权质押#{pledge.pk}"
    s.pledge_release(pledge=pledge, actor=world["bank_user"], released_on=AS_OF + dt.timedelta(days=30))
    item = next(i for i in ip_items(world["ent"]) if i["number"] == P1)
    assert item["pledged"] is False and "pledged_on" not in item
