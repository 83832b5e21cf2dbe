"""Template filters for every page: ``{% load present %}`` then ``{{ x|yuan }}``, ``|pct``,
``|cn_date``, ``|yes_no``, ``|region``. Formatting rules live in :mod:`kechuang.core.formatting`."""

from django import template

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
