"""Forms of the listing pages: record a milestone, start a pool run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import choices as c


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("里程碑"), choices=c.MilestoneKind.choices)
    occurred_on = forms.DateField(label=_("日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    board = forms.ChoiceField(label=_("拟上市板块"), choices=[("", "—")] + list(c.Board.choices), required=False)
    sponsor = forms.CharField(label=_("券商（保荐机构）"), max_length=200, required=False)
    law_firm = forms.CharField(label=_("律师事务所"), max_length=200, required=False)
    accounting_firm = forms.CharField(label=_("会计师事务所"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(f, forms.ChoiceField)
                                      else "form-control form-control-sm")


class PoolRunForm(forms.Form):
    region_code = forms.ChoiceField(label=_("区划"))
    as_of = forms.DateField(label=_("基准日"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = list(regions)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select form-select-sm" if isinstance(f, forms.ChoiceField)
                                      else "form-control form-control-sm")
