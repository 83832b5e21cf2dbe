"""The pledge registration form (a bank registers a pledge on an enterprise's valued IP)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PledgeForm(forms.Form):
    ip_keys = forms.MultipleChoiceField(label=_("质押的知识产权"), widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=_("登记金额（元）"), max_digits=20, decimal_places=2, min_value=0)
    registered_on = forms.DateField(label=_("登记日期"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("到期日期"), widget=forms.DateInput(attrs={"type": "date"}))
    product = forms.TypedChoiceField(label=_("贷款产品"), coerce=int, required=False, empty_value=None)
    registration_number = forms.CharField(label=_("质押登记号"), max_length=64, required=False)

    def __init__(self, *args, items=(), products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip_keys"].choices = list(items)
        self.fields["product"].choices = [("", _("（不指定）"))] + list(products)


class ReleaseForm(forms.Form):
    released_on = forms.DateField(label=_("解除日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("解除说明（如：贷款已结清）"), max_length=200, required=False)
