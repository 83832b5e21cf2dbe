"""What each role can use in the newer apps (IP pledges, listing, policy funds, risk, innovation
points), as cards on its workbench: a label, a figure from the app's own selectors and access
path (``restrict``), and the page to open. A card is shown only to the roles whose page answers;
the apps themselves are not touched."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.funds.selectors import claim_queue, enterprise_entitlements
from kechuang.ip import choices as ipc
from kechuang.ip.models import Pledge
from kechuang.ip.selectors import ip_items
from kechuang.listing import selectors as listing
from kechuang.listing.models import PoolPlacement
from kechuang.marketplace.choices import ProductCategory
from kechuang.points import choices as pc
from kechuang.points.models import PointsRun
from kechuang.points.selectors import latest_result as latest_points
from kechuang.risk import selectors as risk

FINANCIAL = ("bank", "guarantor", "insurer")


def _card(code: str, label, value: str, url: str, *, alert: bool = False) -> dict[str, Any]:
    return {"code": code, "label": str(label), "value": value, "url": url, "alert": alert}


def _count(n: int) -> str:
    return f"{n:,}"


def enterprise_cards(user, ent) -> list[dict[str, Any]]:
    """An enterprise: its IP and pledges, its listing readiness, the policies it may claim and its
    innovation points."""
    pledges = Pledge.objects.restrict(user, "view").filter(enterprise=ent, status=ipc.PledgeStatus.ACTIVE).count()
    placements = [p for p in listing.enterprise_placements(ent, user) if p.tier]
    year = timezone.localdate().year
    policies = enterprise_entitlements(ent, year)
    eligible = sum(1 for p in policies if p["eligible"])
    points = latest_points(ent, user)
    return [
        _card("ip", _("知识产权与质押"), _("%(items)s 项知识产权，%(pledges)s 笔质押中") % {
            "items": _count(len(ip_items(ent))), "pledges": _count(pledges)}, reverse("ip:enterprise_ip", args=[ent.pk])),
        _card("listing", _("上市培育"), "、".join(p.get_tier_display() for p in placements) or _("尚未入库"),
              reverse("listing:enterprise_listing", args=[ent.pk])),
        _card("funds", _("可享政策"), _("%(n)s 项符合（共 %(total)s 项）") % {
            "n": _count(eligible), "total": _count(len(policies))}, reverse("funds:entitlements"), alert=eligible > 0),
        _card("points", _("我的创新积分"), f"{points.points:,.1f}" if points is not None else _("尚无积分"),
              reverse("points:pointsresult_card", args=[ent.pk])),
    ]


def institution_cards(user, org) -> list[dict[str, Any]]:
    """A bank, guarantor or insurer: current risk warnings on the enterprises it is exposed to, and
    (a bank) the IP pledges it holds as pledgee."""
    warnings = risk.current_warnings(user)
    cards = [_card("risk", _("风险预警（本机构敞口）"), _("%(n)s 家企业") % {"n": _count(len(warnings))},
                   reverse("risk:portfolio"), alert=bool(warnings))]
    if org.kind == "bank":
        pledges = Pledge.objects.restrict(user, "view").filter(pledgee=org, status=ipc.PledgeStatus.ACTIVE).count()
        cards.append(_card("ip", _("知识产权质押（本行为质权人）"), _("%(n)s 笔质押中") % {"n": _count(pledges)},
                           reverse("ip:pledge_list")))
    return cards


def regulator_cards(user, region: str) -> list[dict[str, Any]]:
    """A regulator: the listing reserve pool, the policy funds dashboard and claims to handle, risk
    warnings, the innovation points distribution and IP pledges, for its region."""
    run = listing.latest_run(user, region_code=region) or listing.latest_run(user)
    reserve = (PoolPlacement.objects.restrict(user, "view").filter(run=run).exclude(tier="").count()
               if run is not None else 0)
    claims = claim_queue(user).count()
    warnings = risk.current_warnings(user)
    points_run = (PointsRun.objects.restrict(user, "view").filter(status=pc.RunStatus.SUCCEEDED)
                  .order_by("-as_of", "-pk").first())
    pledges = Pledge.objects.restrict(user, "view").filter(status=ipc.PledgeStatus.ACTIVE).count()
    return [
        _card("listing", _("上市后备企业库"), _("%(n)s 家在库") % {"n": _count(reserve)}, reverse("listing:pool_overview")),
        _card("funds", _("政策资金看板"), _("%(n)s 件申领待办") % {"n": _count(claims)}, reverse("funds:dashboard"),
              alert=claims > 0),
        _card("risk", _("风险预警"), _("%(n)s 家企业") % {"n": _count(len(warnings))}, reverse("risk:warningrun_list"),
              alert=bool(warnings)),
        _card("points", _("创新积分分布"),
              _("%(n)s 家企业") % {"n": _count(points_run.results.count())} if points_run is not None else _("尚无积分批次"),
              reverse("points:pointsrun_detail", args=[points_run.pk]) if points_run is not None
              else reverse("points:pointsrun_list")),
        _card("ip", _("知识产权质押"), _("%(n)s 笔质押中") % {"n": _count(pledges)}, reverse("ip:pledge_list")),
    ]


def advisor_cards(user) -> list[dict[str, Any]]:
    """A 金融辅导员: the risk cases it handles."""
    counts = risk.case_counts(user)
    open_cases = sum(n for status, n in counts.items() if status != "closed")
    return [_card("risk", _("风险处置案件"), _("%(n)s 件在办") % {"n": _count(open_cases)}, reverse("risk:riskcase_list"),
                  alert=open_cases > 0)]


def ip_pledge_requests(requests) -> set[int]:
    """Which of a bank's ``requests`` are IP-pledge loans: their rows link to the enterprise's IP
    items, valuations and pledges (opened under the enterprise's consent, like its profile)."""
    return {r.pk for r in requests if r.product_id and r.product.category == ProductCategory.IP_PLEDGE}


def cards_for(user, role: str, wb: dict[str, Any]) -> list[dict[str, Any]]:
    """The cards of ``role``'s workbench (``wb``: what the workbench selectors returned)."""
    if role == "enterprise":
        return enterprise_cards(user, wb["enterprise"])
    if role in FINANCIAL:
        return institution_cards(user, user.organization)
    if role in ("regulator", "district"):
        return regulator_cards(user, wb["region"])
    if role == "advisor":
        return advisor_cards(user)
    return []
