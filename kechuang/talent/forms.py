"""Forms of the talent pages: a team member's record (name, ID number, the 才/彩/采/财 facts as a
one-page summary), a talent consent, and the XLSX import. The summary maps to the engine's facts
document (:mod:`kechuang.engine.talent.facts`) and back: a section is rewritten only when its
summary changed, so details entered through the API (patent numbers, project names) survive an edit
that leaves them alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.engine.talent import programmes

from .choices import LEVEL_LABELS, TalentConsentPurpose

WAN = Decimal(10000)
IP_KINDS = ("invention", "utility_model", "design", "software")
PROJECT_LEVELS = ("none", "city", "provincial", "national")
#: summary field → (label, kind) in form and XLSX order; kind: level vocab, "int", "wan", "num", "date", "programmes".
SUMMARY = {
    "degree": (_("最高学历"), "degree"),
    "institution_tier": (_("毕业院校层次"), "institution_tier"),
    "title_level": (_("专业技术职称"), "title_level"),
    "honours": (_("人才称号（可多项）"), "programmes"),
    "ip_invention": (_("发明专利（件）"), "int"),
    "ip_utility_model": (_("实用新型专利（件）"), "int"),
    "ip_design": (_("外观设计专利（件）"), "int"),
    "ip_software": (_("软件著作权（件）"), "int"),
    "project_level": (_("承担科研项目最高级别"), "project_level"),
    "project_count": (_("科研项目数"), "int"),
    "project_lead_count": (_("其中主持项目数"), "int"),
    "employment_start": (_("入职本单位日期"), "date"),
    "insurance_months": (_("社保连续缴纳月数"), "int"),
    "insurance_base": (_("社保缴费基数（元/月）"), "num"),
    "annual_salary": (_("年薪（万元）"), "wan"),
    "equity_share": (_("持股比例（%）"), "num"),
    "attributable_revenue": (_("个人贡献营收（万元）"), "wan"),
}
SECTION_FIELDS = {
    "education": ("degree", "institution_tier"), "titles": ("title_level",), "honours": ("honours",),
    "ip": ("ip_invention", "ip_utility_model", "ip_design", "ip_software"),
    "projects": ("project_level", "project_count", "project_lead_count"), "employment": ("employment_start",),
    "insurance": ("insurance_months", "insurance_base"),
    "economic": ("annual_salary", "equity_share", "attributable_revenue"),
}


def level_choices(vocab: str) -> list[tuple[str, Any]]:
    if vocab == "project_level":
        return [(k, LEVEL_LABELS["project_level"][k]) for k in PROJECT_LEVELS]
    return list(LEVEL_LABELS[vocab].items())


def programme_choices() -> list[tuple[str, str]]:
    return [(code, p["name"]) for code, p in programmes().items()]


def _num(v) -> float | int | None:
    if v is None or v == "":
        return None
    d = Decimal(str(v))
    return int(d) if d == d.to_integral_value() else float(d)


def summary_of(facts: dict) -> dict[str, Any]:
    """The one-page summary of a facts document (``None`` where the document says nothing)."""
    out: dict[str, Any] = dict.fromkeys(SUMMARY)
    edu = facts.get("education")
    if edu:
        order = list(LEVEL_LABELS["degree"])
        best = max(edu, key=lambda r: order.index(r["degree"]))
        out["degree"], out["institution_tier"] = best["degree"], best.get("tier", "other")
    elif edu == []:
        out["degree"] = "none"
    titles = facts.get("titles")
    if titles is not None:
        order = list(LEVEL_LABELS["title_level"])
        out["title_level"] = max((r["level"] for r in titles), key=order.index, default="none")
    if facts.get("honours") is not None:
        out["honours"] = sorted({r["programme"] for r in facts["honours"]})
    ip = facts.get("ip")
    if ip is not None:
        for k in IP_KINDS:
            out[f"ip_{k}"] = sum(1 for r in ip if r.get("kind") == k)
    projects = facts.get("projects")
    if projects is not None:
        out["project_level"] = max((r["level"] for r in projects), key=PROJECT_LEVELS.index, default="none")
        out["project_count"] = len(projects)
        out["project_lead_count"] = sum(1 for r in projects if r.get("role") == "lead")
    current = [r for r in facts.get("employment") or [] if r.get("current") or r.get("end") is None]
    if current and current[0].get("start"):
        out["employment_start"] = dt.date.fromisoformat(str(current[0]["start"]))
    ins = facts.get("insurance") or {}
    out["insurance_months"], out["insurance_base"] = ins.get("continuous_months"), ins.get("base_monthly")
    eco = facts.get("economic") or {}
    for k in ("annual_salary", "attributable_revenue"):
        out[k] = _num(Decimal(str(eco[k])) / WAN) if eco.get(k) is not None else None
    out["equity_share"] = eco.get("equity_share")
    return out


def _section(name: str, s: dict[str, Any]):
    """The facts section ``name`` built from summary ``s`` (``None``: leave it out)."""
    if name == "education":
        if not s.get("degree"):
            return None
        return [] if s["degree"] == "none" else [{"degree": s["degree"], "tier": s.get("institution_tier") or "other"}]
    if name == "titles":
        if not s.get("title_level"):
            return None
        return [] if s["title_level"] == "none" else [{"level": s["title_level"]}]
    if name == "honours":
        return None if s.get("honours") is None else [{"programme": p} for p in s["honours"]]
    if name == "ip":
        counts = {k: s.get(f"ip_{k}") for k in IP_KINDS}
        if all(v is None for v in counts.values()):
            return None
        return [{"kind": k} for k, n in counts.items() for _i in range(int(n or 0))]
    if name == "projects":
        level, count, lead = s.get("project_level"), s.get("project_count"), s.get("project_lead_count")
        if not level:
            return None
        if level == "none":
            return []
        count = max(int(count or 1), int(lead or 0))
        return [{"level": level, "role": "lead" if i < int(lead or 0) else "member"} for i in range(count)]
    if name == "employment":
        start = s.get("employment_start")
        return None if not start else [{"start": start.isoformat(), "current": True}]
    if name == "insurance":
        block = {"continuous_months": _num(s.get("insurance_months")), "base_monthly": _num(s.get("insurance_base"))}
        block = {k: v for k, v in block.items() if v is not None}
        return block or None
    block = {"annual_salary": _num(s["annual_salary"] * WAN) if s.get("annual_salary") is not None else None,
             "equity_share": _num(s.get("equity_share")),
             "attributable_revenue": (_num(s["attributable_revenue"] * WAN)
                                      if s.get("attributable_revenue") is not None else None)}
    block = {k: v for k, v in block.items() if v is not None}
    return block or None


def facts_from_summary(summary: dict[str, Any], previous: dict | None = None) -> dict:
    """The facts document of ``summary``; a section whose summary equals ``previous``'s is kept as
    it was (with its details)."""
    previous = previous or {}
    before = summary_of(previous)
    out: dict = {}
    for name, fields in SECTION_FIELDS.items():
        same = all(_same(summary.get(f), before.get(f)) for f in fields)
        if same and name in previous:
            out[name] = previous[name]
            continue
        value = _section(name, summary)
        if value is not None:
            out[name] = value
    return out


def summary_problems(s: dict[str, Any]) -> dict[str, str]:
    """Combinations of a summary that cannot be written as facts (field → reason): nothing entered
    is dropped silently."""
    out: dict[str, str] = {}
    count, lead, level = s.get("project_count"), s.get("project_lead_count"), s.get("project_level")
    if count is not None and lead is not None and lead > count:
        out["project_lead_count"] = str(_("主持项目数不能多于科研项目数。"))
    if (count or lead) and level in (None, "", "none"):
        out["project_level"] = str(_("填写了科研项目数，请选择项目级别。"))
    if level not in (None, "", "none") and count == 0:
        out["project_count"] = str(_("选择了项目级别，科研项目数不能为 0。"))
    if s.get("institution_tier") and s.get("degree") in (None, "", "none"):
        out["degree"] = str(_("填写了毕业院校层次，请选择最高学历。"))
    return out


def _same(a, b) -> bool:
    if isinstance(a, (int, float, Decimal)) and isinstance(b, (int, float, Decimal)):
        return Decimal(str(a)) == Decimal(str(b))
    return (a or None) == (b or None)


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.CheckboxSelectMultiple):
            continue
        f.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(f, forms.ChoiceField)
                                  else "form-control form-control-sm")


class PersonForm(forms.Form):
    """A team member: name and ID number (on registration only: stored as a salted hash and a
    masked form) and the facts summary."""

    full_name = forms.CharField(label=_("姓名"), max_length=60)
    id_number = forms.CharField(label=_("居民身份证号码"), max_length=18, min_length=18,
                                help_text=_("平台只保存加盐摘要与脱敏号码，不保存明文。"))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:  # name and ID number are fixed once registered (the hash identifies the person)
            del self.fields["full_name"], self.fields["id_number"]
        blank = [("", "—")]
        for name, (label, kind) in SUMMARY.items():
            if kind == "programmes":
                self.fields[name] = forms.MultipleChoiceField(label=label, required=False, choices=programme_choices(),
                                                              widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
            elif kind in ("degree", "institution_tier", "title_level", "project_level"):
                self.fields[name] = forms.ChoiceField(label=label, required=False, choices=blank + level_choices(kind))
            elif kind == "int":
                self.fields[name] = forms.IntegerField(label=label, required=False, min_value=0, max_value=10000)
            elif kind == "date":
                self.fields[name] = forms.DateField(label=label, required=False, widget=forms.DateInput(
                    format="%Y-%m-%d", attrs={"type": "date"}))
            else:
                self.fields[name] = forms.DecimalField(label=label, required=False, min_value=0, max_digits=14,
                                                       decimal_places=2,
                                                       max_value=100 if name == "equity_share" else None)
        _styled(self)

    def clean(self):
        data = super().clean()
        for field, reason in summary_problems(data).items():
            if field not in self.errors:
                self.add_error(field, reason)
        return data

    def summary(self) -> dict[str, Any]:
        data = {k: self.cleaned_data.get(k) for k in SUMMARY}
        data["honours"] = list(self.cleaned_data.get("honours") or [])
        return {k: (v if v != "" else None) for k, v in data.items()}

    @staticmethod
    def initial_of(facts: dict) -> dict[str, Any]:
        return {k: v for k, v in summary_of(facts).items() if v is not None}


class ConsentForm(forms.Form):
    """A person's (or, with the written authorisation's reference, the employer's) talent consent."""

    organization = forms.ChoiceField(label=_("被授权机构"))
    purpose = forms.ChoiceField(label=_("授权用途"), choices=TalentConsentPurpose.choices)
    valid_until = forms.DateField(label=_("到期日"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    evidence = forms.CharField(label=_("书面授权编号"), max_length=200, required=False,
                               help_text=_("由单位代为登记时必填：本人书面授权的编号"))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "—")] + [(o.pk, o.name) for o in organizations]
        _styled(self)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("人才信息表（XLSX）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({"class": "form-control form-control-sm", "accept": ".xlsx"})
