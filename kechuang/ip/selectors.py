"""Reads of the IP app: an enterprise's IP items, their latest valuations, what is pledged, the loan
limit of an IP-pledge product, and pledges by district."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q, Sum

from kechuang.enterprises.selectors import merged_facts
from kechuang.marketplace.choices import ProductCategory
from kechuang.marketplace.models import Product

from . import choices as c
from .models import IPValuation, PledgeItem, PledgeRate

CENT = Decimal("0.01")


def held(item: dict) -> bool:
    """Whether the enterprise holds ``item`` as its owner: not transferred away (``transferred_out_on``)
    and not merely a licence (``held_as`` other than owner; absent means owner)."""
    return not item.get("transferred_out_on") and (item.get("held_as") or "owner") == "owner"


def ip_items(enterprise, *, all_items: bool = False) -> list[dict]:
    """The enterprise's current IP items (merged facts) that carry a number and that it holds as
    owner (``all_items``: also those transferred away or held under a licence): only an identified
    item it owns can be valued, pledged and sold."""
    record = merged_facts([enterprise.pk])[enterprise.pk].record
    return [item for item in record.get("ip") or [] if item.get("number") and (all_items or held(item))]


def latest_valuations(enterprise, keys=None) -> dict[str, IPValuation]:
    """The latest valuation of each of the enterprise's items (``keys`` to limit them)."""
    rows = IPValuation.objects.filter(enterprise=enterprise).order_by("ip_key", "-created_at", "-pk")
    if keys is not None:
        rows = rows.filter(ip_key__in=list(keys))
    out: dict[str, IPValuation] = {}
    for v in rows:
        out.setdefault(v.ip_key, v)
    return out


def pledged_amounts(enterprise, keys=None) -> dict[str, Decimal]:
    """Amounts secured on each item by the enterprise's active pledges."""
    rows = PledgeItem.objects.filter(pledge__enterprise=enterprise, pledge__status=c.PledgeStatus.ACTIVE)
    if keys is not None:
        rows = rows.filter(ip_key__in=list(keys))
    return {r["ip_key"]: r["total"] for r in rows.values("ip_key").annotate(total=Sum("amount"))}


def remaining_value(valuation: IPValuation | None, pledged: Decimal) -> Decimal:
    """An item's value (the valuation's mid) not yet secured by active pledges; zero when not valued."""
    if valuation is None or valuation.status != c.ValuationStatus.VALUED or valuation.value_mid is None:
        return Decimal("0.00")
    return max(Decimal("0.00"), valuation.value_mid - pledged)


@dataclass(frozen=True)
class LimitLine:
    ip_key: str
    value: Decimal
    pledged: Decimal
    limit: Decimal


@dataclass(frozen=True)
class LoanLimit:
    rate: Decimal
    basis: str
    lines: tuple[LimitLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.limit for line in self.lines), Decimal("0.00"))


def loan_limit(enterprise, product) -> LoanLimit | None:
    """What an IP-pledge product can lend the enterprise: per valued item, its value (the product's
    basis: low or mid) × the pledge rate − the amount already secured on it by active pledges, not
    below zero; ``None`` when the product has no pledge rate."""
    try:
        rate = product.pledge_rate
    except PledgeRate.DoesNotExist:
        return None
    vals = latest_valuations(enterprise)
    pledged = pledged_amounts(enterprise)
    lines = []
    for key, v in sorted(vals.items()):
        if v.status != c.ValuationStatus.VALUED:
            continue
        value = v.value_low if rate.basis == c.ValueBasis.LOW else v.value_mid
        used = pledged.get(key, Decimal("0.00"))
        limit = max(Decimal("0.00"), (value * rate.rate).quantize(CENT, rounding=ROUND_DOWN) - used)
        lines.append(LimitLine(key, value, used, limit))
    return LoanLimit(rate.rate, rate.basis, tuple(lines))


def pledge_products(user):
    """IP-pledge loan products with a pledge rate that ``user`` sees (the active catalogue)."""
    return (Product.objects.restrict(user, "view").filter(category=ProductCategory.IP_PLEDGE, pledge_rate__isnull=False)
            .select_related("institution", "pledge_rate").order_by("name", "pk"))


def pledges_by_district(pledges) -> list[dict]:
    """Active and all pledges of a (restricted) queryset grouped by district."""
    active = Q(status=c.PledgeStatus.ACTIVE)
    return list(pledges.order_by().values("region_code").annotate(
        count=Count("pk"), total=Sum("amount"), active_count=Count("pk", filter=active),
        active_total=Sum("amount", filter=active)).order_by("region_code"))


def enterprise_overview(enterprise) -> list[dict]:
    """Each identified IP item with its latest valuation, what is pledged on it and what remains."""
    items = ip_items(enterprise)
    vals = latest_valuations(enterprise)
    pledged = pledged_amounts(enterprise)
    out = []
    for item in items:
        key = item["number"]
        v = vals.get(key)
        used = pledged.get(key, Decimal("0.00"))
        out.append({"item": item, "key": key, "valuation": v, "pledged": used, "remaining": remaining_value(v, used)})
    return out


def active_pledges(enterprise) -> dict[int, list[str]]:
    """The active pledges of the enterprise and the items each secures."""
    out = defaultdict(list)
    for pledge_id, key in PledgeItem.objects.filter(pledge__enterprise=enterprise,
                                                   pledge__status=c.PledgeStatus.ACTIVE).values_list("pledge_id", "ip_key"):
        out[pledge_id].append(key)
    return dict(out)

