"""Issue 10: ``targets.Unit`` through ``Unit.objects.restrict`` — every regulator reads every unit
(the names are published), the organisation reporting for a unit reads its own, and only a
regulator of a region whose plan names the unit links it (a district officer cannot relink a unit
that only the city's plan names)."""

import pytest
from django.test import Client

from kechuang.accounts.choices import OrganizationKind
from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import bank, organization, regulator, user
from kechuang.targets.models import Unit

from .factories import small_plan

pytestmark = pytest.mark.django_db

TASKS = ("地区,规划,任务编号,任务名称,重点,责任单位,完成时限,牵头单位\n"
         "济南市,测试规划,T1,设立科创基金,★,市金融局;市科技局,2022年年底前,市金融局\n")


@pytest.fixture
def w():
    small_plan(tasks=TASKS)  # the city's plan (370100)
    org = organization(OrganizationKind.REGULATOR, "济南市地方金融监督管理局")
    return dict(unit=Unit.objects.get(name="市金融局"), org=org,
                city=regulator("city-admin", "370100"), district=regulator("lixia-admin", "370102"))


def test_every_regulator_reads_every_unit_and_a_bank_none(w):
    names = ["市科技局", "市金融局"]
    assert sorted(u.name for u in Unit.objects.restrict(w["district"], "view")) == names
    assert sorted(u.name for u in Unit.objects.restrict(w["city"], "view")) == names
    assert list(Unit.objects.restrict(bank("b1"), "view")) == []


def test_the_reporting_organisation_reads_its_own_unit_only(w):
    pboc = organization(OrganizationKind.BANK, "人行济南分行营管部")  # reports for a unit, no regulator
    Unit.objects.filter(pk=w["unit"].pk).update(organization=pboc)
    officer = user("pboc-officer", pboc)
    assert [u.name for u in Unit.objects.restrict(officer, "view")] == ["市金融局"]
    assert list(Unit.objects.restrict(officer, "change")) == []


def test_only_the_plan_region_changes_a_unit(w):
    assert sorted(u.name for u in Unit.objects.restrict(w["city"], "change")) == ["市科技局", "市金融局"]
    assert list(Unit.objects.restrict(w["district"], "change")) == []


def test_a_district_admin_cannot_relink_a_city_plan_unit_and_nothing_changes(w):
    c = Client()
    c.force_login(w["district"])
    r = c.post(f"/targets/units/{w['unit'].pk}/link/", {"organization": w["org"].pk})
    assert r.status_code == 404
    assert Unit.objects.get(pk=w["unit"].pk).organization_id is None
    assert not AuditEntry.objects.filter(object_type="targets.unit").exists()
    # while the city's admin links it
    c.force_login(w["city"])
    assert c.post(f"/targets/units/{w['unit'].pk}/link/", {"organization": w["org"].pk}).status_code == 302
    assert Unit.objects.get(pk=w["unit"].pk).organization_id == w["org"].pk
