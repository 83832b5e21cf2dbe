from django import forms
from django.utils.translation import gettext_lazy as _

from kechuang.core.widgets import EnteredSelect

from .choices import TaskStatus
from .models import Unit


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("文件内容"), choices=[("plans", _("规划清单")), ("indicators", _("指标数值")),
                                                          ("tasks", _("任务清单")), ("concepts", _("指标对照"))])
    file = forms.FileField(label=_("文件（CSV 或 XLSX，中文表头）"))


class ActualForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=1990, max_value=2100)
    value = forms.DecimalField(label=_("实际值"), max_digits=24, decimal_places=6)
    unit = forms.CharField(label=_("单位"), max_length=30)
    source = forms.CharField(label=_("数据来源"), max_length=200)
    quote = forms.CharField(label=_("原文或说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices)
    percent = forms.IntegerField(label=_("进度（%）"), min_value=0, max_value=100)
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(forms.Form):
    title = forms.CharField(label=_("行动名称"), max_length=300)
    lead_unit = forms.ModelChoiceField(label=_("牵头单位"), queryset=Unit.objects.all(), widget=EnteredSelect)
    deadline = forms.DateField(label=_("完成时限"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    text = forms.CharField(label=_("措施"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    keep = forms.IntegerField(label=_("采用的数值"), required=False)
    convert = forms.BooleanField(label=_("换算为指标单位"), required=False)
    resolution = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 2}))
