"""The enterprise list's summary columns, computed from one enterprise's (merged) facts.

Pure functions of a normalised record (dates as ``date``, amounts as ``Decimal``), used for new
enterprises straight from the imported record and for existing ones from the merged fact tables.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .choices import IP_CLASS_I, IncidentKind, LoanStatus

_LISTINGS = {IncidentKind.ABNORMAL_OPERATION_LIST, IncidentKind.SERIOUS_DISHONESTY_LIST}
_RATIO_QUANTUM = Decimal("0.000001")


def research_ratio(revenue, rd_expense) -> Decimal | None:
    """R&D expense over operating revenue, to six places, or ``None`` when either is unknown or
    revenue is not positive."""
    if revenue is None or rd_expense is None or revenue <= 0:
        return None
    return min(Decimal(rd_expense) / Decimal(revenue), Decimal("999")).quantize(_RATIO_QUANTUM)


def summarize(record: dict, *, today: date) -> dict:
    """The columns of :class:`~kechuang.enterprises.models.Enterprise` derived from facts."""
    years = sorted((y for y in record.get("years") or [] if y.get("year") is not None),
                   key=lambda y: y["year"])
    latest = years[-1] if years else {}
    revenue = latest.get("operating_revenue")
    rd_ratio = research_ratio(revenue, latest.get("rd_expense"))
    ip = record.get("ip") or []
    certificates = sorted({
        cert["kind"] for cert in record.get("certificates") or []
        if (cert.get("valid_from") is None or cert["valid_from"] <= today)
        and (cert.get("valid_to") is None or cert["valid_to"] >= today)})
    three_years_ago = date(today.year - 3, today.month, min(today.day, 28))
    adverse = sum(1 for i in record.get("incidents") or []
                  if i.get("kind") in _LISTINGS and i.get("removed_on") is None)
    adverse += sum(1 for loan in record.get("loans") or []
                   if loan.get("status") in (LoanStatus.OVERDUE, LoanStatus.WRITTEN_OFF))
    adverse += sum(1 for p in record.get("penalties") or []
                   if p.get("decided_on") is not None and p["decided_on"] >= three_years_ago)
    return {
        "name": record.get("name") or "",
        "registered_on": record.get("registered_on"),
        "region_code": record.get("region_code") or "",
        "industry_code": record.get("industry_code") or "",
        "latest_year": latest.get("year"),
        "employees": latest.get("employees"),
        "operating_revenue": revenue,
        "rd_ratio": rd_ratio,
        "ip_class1_count": sum(1 for item in ip if item.get("type") in IP_CLASS_I),
        "ip_total_count": len(ip),
        "certificates": f",{','.join(certificates)}," if certificates else "",
        "adverse_count": adverse,
    }
