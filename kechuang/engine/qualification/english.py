"""English for the rule data's citations, so an English page names a clause's source without
Chinese: document numbers (国科发火〔2016〕32号 → MOST Torch [2016] No. 32) and articles
(第十一条（五）1 → Art. 11(5)1, 附件2 二（四） → Annex 2 II(4)).

Clause titles carry their English in the rule files (``title_en``); citations follow a handful of
patterns, so they are translated here by rule rather than written twice. Pure functions, no Django.
"""

from __future__ import annotations

import re

#: Issuers' document prefixes and the recurring words of the citations, longest first.
PHRASES: tuple[tuple[str, str], ...] = tuple(sorted({
    "国科发政": "MOST Policy", "国科发火": "MOST Torch", "鲁工信发": "Shandong DIIT",
    "工信部企业": "MIIT SME", "工信厅企业": "MIIT General Office SME", "证监会公告": "CSRC Announcement",
    "工作指引": "Guidelines", "企业创新能力评价": "innovation-ability evaluation",
    "评价标准": "evaluation criteria", "认定条件": "Criterion ", "直通条件": "Direct route ",
    "条件": "Condition ", "附件": "Annex ", "加分项": "bonus item", "近三年": "last 3 years",
    "原则上": "in principle", "广东解释": "Guangdong reading", "净利润÷营业收入": "net profit ÷ operating revenue",
    "Ⅱ类仅可使用一次": "Class II IP may be used once only",
    "“主导”按起草单位前五名": "\"led\" = among the first five drafting units",
    "“主导”按前五名": "\"led\" = among the first five",
    "按合格机构投资者实缴额计": "paid-in by qualified institutional investors",
}.items(), key=lambda kv: -len(kv[0])))

_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def chinese_number(text: str) -> int:
    """一 … 九十九 as an int (十一 → 11, 二十 → 20)."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS[text]


_NUM = "[一二三四五六七八九十]+"


def source_en(text: str) -> str:
    """A citation (document number and article) in English; text without Chinese is returned as given."""
    if not text:
        return text
    out = re.sub(r"〔(\d{4})〕(\d+)号", r" [\1] No. \2", text)
    out = re.sub(f"第({_NUM})条", lambda m: f"Art. {chinese_number(m[1])}", out)
    out = re.sub(f"第({_NUM})章", lambda m: f"Ch. {chinese_number(m[1])}", out)
    out = re.sub(f"（({_NUM})）", lambda m: f"({chinese_number(m[1])})", out)
    for zh, en in PHRASES:
        out = out.replace(zh, en)
    # a bare numeral heads a section of an annex or the guidelines: 附件2 二（四） → Annex 2 II(4)
    out = re.sub(_NUM, lambda m: _ROMAN[chinese_number(m[0])], out)
    out = out.replace("；", "; ").replace("、", ", ").replace("（", " (").replace("）", ")").replace("，", ", ")
    return re.sub(r"\s+", " ", out).replace("( ", "(").strip()
