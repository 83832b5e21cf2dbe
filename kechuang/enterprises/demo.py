"""The synthetic enterprises the demo builds its story on (organisations' consents, the marketplace's
demands, pools and roadshows), spread over the districts so that every district regulator's
workbench has items: the first of each district in code order, then the second of each, and so on.
Read-only; deterministic for a given demo load."""

from __future__ import annotations

from collections import defaultdict
from itertools import zip_longest

from .models import Enterprise


def demo_enterprises(limit: int) -> list[Enterprise]:
    """Up to ``limit`` synthetic enterprises of the city, taken in turn from each district."""
    per_district: dict[str, list[Enterprise]] = defaultdict(list)
    for e in Enterprise.objects.filter(is_synthetic=True, region_code__startswith="3701").order_by("region_code", "uscc"):
        if len(per_district[e.region_code]) < limit:
            per_district[e.region_code].append(e)
    spread = [e for row in zip_longest(*(per_district[k] for k in sorted(per_district))) for e in row if e is not None]
    return spread[:limit]
