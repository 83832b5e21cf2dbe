"""Pool runs (placements, movements between runs, audit) and milestones (order, access, audit)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import load, organization, regulator, user
from kechuang.listing import metrics
from kechuang.listing.error_codes import ListingErrorCode as E
from kechuang.listing.models import Milestone, PoolPlacement, PoolRun
from kechuang.listing.services import milestone_record, pool_run_execute

from .factories import enterprises, listing_record

pytestmark = pytest.mark.django_db


def _ladder(run):
    return {(p.enterprise.name[-1], p.tier, p.movement) for p in
            PoolPlacement.objects.filter(run=run, track="ladder").select_related("enterprise")}


def test_runs_place_promote_demote_and_exit_with_audit_entries_when_registered_and_computed():
    # given A (高企, revenue 4,200万, profit > 0), B (no title: never in the pool), C (高企)
    a, b, c = enterprises(listing_record(1), listing_record(2, certificates=[]), listing_record(3))
    reg = regulator("city")
    today = timezone.localdate()
    audits = AuditEntry.objects.count()

    first = pool_run_execute(region_code="370100", as_of=today, actor=reg)
    assert _ladder(first) == {("1", "reserve", "entered"), ("3", "reserve", "entered")}
    assert first.counts["ladder"] == {"reserve": 2}
    assert first.boards == {"star-listing": "star-listing-2024", "chinext-listing": "chinext-listing-2024",
                            "bse-listing": "bse-listing-2024"}

    # when A completes its joint-stock reform and C gets on the abnormal-operation list
    milestone_record(enterprise=a, kind="joint_stock", occurred_on=today - dt.timedelta(days=30), actor=reg)
    load([{"uscc": c.uscc, "incidents": [{"kind": "abnormal_operation_list", "date": "2026-11-01"}]}],
         source_code="credit-feed")
    second = pool_run_execute(region_code="370100", as_of=today, actor=reg)

    # then A is promoted to 培育, C exits, B never shows
    assert _ladder(second) == {("1", "cultivate", "promoted"), ("3", "", "exited")}
    assert second.previous_id == first.pk
    exited = PoolPlacement.objects.get(run=second, enterprise=c, track="ladder")
    assert (exited.previous_tier, exited.unmet) == ("reserve", ["ladder.stay.adverse"])
    assert second.counts["ladder:moves"] == {"promoted": 1, "exited": 1}

    # when A reports a loss after non-recurring items: back to 储备 (demoted)
    load([{"uscc": a.uscc, "years": [{"year": today.year - 1, "net_profit_deducted": -500_000}]}],
         source_code="audit-feed")
    third = pool_run_execute(region_code="370100", as_of=today, actor=reg)
    assert _ladder(third) == {("1", "reserve", "demoted")}
    assert PoolPlacement.objects.get(run=third, enterprise=a, track="ladder").unmet == ["cultivate.profit"]
    assert AuditEntry.objects.count() - audits == 7  # three runs (registered, computed) and one milestone
    assert not PoolPlacement.objects.filter(enterprise=b).exists()


def test_a_run_by_a_viewer_or_outside_the_region_is_refused_and_stores_nothing():
    enterprises(listing_record(1))
    viewer = regulator("viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        pool_run_execute(region_code="370100", as_of=timezone.localdate(), actor=viewer)
    district = regulator("district", region="370102")
    with pytest.raises(ValidationError) as exc:
        pool_run_execute(region_code="370100", as_of=timezone.localdate(), actor=district)
    assert exc.value.error_dict["region_code"][0].code == E.BAD_REGION
    with pytest.raises(ValidationError) as exc:
        pool_run_execute(region_code="370100", as_of=timezone.localdate() + dt.timedelta(days=1),
                         actor=regulator("city"))
    assert exc.value.error_dict["as_of"][0].code == E.FUTURE_DATE
    assert (PoolRun.objects.count(), PoolPlacement.objects.count()) == (0, 0)


@pytest.mark.parametrize(("done", "kind", "days_ago", "code"), [
    ((), "tutoring", 10, E.OUT_OF_ORDER),
    (("joint_stock",), "application", 10, E.OUT_OF_ORDER),
    (("joint_stock", "tutoring"), "joint_stock", 10, E.MILESTONE_EXISTS),
    (("joint_stock",), "tutoring", 500, E.OUT_OF_ORDER),  # before the joint-stock reform
    ((), "joint_stock", -1, E.FUTURE_DATE),
])
def test_out_of_order_milestones_are_refused_with_a_code_and_nothing_changes(done, kind, days_ago, code):
    (ent,) = enterprises(listing_record(1))
    reg = regulator("city")
    today = timezone.localdate()
    for i, k in enumerate(done):
        milestone_record(enterprise=ent, kind=k, occurred_on=today - dt.timedelta(days=100 - i), actor=reg)
    before = (list(Milestone.objects.values_list("kind", "occurred_on")), AuditEntry.objects.count())

    with pytest.raises(ValidationError) as exc:
        milestone_record(enterprise=ent, kind=kind, occurred_on=today - dt.timedelta(days=days_ago), actor=reg)

    assert [e.code for errs in exc.value.error_dict.values() for e in errs] == [code]
    assert (list(Milestone.objects.values_list("kind", "occurred_on")), AuditEntry.objects.count()) == before


def test_milestones_in_order_with_intermediaries_are_recorded_and_audited():
    (ent,) = enterprises(listing_record(1))
    org = organization(OrganizationKind.ENTERPRISE, "企业-1", region="370102", enterprise=ent)
    owner = user("owner", org, role=Role.ADMIN)
    day = timezone.localdate() - dt.timedelta(days=60)
    m1 = milestone_record(enterprise=ent, kind="joint_stock", occurred_on=day, actor=owner)
    m2 = milestone_record(enterprise=ent, kind="tutoring", occurred_on=day + dt.timedelta(days=20), actor=owner,
                          board="star", sponsor="示范证券", law_firm="示范律所", accounting_firm="示范会计师事务所")
    assert list(Milestone.objects.filter(enterprise=ent).values_list("kind", "board", "sponsor")) == [
        ("joint_stock", "", ""), ("tutoring", "star", "示范证券")]
    assert list(AuditEntry.objects.filter(object_type="listing.milestone").values_list("object_id", flat=True)
                .order_by("seq")) == [str(m1.pk), str(m2.pk)]


def test_another_enterprise_or_a_viewer_cannot_record_and_nothing_changes():
    a, b = enterprises(listing_record(1), listing_record(2))
    other = user("other", organization(OrganizationKind.ENTERPRISE, "企业-2", region="370102", enterprise=b),
                 role=Role.ADMIN)
    viewer = regulator("viewer", role=Role.VIEWER)
    before = (Milestone.objects.count(), AuditEntry.objects.count())
    for actor in (other, viewer):
        with pytest.raises(PermissionDenied):
            milestone_record(enterprise=a, kind="joint_stock", occurred_on=timezone.localdate(), actor=actor)
    assert (Milestone.objects.count(), AuditEntry.objects.count()) == before


def test_live_metrics_count_the_reserve_pool_and_new_listings():
    a, b, c = enterprises(listing_record(1), listing_record(2), listing_record(3, "370112"))
    reg = regulator("city")
    today = timezone.localdate()
    start = today - dt.timedelta(days=300)
    for k, kind in enumerate(("joint_stock", "tutoring", "application", "approval", "registration", "listed")):
        milestone_record(enterprise=b, kind=kind, occurred_on=start + dt.timedelta(days=40 * k), actor=reg)
    pool_run_execute(region_code="370100", as_of=today, actor=reg)
    year = dt.date(today.year, 1, 1)
    # a and c are in 储备, b is listed (not a reserve enterprise any more)
    assert metrics.listing_reserve_enterprises(region_code="370100", start=year, end=today) == (2, None)
    assert metrics.listing_reserve_enterprises(region_code="370112", start=year, end=today) == (1, None)
    listed_on = start + dt.timedelta(days=200)
    assert metrics.new_listed_companies(region_code="370100", start=listed_on, end=today) == (1, None)
    assert metrics.new_listed_companies(region_code="370100", start=listed_on + dt.timedelta(days=1),
                                        end=today) == (0, None)
    assert metrics.new_listed_companies(region_code="370112", start=year, end=today) == (0, None)
