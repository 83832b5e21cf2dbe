"""Services of the supervision app: registration (unknown licence types and negative capital
refused), reports all-or-nothing with the rejected rows kept, ratios and breaches stored with the
rule, ratings, inspections with overdue rectification, and who may do what. Data are synthetic."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.core.models import AuditEntry
from kechuang.supervision import metrics
from kechuang.supervision.demo import guarantor
from kechuang.supervision.models import Inspection, OrgRating, PeriodicReport, RatioBreach, ReportUpload, SupervisedOrg
from kechuang.supervision.services import (ReportRejected, inspection_record, inspection_update, org_register,
                                           reports_import_xlsx, reports_submit)

from .factories import PERIOD, row, workbook, world

pytestmark = pytest.mark.django_db


def _codes(exc):
    return {(k, e.code) for k, errs in exc.value.error_dict.items() for e in errs}


def test_register_refuses_unknown_types_negative_capital_and_foreign_districts():
    w = world()
    base = dict(name="某公司", licence_no="X-1", licence_date="2021-01-01", registered_capital="1",
                paid_in_capital="1", region_code="370102")
    with pytest.raises(ValidationError) as exc:
        org_register(actor=w["city"], licence_type="p2p_platform", **base)
    assert ("licence_type", "bad_choice") in _codes(exc)
    with pytest.raises(ValidationError) as exc:
        org_register(actor=w["city"], licence_type="pawn", **{**base, "paid_in_capital": "-5"})
    assert ("paid_in_capital", "bad_amount") in _codes(exc)
    with pytest.raises(ValidationError) as exc:
        org_register(actor=w["lixia"], licence_type="pawn", **{**base, "region_code": "370112"})
    assert ("region_code", "bad_region") in _codes(exc)
    with pytest.raises(PermissionDenied):
        org_register(actor=w["viewer"], licence_type="pawn", **base)
    assert not SupervisedOrg.objects.filter(licence_no="X-1").exists()


def test_a_clean_batch_is_stored_with_ratios_breaches_rating_and_audit():
    w = world()
    over = row(w["g"], figures=guarantor(5e8, 11.0))  # 11× with 50 % small/micro share: over 10×
    stored = reports_submit(rows=[over, {**row(w["m"]), "row": 2}], actor=w["city"], source="api")
    assert len(stored) == 2
    g_rep = PeriodicReport.objects.get(org=w["g"])
    assert g_rep.values["leverage"] == pytest.approx(11.0, rel=1e-4)
    b = RatioBreach.objects.get(report=g_rep, code="leverage")
    assert (b.limit, b.op, b.article, b.binding) == (Decimal("10.000000"), "<=", "第十五条", True)
    assert not RatioBreach.objects.filter(org=w["m"]).exists()
    assert OrgRating.objects.filter(org=w["g"]).count() == 1
    assert AuditEntry.objects.filter(object_type__icontains="periodicreport").count() == 2


def test_one_bad_row_rejects_the_whole_file_and_keeps_every_row():
    w = world()
    good = row(w["m"])
    bad = {**row(w["g"]), "row": 3, "net_assets": "1.00"}                 # does not add up
    future = {**row(w["g"], period=dt.date(dt.date.today().year + 1, 12, 31)), "row": 4}
    data = workbook({"microlender": [good], "guarantor": [bad, future]}, extra_sheet="网贷平台")
    with pytest.raises(ReportRejected) as exc:
        reports_import_xlsx(data=data, file_name="q3.xlsx", actor=w["city"])
    upload = exc.value.upload
    assert PeriodicReport.objects.count() == 0
    assert upload.status == "rejected" and upload.n_rows == 3
    found = {(e["sheet"], e["row"], e["field"], e["code"]) for e in upload.errors}
    assert ("融资担保公司", 2, "net_assets", "subtotal") in found
    assert ("融资担保公司", 3, "period_end", "future_period") in found
    assert ("网贷平台", 1, "licence_type", "unknown_type") in found
    assert {r["licence_no"] for r in ReportUpload.objects.get(pk=upload.pk).rows} == {"M-1", "G-1"}


def test_the_template_round_trips_and_a_period_cannot_be_filed_twice():
    w = world()
    data = workbook({"guarantor": [row(w["g"])]})
    stored = reports_import_xlsx(data=data, file_name="q3.xlsx", actor=w["city"])
    assert stored[0].upload.status == "accepted" and stored[0].period_end == PERIOD
    with pytest.raises(ReportRejected) as exc:
        reports_import_xlsx(data=data, file_name="again.xlsx", actor=w["city"])
    assert [e["code"] for e in exc.value.upload.errors] == ["already_reported"]
    assert PeriodicReport.objects.count() == 1


def test_an_unreadable_file_is_a_coded_error():
    w = world()
    with pytest.raises(ValidationError) as exc:
        reports_import_xlsx(data=b"not a workbook", file_name="x.xlsx", actor=w["city"])
    assert ("file", "bad_file") in _codes(exc)


def test_an_organisation_files_only_its_own_reports():
    w = world()
    with pytest.raises(ReportRejected) as exc:
        reports_submit(rows=[row(w["m"])], actor=w["g_user"], source="api")
    assert [e["code"] for e in exc.value.upload.errors] == ["unknown_org"]
    assert reports_submit(rows=[row(w["g"])], actor=w["g_user"], source="api")[0].org == w["g"]
    with pytest.raises(PermissionDenied):
        reports_submit(rows=[row(w["g"])], actor=w["other_user"], source="api")
    # the district regulator files for its own district only
    with pytest.raises(ReportRejected):
        reports_submit(rows=[row(w["m"])], actor=w["lixia"], source="api")
    assert list(SupervisedOrg.objects.restrict(w["g_user"]).values_list("licence_no", flat=True)) == ["G-1"]
    assert list(SupervisedOrg.objects.restrict(w["other_user"])) == []
    assert list(SupervisedOrg.objects.restrict(w["licheng"]).values_list("licence_no", flat=True)) == ["M-1"]


def test_inspections_overdue_rectification_lowers_the_rating_and_counts_in_the_metric():
    w = world()
    reports_submit(rows=[row(w["g"])], actor=w["city"], source="api")
    before = OrgRating.objects.filter(org=w["g"]).latest("pk").score
    today = dt.date.today()
    insp = inspection_record(org=w["g"], actor=w["city"], inspected_on=today - dt.timedelta(days=30),
                             inspectors="甲、乙", findings="台账不全", rectification_required=True,
                             deadline=today - dt.timedelta(days=1))
    assert insp.is_overdue()
    after = OrgRating.objects.filter(org=w["g"]).latest("pk")
    assert after.score < before and after.components["management"] == 100 - 10 - 25
    assert metrics.lfo_overdue_rectifications(region_code="370100", start=today, end=today) == (Decimal(1), None)
    with pytest.raises(ValidationError):
        inspection_record(org=w["g"], actor=w["city"], inspected_on=today, inspectors="甲", findings="x",
                          rectification_required=True)                    # no deadline
    with pytest.raises(PermissionDenied):
        inspection_update(inspection=insp, actor=w["g_user"], status="rectified")
    insp = inspection_update(inspection=insp, actor=w["city"], status="rectified", note="已补齐")
    assert insp.status == "rectified" and Inspection.objects.get(pk=insp.pk).closed_on == today
    assert metrics.lfo_overdue_rectifications(region_code="370100", start=today, end=today)[0] == 0


def test_breach_metric_counts_organisations_with_a_binding_breach():
    w = world()
    reports_submit(rows=[row(w["g"], figures=guarantor(5e8, 11.0)), {**row(w["m"]), "row": 2}], actor=w["city"],
                   source="api")
    today = dt.date.today()
    assert metrics.lfo_in_breach(region_code="370100", start=today, end=today) == (Decimal(1), Decimal(2))
    assert metrics.lfo_in_breach(region_code="370112", start=today, end=today) == (Decimal(0), Decimal(1))
    # the plans' cockpit reaches it through the AppConfig registry
    from kechuang.targets.selectors import live_metric, live_metric_registry
    assert "lfo_in_breach" in live_metric_registry()
    assert live_metric("lfo_in_breach", region_code="370100", start=today, end=today) == (Decimal(1), Decimal(2))
