"""Template filters for the theme database's pages."""

from decimal import Decimal

from django import template

from kechuang.core import formatting
from kechuang.enterprises.choices import CertificateKind

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def wan(value):
    """Yuan → 万元 for display (amounts are stored in yuan)."""
    return None if value is None else Decimal(value) / Decimal(10000)


@register.filter
def percent(value, places=1):
    """A stored fraction as a percentage (the shared rule: :func:`kechuang.core.formatting.percent`)."""
    return formatting.percent(value, int(places))


@register.filter
def certificate_label(kind):
    try:
        return CertificateKind(kind).label
    except ValueError:
        return kind
