"""Banks' repayment records: recorded by the lending bank only, every bad input refused with its
code and nothing written, imports all-or-nothing with row/field/reason, and claims paying on the
recorded interest (evidence “银行报送的实付利息” with the record ids) or, without records, on the
contract estimate."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from kechuang.core.models import AuditEntry
from kechuang.funds import services as s
from kechuang.funds.error_codes import FundsErrorCode as E
from kechuang.funds.exports import repayment_template_xlsx
from kechuang.funds.loading import ImportFileError, read_repayments
from kechuang.funds.models import Repayment
from kechuang.funds.selectors import enterprise_entitlements, loan_rows
from kechuang.funds.services_repayments import repayment_record, repayments_import
from kechuang.marketplace import services as ms

from .factories import disbursed_loan, world as make_world

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
YEAR_END = dt.date(2026, 12, 31)


@pytest.fixture
def w():
    return make_world()


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errs in exc.error_dict.values() for e in errs}


def _rec(w, loan, **kw):
    args = {"paid_on": "2026-10-01", "principal_repaid": "0", "interest_paid": "8000.00", "today": TODAY, **kw}
    return repayment_record(actor=kw.pop("actor", w["bank_u"]), loan_id=loan.pk,
                            **{k: v for k, v in args.items() if k != "actor"})


def test_the_lending_bank_records_a_repayment_with_an_audit_entry(w):
    loan = disbursed_loan(w)  # ¥800,000 at 4% from 2026-07-01
    audits = AuditEntry.objects.count()
    rep = _rec(w, loan, principal_repaid="100000", interest_paid="8000.00")
    assert (rep.lender_id, rep.enterprise_id, rep.interest_paid, rep.principal_repaid, rep.flagged) == (
        w["bank"].pk, w["ent"].pk, Decimal("8000.00"), Decimal("100000.00"), False)
    # contract interest to 2026-10-01: 800,000 × 4% × 92 / 365
    assert rep.contract_interest == Decimal("8065.75")
    assert AuditEntry.objects.count() == audits + 1
    assert list(Repayment.objects.restrict(w["ent_u"], "view")) == [rep]
    assert list(Repayment.objects.restrict(w["reg_a"], "view")) == [rep]
    assert list(Repayment.objects.restrict(w["bank2_u"], "view")) == []


@pytest.mark.parametrize("kw, field, code", [
    ({"paid_on": "2026-06-30"}, "paid_on", E.BAD_DATE),           # before the disbursement
    ({"paid_on": "2026-12-02"}, "paid_on", E.BAD_DATE),           # after today
    ({"paid_on": "2026-02-30"}, "paid_on", E.BAD_VALUE),
    ({"interest_paid": "-5"}, "interest_paid", E.BAD_VALUE),
    ({"principal_repaid": "-1"}, "principal_repaid", E.BAD_VALUE),
    ({"interest_paid": "1.234"}, "interest_paid", E.BAD_VALUE),
    ({"interest_paid": "abc"}, "interest_paid", E.BAD_VALUE),
    ({"interest_paid": "0", "principal_repaid": "0"}, "interest_paid", E.BAD_VALUE),
    ({"principal_repaid": "800000.01"}, "principal_repaid", E.OVER_PRINCIPAL),
    # 1.5 × the contract's 8,065.75 to 2026-10-01 is 12,098.63
    ({"interest_paid": "12098.64"}, "interest_paid", E.INTEREST_ABOVE_CONTRACT),
])
def test_bad_records_are_refused_with_their_code_and_nothing_written(w, kw, field, code):
    loan = disbursed_loan(w)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        _rec(w, loan, **kw)
    assert set(exc.value.error_dict) == {field}
    assert codes(exc.value) == {code}
    assert (Repayment.objects.count(), AuditEntry.objects.count()) == (0, audits)


def test_interest_just_within_the_flag_factor_is_accepted(w):
    loan = disbursed_loan(w)
    assert _rec(w, loan, interest_paid="12098.63").flagged is False


def test_interest_far_above_the_contract_is_kept_flagged_when_the_bank_explains_it(w):
    loan = disbursed_loan(w)
    rep = _rec(w, loan, interest_paid="20000", explanation="含逾期罚息")
    assert rep.flagged
    assert "8065.75" in rep.flag_reason and "含逾期罚息" in rep.flag_reason
    # cumulative: a second small payment on a later day is measured with the first one
    with pytest.raises(ValidationError) as exc:
        _rec(w, loan, paid_on="2026-10-02", interest_paid="100")
    assert codes(exc.value) == {E.INTEREST_ABOVE_CONTRACT}


def test_duplicates_and_other_banks_and_loans_not_disbursed_are_refused(w):
    loan = disbursed_loan(w)
    _rec(w, loan)
    with pytest.raises(ValidationError) as exc:
        _rec(w, loan)
    assert codes(exc.value) == {E.DUPLICATE}
    with pytest.raises(ValidationError) as exc:
        _rec(w, loan, actor=w["bank2_u"], interest_paid="1")
    assert codes(exc.value) == {E.NOT_ON_PLATFORM}  # another bank does not even find the loan
    with pytest.raises(ValidationError) as exc:
        _rec(w, loan, actor=w["ent_u"], interest_paid="2")
    assert codes(exc.value) == {E.NOT_LENDER}  # the borrower sees its loan but does not record for the bank
    with pytest.raises(ValidationError) as exc:
        repayment_record(actor=w["bank_u"], loan_id=999999, paid_on="2026-10-01", interest_paid="1", today=TODAY)
    assert codes(exc.value) == {E.NOT_ON_PLATFORM}
    d = ms.demand_post(enterprise=w["ent"], kind="debt", amount="500000", term_months=12, purpose="rd",
                       actor=w["ent_u"])
    pending = ms.request_pick_up(request=ms.request_apply(demand=d, product=w["credit"], actor=w["ent_u"]),
                                 actor=w["bank_u"])
    with pytest.raises(ValidationError) as exc:
        repayment_record(actor=w["bank_u"], loan_id=pending.pk, paid_on="2026-10-01", interest_paid="1", today=TODAY)
    assert codes(exc.value) == {E.NOT_DISBURSED}
    assert Repayment.objects.count() == 1


def _xlsx(rows, header=("贷款编号（融资申请编号）", "还款日期", "归还本金（元）", "支付利息（元）", "超合同利息说明", "备注")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_template_reads_back_with_its_chinese_headers():
    wb = load_workbook(io.BytesIO(repayment_template_xlsx()))
    assert [c.value for c in wb.active[1]] == ["贷款编号（融资申请编号）", "还款日期", "归还本金（元）", "支付利息（元）",
                                                "超合同利息说明", "备注"]
    rows = read_repayments(repayment_template_xlsx())
    assert rows[0][0] == 2 and rows[0][1]["paid_on"] == "2026-03-21"


def test_an_import_is_all_or_nothing_and_names_row_field_and_reason(w):
    loan = disbursed_loan(w)
    content = _xlsx([
        (loan.pk, dt.datetime(2026, 9, 1), 0, 2600, None, None),
        (loan.pk, "2026-09-01", 0, 2600, None, None),             # duplicate of row 2
        (loan.pk, "2026/6/1", 0, 100, None, None),                # before disbursement
        (None, None, None, None, None, None),                      # empty: not a record
        (loan.pk, "2026年10月1日", 0, -3, None, None),            # negative
        (424242, "2026-10-01", 0, 3, None, None),                 # not on the platform
    ])
    with pytest.raises(ImportFileError) as exc:
        repayments_import(actor=w["bank_u"], rows=read_repayments(content), today=TODAY, file_name="t.xlsx")
    assert [(e.row, e.field, e.code) for e in exc.value.errors] == [
        (3, "还款日期", E.DUPLICATE), (4, "还款日期", E.BAD_DATE), (6, "支付利息（元）", E.BAD_VALUE),
        (7, "贷款编号（融资申请编号）", E.NOT_ON_PLATFORM)]
    assert Repayment.objects.count() == 0
    good = _xlsx([(loan.pk, "2026-09-01", 0, 2600, None, None), (loan.pk, "2026-10-01", 50000, 2700, None, "按月")])
    made = repayments_import(actor=w["bank_u"], rows=read_repayments(good), today=TODAY, file_name="t.xlsx")
    assert [(r.paid_on, r.interest_paid, r.source) for r in made] == [
        (dt.date(2026, 9, 1), Decimal("2600.00"), "xlsx"), (dt.date(2026, 10, 1), Decimal("2700.00"), "xlsx")]


def test_unknown_columns_and_formula_cells_are_refused_not_skipped(w):
    with pytest.raises(ImportFileError) as exc:
        read_repayments(_xlsx([(1, "2026-09-01", 0, 1, "", "", "x")],
                              header=("贷款编号", "还款日期", "归还本金", "支付利息", "超合同利息说明", "备注", "利率")))
    # the unknown header, and the value under it that would otherwise be dropped
    assert [(e.row, e.code) for e in exc.value.errors] == [(1, E.BAD_FILE), (2, E.BAD_FILE)]
    with pytest.raises(ImportFileError) as exc:
        read_repayments(_xlsx([(1, "2026-09-01", 0, "=1+1", "", "")]))
    assert [(e.row, e.code) for e in exc.value.errors] == [(2, E.BAD_FILE)]
    with pytest.raises(ImportFileError) as exc:
        read_repayments(b"not a workbook")
    assert exc.value.errors[0].code == E.BAD_FILE


def test_claims_pay_on_the_recorded_interest_with_the_record_ids_in_the_evidence(w):
    recorded = disbursed_loan(w)                 # ¥800,000 at 4% from 2026-07-01
    estimated = disbursed_loan(w, amount="500000")
    r1 = _rec(w, recorded, paid_on="2026-09-30", interest_paid="5000.00")
    r2 = _rec(w, recorded, paid_on="2026-11-30", interest_paid="5200.50")
    _rec(w, recorded, paid_on="2026-11-30", principal_repaid="100000", interest_paid="0")  # principal only
    rows = {r["loan_id"]: r for r in loan_rows(year=2026, as_of=YEAR_END)}
    assert (rows[recorded.pk]["interest_recorded"], rows[estimated.pk]["interest_recorded"]) == (10200.5, None)
    # records of another year do not count for 2026
    assert loan_rows(loan_ids=[recorded.pk], year=2025)[0]["interest_recorded"] is None
    ip = w["programmes"]["jn-ip-pledge-interest"]
    claims = {c.loan_id: c for c in s.claims_propose(programme=ip, year=2026, as_of=YEAR_END, actor=w["reg_a"])}
    rec, est = claims[recorded.pk], claims[estimated.pk]
    assert rec.amount == Decimal("5100.25")      # half of 10,200.50
    assert rec.evidence["interest_basis"] == "recorded"
    assert rec.evidence["repayment_ids"] == [r1.pk, r2.pk] and rec.evidence["flagged_repayment_ids"] == []
    assert est.evidence["interest_basis"] == "estimated" and "repayment_ids" not in est.evidence
    assert est.amount == Decimal("5041.09")      # 500,000 × 4% × 184 / 365 / 2, floored
    ents = {r["programme"].code: r for r in enterprise_entitlements(w["ent"], 2026, YEAR_END)}
    assert (ents["jn-ip-pledge-interest"]["interest_recorded"], ents["jn-ip-pledge-interest"]["interest_estimated"]) == (1, 1)


def test_an_application_is_checked_against_the_recorded_interest(w):
    loan = disbursed_loan(w)
    r = _rec(w, loan, paid_on="2026-10-31", interest_paid="3000.00")
    ip = w["programmes"]["jn-ip-pledge-interest"]
    with pytest.raises(ValidationError) as exc:
        s.claim_apply(programme=ip, year=2026, actor=w["ent_u"], loan_id=loan.pk, amount="1500.01", today=TODAY)
    assert codes(exc.value) == {E.OVER_CAP}
    claim = s.claim_apply(programme=ip, year=2026, actor=w["ent_u"], loan_id=loan.pk, today=TODAY)
    assert claim.amount == Decimal("1500.00")
    assert (claim.evidence["interest_basis"], claim.evidence["repayment_ids"]) == ("recorded", [r.pk])
