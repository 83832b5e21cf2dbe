"""The supervision app's demo step (SYNTHETIC data: invented organisations and figures, names
marked 演示): local financial organisations of every licence type in Jinan's districts, four
quarters of reports with some breaches (a guarantor over 10×, a microlender over its 1× bank
borrowing and single-borrower limits, a lessor under its lease-asset share), inspections (one
rectification overdue) and the ratings. The platform's demo guarantor is linked to its record,
so its user files and reads its own reports. Idempotent: a second run changes nothing."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.accounts.models import Organization

from . import choices as c
from .models import SupervisedOrg
from .services import ReportRejected, inspection_record, org_register, reports_submit

DEMO_ACTOR = "demo:supervision"
W = 10_000  # 万元 in yuan


def quarter_ends(today: dt.date, n: int = 4) -> list[dt.date]:
    """The last ``n`` quarter ends strictly before ``today``, oldest first."""
    out = []
    y, m = today.year, today.month
    m = m - (m - 1) % 3 - 1  # the month before the current quarter starts
    if m == 0:
        y, m = y - 1, 12
    while len(out) < n:
        out.append(dt.date(y, m, calendar.monthrange(y, m)[1]))
        m -= 3
        if m <= 0:
            y, m = y - 1, m + 12
    return sorted(out)


def _base(net: float, liab: float, cash_share: float = 0.2, profit: float = 0.01) -> dict[str, float]:
    assets = net + liab
    return {"total_assets": assets, "total_liabilities": liab, "net_assets": net, "cash": assets * cash_share,
            "net_profit": assets * profit}


def guarantor(net: float, leverage: float, small_share: float = 0.5, single: float = 0.06) -> dict[str, float]:
    f = _base(net, net * 0.25, 0.3)
    a = f["total_assets"]
    liability = net * leverage
    f.update(receivable_compensation=0, level1_assets=a * 0.4, level2_assets=a * 0.4, level3_assets=a * 0.2,
             guarantee_outstanding=liability * 1.2, guarantee_liability=liability,
             small_micro_agri_outstanding=liability * 1.2 * small_share, largest_client_liability=net * single,
             largest_group_liability=net * single * 1.4, related_party_liability=net * 0.02,
             controlling_shareholder_liability=0, compensation_paid=liability * 0.004, guarantee_released=liability * 0.3)
    return f


def microlender(net: float, bank: float, single: float, online: float = 0.0, npl: float = 0.03) -> dict[str, float]:
    f = _base(net, net * bank, 0.08)
    loans = f["total_assets"] * 0.85
    f.update(net_assets_prev_year_end=net, loans_outstanding=loans, overdue_loans=loans * npl,
             nonstandard_borrowing=net * bank, standard_borrowing=0, largest_borrower_balance=net * single,
             largest_group_balance=net * single * 1.2, online_loans_outstanding=loans * online, online_licensed=0,
             max_consumer_loan_single=0, max_business_loan_single=0)
    return f


def pawn(net: float, reg: float) -> dict[str, float]:
    f = _base(net, net * 0.3, 0.25)
    bal = f["total_assets"] * 0.6
    f.update(registered_capital=reg, pawn_balance=bal, real_estate_pawn_balance=bal * 0.4,
             largest_client_balance=reg * 0.12, forfeited_balance=bal * 0.04)
    return f


def leasing(net: float, lease_share: float) -> dict[str, float]:
    f = _base(net, net * 3, 0.1)
    a = f["total_assets"]
    f.update(lease_assets=a * lease_share, risk_assets=a * 0.95, largest_client_balance=net * 0.2,
             largest_group_balance=net * 0.35, related_party_balance=net * 0.1, overdue_lease=a * lease_share * 0.02)
    return f


def factoring(net: float) -> dict[str, float]:
    f = _base(net, net * 2, 0.1)
    bal = f["total_assets"] * 0.8
    f.update(factoring_balance=bal, risk_assets=bal, largest_debtor_balance=net * 0.3,
             related_factoring_balance=bal * 0.1, overdue_90=bal * 0.02)
    return f


def simple(net: float, **extra) -> dict[str, float]:
    f = _base(net, net * 0.5, 0.3)
    f.update(extra)
    return f


#: (name, type, licence no, district, registered capital 万元, figures by quarter index 0..3)
ORGS = [
    ("示范融资担保有限公司（演示）", c.LicenceType.GUARANTOR, "DEMO-RZDB-001", "370102", 50000,
     lambda q: guarantor(5.2e8, 6 + q * 0.5)),
    ("泉城融资担保有限公司（演示）", c.LicenceType.GUARANTOR, "DEMO-RZDB-002", "370103", 30000,
     lambda q: guarantor(3.1e8, 8.5 + q * 1.0, single=0.08 + q * 0.01)),          # 11.5× by the last quarter
    ("历城普惠融资担保有限公司（演示）", c.LicenceType.GUARANTOR, "DEMO-RZDB-003", "370112", 20000,
     lambda q: guarantor(2.05e8, 12.0, small_share=0.85)),                        # 12× allowed: ≥ 80 % small/micro
    ("泉城小额贷款股份有限公司（演示）", c.LicenceType.MICROLENDER, "DEMO-XD-001", "370102", 20000,
     lambda q: microlender(2.2e8, 0.6, 0.05)),
    ("槐荫科创小额贷款有限公司（演示）", c.LicenceType.MICROLENDER, "DEMO-XD-002", "370104", 10000,
     lambda q: microlender(1.05e8, 0.9 + q * 0.15, 0.08 + q * 0.02, npl=0.04 + q * 0.01)),  # over 1× and 10 %
    ("天桥典当有限公司（演示）", c.LicenceType.PAWN, "DEMO-DD-001", "370105", 5000,
     lambda q: pawn(5.4e7, 5e7)),
    ("济南示范融资租赁有限公司（演示）", c.LicenceType.LEASING, "DEMO-ZL-001", "370112", 17000,
     lambda q: leasing(1.8e8, 0.7 - q * 0.05)),                                   # under 60 % lease share
    ("泉城商业保理有限公司（演示）", c.LicenceType.FACTORING, "DEMO-BL-001", "370103", 5000,
     lambda q: factoring(5.1e7)),
    ("山东示范资产管理股份有限公司（演示）", c.LicenceType.AMC, "DEMO-AMC-001", "370102", 300000,
     lambda q: simple(3.2e9, npl_acquired=2.0e9)),
    ("齐鲁示范股权交易中心（演示）", c.LicenceType.EQUITY_MARKET, "DEMO-GQ-001", "370102", 10000,
     lambda q: simple(1.1e8, listed_enterprises=1200 + q * 40, financing_amount=3e8)),
]


def _row(org: SupervisedOrg, period: dt.date, figures: dict[str, float]) -> dict:
    row = {"sheet": "demo", "row": 0, "licence_no": org.licence_no, "licence_type": org.licence_type,
           "frequency": "quarterly", "period_end": period.isoformat()}
    for k, v in figures.items():
        row[k] = str(Decimal(v).quantize(Decimal("0.01")))
    # keep the subtotals exact after rounding
    if "total_assets" in figures:
        row["net_assets"] = str(Decimal(row["total_assets"]) - Decimal(row["total_liabilities"]))
    for parts, total in ((("level1_assets", "level2_assets"), "level3_assets"),):
        if total in row:
            rest = Decimal(row["total_assets"]) - Decimal(row["receivable_compensation"])
            row[total] = str(rest - sum(Decimal(row[p]) for p in parts))
    return row


def demo_supervision(*, progress=None) -> dict:
    if SupervisedOrg.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already done"}
    today = timezone.localdate()
    platform_guarantor = Organization.objects.filter(name="示范融资担保有限公司（演示）").first()
    orgs = []
    for name, ltype, no, district, reg, _f in ORGS:
        orgs.append(org_register(
            actor=DEMO_ACTOR, name=name, licence_type=ltype, licence_no=no,
            licence_date=today - dt.timedelta(days=900), registered_capital=Decimal(reg * W),
            paid_in_capital=Decimal(reg * W), region_code=district,
            business_scope="（演示）" + str(c.LicenceType(ltype).label) + "业务",
            contact_name="演示联系人", contact_phone="0531-00000000",
            institution=platform_guarantor if no == "DEMO-RZDB-001" else None, is_synthetic=True))
    periods = quarter_ends(today)
    for q, period in enumerate(periods):
        rows = [_row(org, period, spec[5](q)) for org, spec in zip(orgs, ORGS, strict=True)]
        for i, r in enumerate(rows, start=1):
            r["row"] = i
        reports_submit(rows=rows, actor=DEMO_ACTOR, source=c.Source.DEMO, is_synthetic=True)
    by_no = {o.licence_no: o for o in orgs}
    inspection_record(org=by_no["DEMO-XD-002"], actor=DEMO_ACTOR, inspected_on=today - dt.timedelta(days=60),
                      inspectors="演示检查组（张、李）", findings="（演示）银行借款超过净资产1倍；单户贷款集中度超限。",
                      rectification_required=True, deadline=today - dt.timedelta(days=10), is_synthetic=True)
    inspection_record(org=by_no["DEMO-RZDB-002"], actor=DEMO_ACTOR, inspected_on=today - dt.timedelta(days=20),
                      inspectors="演示检查组（王）", findings="（演示）融资担保放大倍数接近上限，关联担保台账不完整。",
                      rectification_required=True, deadline=today + dt.timedelta(days=40), is_synthetic=True)
    inspection_record(org=by_no["DEMO-DD-001"], actor=DEMO_ACTOR, inspected_on=today - dt.timedelta(days=90),
                      inspectors="演示检查组（赵）", findings="（演示）未发现问题。", is_synthetic=True)
    inspection_record(org=by_no["DEMO-RZDB-001"], actor=DEMO_ACTOR, inspected_on=today - dt.timedelta(days=45),
                      inspectors="演示检查组（孙）", findings="（演示）业务台账完整，未发现违规。", is_synthetic=True)
    rejected = _guarantor_rejected_file(by_no["DEMO-RZDB-001"], periods[-1])
    return {"orgs": len(orgs), "periods": [p.isoformat() for p in periods], "rejected_upload": rejected}


def _guarantor_rejected_file(org: SupervisedOrg, period: dt.date) -> int | None:
    """The demo guarantor files its last quarter again with a negative figure: the file is
    rejected (period already reported, negative amount) and its rows are kept for correction."""
    user = get_user_model().objects.filter(username="guarantor", organization=org.institution).first()
    if user is None:
        return None
    row = _row(org, period, guarantor(5.2e8, 7.5))
    row.update(sheet="融资担保公司", row=2, cash="-1.00")
    try:
        reports_submit(rows=[row], actor=user, source=c.Source.XLSX, file_name="演示-担保季报-有误.xlsx")
    except ReportRejected as exc:
        return exc.upload.pk
    return None
