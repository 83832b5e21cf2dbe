"""Workbench template tags: the shared menu entries a user can use, and the cross-links other apps'
pages add (queue → enterprise profile under consent; profile → its requests, pools and legs)."""

from django import template

from kechuang.workbench import selectors as s

register = template.Library()


@register.simple_tag
def nav_entries(user):
    """``{% nav_entries user as wbnav %}``"""
    return s.nav_entries(user)


@register.simple_tag
def readable_enterprises(user, rows):
    """``{% readable_enterprises user queue as readable %}``: the ids among the rows' enterprises
    (queue rows, requests, or plain ids) whose profile ``user`` may open."""
    if isinstance(rows, int) or hasattr(rows, "demand"):
        rows = [rows]
    ids = []
    for row in rows or ():
        if isinstance(row, int):
            ids.append(row)
        elif isinstance(row, dict):
            ids.append(row["demand"].enterprise_id)
        else:
            ids.append(row.demand.enterprise_id)
    return s.readable_enterprise_ids(user, ids)


@register.inclusion_tag("workbench/_enterprise_links.html", takes_context=True)
def enterprise_links(context, enterprise):
    """The profile's links to the enterprise's requests, pools and legs that the viewer may see."""
    user = context["user"]
    return {"links": s.enterprise_links(user, enterprise), "enterprise": enterprise, "user": user}


@register.inclusion_tag("workbench/_enterprise_ip_card.html", takes_context=True)
def enterprise_ip_card(context, enterprise):
    """The profile's links to the enterprise's IP, valuations, pledges, listing readiness and trade."""
    return {"links": s.enterprise_ip_links(context["user"], enterprise), "enterprise": enterprise}
