"""Reads of the risk app: runs and warnings a user may see, an institution's exposure and
portfolio, the regulator's concentrations, cases and who may be assigned one."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum

from kechuang.accounts.access import CHANGE, VIEW, covers_region, is_regulator, is_writer, organization_of
from kechuang.marketplace.choices import LegKind, RequestState
from kechuang.marketplace.models import AdvisorAssignment, FinancingRequest, Leg

from . import choices as c
from .models import BacktestReport, EnterpriseWarning, RiskCase, WarningRun
from .querysets import EXPOSED_LEG_STATES

ZERO = Decimal(0)


def runs_for(user, action: str = VIEW) -> QuerySet[WarningRun]:
    return WarningRun.objects.restrict(user, action).select_related("created_by")


def latest_run(region_code: str) -> WarningRun | None:
    return (WarningRun.objects.filter(region_code=region_code, status=c.RunStatus.SUCCEEDED)
            .order_by("-as_of", "-created_at", "-pk").first())


def warnings_for(user, run: WarningRun) -> QuerySet[EnterpriseWarning]:
    return EnterpriseWarning.objects.restrict(user, VIEW).filter(run=run).select_related("enterprise")


def exposures(*, org=None, enterprise_ids=None) -> dict[int, dict[str, Any]]:
    """Platform exposure per enterprise (of ``org`` alone, or of every institution): approved
    amounts of disbursed requests (``loans``) and covered amounts of approved or paid-out
    guarantee and insurance legs, with the institutions (``by_org``: ``{name: amount}``)."""
    req = FinancingRequest.objects.filter(state=RequestState.DISBURSED)
    legs = Leg.objects.filter(state__in=EXPOSED_LEG_STATES)
    if org is not None:
        req, legs = req.filter(institution=org), legs.filter(provider=org)
    if enterprise_ids is not None:
        req = req.filter(demand__enterprise_id__in=enterprise_ids)
        legs = legs.filter(request__demand__enterprise_id__in=enterprise_ids)
    out: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"loans": ZERO, "guaranteed": ZERO, "insured": ZERO, "total": ZERO, "by_org": defaultdict(lambda: ZERO)})
    for eid, name, amount in (req.values("demand__enterprise_id", "institution__name")
                              .annotate(a=Sum("approved_amount")).values_list("demand__enterprise_id",
                                                                             "institution__name", "a")):
        row = out[eid]
        row["loans"] += amount or ZERO
        row["by_org"][name] += amount or ZERO
    for eid, name, kind, amount in (legs.values("request__demand__enterprise_id", "provider__name", "kind")
                                    .annotate(a=Sum("covered_amount"))
                                    .values_list("request__demand__enterprise_id", "provider__name", "kind", "a")):
        row = out[eid]
        row["guaranteed" if kind == LegKind.GUARANTEE else "insured"] += amount or ZERO
        row["by_org"][name] += amount or ZERO
    for row in out.values():
        row["total"] = row["loans"] + row["guaranteed"] + row["insured"]
        row["by_org"] = dict(row["by_org"])
    return dict(out)


def exposure_of(org, enterprise_id: int) -> dict[str, Any]:
    return exposures(org=org, enterprise_ids=[enterprise_id]).get(
        enterprise_id, {"loans": ZERO, "guaranteed": ZERO, "insured": ZERO, "total": ZERO, "by_org": {}})


def current_warnings(user) -> list[EnterpriseWarning]:
    """Each enterprise's latest warning the user may see (from the latest succeeded run that
    includes it), leaving out enterprises whose latest row is a cleared one. One query: the latest
    row of each enterprise is picked in the database (a correlated subquery on the enterprise's
    rows, served by ``warning_enterprise_idx``), so the workbench's card and the portfolio page do not
    read every warning row of every run."""
    latest = (EnterpriseWarning.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                               run__status=c.RunStatus.SUCCEEDED)
              .order_by("-run__as_of", "-run__created_at", "-run_id").values("pk")[:1])
    rows = (EnterpriseWarning.objects.restrict(user, VIEW)
            .filter(run__status=c.RunStatus.SUCCEEDED, level_rank__gt=0, pk=Subquery(latest))
            .select_related("enterprise", "run"))
    return sorted(rows, key=lambda w: (-w.level_rank, w.enterprise.name))


def portfolio(user) -> dict[str, Any]:
    """An institution's current warnings with its exposure to each enterprise and its responses."""
    org = organization_of(user)
    warnings = current_warnings(user)
    exp = exposures(org=org, enterprise_ids=[w.enterprise_id for w in warnings]) if org else {}
    rows = [{"warning": w, "exposure": exp.get(w.enterprise_id, {}).get("total", ZERO),
             "responses": list(w.responses.filter(institution=org)[:3]) if org else []} for w in warnings]
    by_level = {lv: {"count": 0, "exposure": ZERO} for lv in reversed(c.WARNING_LEVELS)}
    for r in rows:
        b = by_level[r["warning"].level]
        b["count"] += 1
        b["exposure"] += r["exposure"]
    return {"rows": rows, "by_level": by_level, "total": sum((r["exposure"] for r in rows), ZERO)}


