"""Reads of the accounts app that pages make on every request."""

from __future__ import annotations

from django.core.cache import cache

from kechuang.core.formatting import english

from .models import Region

#: Regions change only through data migrations; a few minutes of staleness after one is harmless.
REGIONS_CACHE_SECONDS = 600


def region_rows() -> list[tuple[str, str]]:
    """Every region as ``(code, name)`` in code order, from the cache; on a page in English the
    region's English name (``Lixia District``) when it has one, so menus and tables built from
    these rows are not left in Chinese."""
    rows = cache.get_or_set("kechuang:regions:names", lambda: list(
        Region.objects.order_by("code").values_list("code", "name", "name_en")), REGIONS_CACHE_SECONDS)
    en = english()
    return [(code, (name_en or name) if en else name) for code, name, name_en in rows]


def region_names() -> dict[str, str]:
    return dict(region_rows())


def district_choices() -> list[tuple[str, str]]:
    """Regions below city level (codes not ending in 00), for filters."""
    return [(code, name) for code, name in region_rows() if not code.endswith("00")]
