"""XLSX files of the supervision app: the report template (one sheet per licence type, Chinese
headers, a notes sheet) and the regulator's export (organisations with their latest ratios,
rating and breaches), every cell written through ``safe_row``; the export is audited."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kechuang.core.choices import AuditAction
from kechuang.core.formatting import region_name
from kechuang.core.services import audit_record
from kechuang.engine.facts.writers import safe_row

from . import choices as c
from .loading import head_columns
from .present import format_value
from .selectors import latest_ratings, latest_reports, orgs_for, recent_breaches, rule_set


def template_bytes() -> bytes:
    """The empty report template: fill one row per organisation and period, amounts in yuan."""
    wb = Workbook()
    wb.remove(wb.active)
    for t in rule_set().types.values():
        ws = wb.create_sheet(t.label)
        ws.append([label for _k, label in head_columns()] + [label for _k, label in t.fields])
    notes = wb.create_sheet("说明")
    for line in (_("每个工作表对应一类地方金融组织，工作表名称即机构类型，请勿修改表头。"),
                 _("报告频度填“月报”或“季报”；报告期末填月末日期（季报填季末日期），如 2026-09-30。"),
                 _("金额一律以元为单位填写；除净资产、净利润外不得为负数。"),
                 _("勾稽关系（如净资产 = 资产总额 − 负债总额）不符、期次重复、报告期未结束的，整个文件不入库，错误逐行列出。")):
        notes.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def supervision_xlsx(*, user) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("地方金融组织"))
    reports, ratings = latest_reports(user), latest_ratings(user)
    orgs = list(orgs_for(user).order_by("licence_type", "name"))
    if any(o.is_synthetic for o in orgs):
        ws.append(safe_row([_("含合成演示数据（非真实机构），仅供演示")], ws))
    ws.append(safe_row([_("机构名称"), _("牌照类型"), _("许可证编号"), _("区县"), _("经营状态"), _("注册资本（元）"),
                        _("实缴资本（元）"), _("最近报告期"), _("超限项数"), _("综合评级"), _("综合得分")], ws))
    for o in orgs:
        rep, rat = reports.get(o.pk), ratings.get(o.pk)
        ws.append(safe_row([o.name, str(c.LicenceType(o.licence_type).label), o.licence_no, region_name(o.region_code),
                            str(c.OrgStatus(o.status).label), float(o.registered_capital), float(o.paid_in_capital),
                            rep.period_end.isoformat() if rep else "", rep.breach_count if rep else None,
                            str(c.Grade(rat.grade).label) if rat else "", float(rat.score) if rat else None], ws))
    ws2 = wb.create_sheet(_("监管指标超限"))
    ws2.append(safe_row([_("机构名称"), _("报告期末"), _("指标"), _("指标值"), _("要求"), _("限额"), _("法定限额"),
                         _("依据文件"), _("条款"), _("核实程度")], ws2))
    n = 0
    for b in recent_breaches(user, limit=5000):
        ws2.append(safe_row([b.org.name, b.period_end.isoformat(), b.label, format_value(b.value, b.unit),
                             "≤" if b.op == "<=" else "≥", format_value(b.limit, b.unit),
                             _("是") if b.binding else _("否（监测阈值）"), b.document, b.article,
                             _("已核实") if b.certainty == "confirmed" else _("待核实（provisional）")], ws2))
        n += 1
    ws3 = wb.create_sheet(_("说明"))
    ws3.append(safe_row([_("导出时间"), timezone.now().isoformat(timespec="seconds")], ws3))
    ws3.append(safe_row([_("规则版本"), rule_set().version], ws3))
    audit_record(actor=user, action=AuditAction.EXPORT, object_type="supervision.SupervisedOrg",
                 object_repr=_("地方金融组织监管导出"), context={"orgs": len(orgs), "breaches": n})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
