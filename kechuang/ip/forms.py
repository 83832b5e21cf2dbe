"""The pledge registration form (a bank registers a pledge on an enterprise's valued IP)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.templatetags.present import entered_lang


class DataSelect(forms.Select):
    """A menu of user data (product names): an option in Chinese on a page in another language is
    marked as Chinese, as ``entered_lang`` does in templates."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if option["value"] not in ("", None) and entered_lang(option["label"]):
            option["attrs"]["lang"] = "zh-Hans"
        return option


class DataCheckboxes(DataSelect, forms.CheckboxSelectMultiple):
    """Checkboxes labelled with user data (IP titles), marked like :class:`DataSelect`."""


class PledgeForm(forms.Form):
    ip_keys = forms.MultipleChoiceField(label=_("质押的知识产权"), widget=DataCheckboxes)
    amount = forms.DecimalField(label=_("登记金额（元）"), max_digits=20, decimal_places=2, min_value=0)
    registered_on = forms.DateField(label=_("登记日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("到期日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    product = forms.TypedChoiceField(label=_("贷款产品"), coerce=int, required=False, empty_value=None,
                                     widget=DataSelect)
    registration_number = forms.CharField(label=_("质押登记号"), max_length=64, required=False)

    def __init__(self, *args, items=(), products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip_keys"].choices = list(items)
        self.fields["product"].choices = [("", _("（不指定）"))] + list(products)
        for name, field in self.fields.items():
            if name != "ip_keys":  # the checkboxes keep their own markup
                field.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(
                    field.widget, forms.Select) else "form-control form-control-sm")


class ReleaseForm(forms.Form):
    released_on = forms.DateField(label=_("解除日期"), required=False, widget=forms.DateInput(
        format="%Y-%m-%d", attrs={"type": "date", "class": "form-control form-control-sm"}))
    note = forms.CharField(label=_("解除说明（如：贷款已结清）"), max_length=200, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
