"""Template filters for every page: ``{% load present %}`` then ``{{ x|yuan }}``, ``|pct``,
``|cn_date``, ``|yes_no``, ``|region``. Formatting rules live in :mod:`kechuang.core.formatting`."""

from django import template
from django.utils.translation import gettext_lazy as _

from kechuang.core import formatting

register = template.Library()


@register.filter
def yuan(value, places=2):
    return formatting.money(value, int(places))


@register.filter
def pct(value, places=2):
    return formatting.percent(value, int(places))


@register.filter
def cn_date(value):
    return formatting.cn_date(value)


@register.filter
def yes_no(value):
    return formatting.yes_no(value)


@register.filter
def region(value):
    return formatting.region_name(value)


_SIZE_LABELS = {"micro": _("微型"), "small": _("小型"), "medium": _("中型"), "large": _("大型")}


@register.filter
def size_label(value):
    """Enterprise size class (engine code micro/small/medium/large) by its Chinese label."""
    return _SIZE_LABELS.get(value, formatting.EMPTY if value in (None, "") else value)
