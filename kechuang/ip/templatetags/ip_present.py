"""Template filters of the IP pages: a valuation reason in the page's language."""

from django import template

from kechuang.core.formatting import english

register = template.Library()


@register.filter
def reason_text(reason) -> str:
    """A stored reason ``{"code", "zh", "en"}`` in the request's language."""
    if not isinstance(reason, dict):
        return ""
    return reason.get("en" if english() else "zh") or reason.get("zh", "")
