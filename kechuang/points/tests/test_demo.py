"""The demo step: runs for the district and the city with movements, the local model, a 积分贷
product whose eligibility reads the points; a second call changes nothing."""

import pytest

from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import bank
from kechuang.marketplace.models import Product
from kechuang.points.demo import PRODUCT_NAME, demo_points
from kechuang.points.models import PointsResult, PointsRun

from .factories import synthetic_region

pytestmark = pytest.mark.django_db


def test_demo_step_scores_the_district_then_the_city_and_adds_the_product():
    synthetic_region(120)
    Enterprise.objects.update(is_synthetic=True)  # loaded through a test feed: mark them as the demo's
    bank("bank")
    out = demo_points()
    runs = list(PointsRun.objects.order_by("pk"))
    assert [(r.region_code, r.model.code, r.is_synthetic) for r in runs] == [
        ("370102", "national", True), ("370100", "national", True), ("370112", "licheng", True)]
    assert out["scored"] == [r.enterprises_total for r in runs]
    moved = PointsResult.objects.filter(run=runs[1], region_code="370102", movement__isnull=False).count()
    assert moved == runs[0].enterprises_total
    product = Product.objects.get(name=PRODUCT_NAME)
    assert [c["feature"] for c in product.eligibility] == ["region_city", "innovation_points"]
    assert demo_points() == {"skipped": "already done"}
    assert PointsRun.objects.count() == 3
