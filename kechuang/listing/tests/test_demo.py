"""The demo step: listing facts, two runs with movements between them, the story's milestones; once."""


import pytest
from django.utils import timezone

from kechuang.enterprises.choices import SourceKind
from kechuang.enterprises.models import Enterprise, ProfileFact
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.listing.demo import ACTOR, REGION, STORY, demo_listing
from kechuang.listing.models import Milestone, PoolPlacement, PoolRun
from kechuang.listing.selectors import awards_for
from kechuang.synthetic import write_jsonl

pytestmark = pytest.mark.django_db


def test_demo_step_gives_the_pool_real_movements_once(tmp_path):
    path = tmp_path / "jinan-synthetic.jsonl"
    write_jsonl(path, 60)
    run = import_run_create(path=path, file_name=path.name, source=default_source(SourceKind.SYNTHETIC),
                            actor="test", store_copy=False)
    import_run_execute(run=run, actor="test")

    out = demo_listing()

    first, second = PoolRun.objects.order_by("pk")
    assert (first.region_code, second.region_code, second.actor_label, second.previous_id) == (
        REGION, REGION, ACTOR, first.pk)
    assert second.as_of == timezone.localdate()
    assert out["milestones"] == Milestone.objects.count() == sum(len(kinds) for kinds, _b in STORY) == 20
    # every ladder tier a story milestone reaches is on the page, and the pool moves both ways
    moves = set(PoolPlacement.objects.filter(run=second, track="ladder").values_list("movement", flat=True))
    assert {"promoted", "exited"} <= moves
    tiers = set(PoolPlacement.objects.filter(run=second, track="ladder").values_list("tier", flat=True))
    assert {"filing", "listed"} <= tiers
    # the listing facts came through the import pipeline under their own (synthetic) source
    assert ProfileFact.objects.filter(source__code="listing-demo", expected_market_value__isnull=False).count() == \
        Enterprise.objects.filter(region_code__startswith="3701").count()
    listed = Milestone.objects.get(kind="listed").enterprise
    assert [a["award"] for a in awards_for(_superuser(), enterprise=listed)] == ["jinan-direct-financing"]

    assert demo_listing() == {"skipped": True}
    assert PoolRun.objects.count() == 2


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root-demo", password="x-123456789")
