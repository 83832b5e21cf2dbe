"""The XLSX export of the deals a regulator sees, with 技术合同成交额 by district and month; every
cell written through ``safe_row`` (formula-safe)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kechuang.core.choices import AuditAction
from kechuang.core.formatting import region_name
from kechuang.core.services import audit_record
from kechuang.engine.facts.writers import safe_row

from . import choices as c
from . import selectors


def deals_xlsx(*, user) -> bytes:
    deals = selectors.deals_visible(user)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("技术交易"))
    ws.append(safe_row([_("编号"), _("专利号/登记号"), _("名称"), _("交易方式"), _("出让方"), _("受让方"), _("区县"),
                        _("状态"), _("成交价格（元）"), _("合同签订日期"), _("技术合同登记号")], ws))
    n = 0
    for d in deals.order_by("pk").iterator(chunk_size=2000):
        ws.append(safe_row([d.pk, d.ip_key, d.listing.ip_title, str(c.DealKind(d.kind).label), d.seller.name,
                            d.buyer.name, region_name(d.region_code), str(c.DealState(d.state).label),
                            None if d.price is None else float(d.price),
                            d.contract_date.isoformat() if d.contract_date else "", d.registration_number], ws))
        n += 1
    ws2 = wb.create_sheet(_("技术合同成交额"))
    ws2.append(safe_row([_("区县"), _("月份"), _("成交笔数"), _("技术合同成交额（元）"), _("其中作价入股（元）")], ws2))
    for r in selectors.turnover_by_district_month(deals):
        ws2.append(safe_row([region_name(r["region_code"]), r["month"].strftime("%Y-%m"), r["count"], float(r["total"] or 0),
                             float(r["equity"] or 0)], ws2))
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="trade.deal", object_id="export",
                 object_repr=_("技术交易导出"), context={"rows": n})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
