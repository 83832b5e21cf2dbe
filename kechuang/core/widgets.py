"""Form widgets the apps share."""

from __future__ import annotations

from django import forms

from kechuang.core.formatting import _CJK_TEXT, english


class EnteredSelect(forms.Select):
    """A menu of user data (organisations, units, products by their names): on a page in English
    each option whose label is Chinese is marked as content in its own language
    (``lang="zh-Hans"``), as ``as_entered`` marks such text elsewhere."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if english() and _CJK_TEXT.search(str(label)):
            option["attrs"] = {**option["attrs"], "lang": "zh-Hans"}
        return option


class EnteredTextarea(forms.Textarea):
    """A text field holding user data (a plan, a description): on a page in English its text, when
    Chinese, is marked as content in its own language (``lang="zh-Hans"``)."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if english() and value and _CJK_TEXT.search(str(value)):
            context["widget"]["attrs"] = {**context["widget"]["attrs"], "lang": "zh-Hans"}
        return context
