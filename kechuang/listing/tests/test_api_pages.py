"""The listing API and pages: readiness with the missing market value named, coded refusals,
awards from the seeds, the regulator's pool page and the enterprise's page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry
from kechuang.core.services import job_run_pending
from kechuang.enterprises.models import Enterprise
from kechuang.engine.facts.uscc import make_uscc
from kechuang.enterprises.tests.factories import bank, organization, regulator, user
from kechuang.listing.models import Milestone, PoolPlacement, PoolRun
from kechuang.listing.services import milestone_record, pool_run_execute

from .factories import enterprises, listing_record

pytestmark = pytest.mark.django_db


def _client(u):
    c = Client()
    c.force_login(u)
    return c


GAPS_STAR = [
    {"clause": "star-listing.1b.mv", "needed": "预计市值（一年内估算）增加 ¥50,000.0万（expected_market_value） / "
                                              "¥500.00M more expected market value (expected_market_value)"},
    {"clause": "star-listing.1b.revenue", "needed": "上年度营业收入增加 ¥5,800.0万（years[2025].operating_revenue） / "
                                                   "¥58.00M more operating revenue (years[2025].operating_revenue)"},
]


def test_readiness_api_names_the_missing_market_value_and_gives_gaps():
    a, b = enterprises(listing_record(1), listing_record(2, expected_market_value=None))
    c = _client(regulator("city"))
    body = c.get(f"/api/enterprises/{b.uscc}/listing/").json()
    assert [(r["standard"], r["status"]) for r in body] == [
        ("star-listing", "unknown"), ("chinext-listing", "unmet"), ("bse-listing", "unmet")]
    star = body[0]
    assert star["gaps"][0]["clause"] == "star-listing.1b.mv"
    assert "expected_market_value" in star["gaps"][0]["needed"]
    body = c.get(f"/api/enterprises/{a.uscc}/listing/").json()
    # 5亿 known: the boards are unmet (profits far too small), never unknown; star's standard 5 needs 40亿
    assert [r["status"] for r in body] == ["unmet", "unmet", "unmet"]
    assert body[0]["gaps"] == GAPS_STAR


def test_milestone_api_refuses_out_of_order_with_its_code_and_changes_nothing():
    (ent,) = enterprises(listing_record(1))
    c = _client(regulator("city"))
    before = (Milestone.objects.count(), AuditEntry.objects.count())
    r = c.post("/api/listing/milestones/", {"enterprise": ent.pk, "kind": "application",
                                             "occurred_on": "2026-06-01"}, content_type="application/json")
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "out_of_order"
    assert (Milestone.objects.count(), AuditEntry.objects.count()) == before
    r = c.post("/api/listing/milestones/", {"enterprise": ent.pk, "kind": "joint_stock", "occurred_on": "2026-06-01",
                                             "sponsor": "示范证券"}, content_type="application/json")
    assert (r.status_code, r.json()["kind"], r.json()["sponsor"]) == (201, "joint_stock", "示范证券")


def test_a_bank_without_consent_sees_no_milestone_and_cannot_record():
    (ent,) = enterprises(listing_record(1))
    milestone_record(enterprise=ent, kind="joint_stock", occurred_on=dt.date(2026, 6, 1), actor=regulator("city"))
    c = _client(bank("b1"))
    assert c.get("/api/listing/milestones/").json()["results"] == []
    r = c.post("/api/listing/milestones/", {"enterprise": ent.pk, "kind": "tutoring", "occurred_on": "2026-07-01"},
               content_type="application/json")
    assert r.status_code == 404
    assert list(Milestone.objects.values_list("kind", flat=True)) == ["joint_stock"]


def test_awards_follow_the_seed_amounts_by_region():
    zibo, jinan = enterprises(listing_record(1, "370303"), listing_record(2, "370112"))
    admin = regulator("province", region="370000")
    start = timezone.localdate() - dt.timedelta(days=300)
    for ent in (zibo, jinan):
        for k, kind in enumerate(("joint_stock", "tutoring", "application", "approval", "registration", "listed")):
            milestone_record(enterprise=ent, kind=kind, occurred_on=start + dt.timedelta(days=40 * k), actor=admin)
    body = _client(admin).get("/api/listing/awards/").json()
    got = {(a["uscc"], a["award"], a["amount_max"]) for a in body}
    assert got == {(zibo.uscc, "zibo-ipo", "10000000.00"), (jinan.uscc, "jinan-direct-financing", None)}
    assert Decimal(next(a for a in body if a["award"] == "zibo-ipo")["amount_max"]) == Decimal(10_000_000)


def test_pool_page_shows_tiers_districts_movements_and_awards():
    university = listing_record(3, uscc=make_uscc("370102", "000000003", authority="1", kind="2"), name="示范大学")
    a, b, _uni = enterprises(listing_record(1), listing_record(2, "370112"), university)
    reg = regulator("city")
    today = timezone.localdate()
    first = pool_run_execute(region_code="370100", as_of=today, actor=reg)
    assert first.enterprises_total == 2  # a university holds IP in the theme database but cannot list
    milestone_record(enterprise=a, kind="joint_stock", occurred_on=today - dt.timedelta(days=5), actor=reg,
                     accounting_firm="示范会计师事务所")
    pool_run_execute(region_code="370100", as_of=today, actor=reg)
    page = _client(reg).get("/listing/").content.decode()
    assert 'data-tier="reserve"><td>储备</td><td class="text-end">1</td>' in page
    assert 'data-tier="cultivate"><td>培育</td><td class="text-end">1</td>' in page
    assert "历下区" in page and "历城区" in page
    assert '<tr class="move-promoted">' in page and "晋级" in page
    assert "示范会计师事务所" in page
    assert 'id="run-form"' in page
    viewer_page = _client(regulator("viewer", role=Role.VIEWER)).get("/listing/").content.decode()
    assert 'id="run-form"' not in viewer_page
    for raw in ("reserve</td>", "promoted</td>", "None", "True", "False", "listing_net_profit"):
        assert raw not in page


def test_enterprise_page_shows_readiness_tiers_milestones_and_the_form_to_its_own_users():
    (ent,) = enterprises(listing_record(1))
    owner = user("owner", organization(OrganizationKind.ENTERPRISE, "企业-1", region="370102", enterprise=ent),
                 role=Role.ADMIN)
    c = _client(owner)
    assert c.get("/listing/").status_code == 302
    page = c.get(f"/listing/enterprises/{ent.pk}/").content.decode()
    assert "科创板上市标准（上市规则2.1.2）" in page and "北交所上市标准（上市规则2.1.3）" in page
    assert "5.00亿元" in page  # the market value in 亿元
    assert 'id="milestone-form"' in page
    r = c.post(f"/listing/enterprises/{ent.pk}/milestones/", {"kind": "tutoring", "occurred_on": "2026-06-01"})
    assert r.status_code == 302 and Milestone.objects.count() == 0
    c.post(f"/listing/enterprises/{ent.pk}/milestones/", {"kind": "joint_stock", "occurred_on": "2026-06-01",
                                                          "law_firm": "示范律所"})
    assert list(Milestone.objects.values_list("kind", "law_firm")) == [("joint_stock", "示范律所")]
    assert "示范律所" in c.get(f"/listing/enterprises/{ent.pk}/").content.decode()


def test_a_pool_run_from_the_page_is_a_job_with_a_progress_bar_and_the_overview_reloads_when_done():
    enterprises(listing_record(1), listing_record(2, "370112"))
    reg = regulator("city")
    c = _client(reg)
    r = c.post("/listing/runs/new/", {"region_code": "370100", "as_of": timezone.localdate().isoformat()})
    assert r.status_code == 302
    run = PoolRun.objects.get()
    assert (run.status, run.job.kind, run.placements.count()) == ("queued", "listing.pool_run", 0)
    page = c.get("/listing/").content.decode()
    assert f'id="run-progress-{run.pk}"' in page and 'hx-trigger="every 1s"' in page and 'id="no-run"' in page
    poll = c.get(f"/listing/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "HX-Refresh" not in poll and "排队中" in poll.content.decode()
    assert job_run_pending() == 1
    run.refresh_from_db()
    assert (run.status, run.enterprises_total) == ("succeeded", 2) and run.placements.exists()
    assert run.job.progress_total == 2 and run.job.progress_done == 2
    poll = c.get(f"/listing/runs/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true" and 'hx-trigger' not in poll.content.decode()
    page = c.get("/listing/").content.decode()
    assert 'id="no-run"' not in page and f"分层批次 #{run.pk}" in page and f'id="run-progress-{run.pk}"' not in page


def test_the_api_queues_a_pool_run_and_a_failed_run_keeps_no_placement(monkeypatch):
    enterprises(listing_record(1))
    reg = regulator("city")
    r = _client(reg).post("/api/listing/runs/", {"region_code": "370100", "as_of": timezone.localdate().isoformat()})
    assert r.status_code == 202 and r.json()["status"] == "queued"
    from kechuang.listing import services as listing_services

    def boom(run, progress):
        PoolPlacement.objects.create(run=run, enterprise_id=Enterprise.objects.get().pk, region_code="370102",
                                     track="ladder", tier="reserve", rank=1, movement="new")
        raise RuntimeError("engine down")

    monkeypatch.setattr(listing_services, "_compute", boom)
    assert job_run_pending() == 1
    run = PoolRun.objects.get(pk=r.json()["id"])
    assert run.status == "failed" and "engine down" in run.error and not run.placements.exists()
    assert run.job.status == "failed"
    assert 'id="no-run"' in _client(reg).get("/listing/").content.decode()  # a failed run is not the pool
