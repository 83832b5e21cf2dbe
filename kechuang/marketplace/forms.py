"""Page forms of the pools, roadshows and legs. They only parse what staff type (codes, dates,
numbers); every rule and every write stays in ``services`` — a service's error is put back on the
field it names (``apply_error``)."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Organization
from kechuang.accounts.selectors import region_rows
from kechuang.core.formatting import percent_input
from kechuang.core.widgets import EnteredSelect, EnteredTextarea
from kechuang.enterprises.models import Enterprise

from . import choices as c
from . import eligibility as el
from .models import Product
from .selectors import advisor_candidates

W = {"class": "form-control form-control-sm"}
S = {"class": "form-select form-select-sm"}
#: The searchable lists (``static/kechuang/autocomplete.js``) hook on these attributes; without
#: JavaScript the widget stays a plain select or text input.
SEARCH_SELECT = {"class": "form-select form-select-sm", "data-kc-search": "select"}


def enterprise_search() -> dict:
    """A text input for a USCC that JavaScript turns into a search over the enterprises the user may
    see (``marketplace:enterprise_lookup``); without it the USCC is typed."""
    return {**W, "data-kc-search": "enterprise", "data-kc-url": reverse_lazy("marketplace:enterprise_lookup"),
            "placeholder": _("企业名称或统一社会信用代码")}


def apply_error(form: forms.Form, exc: Exception) -> None:
    """Put a service's ValidationError on the fields it names (others to the form); a refusal to the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            field = getattr(form, "error_alias", {}).get(field, field)
            for m in errs:
                form.add_error(field if field in form.fields else None, m)
    elif isinstance(exc, ValidationError):
        for m in exc.messages:
            form.add_error(None, m)
    else:
        form.add_error(None, str(exc) or _("无权办理。"))


def _org(kind, label):
    return forms.ModelChoiceField(label=label, queryset=Organization.objects.filter(kind=kind).order_by("name"),
                                  widget=EnteredSelect(attrs=S))


class EnterpriseField(forms.ModelChoiceField):
    """An enterprise by its 统一社会信用代码, among those the user may see."""

    def __init__(self, user, **kw):
        super().__init__(queryset=Enterprise.objects.restrict(user, "view"), to_field_name="uscc",
                         label=_("企业（输入名称或统一社会信用代码搜索）"), widget=forms.TextInput(attrs=enterprise_search()),
                         error_messages={"invalid_choice": _("找不到该企业，或您无权查看。")}, **kw)


class FirstLoanForm(forms.Form):
    plan = forms.CharField(label=_("一企一策方案"), required=False, widget=EnteredTextarea(attrs={**W, "rows": 3}))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.fields = {"enterprise": EnterpriseField(user), **self.fields,
                       "bank": forms.ModelChoiceField(label=_("对接银行"), required=False, widget=EnteredSelect(attrs=S),
                                                      queryset=Organization.objects.filter(kind=OrganizationKind.BANK))}


class FirstLoanUpdateForm(forms.Form):
    plan = forms.CharField(label=_("一企一策方案"), required=False, widget=EnteredTextarea(attrs={**W, "rows": 3}))
    bank = forms.ModelChoiceField(label=_("对接银行"), required=False, widget=EnteredSelect(attrs=S),
                                  queryset=Organization.objects.filter(kind=OrganizationKind.BANK))
    status = forms.ChoiceField(label=_("状态"), widget=forms.Select(attrs=S),
                               choices=[(k, v) for k, v in c.PoolStatus.choices if k != c.PoolStatus.GRADUATED])


class WhitelistForm(forms.Form):
    line_amount = forms.CharField(label=_("预授信额度（元）"), widget=forms.TextInput(attrs=W))
    valid_until = forms.DateField(label=_("有效期至"), widget=forms.DateInput(format="%Y-%m-%d", attrs={**W, "type": "date"}))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.fields = {"enterprise": EnterpriseField(user), "guarantor": _org(OrganizationKind.GUARANTOR, _("担保机构")),
                       "bank": _org(OrganizationKind.BANK, _("银行")), **self.fields}


