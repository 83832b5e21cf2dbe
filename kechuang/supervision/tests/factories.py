"""Test data of the supervision app (synthetic): regulators of the city and of two districts, a
platform guarantor linked to its licensed record, a microlender standing alone, and report rows."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.enterprises.tests.factories import regulator
from kechuang.marketplace.tests.factories import institution
from kechuang.supervision.demo import guarantor, microlender
from kechuang.supervision.loading import head_columns
from kechuang.supervision.services import org_register, rules

PERIOD = dt.date(2025, 9, 30)


def world() -> dict:
    city = regulator("city", "370100", Role.ADMIN)
    lixia = regulator("lixia", "370102", Role.OFFICER)
    licheng = regulator("licheng", "370112", Role.OFFICER)
    viewer = regulator("viewer", "370100", Role.VIEWER)
    g_org, g_user = institution(K.GUARANTOR, "担保甲")
    other_org, other_user = institution(K.GUARANTOR, "担保乙")
    g = org_register(actor=city, name="担保甲（测试）", licence_type="guarantor", licence_no="G-1",
                     licence_date="2020-01-01", registered_capital="500000000", paid_in_capital="500000000",
                     region_code="370102", institution=g_org)
    m = org_register(actor=city, name="小贷乙（测试）", licence_type="microlender", licence_no="M-1",
                     licence_date="2020-01-01", registered_capital="200000000", paid_in_capital="200000000",
                     region_code="370112")
    return dict(city=city, lixia=lixia, licheng=licheng, viewer=viewer, g=g, m=m, g_user=g_user,
                other_user=other_user)


def row(org, period=PERIOD, figures=None, **over) -> dict:
    figs = figures or (guarantor(5e8, 6) if org.licence_type == "guarantor" else microlender(2e8, 0.5, 0.05))
    out = {"sheet": "api", "row": 1, "licence_no": org.licence_no, "licence_type": org.licence_type,
           "frequency": "quarterly", "period_end": period.isoformat()}
    out.update({k: f"{v:.2f}" for k, v in figs.items()})
    out["net_assets"] = f"{float(out['total_assets']) - float(out['total_liabilities']):.2f}"
    if "level3_assets" in out:
        out["level3_assets"] = f"{float(out['total_assets']) - float(out['level1_assets']) - float(out['level2_assets']):.2f}"
    out.update(over)
    return out


def workbook(rows_by_type: dict[str, list[dict]], extra_sheet: str | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    rs = rules()
    for code, rows in rows_by_type.items():
        t = rs.types[code]
        ws = wb.create_sheet(t.label)
        keys = [k for k, _l in head_columns()] + list(t.field_names)
        ws.append([label for _k, label in head_columns()] + [label for _k, label in t.fields])
        for r in rows:
            ws.append([r.get(k) for k in keys])
    if extra_sheet:
        wb.create_sheet(extra_sheet).append(["x"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
