"""Reads of the trade app: the market search, a seller's and a buyer's views, and the regulator's
turnover by district and month. Every read starts from ``restrict(user, VIEW)``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from kechuang.accounts.access import VIEW, organization_of

from . import choices as c
from .models import Deal, Listing


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    ip_type: str = ""
    industry: str = ""
    kind: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    region: str = ""


def listings_visible(user):
    return Listing.objects.restrict(user, VIEW).select_related("seller", "holder")


def search(user, query: SearchQuery):
    """Listed items on the market matching the query (keyword in title, number or description; IP
    type; industry code prefix; kind; asking price range — 面议 listings only when no range is given;
    district prefix)."""
    qs = listings_visible(user).filter(status=c.ListingStatus.LISTED)
    if query.q:
        qs = qs.filter(Q(ip_title__icontains=query.q) | Q(ip_key__icontains=query.q)
                       | Q(description__icontains=query.q) | Q(seller__name__icontains=query.q))
    if query.ip_type:
        qs = qs.filter(ip_type=query.ip_type)
    if query.industry:
        qs = qs.filter(industry_code__startswith=query.industry)
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.price_min is not None:
        qs = qs.filter(asking_price__gte=query.price_min)
    if query.price_max is not None:
        qs = qs.filter(asking_price__lte=query.price_max)
    if query.region:
        qs = qs.filter(region_code__startswith=query.region)
    return qs.order_by("-created_at", "-pk")


def deals_visible(user):
    return Deal.objects.restrict(user, VIEW).select_related("listing", "seller", "buyer", "holder", "buyer_holder")


def seller_view(user) -> dict:
    """The caller's organisation as seller: its listings, the interests received, its deals."""
    org = organization_of(user)
    if org is None:
        return {"listings": Listing.objects.none(), "received": Deal.objects.none()}
    return {"listings": listings_visible(user).filter(seller=org).annotate(n_deals=Count("deals")),
            "received": deals_visible(user).filter(seller=org)}


def buyer_view(user):
    """The deals the caller's organisation started as buyer (its interests sent)."""
    org = organization_of(user)
    return deals_visible(user).filter(buyer=org) if org is not None else Deal.objects.none()


def concluded(deals):
    """Deals with a signed contract (signed or registered) and a price."""
    return deals.filter(state__in=c.CONCLUDED_STATES, price__isnull=False, contract_date__isnull=False)


def turnover_by_district_month(deals) -> list[dict]:
    """技术合同成交额 of a (restricted) deal queryset by the seller's district and signing month."""
    return list(concluded(deals).order_by().annotate(month=TruncMonth("contract_date"))
                .values("region_code", "month")
                .annotate(count=Count("pk"), total=Sum("price"),
                          equity=Sum("price", filter=Q(kind=c.DealKind.EQUITY)))
                .order_by("region_code", "month"))


def turnover_by_district(deals) -> list[dict]:
    return list(concluded(deals).order_by().values("region_code")
                .annotate(count=Count("pk"), total=Sum("price"),
                          equity=Sum("price", filter=Q(kind=c.DealKind.EQUITY)))
                .order_by("region_code"))
