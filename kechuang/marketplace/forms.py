"""Page forms of the pools, roadshows and legs. They only parse what staff type (codes, dates,
numbers); every rule and every write stays in ``services`` — a service's error is put back on the
field it names (``apply_error``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.choices import OrganizationKind
from kechuang.accounts.models import Organization
from kechuang.enterprises.models import Enterprise

from . import choices as c
from .models import Product

W = {"class": "form-control form-control-sm"}
S = {"class": "form-select form-select-sm"}


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
                                  widget=forms.Select(attrs=S))


class EnterpriseField(forms.ModelChoiceField):
    """An enterprise by its 统一社会信用代码, among those the user may see."""

    def __init__(self, user, **kw):
        super().__init__(queryset=Enterprise.objects.restrict(user, "view"), to_field_name="uscc",
                         label=_("企业（统一社会信用代码）"), widget=forms.TextInput(attrs=W),
                         error_messages={"invalid_choice": _("找不到该企业，或您无权查看。")}, **kw)


class FirstLoanForm(forms.Form):
    plan = forms.CharField(label=_("一企一策方案"), required=False, widget=forms.Textarea(attrs={**W, "rows": 3}))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.fields = {"enterprise": EnterpriseField(user), **self.fields,
                       "bank": forms.ModelChoiceField(label=_("对接银行"), required=False, widget=forms.Select(attrs=S),
                                                      queryset=Organization.objects.filter(kind=OrganizationKind.BANK))}


class FirstLoanUpdateForm(forms.Form):
    plan = forms.CharField(label=_("一企一策方案"), required=False, widget=forms.Textarea(attrs={**W, "rows": 3}))
    bank = forms.ModelChoiceField(label=_("对接银行"), required=False, widget=forms.Select(attrs=S),
                                  queryset=Organization.objects.filter(kind=OrganizationKind.BANK))
    status = forms.ChoiceField(label=_("状态"), widget=forms.Select(attrs=S),
                               choices=[(k, v) for k, v in c.PoolStatus.choices if k != c.PoolStatus.GRADUATED])


class WhitelistForm(forms.Form):
    line_amount = forms.CharField(label=_("预授信额度（元）"), widget=forms.TextInput(attrs=W))
    valid_until = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={**W, "type": "date"}))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.fields = {"enterprise": EnterpriseField(user), "guarantor": _org(OrganizationKind.GUARANTOR, _("担保机构")),
                       "bank": _org(OrganizationKind.BANK, _("银行")), **self.fields}


class AssignForm(forms.Form):
    advisor = forms.ModelChoiceField(
        label=_("金融辅导员（用户名）"), to_field_name="username", widget=forms.TextInput(attrs=W),
        queryset=get_user_model().objects.filter(is_active=True).exclude(organization__kind=OrganizationKind.ENTERPRISE),
        error_messages={"invalid_choice": _("找不到该用户，或其不能担任辅导员。")})
    team = forms.CharField(label=_("辅导队"), required=False, widget=forms.TextInput(attrs=W))

    def __init__(self, user, *a, **kw):
        super().__init__(*a, **kw)
        self.fields = {"enterprise": EnterpriseField(user), **self.fields}


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=forms.DateInput(attrs={**W, "type": "date"}))
    satisfaction = forms.IntegerField(label=_("企业满意度（1–5）"), required=False,
                                      widget=forms.NumberInput(attrs=W))
    note = forms.CharField(label=_("走访记录"), required=False, widget=forms.Textarea(attrs={**W, "rows": 2}))


class RoadshowForm(forms.Form):
    title = forms.CharField(label=_("路演名称"), max_length=200, widget=forms.TextInput(attrs=W))
    region_code = forms.RegexField(label=_("区划代码"), regex=r"^\d{6}$", widget=forms.TextInput(attrs=W),
                                   error_messages={"invalid": _("区划代码须为 6 位数字。")})
    held_on = forms.DateField(label=_("举办日期"), widget=forms.DateInput(attrs={**W, "type": "date"}))


class RegisterForm(forms.Form):
    role = forms.ChoiceField(label=_("报名身份"), choices=c.RegistrationRole.choices, widget=forms.Select(attrs=S))
    enterprise = forms.CharField(label=_("路演企业（统一社会信用代码）"), required=False, widget=forms.TextInput(attrs=W))
    investor = forms.ModelChoiceField(label=_("投资机构"), required=False, widget=forms.Select(attrs=S),
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
            "registration": forms.ModelChoiceField(label=_("路演企业"), queryset=regs, widget=forms.Select(attrs=S)),
            "product": forms.ModelChoiceField(label=_("投资意向产品"), widget=forms.Select(attrs=S),
                                              queryset=Product.objects.filter(institution_id=user.organization_id,
                                                                              is_active=True)),
            **self.fields}
        self.fields["registration"].label_from_instance = lambda r: r.enterprise.name


class LegForm(forms.Form):
    kind = forms.ChoiceField(label=_("环节"), choices=c.LegKind.choices, widget=forms.Select(attrs=S))
    provider = forms.ModelChoiceField(
        label=_("承办机构"), widget=forms.Select(attrs=S),
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
