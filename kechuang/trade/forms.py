"""Forms of the trade pages: listing an item, searching the market, the steps of a deal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.selectors import district_choices
from kechuang.core.widgets import EnteredSelect, EnteredTextarea
from kechuang.enterprises.choices import IPType
from kechuang.marketplace.eligibility import INDUSTRY_SECTIONS

from . import choices as c


class StyledForm(forms.Form):
    """Bootstrap's small controls on every widget (selects, inputs, text areas)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = ("form-select form-select-sm" if isinstance(field.widget, forms.Select)
                   else "form-control form-control-sm")
            field.widget.attrs.setdefault("class", css)


class ListingForm(StyledForm):
    ip_key = forms.ChoiceField(label=_("知识产权"), widget=EnteredSelect)
    kind = forms.ChoiceField(label=_("交易方式"), choices=c.DealKind.choices)
    asking_price = forms.DecimalField(label=_("挂牌价格（元，不填为面议）"), max_digits=20, decimal_places=2, required=False)
    description = forms.CharField(label=_("简介"), widget=EnteredTextarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip_key"].choices = list(items)


class SearchForm(StyledForm):
    q = forms.CharField(label=_("关键词"), required=False)
    ip_type = forms.ChoiceField(label=_("知识产权类型"), choices=[("", _("全部类型"))] + list(IPType.choices), required=False)
    industry = forms.ChoiceField(label=_("行业门类"), required=False)
    kind = forms.ChoiceField(label=_("交易方式"), choices=[("", _("全部方式"))] + list(c.DealKind.choices), required=False)
    price_min = forms.DecimalField(label=_("最低价格（元）"), max_digits=20, decimal_places=2, required=False, min_value=0)
    price_max = forms.DecimalField(label=_("最高价格（元）"), max_digits=20, decimal_places=2, required=False, min_value=0)
    region = forms.ChoiceField(label=_("区县"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # by name, not by code: GB/T 4754 sections (a listing's industry code starts with its
        # section letter) and the districts the platform knows
        self.fields["industry"].choices = [("", _("全部行业"))] + [
            (k, f"{k} {_(v)}") for k, v in INDUSTRY_SECTIONS.items()]
        self.fields["region"].choices = [("", _("全部区县"))] + district_choices()


class InterestForm(StyledForm):
    message = forms.CharField(label=_("意向说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AgreeForm(StyledForm):
    price = forms.DecimalField(label=_("成交价格（元）"), max_digits=20, decimal_places=2)
    terms = forms.CharField(label=_("主要条款"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class SignForm(StyledForm):
    contract_date = forms.DateField(label=_("合同签订日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))


class RegisterForm(StyledForm):
    registration_number = forms.CharField(label=_("技术合同登记号"), max_length=40)


class WithdrawForm(StyledForm):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class ProceedsForm(StyledForm):
    status = forms.ChoiceField(label=_("价款处理"), choices=[(c.Proceeds.REPAID, c.Proceeds.REPAID.label),
                                                           (c.Proceeds.LODGED, c.Proceeds.LODGED.label)])
    settled_on = forms.DateField(label=_("清偿或提存日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