class AdvisorField(forms.ModelChoiceField):
    """A 金融辅导员 picked by name from the service agencies' staff the user may assign
    (``selectors.advisor_candidates``): a select that typing filters, never a typed username."""

    def __init__(self, user, **kw):
        super().__init__(queryset=advisor_candidates(user), label=_("金融辅导员（输入姓名或机构筛选）"),
                         empty_label="—", widget=EnteredSelect(attrs=SEARCH_SELECT),
                         error_messages={"invalid_choice": _("请从列表中选择辅导员：只能指派您辖区内服务机构的在岗人员。")},
                         **kw)

    def label_from_instance(self, obj) -> str:
        return f"{obj}（{obj.organization.name}）"


class AssignForm(forms.Form):
    team = forms.CharField(label=_("辅导队"), required=False, widget=forms.TextInput(attrs=W))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.fields = {"enterprise": EnterpriseField(user), "advisor": AdvisorField(user), **self.fields}


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={**W, "type": "date"}))
    satisfaction = forms.IntegerField(label=_("企业满意度（1–5）"), required=False,
                                      widget=forms.NumberInput(attrs=W))
    note = forms.CharField(label=_("走访记录"), required=False, widget=EnteredTextarea(attrs={**W, "rows": 2}))


class RoadshowForm(forms.Form):
    title = forms.CharField(label=_("路演名称"), max_length=200, widget=forms.TextInput(attrs=W))
    region_code = forms.ChoiceField(label=_("举办地区"), widget=forms.Select(attrs=SEARCH_SELECT),
                                    error_messages={"invalid_choice": _("请从列表中选择地区。")})
    held_on = forms.DateField(label=_("举办日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={**W, "type": "date"}))


    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fields["region_code"].choices = [("", "—"), *region_choices()]


class RegisterForm(forms.Form):
    role = forms.ChoiceField(label=_("报名身份"), choices=c.RegistrationRole.choices, widget=forms.Select(attrs=S))
    enterprise = forms.CharField(label=_("路演企业（输入名称或统一社会信用代码搜索）"), required=False,
                                 widget=forms.TextInput(attrs=enterprise_search()))
    investor = forms.ModelChoiceField(label=_("投资机构"), required=False, widget=EnteredSelect(attrs=S),
                                      queryset=Organization.objects.filter(kind=OrganizationKind.INVESTOR))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.user = user

    def clean(self):
        data = super().clean()
        if data.get("role") == c.RegistrationRole.PRESENTER:
            code = (data.get("enterprise") or "").strip()
            ent = Enterprise.objects.restrict(self.user, "view").filter(uscc=code).first() if code else None
            if ent is None:
                self.add_error("enterprise", _("找不到该企业，或您无权查看。"))
            data["enterprise"], data["investor"] = ent, None
        else:
            data["enterprise"] = None
        return data


class FollowUpForm(forms.Form):
    amount = forms.CharField(label=_("投资意向金额（元）"), widget=forms.TextInput(attrs=W))
    note = forms.CharField(label=_("跟进说明"), required=False, widget=forms.TextInput(attrs=W))

    def __init__(self, roadshow, user, *a, **kw):
        super().__init__(*a, **kw)
        regs = roadshow.registrations.filter(role=c.RegistrationRole.PRESENTER).select_related("enterprise")
        self.fields = {
            "registration": forms.ModelChoiceField(label=_("路演企业"), queryset=regs, widget=EnteredSelect(attrs=S)),
            "product": forms.ModelChoiceField(label=_("投资意向产品"), widget=EnteredSelect(attrs=S),
                                              queryset=Product.objects.filter(institution_id=user.organization_id,
                                                                              is_active=True)),
            **self.fields}
        self.fields["registration"].label_from_instance = lambda r: r.enterprise.name


class LegForm(forms.Form):
    kind = forms.ChoiceField(label=_("环节"), choices=c.LegKind.choices, widget=forms.Select(attrs=S))
    provider = forms.ModelChoiceField(
        label=_("承办机构"), widget=EnteredSelect(attrs=S),
        queryset=Organization.objects.filter(kind__in=[OrganizationKind.GUARANTOR, OrganizationKind.INSURER]))
    covered_amount = forms.CharField(label=_("担保/保险金额（元，空则为需求金额）"), required=False,
                                     widget=forms.TextInput(attrs=W))
    share_national = forms.DecimalField(label=_("国家"), required=False, widget=forms.NumberInput(attrs=W))
    share_provincial = forms.DecimalField(label=_("省"), required=False, widget=forms.NumberInput(attrs=W))
    share_city = forms.DecimalField(label=_("市"), required=False, widget=forms.NumberInput(attrs=W))
    share_bank = forms.DecimalField(label=_("银行"), required=False, widget=forms.NumberInput(attrs=W))

    def shares(self) -> dict | None:
        """The four shares if any was typed (the service checks they are whole), else the default split."""
        d = self.cleaned_data
        vals = {p: d.get(f"share_{p}") for p in c.RiskParty.values}
        if all(v is None for v in vals.values()):
            return None
        return {p: v for p, v in vals.items() if v is not None}

    error_alias = {"shares": "share_national"}


# --- the product page: terms and the eligibility rule builder ----------------------------------

def region_choices() -> list[tuple[str, str]]:
    """Provinces, cities and districts by name (the codes stay the values)."""
    suffix = {"province": _("（全省）"), "city": _("（全市）"), "district": ""}
    return [(code, f"{name}{suffix[el.region_level(code)]}") for code, name in region_rows()]


class EligibilityForm(forms.Form):
    """The rule builder: one row per field (qualification, grade, size, region, industry, adverse
    records), each "operator + value", making the engine's eligibility JSON (``eligibility``)."""

    qual_op = forms.ChoiceField(label=_("资质"), required=False, widget=forms.Select(attrs=S), choices=[
        ("", _("不限")), ("all", _("须全部具备")), ("any", _("具备任一"))])
    quals = forms.MultipleChoiceField(label=_("资质"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(k, _(v)) for k, v in el.QUALIFICATIONS.items()])
    grade_op = forms.ChoiceField(label=_("信用评级"), required=False, widget=forms.Select(attrs=S),
                                 choices=[("", _("不限")), ("gte", _("不低于"))])
    grade = forms.ChoiceField(label=_("评级"), required=False, widget=forms.Select(attrs=S),
                              choices=[("", "—"), *((g, g) for g in el.GRADES)])
    size_op = forms.ChoiceField(label=_("企业规模"), required=False, widget=forms.Select(attrs=S),
                                choices=[("", _("不限")), ("in", _("属于")), ("not_in", _("不属于"))])
    sizes = forms.MultipleChoiceField(label=_("规模"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(k, _(v)) for k, v in el.SIZES.items()])
    region_op = forms.ChoiceField(label=_("注册地区"), required=False, widget=forms.Select(attrs=S),
                                  choices=[("", _("不限")), ("in", _("属于")), ("not_in", _("不属于"))])
    regions = forms.MultipleChoiceField(label=_("地区"), required=False,
                                        widget=forms.SelectMultiple(attrs={**SEARCH_SELECT, "size": 6}))
    industry_op = forms.ChoiceField(label=_("所属行业"), required=False, widget=forms.Select(attrs=S),
                                    choices=[("", _("不限")), ("in", _("属于")), ("not_in", _("不属于"))])
    industries = forms.MultipleChoiceField(label=_("行业"), required=False,
                                           widget=forms.SelectMultiple(attrs={**SEARCH_SELECT, "size": 6}),
                                           choices=[(k, format_lazy("{} {}", k, _(v))) for k, v in el.INDUSTRY_SECTIONS.items()])
    adverse_op = forms.ChoiceField(label=_("不良记录"), required=False, widget=forms.Select(attrs=S),
                                   choices=[("", _("不限")), ("none", _("无不良记录")), ("at_most", _("不超过"))])
    adverse_max = forms.IntegerField(label=_("允许条数"), required=False, min_value=0, max_value=1000,
                                     widget=forms.NumberInput(attrs={**W, "min": 0}))
    extra = forms.CharField(label=_("其他条件"), required=False, widget=forms.HiddenInput)

    ROWS = (("qual_op", "quals"), ("grade_op", "grade"), ("size_op", "sizes"), ("region_op", "regions"),
            ("industry_op", "industries"), ("adverse_op", "adverse_max"))

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.fields["regions"].choices = region_choices()
        self.names = dict(region_rows())

    def rows(self):
        """The builder's rows as (operator, value) bound fields, for the template."""
        return [(self[op], self[value]) for op, value in self.ROWS]

    @classmethod
    def initial_for(cls, eligibility) -> dict:
        """The builder's rows for a stored eligibility (what it cannot show is kept in ``extra``)."""
        r = el.rule_from_eligibility(eligibility)
        return {"qual_op": r.qual_op, "quals": r.quals, "grade_op": r.grade_op, "grade": r.grade,
                "size_op": r.size_op, "sizes": r.sizes, "region_op": r.region_op, "regions": r.regions,
                "industry_op": r.industry_op, "industries": r.industries, "adverse_op": r.adverse_op,
                "adverse_max": r.adverse_max, "extra": json.dumps(r.extra, ensure_ascii=False) if r.extra else ""}

    def clean_extra(self):
        text = self.cleaned_data.get("extra") or ""
        if not text.strip():
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, list):
            raise ValidationError(_("保留的其他条件无法读取，请重新打开本页。"), code="bad_rule")
        return value

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        rule = el.Rule(**{k: data.get(k) or ([] if isinstance(self.fields[k], forms.MultipleChoiceField) else "")
                          for k in ("qual_op", "quals", "grade_op", "grade", "size_op", "sizes", "region_op",
                                    "regions", "industry_op", "industries", "adverse_op")},
                       adverse_max=data.get("adverse_max"), extra=data.get("extra") or [])
        for name, message in el.rule_problems(rule).items():
            self.add_error(name, message)
        if not self.errors:
            data["eligibility"] = el.eligibility_from_rule(rule, self.names)
        return data

    def words(self, stored=None) -> str:
        """The rule in words: the rows' rule when bound (empty when they do not make one yet), else
        the stored eligibility's."""
        if self.is_bound:
            return el.eligibility_words(self.cleaned_data["eligibility"], self.names) if self.is_valid() else ""
        return el.eligibility_words(stored or [], self.names)


class ProductForm(forms.Form):
    """A product's terms as typed (the service checks the ranges and puts its errors back here)."""

    name = forms.CharField(label=_("产品名称"), max_length=100, widget=forms.TextInput(attrs=W))
    category = forms.ChoiceField(label=_("产品类别"), choices=c.ProductCategory.choices, widget=forms.Select(attrs=S))
    amount_min = forms.CharField(label=_("最低金额（元）"), widget=forms.TextInput(attrs=W))
    amount_max = forms.CharField(label=_("最高金额（元）"), widget=forms.TextInput(attrs=W))
    term_min_months = forms.CharField(label=_("最短期限（月）"), required=False, widget=forms.TextInput(attrs=W))
    term_max_months = forms.CharField(label=_("最长期限（月）"), required=False, widget=forms.TextInput(attrs=W))
    rate = forms.CharField(label=_("年化利率/费率（%）"), required=False,
                           widget=forms.TextInput(attrs={**W, "inputmode": "decimal", "placeholder": "3.85"}))
    sla_pickup_days = forms.IntegerField(label=_("接单时限（工作日）"), initial=2, widget=forms.NumberInput(attrs=W))
    needs_guarantee = forms.BooleanField(label=_("需担保"), required=False,
                                         widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    description = forms.CharField(label=_("产品说明"), required=False,
                                  widget=EnteredTextarea(attrs={**W, "rows": 2}))
    error_alias = {"eligibility": "__all__"}

    def __init__(self, *a, **kw):
        super().__init__(*a, auto_id="%s", **kw)

    def terms(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"].strip(), "category": d["category"], "description": d["description"],
                "amount_min": d["amount_min"], "amount_max": d["amount_max"],
                "term_min_months": d["term_min_months"] or None, "term_max_months": d["term_max_months"] or None,
                "rate": percent_input(d["rate"]), "sla_pickup_days": d["sla_pickup_days"],
                "needs_guarantee": d["needs_guarantee"]}

    @staticmethod
    def initial_for(product) -> dict:
        rate = product.rate
        return {"name": product.name, "category": product.category, "description": product.description,
                "amount_min": product.amount_min, "amount_max": product.amount_max,
                "term_min_months": product.term_min_months or "", "term_max_months": product.term_max_months or "",
                "rate": "" if rate is None else format(rate * 100, "f").rstrip("0").rstrip("."),
                "sla_pickup_days": product.sla_pickup_days, "needs_guarantee": product.needs_guarantee}


class RatingForm(forms.Form):
    """The enterprise's satisfaction with a closed request: 1–5 stars and a comment."""

    use_required_attribute = False  # the server's message, beside the stars, in Chinese

    stars = forms.TypedChoiceField(label=_("满意度"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(n, "★" * n) for n in range(5, 0, -1)],
                                   error_messages={"required": _("请选择 1 至 5 星。")})
    comment = forms.CharField(label=_("评价（选填）"), required=False, max_length=500,
                              widget=EnteredTextarea(attrs={**W, "rows": 2}))