def concentrations(run: WarningRun) -> dict[str, list[dict[str, Any]]]:
    """The run's warnings (blue and above) by district, industry, tier and institution, each with
    the count per level and the platform exposure to the warned enterprises."""
    warned = list(EnterpriseWarning.objects.filter(run=run, level_rank__gt=0)
                  .values("enterprise_id", "region_code", "industry_code", "tier", "level"))
    exp = exposures(enterprise_ids=[w["enterprise_id"] for w in warned])

    def group(key) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for w in warned:
            k = w[key] or ""
            g = out.setdefault(k, {"key": k, "total": 0, "exposure": ZERO, **{lv: 0 for lv in c.WARNING_LEVELS}})
            g[w["level"]] += 1
            g["total"] += 1
            g["exposure"] += exp.get(w["enterprise_id"], {}).get("total", ZERO)
        return sorted(out.values(), key=lambda g: (-g["total"], g["key"]))

    institutions: dict[str, dict[str, Any]] = {}
    for w in warned:
        for name, amount in exp.get(w["enterprise_id"], {}).get("by_org", {}).items():
            g = institutions.setdefault(name, {"key": name, "total": 0, "exposure": ZERO,
                                               **{lv: 0 for lv in c.WARNING_LEVELS}})
            g[w["level"]] += 1
            g["total"] += 1
            g["exposure"] += amount
    return {"district": group("region_code"), "industry": group("industry_code"), "tier": group("tier"),
            "institution": sorted(institutions.values(), key=lambda g: (-g["exposure"], g["key"]))}


def cases_for(user, action: str = VIEW) -> QuerySet[RiskCase]:
    return RiskCase.objects.restrict(user, action).select_related("enterprise", "assignee", "warning")


def can_be_assignee(user, enterprise_id: int, region_code: str) -> bool:
    """The enterprise's active 金融辅导员, or a writer of a regulator covering its region."""
    if user is None or not getattr(user, "is_active", False):
        return False
    if AdvisorAssignment.objects.filter(enterprise_id=enterprise_id, advisor=user, is_active=True).exists():
        return is_writer(user)
    return is_regulator(user, CHANGE) and covers_region(user, region_code)


def assignee_candidates(warning: EnterpriseWarning) -> list:
    """Who a case on ``warning`` may be assigned to, advisors first."""
    users = get_user_model().objects.filter(is_active=True, organization__is_active=True).select_related("organization")
    advisors = users.filter(pk__in=AdvisorAssignment.objects.filter(enterprise_id=warning.enterprise_id,
                                                                    is_active=True).values("advisor_id"))
    out = [u for u in advisors if can_be_assignee(u, warning.enterprise_id, warning.region_code)]
    out += [u for u in users.exclude(pk__in=[u.pk for u in out]).order_by("username")[:500]
            if can_be_assignee(u, warning.enterprise_id, warning.region_code)]
    return out


def case_counts(user) -> dict[str, int]:
    qs = RiskCase.objects.restrict(user, VIEW)
    return dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))


def latest_backtest(user) -> BacktestReport | None:
    return BacktestReport.objects.restrict(user, VIEW).first()


def enterprise_warnings(user, enterprise_id: int, limit: int = 10) -> QuerySet[EnterpriseWarning]:
    return (EnterpriseWarning.objects.restrict(user, VIEW).filter(enterprise_id=enterprise_id)
            .select_related("run").order_by("-run__as_of", "-run_id")[:limit])

