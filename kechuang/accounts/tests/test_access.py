"""The one access path (``kechuang.accounts.access``): every model holding enterprise or institution
data restricts through it, with the same role rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from kechuang.accounts.access import RestrictedQuerySet, covers_region, is_district, may, region_scope
from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.enterprises.tests.factories import organization, regulator, user
from kechuang.ingest.models import ImportRun
from kechuang.ingest.services import default_source
from kechuang.marketplace.models import Roadshow
from kechuang.rating.models import RatingModel

pytestmark = pytest.mark.django_db

#: Every model that holds enterprise or institution data.
PROTECTED = [
    "enterprises.Enterprise", "evaluation.EvaluationRun", "evaluation.EvaluationResult",
    "evaluation.TierPlacement", "rating.RatingModel", "rating.RatingRun", "rating.RatingResult",
    "rating.DefaultOutcome", "marketplace.Product", "marketplace.Demand", "marketplace.FinancingRequest",
    "marketplace.RequestEvent", "marketplace.Leg", "marketplace.LossBooking", "marketplace.AdvisorAssignment",
    "marketplace.AdvisorVisit", "marketplace.FirstLoanCandidate", "marketplace.WhitelistEntry",
    "marketplace.Roadshow", "marketplace.RoadshowRegistration", "targets.Plan", "targets.Indicator",
    "targets.IndicatorValue", "targets.Task", "targets.TaskReport", "ingest.ImportRun", "ingest.QuarantinedRow",
]


@pytest.mark.parametrize("label", PROTECTED)
def test_every_protected_model_restricts_through_the_one_path(label):
    model = apps.get_model(label)
    assert isinstance(model.objects.all(), RestrictedQuerySet)
    assert not model.objects.restrict(regulator("admin-" + label.replace(".", "-"))).query.is_empty()
    viewer = regulator("viewer-" + label.replace(".", "-"), role=Role.VIEWER)
    for action in ("change", "delete", "run"):
        assert model.objects.restrict(viewer, action).query.is_empty()
    assert model.objects.restrict(None).query.is_empty()
    with pytest.raises(ValueError):
        model.objects.restrict(viewer, "approve")


def test_region_rules_in_one_place():
    city, lixia = regulator("city", "370100"), regulator("lixia", "370102")
    bank = user("bank-officer", organization(K.BANK, "银行"))
    assert (region_scope(city), region_scope(lixia), region_scope(bank)) == ("3701", "370102", None)
    assert (covers_region(city, "370112"), covers_region(lixia, "370100"), covers_region(lixia, "370102")) == (
        True, False, True)
    assert (is_district(city), is_district(lixia)) == (False, True)
    viewer = regulator("city-viewer", role=Role.VIEWER)
    assert (may(viewer, "view"), may(viewer, "change"), may(viewer, "run")) == (True, False, False)


def test_region_less_rows_open_to_every_regulator_and_public_rows_to_every_organisation():
    starter = regulator("starter", "370100")
    model = RatingModel.objects.create(version=1, train_as_of=dt.date(2026, 11, 1), model_json="{}",
                                       trained_by=starter, trained_label="starter")
    other = regulator("other-officer", "370102", role=Role.OFFICER)
    assert list(RatingModel.objects.restrict(other).values_list("pk", flat=True)) == [model.pk]
    investor = user("investor", organization(K.INVESTOR, "投资"))
    assert RatingModel.objects.restrict(investor).count() == 0
    # an import run is not region-less: it carries the region it was imported under
    run = ImportRun.objects.create(source=default_source(), file_name="a.csv", file_path="a.csv",
                                   file_sha256="0" * 64, file_format="csv", created_by=starter,
                                   region_code="370100")
    assert (ImportRun.objects.restrict(other).count(), ImportRun.objects.restrict(starter).get()) == (0, run)
    show = Roadshow.objects.create(title="路演", region_code="370102", held_on=dt.date(2026, 12, 1),
                                   organizer=starter.organization)
    assert list(Roadshow.objects.restrict(investor).values_list("pk", flat=True)) == [show.pk]
    assert Roadshow.objects.restrict(investor, "change").count() == 0
