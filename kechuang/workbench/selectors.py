"""What each role's workbench shows: its own work with deadlines, counts and where to act.

Everything is read through the other apps' selectors and access paths (``restrict``,
``visible_requests``, ``visible_demands``, ``tasks_for``, ``pool_scope`` …), never their views, so
a workbench never shows a row its user could not open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.models import region_prefix, within_region
from kechuang.engine.matching.calendar import working_days_between
from kechuang.core.formatting import clause_title
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.evaluation.selectors import enterprise_placements
from kechuang.marketplace import choices as mc
from kechuang.marketplace import metrics as market_metrics
from kechuang.marketplace.models import (AdvisorAssignment, FirstLoanCandidate, Leg, Product, Roadshow,
                                         WhitelistEntry)
from kechuang.marketplace.selectors import (institution_queue, institution_records, pool_scope, visible_demands,
                                            visible_requests)
from kechuang.rating.selectors import latest_result, reason_view
from kechuang.targets.selectors import open_flags, task_flags, tasks_for, user_units

from . import related

#: Role → template name under ``templates/workbench/``.
TEMPLATES = {"regulator": "regulator", "district": "regulator", "bank": "institution", "guarantor": "institution",
             "insurer": "institution", "investor": "investor", "advisor": "advisor", "enterprise": "enterprise",
             "none": "none"}
#: An advised enterprise not visited for this many days is due a visit.
VISIT_DUE_DAYS = 30
#: A consent ending within this many days is shown as expiring.
CONSENT_WARN_DAYS = 30
LIST_ROWS = 10


def role_of(user) -> str:
    """The workbench a user gets: ``regulator`` (city or province, and platform admins),
    ``district``, ``bank``, ``guarantor``, ``insurer``, ``investor``, ``advisor`` (service agency /
    金融辅导员), ``enterprise``, or ``none`` (no organisation)."""
    if user.is_superuser:
        return "regulator"
    org = user.organization
    if org is None or not org.is_active:
        return "none"
    if org.kind == K.REGULATOR:
        return "district" if len(region_prefix(org.region_id)) == 6 else "regulator"
    if org.kind == K.SERVICE_AGENCY:
        return "advisor"
    if org.kind == K.ENTERPRISE:
        return "enterprise" if org.enterprise_id else "none"
    return str(org.kind)


@dataclass(frozen=True)
class Clock:
    """An SLA clock: when the current step is due and how much working time is left (negative:
    overdue by that much)."""

    due_at: dt.datetime | None
    overdue: bool
    working_days: float | None

    @property
    def label(self) -> str:
        if self.due_at is None:
            return "—"
        if self.overdue:
            return _("已超时 %(d)s 个工作日") % {"d": f"{self.working_days:.1f}"}
        return _("剩余 %(d)s 个工作日") % {"d": f"{self.working_days:.1f}"}

    @property
    def color(self) -> str:
        if self.due_at is None:
            return "secondary"
        if self.overdue:
            return "danger"
        return "warning" if (self.working_days or 0) < 1 else "success"


def clock(due_at: dt.datetime | None, now: dt.datetime) -> Clock:
    if due_at is None:
        return Clock(None, False, None)
    if due_at < now:
        return Clock(due_at, True, round(working_days_between(due_at, now), 1))
    return Clock(due_at, False, round(working_days_between(now, due_at), 1))


def _with_clocks(requests, now) -> list[dict[str, Any]]:
    return [{"r": r, "clock": clock(r.due_at, now)} for r in requests]


def _region_code(user) -> str:
    org = user.organization
    return (org.region_id if org is not None else "") or "370100"


# --- regulators ------------------------------------------------------------------------------------

def regulator(user, *, today: dt.date | None = None) -> dict[str, Any]:
    """Cockpit figures, alerts (requests past their due time), overdue tasks, flags to resolve and
    the pools, all for the user's region (a district regulator: its district)."""
    today = today or timezone.localdate()
    now = timezone.now()
    region = "370100" if user.is_superuser else _region_code(user)
    in_region = within_region(region, "plan__region_code")
    overdue_q, at_risk_q = task_flags(today)
    tasks = tasks_for(user, today=today).filter(in_region)
    task_counts = tasks.aggregate(overdue=Count("pk", filter=overdue_q), at_risk=Count("pk", filter=at_risk_q))
    flags = open_flags(user).filter(within_region(region, "indicator__plan__region_code"))
    requests = visible_requests(user).filter(state__in=mc.ACTIVE_STATES)
    late = (requests.filter(due_at__lt=now).select_related("institution", "demand__enterprise", "escalated_to")
            .order_by("due_at", "pk"))
    start = today.replace(month=1, day=1)
    granted, _den = market_metrics.credit_granted_amount(region_code=region, start=start, end=today)
    scope = pool_scope(user)
    figures = [
        {"code": "enterprises", "label": _("辖内企业"), "value": Enterprise.objects.restrict(user, "view").count(),
         "url": reverse("enterprises:enterprise_list")},
        {"code": "open_demands", "label": _("待对接融资需求"),
         "value": visible_demands(user).filter(status=mc.DemandStatus.OPEN).count(),
         "url": reverse("marketplace:metrics")},
        {"code": "active_requests", "label": _("在办融资申请"), "value": requests.count(),
         "url": reverse("marketplace:metrics")},
        {"code": "credit_granted", "label": _("本年放款金额（万元）"), "value": granted / 10000,
         "url": reverse("marketplace:metrics"), "amount": True},
        {"code": "overdue_tasks", "label": _("逾期任务"), "value": task_counts["overdue"],
         "url": reverse("targets:task_list") + "?flag=overdue", "alert": task_counts["overdue"] > 0},
        {"code": "at_risk_tasks", "label": _("有风险任务"), "value": task_counts["at_risk"],
         "url": reverse("targets:task_list") + "?flag=at_risk"},
        {"code": "open_flags", "label": _("待处理数据标记"), "value": flags.count(),
         "url": reverse("targets:valueflag_list"), "alert": flags.exists()},
        {"code": "late_requests", "label": _("超时未办申请"), "value": late.count(), "url": "#alerts",
         "alert": late.exists()},
    ]
    pools = [
        {"code": "first_loan", "label": _("首贷培植名单"),
         "value": FirstLoanCandidate.objects.filter(scope, status=mc.PoolStatus.ACTIVE).count()},
        {"code": "whitelist", "label": _("白名单（预授信）"),
         "value": WhitelistEntry.objects.filter(pool_scope(user, bank=True), is_active=True).count()},
        {"code": "advisors", "label": _("金融辅导对象"), "value": AdvisorAssignment.objects.restrict(user, "view").filter(is_active=True).count()},
        {"code": "roadshows", "label": _("路演（计划中）"),
         "value": Roadshow.objects.filter(within_region(region), status=mc.RoadshowStatus.PLANNED).count()},
    ]
    return {"region": region, "figures": figures, "pools": pools,
            "late": _with_clocks(late[:LIST_ROWS], now),
            "overdue_tasks": list(tasks.filter(overdue_q).order_by("-is_key", "deadline", "pk")[:LIST_ROWS]),
            "flags": list(flags.order_by("pk")[:LIST_ROWS]), "today": today}


