"""Template filters for the theme database's pages."""

from decimal import Decimal

from django import template

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
    return "—" if value is None else f"{Decimal(value) * 100:.{int(places)}f}%"


@register.filter
def certificate_label(kind):
    try:
        return CertificateKind(kind).label
    except ValueError:
        return kind
