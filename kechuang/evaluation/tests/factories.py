"""Test data for the evaluation app: the engine's golden records loaded into the theme database
(recorded before the evaluation date, so an as-of read sees them) and finished runs."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone

from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, record, regulator, uscc
from kechuang.evaluation.services import evaluation_run_create, evaluation_run_execute

GOLDEN = Path(__file__).resolve().parents[2] / "engine" / "qualification" / "tests" / "golden"
AS_OF = date(2026, 11, 22)
#: When the test facts were "learned": well before AS_OF.
RECORDED = timezone.make_aware(datetime(2026, 3, 1, 9, 0))


def golden(name: str) -> dict:
    """A golden case of the engine: ``record``, ``standard``, ``as_of``, ``result``."""
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


#: The golden records' code has no valid check digit; loaded records get this one instead.
GOLDEN_USCC = uscc(900, "370112")


def load_golden(name: str, **overrides) -> Enterprise:
    """The golden case's record in the database (under :data:`GOLDEN_USCC`)."""
    case = golden(name)
    rec = copy.deepcopy(case["record"]) | {"uscc": GOLDEN_USCC} | overrides
    for i, item in enumerate(rec.get("ip") or []):  # identical items need a number to be distinct
        item.setdefault("number", f"ZL2020{i:06d}.0")
    load([rec], recorded_at=RECORDED)
    return Enterprise.objects.get(uscc=rec["uscc"])


def region(n: int = 3, region_code: str = "370102", start: int = 1) -> list[Enterprise]:
    """``n`` enterprises of ``region_code`` (the enterprises factory's record), learned before AS_OF."""
    recs = [record(i, region_code) for i in range(start, start + n)]
    load(recs, recorded_at=RECORDED)
    return list(Enterprise.objects.filter(uscc__in=[r["uscc"] for r in recs]).order_by("pk"))


def finished_run(*, actor=None, region_code: str = "370100", as_of: date = AS_OF, standards=None):
    actor = actor or regulator("run-maker")
    run = evaluation_run_create(as_of=as_of, actor=actor, region_code=region_code, standards=standards)
    return evaluation_run_execute(run=run, actor=actor)