# --- banks, guarantors, insurers, investors ---------------------------------------------------------

def _queue(user, org) -> list[dict[str, Any]]:
    """The institution's queue, each row saying whether its profile may be opened (consent)."""
    rows = institution_queue(org, limit=LIST_ROWS)
    ids = {r["demand"].enterprise_id for r in rows}
    readable = set(Enterprise.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))
    for r in rows:
        r["profile_open"] = r["demand"].enterprise_id in readable
    return rows


def institution(user) -> dict[str, Any]:
    """A bank, guarantor or insurer: the queue it may grab, the requests it holds with SLA clocks,
    the legs assigned to it, what awaits its decision and its own record on the platform."""
    org = user.organization
    now = timezone.now()
    held = list(visible_requests(user).filter(institution=org, state__in=mc.ACTIVE_STATES)
                .select_related("demand__enterprise", "product", "handler").order_by("due_at", "pk"))
    # A guarantor or insurer: the legs assigned to it; a bank: the legs on the requests it holds.
    own = Q(request__institution=org) if org.kind == K.BANK else Q(provider=org)
    legs = list(Leg.objects.filter(own, request__in=visible_requests(user))
                .select_related("request__demand__enterprise", "request__institution", "request__product", "provider")
                .order_by("-created_at", "-pk")[:50])
    legs.sort(key=lambda leg: (leg.state != mc.LegState.PENDING, -leg.pk))
    decisions = [r for r in held if r.state in (mc.RequestState.SUBMITTED, mc.RequestState.UNDER_REVIEW)]
    record = institution_records([org.pk]).get(org.pk, {})
    counts = {
        "to_pick_up": sum(r.state == mc.RequestState.SUBMITTED for r in held),
        "to_decide": sum(r.state == mc.RequestState.UNDER_REVIEW for r in held),
        "overdue": sum(bool(r.due_at and r.due_at < now) for r in held),
        "legs_pending": sum(leg.state == mc.LegState.PENDING for leg in legs),
    }
    return {"queue": _queue(user, org), "held": _with_clocks(held, now), "held_requests": held,
            "legs": legs[:LIST_ROWS],
            "decisions": _with_clocks(decisions, now), "counts": counts, "record": record,
            "products": Product.objects.filter(institution=org, is_active=True).count()}


