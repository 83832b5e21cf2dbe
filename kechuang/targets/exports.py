"""Files the app writes: blank import templates and the cockpit workbook (XLSX via openpyxl). Every row
goes through ``safe_row``: indicator, plan and task names are text people imported."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from kechuang.engine.facts.writers import safe_row

from .loading import COLUMNS, REQUIRED

EXAMPLES = {
    "plans": ["济南金融行动计划2018-2022", "济南现代金融产业发展行动计划（2018—2022年）", "济南市", "370100",
              "济南市人民政府", "济政字〔2018〕81号", "2018", "2022", "2017", "000_258ee6b34365fd8b.txt"],
    "indicators": ["济南市", "济南金融行动计划2018-2022", "金融业增加值", "亿元", "2020", "1000", "目标",
                   "000_258ee6b34365fd8b.txt", "金融业增加值（亿元） | 776 | 830 | 900 | 1000 | 1110 | 1250", "", "", "370100"],
    "tasks": ["济南市", "济南金融行动计划2018-2022", "重点项目-1", "争取设立民营银行", "推动济南市内民营银行在计划期内获批并投入运营。",
              "★", "市金融办;市投资促进局", "计划期内", "000_258ee6b34365fd8b.txt", "市金融办", "（一）金融组织壮大工程", ""],
    "concepts": ["济南市", "金融机构本外币存款余额", "本外币存款余额", "", "十四五规划的表述"],
}


def template_xlsx(kind: str) -> bytes:
    """A blank import workbook: the Chinese headers (required ones bold) and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = kind
    cols = COLUMNS[kind]
    ws.append(safe_row([aliases[0] for aliases in cols.values()], ws))
    for i, name in enumerate(cols, start=1):
        if name in REQUIRED[kind]:
            ws.cell(row=1, column=i).font = Font(bold=True)
    ws.append(safe_row(EXAMPLES[kind][: len(cols)], ws))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def workbook_bytes(sheets: dict[str, tuple[list[str], list[list]]]) -> bytes:
    """An XLSX of ``{title: (header, rows)}``."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title[:31])
        ws.append(safe_row(header, ws))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(safe_row(r, ws))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
