"""The versioned fact store: idempotent loads, supersession, as-of reconstruction, provenance."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from kechuang.enterprises.models import AnnualFact, Enterprise, IPFact, ProfileFact
from kechuang.enterprises.selectors import facts_as_of, merged_facts

from .factories import load, record, uscc

pytestmark = pytest.mark.django_db


def test_first_load_creates_enterprise_with_summary():
    batch, stats = load([record(1)])

    e = Enterprise.objects.get(uscc=uscc(1))
    assert (stats.enterprises_created, e.name, e.latest_year, e.employees) == (1, "济南测试科技有限公司1", 2025, 100)
    assert e.operating_revenue == Decimal("42000000.00")
    assert e.rd_ratio == Decimal("0.057143")
    assert (e.ip_class1_count, e.ip_total_count, e.certificate_kinds) == (1, 2, ["tsme"])
    assert stats.facts_inserted == 1 + 3 + 2 + 1  # profile, years, IP, certificate


def test_reloading_identical_records_changes_nothing():
    load([record(1), record(2)])
    counts = (AnnualFact.objects.count(), IPFact.objects.count(), ProfileFact.objects.count())

    _batch, stats = load([record(1), record(2)])

    assert (stats.enterprises_created, stats.facts_inserted, stats.facts_superseded) == (0, 0, 0)
    assert stats.facts_unchanged == 2 * 7
    assert (AnnualFact.objects.count(), IPFact.objects.count(), ProfileFact.objects.count()) == counts
    assert stats.changed_enterprise_ids == set()


def test_changed_year_supersedes_only_that_version_and_refreshes_summary():
    first, _ = load([record(1)])
    changed = record(1)
    changed["years"][2]["employees"] = 120

    second, stats = load([changed])

    assert (stats.facts_inserted, stats.facts_superseded) == (1, 1)
    old = AnnualFact.objects.get(enterprise__uscc=uscc(1), year=2025, batch=first)
    new = AnnualFact.objects.get(enterprise__uscc=uscc(1), year=2025, superseded_at__isnull=True)
    assert (old.superseded_by_id, old.employees, new.employees, new.batch_id) == (second.pk, 100, 120, second.pk)
    assert Enterprise.objects.get(uscc=uscc(1)).employees == 120


def test_as_of_reconstructs_what_was_known_then():
    t0 = timezone.now() - timedelta(days=10)
    load([record(1)], recorded_at=t0)
    changed = record(1)
    changed["years"][2]["employees"] = 120
    changed["ip"] = changed["ip"][:1]
    load([changed], recorded_at=t0 + timedelta(days=5), mode="replace")
    e = Enterprise.objects.get(uscc=uscc(1))

    before = facts_as_of(e, t0 + timedelta(days=1)).record
    after = facts_as_of(e, None).record
    nothing = facts_as_of(e, t0 - timedelta(days=1)).record

    assert [y["employees"] for y in before["years"]] == [80, 90, 100]
    assert [y["employees"] for y in after["years"]] == [80, 90, 120]
    assert len(before["ip"]) == 2 and len(after["ip"]) == 1
    assert nothing == {"uscc": uscc(1)}


def test_upsert_keeps_items_a_file_does_not_mention_and_replace_drops_them():
    load([record(1)])
    fewer = record(1)
    fewer["ip"] = fewer["ip"][:1]

    _b, upsert = load([fewer])
    assert (upsert.facts_superseded, IPFact.objects.filter(superseded_at__isnull=True).count()) == (0, 2)

    _b, replace = load([fewer], mode="replace")
    assert (replace.facts_superseded, IPFact.objects.filter(superseded_at__isnull=True).count()) == (1, 1)


def test_sources_merge_field_by_field_and_each_value_keeps_its_source():
    load([record(1)], source_code="market-regulation")
    tax_only = {"uscc": uscc(1), "years": [{"year": 2025, "tax_credit_grade": "A", "tax_paid": 880000}]}
    tax_batch, _ = load([tax_only], source_code="tax")
    e = Enterprise.objects.get(uscc=uscc(1))

    merged = facts_as_of(e)
    y2025 = merged.record["years"][2]

    assert (y2025["employees"], y2025["tax_credit_grade"], y2025["tax_paid"]) == (100, "A", Decimal("880000.00"))
    assert merged.provenance["years"]["2025"]["tax_credit_grade"].batch_id == tax_batch.pk
    assert merged.sources[merged.provenance["years"]["2025"]["employees"].source_id].code == "market-regulation"


def test_merged_facts_for_many_enterprises_match_one_by_one():
    load([record(i) for i in range(1, 6)])
    ids = list(Enterprise.objects.values_list("pk", flat=True))

    many = merged_facts(ids)

    for eid in ids:
        assert many[eid].record == merged_facts([eid])[eid].record


def test_a_list_reported_empty_is_known_and_one_not_reported_is_not():
    load([record(1, incidents=[], loans=[])])
    e = Enterprise.objects.get(uscc=uscc(1))

    known = facts_as_of(e).record

    assert (known["incidents"], known["loans"]) == ([], [])
    assert "judgments" not in known  # never reported: not known, never silently "none"
    assert len(known["ip"]) == 2


def test_reporting_a_list_later_changes_the_profile_version_once():
    load([record(1)])
    _b, again = load([record(1)])
    _b, more = load([record(1, incidents=[])])

    assert (again.facts_inserted, more.facts_inserted, more.facts_superseded) == (0, 1, 1)
    assert facts_as_of(Enterprise.objects.get(uscc=uscc(1))).record["incidents"] == []


def test_cached_current_view_is_replaced_when_a_load_changes_the_enterprise():
    load([record(1)])
    first = facts_as_of(Enterprise.objects.get(uscc=uscc(1)))
    changed = record(1)
    changed["years"][2]["employees"] = 150
    load([changed])

    again = facts_as_of(Enterprise.objects.get(uscc=uscc(1)))

    assert (first.record["years"][2]["employees"], again.record["years"][2]["employees"]) == (100, 150)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="postgresql only: the one-statement read is PostgreSQL's")
def test_one_statement_read_gives_what_the_per_table_read_gives():
    from datetime import date as _date

    from kechuang.enterprises.selectors import _section_rows, _section_rows_union
    from kechuang.synthetic import generate

    records = [r for r in generate(40, seed=7, as_of=_date(2025, 11, 20))]
    t0 = timezone.now() - timedelta(days=10)
    load(records, recorded_at=t0)
    changed = [{**r, "years": [{**y, "operating_revenue": y["operating_revenue"] + 1}
                               if y.get("operating_revenue") is not None else y for y in r.get("years", [])]}
               for r in records[:10]]
    load(changed, source_code="second-feed")
    ids = list(Enterprise.objects.values_list("pk", flat=True))
    sections = {s for by_section in _section_rows(ids, None).values() for s in by_section}
    assert {"profile", "years", "ip", "loans", "certificates"} <= sections  # the sample covers lists

    for at in (None, t0 + timedelta(days=1), t0 - timedelta(days=1)):
        per_table = _section_rows(ids[:20], at)
        union = _section_rows_union(ids[:20], at)
        assert {k: dict(v) for k, v in union.items()} == {k: dict(v) for k, v in per_table.items()}
        assert all(type(a) is type(b) for eid in per_table for s in per_table[eid]
                   for ra, rb in zip(per_table[eid][s], union[eid][s], strict=True) for a, b in zip(ra.values(), rb.values(), strict=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="postgresql only: planner statistics")
def test_a_load_that_grows_a_table_a_lot_refreshes_its_statistics(monkeypatch):
    from kechuang.enterprises import loading

    monkeypatch.setattr(loading, "ANALYZE_MIN_ROWS", 4)
    _batch, small = load([record(1)])  # below the minimum: autovacuum's business
    _batch, stats = load([record(i) for i in range(2, 8)])

    assert small.tables_analyzed == []
    # 6 enterprises, 18 years, 12 IP items, 6 profiles, 6 certificates: each at least 4 rows
    assert sorted(stats.tables_analyzed) == ["enterprises_annualfact", "enterprises_certificatefact",
                                             "enterprises_enterprise", "enterprises_ipfact",
                                             "enterprises_profilefact"]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'enterprises_enterprise' AND attname = 'region_code'")
        assert cur.fetchone()[0] == 1


def test_every_certificate_kind_has_its_partial_index():
    from kechuang.enterprises.choices import CertificateKind
    from kechuang.enterprises.models import _CERTIFICATE_INDEXES

    assert set(_CERTIFICATE_INDEXES) == set(CertificateKind.values)
    names = {index.name for index in Enterprise._meta.indexes if index.condition is not None}
    assert names == {f"ent_cert_{short}_idx" for short in _CERTIFICATE_INDEXES.values()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="postgresql only: the background COPY thread")
def test_a_background_copy_that_fails_fails_the_load_and_leaves_nothing():
    import orjson
    import psycopg
    from django.db import transaction

    from kechuang.engine.facts import batch as fact_batch
    from kechuang.enterprises.choices import SourceKind
    from kechuang.enterprises.loading import FactLoader
    from kechuang.enterprises.services import data_source_ensure, source_batch_create

    from .factories import TODAY

    lines = b"\n".join(orjson.dumps(record(i)) for i in range(1, 4))
    result = fact_batch.validate_lines(lines, first_row=1, today=TODAY, known=set())
    assert result.valid.num_rows == 3
    source = data_source_ensure(code="pipe-test", name="pipe", kind=SourceKind.FEED)
    batch = source_batch_create(source=source, actor="test")

    with pytest.raises(psycopg.errors.UniqueViolation):
        with transaction.atomic(), FactLoader(batch=batch) as loader:
            loader.stage_batch(result, known=set(), today=TODAY)
            loader.stage_batch(result, known=set(), today=TODAY)  # the same codes again
            loader.apply()

    assert Enterprise.objects.count() == 0
    assert ProfileFact.objects.count() == 0


def test_a_copy_still_waiting_when_the_load_ends_is_dropped_not_run_outside_its_transaction():
    from types import SimpleNamespace

    from psycopg.pq import TransactionStatus

    from kechuang.enterprises.loading import _CopyPipe

    class Conn:  # records what would reach the server
        def __init__(self, status):
            self.info = SimpleNamespace(transaction_status=status)
            self.sent = []

        def cursor(self):
            raise AssertionError("nothing may be sent")

    rolled_back = Conn(TransactionStatus.IDLE)
    with pytest.raises(RuntimeError, match="no longer open"):
        _CopyPipe(rolled_back)._copy("COPY t FROM STDIN", "x\n")

    closed = _CopyPipe(Conn(TransactionStatus.INTRANS))
    closed.close()
    with pytest.raises(RuntimeError, match="no longer open"):
        closed._copy("COPY t FROM STDIN", "x\n")