def investor(user) -> dict[str, Any]:
    """Deal flow (open equity demands its mandates fit), the roadshows it registered for with the
    presenting enterprises to follow up, and the follow-ups it holds."""
    org = user.organization
    now = timezone.now()
    shows = list(Roadshow.objects.filter(registrations__investor=org).distinct()
                 .prefetch_related("registrations__enterprise").order_by("-held_on", "pk")[:LIST_ROWS])
    followed = set(visible_requests(user).filter(institution=org, demand__roadshow__isnull=False)
                   .values_list("demand__roadshow_id", "demand__enterprise_id"))
    roadshows = [{"show": show, "presenters": [
        {"reg": reg, "followed": (show.pk, reg.enterprise_id) in followed}
        for reg in show.registrations.all() if reg.role == mc.RegistrationRole.PRESENTER]} for show in shows]
    held = list(visible_requests(user).filter(institution=org).select_related("demand__enterprise", "product")
                .order_by("-submitted_at", "pk")[:LIST_ROWS])
    return {"queue": _queue(user, org), "roadshows": roadshows, "followups": _with_clocks(held, now),
            "followup_requests": held,
            "to_follow": sum(not p["followed"] for r in roadshows for p in r["presenters"]
                             if r["show"].status == mc.RoadshowStatus.HELD),
            "record": institution_records([org.pk]).get(org.pk, {})}


# --- service agency / 金融辅导员 ---------------------------------------------------------------------

def advisor(user, *, today: dt.date | None = None) -> dict[str, Any]:
    """The enterprises assigned to this 金融辅导员 with the visits due, the requests escalated to it
    and its enterprises' requests running late."""
    today = today or timezone.localdate()
    now = timezone.now()
    assignments = list(AdvisorAssignment.objects.filter(advisor=user, is_active=True)
                       .select_related("enterprise").annotate(last_visit=Max("visits__visited_on")))
    due_before = today - dt.timedelta(days=VISIT_DUE_DAYS)
    for a in assignments:
        a.visit_due = a.last_visit is None or a.last_visit < due_before
    assignments.sort(key=lambda a: (not a.visit_due, a.last_visit or dt.date.min, a.pk))
    active = visible_requests(user).filter(state__in=mc.ACTIVE_STATES).select_related(
        "institution", "demand__enterprise", "product")
    escalated = active.filter(escalated_to=user).order_by("due_at", "pk")
    late = active.filter(due_at__lt=now, escalated_to__isnull=True).order_by("due_at", "pk")
    return {"assignments": assignments[:LIST_ROWS * 2], "assigned": len(assignments),
            "visits_due": sum(a.visit_due for a in assignments),
            "escalated": _with_clocks(escalated[:LIST_ROWS], now), "late": _with_clocks(late[:LIST_ROWS], now),
            "requests": _with_clocks(active.order_by("due_at", "pk")[:LIST_ROWS], now)}


# --- enterprise -------------------------------------------------------------------------------------

def enterprise(user) -> dict[str, Any]:
    """The enterprise's tier and next target with its gaps, its grade and reasons, its demands and
    where each stands, its consents, and what to do next (each with a link)."""
    now = timezone.now()
    ent = Enterprise.objects.restrict(user, "view").get(pk=user.organization.enterprise_id)
    placement = enterprise_placements(ent, 1).first()
    rating = latest_result(ent)
    demands = list(visible_demands(user).prefetch_related("requests__institution", "requests__handler")
                   .order_by("-created_at", "-pk")[:LIST_ROWS])
    rows = []
    for d in demands:
        reqs = sorted(d.requests.all(), key=lambda r: r.pk)
        current = reqs[-1] if reqs else None
        rows.append({"demand": d, "request": current, "clock": clock(current.due_at, now) if current else None,
                     "count": len(reqs)})
    consents = list(Consent.objects.active().filter(enterprise=ent).select_related("organization")
                    .order_by("valid_until", "pk"))
    warn = now + dt.timedelta(days=CONSENT_WARN_DAYS)
    steps = next_steps(ent, rows, consents, placement, warn)
    return {"enterprise": ent, "placement": placement, "rating": rating, "demands": rows, "consents": consents,
            "consent_warn": warn, "steps": steps, "gaps": gap_titles(placement),
            "rating_reasons": [reason_view(r) for r in (rating.reasons if rating else [])[:3]],
            "gap_count": len(gap_leaves(placement)) or (placement.failing or 0 if placement else 0)}


