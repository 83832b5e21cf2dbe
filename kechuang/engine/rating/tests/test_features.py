"""Rating features: values on a hand-made record, no look-ahead in valid time, the frame."""

import datetime as dt
import math

import polars as pl
import pytest

from kechuang.engine.rating import FEATURE_NAMES, SCHEMA, build_scorecard, features_frame, record_features
from kechuang.engine.rating.features import SMALL_BATCH, standards_met_counts
from kechuang.engine.rating.training import compare_models, training_frame
from kechuang.synthetic import generate, generate_outcomes

AS_OF = dt.date(2026, 6, 30)


def _record(**extra):
    rec = {
        "uscc": "91370102MA00000001", "registered_on": "2020-06-30",
        "years": [
            {"year": 2023, "employees": 40, "tech_staff": 10, "rd_staff": 8, "operating_revenue": 1e7,
             "social_insurance_headcount": 40},
            {"year": 2024, "employees": 50, "tech_staff": 12, "rd_staff": 8, "operating_revenue": 1.2e7,
             "social_insurance_headcount": 45},
            {"year": 2025, "employees": 50, "tech_staff": 15, "rd_staff": 5, "operating_revenue": 1.44e7,
             "rd_expense": 1.44e6, "net_profit": -7.2e5, "total_assets": 2e7, "total_liabilities": 1.5e7,
             "tax_credit_grade": "B", "high_level_talent": 2, "social_insurance_headcount": 40},
            # a fiscal year not ended before the rating date: ignored
            {"year": 2026, "employees": 5, "tech_staff": 0, "rd_staff": 0, "operating_revenue": 1.0},
        ],
        "ip": [
            {"type": "invention_patent", "granted_on": "2025-01-10", "pledged": True, "pledged_on": "2025-05-01"},
            {"type": "utility_model", "granted_on": "2019-03-01", "pledged": False},
            {"type": "software_copyright", "granted_on": "2026-07-01"},  # granted after the date
        ],
        "certificates": [{"kind": "tsme", "valid_from": "2026-03-01", "valid_to": "2027-02-28"},
                         {"kind": "hnte", "valid_from": "2022-12-01", "valid_to": "2025-11-30"}],
        "loans": [{"contract_number": "a", "amount": 1e6, "start_on": "2024-01-01", "status": "repaid",
                   "max_overdue_days": 12},
                  {"contract_number": "b", "amount": 1e6, "start_on": "2026-08-01", "status": "overdue",
                   "max_overdue_days": 40}],  # drawn after the date
        "judgments": [{"case_number": "x", "decided_on": "2024-01-01", "role": "defendant"},
                      {"case_number": "y", "decided_on": "2022-01-01", "role": "defendant"},
                      {"case_number": "z", "decided_on": "2025-01-01", "role": "plaintiff"}],
        "penalties": [{"document_number": "p", "decided_on": "2026-07-01"}],
        "incidents": [{"kind": "abnormal_operation_list", "date": "2025-01-01", "removed_on": "2025-06-01"},
                      {"kind": "serious_dishonesty_list", "date": "2026-01-01"}],
    }
    rec.update(extra)
    return rec


def test_given_a_record_when_featured_then_each_value_follows_its_definition():
    f = record_features(_record(), AS_OF, standards_met=2)
    assert f["tech_staff_ratio"] == pytest.approx(15 / 50)
    assert f["rd_staff_ratio"] == pytest.approx(0.1)
    assert f["rd_share_change"] == pytest.approx(0.1 - 8 / 40)  # against 2023, two years back
    assert f["tech_staff_growth"] == pytest.approx(math.log(16) - math.log(13))
    assert f["revenue_growth"] == pytest.approx(math.log(1.2))
    assert f["net_margin"] == pytest.approx(-0.05)
    assert f["leverage"] == pytest.approx(0.75)
    assert f["rd_intensity"] == pytest.approx(0.1)
    assert f["tax_credit_grade"] == "B"
    assert f["si_coverage"] == pytest.approx(0.8)
    assert f["si_years"] == 3.0
    assert f["ip_class1"] == 1.0 and f["ip_class2"] == 1.0
    assert f["ip_recent_grants"] == 1.0
    assert f["ip_pledged_share"] == pytest.approx(0.5)
    assert f["certificates_valid"] == 1.0  # hnte expired
    assert f["standards_met"] == 2.0
    assert f["overdue_loans"] == 1.0 and f["overdue_now"] == 0.0
    assert f["judgments_3y"] == 1.0
    assert f["penalties_3y"] == 0.0
    assert f["dishonesty_listed"] == 1.0  # the abnormal listing was removed before the date
    assert f["age_years"] == pytest.approx(6.0, abs=0.01)


def test_given_items_dated_after_the_rating_date_then_they_do_not_change_the_features():
    base = record_features(_record(), AS_OF)
    later = _record()
    later["ip"] = [*later["ip"], {"type": "invention_patent", "granted_on": "2026-07-02"}]
    later["judgments"] = [*later["judgments"], {"case_number": "w", "decided_on": "2026-12-01", "role": "defendant"}]
    later["incidents"] = [*later["incidents"], {"kind": "abnormal_operation_list", "date": "2026-07-01"}]
    assert record_features(later, AS_OF) == base
    # ... but the same items dated before it do
    earlier = _record()
    earlier["judgments"] = [*earlier["judgments"], {"case_number": "w", "decided_on": "2026-06-01", "role": "defendant"}]
    assert record_features(earlier, AS_OF)["judgments_3y"] == 2.0


def test_given_unknown_lists_then_features_are_missing_not_zero():
    f = record_features({"uscc": "x", "years": []}, AS_OF)
    assert f["ip_class1"] is None and f["overdue_loans"] is None and f["leverage"] is None
    g = record_features({"uscc": "x", "years": [], "ip": [], "loans": []}, AS_OF)
    assert g["ip_class1"] == 0.0 and g["overdue_loans"] == 0.0


def test_given_synthetic_region_when_trained_then_model_separates_defaults_out_of_sample():
    day = dt.date(2026, 11, 22)
    records = list(generate(3000, seed=20221, as_of=day))
    frame = features_frame(records, day)
    assert frame.columns == list(SCHEMA) and frame.height == 3000
    outcomes = {o["uscc"]: o["defaulted"] for o in generate_outcomes(3000, seed=20221, as_of=day)}
    X, y = training_frame(frame.head(2000), outcomes)
    assert X.columns == list(FEATURE_NAMES)
    model = build_scorecard().fit(X, y).model_
    Xt, yt = training_frame(frame.tail(1000), outcomes)
    metrics = compare_models({"champion": model}, Xt, yt)["champion"]
    assert 0.68 <= metrics["auc"] <= 0.85  # between the hand-made score and the latent PD ceiling
    table = model.points_table().filter(pl.col("count") > 0)
    best = dict(table.group_by("feature").agg(pl.col("points").max()).iter_rows())
    assert model.best_points == pytest.approx(best)


def test_the_one_record_and_batch_paths_of_the_qualification_engine_count_the_same_standards():
    day = dt.date(2026, 11, 22)
    records = list(generate(SMALL_BATCH + 6, seed=20221, as_of=day))
    batch = standards_met_counts(records, day)
    one_by_one = [standards_met_counts([r], day)[0] for r in records[:20]]
    assert one_by_one == batch[:20]
    assert sum(batch) > 0  # some firms do meet standards
