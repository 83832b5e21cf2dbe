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


@register.inclusion_tag("ip/_request_valuation.html", takes_context=True)
def pledge_valuation(context, request_row):
    """On a financing request for an IP-pledge product: the enterprise's valued items (range, what
    active pledges take, what remains) and the product's loan limit — only for a user who may see the
    enterprise's valuations (the enterprise, its regulators, the bank under its consent)."""
    from kechuang.accounts.access import VIEW
    from kechuang.ip.models import IPValuation
    from kechuang.ip.selectors import enterprise_overview, loan_limit

    user = context["user"]
    enterprise = request_row.demand.enterprise
    if not IPValuation.objects.restrict(user, VIEW).filter(enterprise=enterprise).exists():
        return {"rows": [], "limit": None, "enterprise": enterprise}
    rows = [r for r in enterprise_overview(enterprise) if r["valuation"] is not None]
    return {"rows": rows, "limit": loan_limit(enterprise, request_row.product), "enterprise": enterprise}