def gap_titles(placement, limit: int = 5) -> list[str]:
    """The next standard's unmet conditions in words (the rule data's titles in the page's language), leaf clauses only:
    a group is left out when one of its own clauses is listed."""
    if placement is None:
        return []
    ids = list((placement.closeness or {}).get("failing_clauses") or [])
    version = (placement.closeness or {}).get("version")
    if not ids or not version:
        return []
    return [clause_title(version, i, i) for i in gap_leaves(placement)[:limit]]


def gap_leaves(placement) -> list[str]:
    """The unmet clauses of the next standard without the groups they belong to (a group and its
    own clause are one gap, not two)."""
    ids = list(((placement.closeness or {}) if placement is not None else {}).get("failing_clauses") or [])
    return [i for i in ids if not any(o != i and o.startswith(i + ".") for o in ids)]


def next_steps(ent, rows, consents, placement, warn) -> list[dict[str, str]]:
    """What the enterprise should do next, most urgent first."""
    steps = []
    for row in rows:
        r, d = row["request"], row["demand"]
        if r is not None and r.is_active and r.consent_id is None:
            steps.append({"code": "consent", "url": reverse("marketplace:request_detail", args=[r.pk]),
                          "text": _("授权%(org)s查看企业画像，以便其审查第 %(n)s 号申请") % {"org": r.institution.name, "n": r.pk}})
        elif d.status == mc.DemandStatus.OPEN:
            steps.append({"code": "apply", "url": reverse("marketplace:demand_detail", args=[d.pk]),
                          "text": _("第 %(n)s 号需求尚无机构承办：查看匹配产品并申请") % {"n": d.pk}})
        elif r is not None and r.state == mc.RequestState.DECLINED and d.status != mc.DemandStatus.FINANCED:
            steps.append({"code": "declined", "url": reverse("marketplace:request_detail", args=[r.pk]),
                          "text": _("第 %(n)s 号申请被拒绝：查看理由") % {"n": r.pk}})
    if not any(row["demand"].status in (mc.DemandStatus.OPEN, mc.DemandStatus.IN_PROGRESS) for row in rows):
        steps.append({"code": "post", "url": reverse("marketplace:demand_create"), "text": _("发布融资需求，平台为您匹配产品")})
    for c in consents:
        if c.valid_until < warn:
            steps.append({"code": "consent_expiring", "url": reverse("enterprises:consent_list"),
                          "text": _("对%(org)s的数据授权将于 %(d)s 到期") % {
                              "org": c.organization.name, "d": timezone.localtime(c.valid_until).date()}})
    if placement is not None and placement.next_standard:
        steps.append({"code": "tier", "url": reverse("evaluation:evaluationresult_report", args=[ent.pk]),
                      "text": _("距%(std)s还差 %(n)s 项条件：查看评价报告") % {
                          "std": placement.get_next_standard_display(),
                          "n": len(gap_leaves(placement)) or placement.failing or 0}})
    return steps


def workbench(user, role: str) -> dict[str, Any]:
    """The role's workbench, with ``related``: its cards for the IP, listing, funds, risk and
    points apps (:mod:`kechuang.workbench.related`)."""
    wb = _own_work(user, role)
    wb["related"] = related.cards_for(user, role, wb)
    if role == "bank":
        wb["ip_pledge_requests"] = related.ip_pledge_requests(wb["held_requests"])
    return wb


def _own_work(user, role: str) -> dict[str, Any]:
    if role in ("regulator", "district"):
        return regulator(user)
    if role in ("bank", "guarantor", "insurer"):
        return institution(user)
    if role == "investor":
        return investor(user)
    if role == "advisor":
        return advisor(user)
    if role == "enterprise":
        return enterprise(user)
    return {"units": user_units(user)}


def nav_entries(user) -> dict[str, bool]:
    """Which of the shared menu entries ``user`` can use (no entry that answers 403)."""
    role = role_of(user) if user.is_authenticated else "anonymous"
    return {
        "enterprises": role in ("regulator", "district", "bank", "guarantor", "insurer", "investor", "advisor"),
        "own_profile": role == "enterprise",
        # Regulators reach tasks through 目标督导; only others need the query for 我的任务.
        "tasks": role not in ("anonymous", "regulator", "district") and bool(user_units(user)),
    }



