"""``{% nav_entries user as wbnav %}``: which shared menu entries the user can use."""

from django import template

from kechuang.workbench.selectors import nav_entries as _nav_entries

register = template.Library()


@register.simple_tag
def nav_entries(user):
    return _nav_entries(user)