def readable_enterprise_ids(user, ids) -> set[int]:
    """Which of ``ids`` ``user`` may open (the enterprise access rule: region, consent or itself)."""
    ids = {i for i in ids if i}
    if not ids:
        return set()
    return set(Enterprise.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))


def enterprise_links(user, enterprise) -> dict[str, Any]:
    """For the profile page: the enterprise's requests, pool memberships and guarantee/insurance
    legs that ``user`` may see (each through the marketplace's own access rules)."""
    requests = list(visible_requests(user).filter(demand__enterprise=enterprise)
                    .select_related("institution").order_by("-submitted_at", "-pk")[:LIST_ROWS])
    legs = list(Leg.objects.filter(request__in=visible_requests(user), request__demand__enterprise=enterprise)
                .select_related("provider").order_by("-pk")[:LIST_ROWS])
    pools = []
    if user.is_superuser or (user.organization is not None and user.organization.kind in (
            K.REGULATOR, K.SERVICE_AGENCY, K.BANK, K.GUARANTOR)):
        fl = FirstLoanCandidate.objects.filter(pool_scope(user), enterprise=enterprise).first()
        if fl is not None:
            pools.append({"label": _("首贷培植名单"), "status": fl.get_status_display()})
        wl = WhitelistEntry.objects.filter(pool_scope(user, bank=True), enterprise=enterprise, is_active=True).first()
        if wl is not None:
            pools.append({"label": _("白名单（预授信）"), "status": _("有效至 %(d)s") % {"d": wl.valid_until}})
        staff = user.is_superuser or user.organization.kind in (K.REGULATOR, K.SERVICE_AGENCY)
        aa = AdvisorAssignment.objects.filter(pool_scope(user), enterprise=enterprise, is_active=True).first() \
            if staff else None
        if aa is not None:
            pools.append({"label": _("金融辅导"), "status": str(aa.advisor)})
    may_pools = user.is_superuser or (user.organization is not None and user.organization.kind in (
        K.REGULATOR, K.SERVICE_AGENCY, K.BANK, K.GUARANTOR, K.INSURER, K.INVESTOR))
    return {"requests": requests, "legs": legs, "pools": pools, "pools_url": may_pools}


def enterprise_ip_links(user, enterprise) -> list[dict[str, Any]]:
    """For the profile page: the enterprise's IP (valuations, pledges), its listing readiness and
    its trade listings, each with what ``user`` may see of it (each app's own ``restrict``) and a
    link; an entry the user cannot open is left out."""
    from kechuang.ip.models import IPValuation, Pledge
    from kechuang.listing.models import PoolPlacement
    from kechuang.trade.models import Deal, Listing

    out = []
    valued = IPValuation.objects.restrict(user, "view").filter(enterprise=enterprise)
    n = valued.values("ip_key").distinct().count()
    out.append({"id": "ip", "label": _("知识产权与估值"), "url": reverse("ip:enterprise_ip", args=[enterprise.pk]),
                "note": _("%(n)s 项已估值") % {"n": n} if n else _("尚未估值")})
    pledges = Pledge.objects.restrict(user, "view").filter(enterprise=enterprise)
    if pledges.exists():
        out.append({"id": "pledges", "label": _("知识产权质押"), "url": reverse("ip:pledge_list"),
                    "note": _("质押中 %(n)s 笔") % {"n": pledges.filter(status="active").count()}})
    placement = PoolPlacement.objects.restrict(user, "view").filter(enterprise=enterprise).order_by("-pk").first()
    out.append({"id": "listing", "label": _("上市后备与上市准备度"),
                "url": reverse("listing:enterprise_listing", args=[enterprise.pk]),
                "note": placement.get_tier_display() if placement is not None and placement.tier else _("未入库")})
    listings = Listing.objects.restrict(user, "view").filter(holder=enterprise)
    deals = Deal.objects.restrict(user, "view").filter(Q(holder=enterprise) | Q(buyer_holder=enterprise))
    if listings.exists() or deals.exists():
        out.append({"id": "trade", "label": _("技术交易"), "url": reverse("trade:mine") if user.organization
                    and user.organization.enterprise_id == enterprise.pk else reverse("trade:deal_list"),
                    "note": _("挂牌 %(l)s 项，交易 %(d)s 笔") % {"l": listings.count(), "d": deals.count()}})
    return out
