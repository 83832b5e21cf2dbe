"""Reads of the targets app: who may see and write, indicator progress through the engine, the
target-year check (2018 plan vs 2020 actuals), tasks overdue and at risk, unit scorecards, live
metrics collected from every app, the cockpit's aggregates and the composite index."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kechuang.accounts.access import CHANGE, VIEW, is_regulator
from kechuang.accounts.models import Organization, Region, within_region
from kechuang.core import formatting
from kechuang.engine.targets.index import compute_index
from kechuang.engine.targets.progress import Assessment, assess, meets
from kechuang.engine.targets.units import AMOUNT_UNITS, conversion_factor
from kechuang.evaluation.choices import Tier
from kechuang.evaluation.models import TierPlacement
from kechuang.evaluation.selectors import latest_run_covering

from . import choices as c
from .models import Indicator, IndicatorValue, Plan, Task, Unit, ValueFlag

logger = logging.getLogger(__name__)

#: A task due within this many days and less than half done is at risk.
AT_RISK_DAYS = 30
AT_RISK_PERCENT = 50


def can_view(user) -> bool:
    """Regulators and superusers see the plans, the cockpit and the index; responsible units see
    their own tasks (see :func:`user_units`)."""
    return is_regulator(user, VIEW)


def can_edit(user) -> bool:
    return is_regulator(user, CHANGE)


def user_units(user) -> list[Unit]:
    org_id = getattr(user, "organization_id", None)
    if not org_id:
        return []
    return list(Unit.objects.filter(organization_id=org_id))


def reporting_organizations():
    """Organisations a responsible unit can be linked to: every active one but enterprises."""
    return Organization.objects.filter(is_active=True).exclude(kind="enterprise").order_by("kind", "name")


def plans() -> QuerySet[Plan]:
    return Plan.objects.annotate(n_indicators=Count("indicators", distinct=True),
                                 n_tasks=Count("tasks", distinct=True))


# --- values and progress -------------------------------------------------------------------------

def _f(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def actual_series(concepts: set[str], region_codes: set[str]) -> dict[tuple[str, str], dict[int, tuple[float, str]]]:
    """Accepted yearly actuals of the concepts in the regions, from any plan or entry:
    ``{(concept, region): {year: (value, unit)}}`` (a later entry for the same year wins)."""
    out: dict[tuple[str, str], dict[int, tuple[float, str]]] = defaultdict(dict)
    inds = dict((pk, (concept, unit)) for pk, concept, unit in
                Indicator.objects.filter(concept__in=concepts).order_by().values_list("pk", "concept", "unit"))
    qs = (IndicatorValue.objects.filter(indicator_id__in=list(inds), kind=c.ValueKind.ACTUAL,
                                        region_code__in=list(region_codes), state=c.ValueState.ACCEPTED,
                                        year__isnull=False, value__isnull=False)
          .values_list("indicator_id", "region_code", "year", "value").order_by("pk"))
    for ind_id, region, year, value in qs:
        concept, unit = inds[ind_id]
        out[(concept, region)][year] = (float(value), unit)
    return out


def observed_series(concepts: set[str], region_code: str) -> dict[str, dict[int, tuple[float, str]]]:
    """Every observed yearly value of the concepts in one region: accepted actuals and baselines
    (a plan's 基期值 is the actual of its base year) from any plan, ``{concept: {year: (value,
    unit)}}``; an actual wins over a baseline of the same year, a later entry over an earlier."""
    out: dict[str, dict[int, tuple[float, str]]] = defaultdict(dict)
    inds = dict((pk, (concept, unit)) for pk, concept, unit in
                Indicator.objects.filter(concept__in=concepts).order_by().values_list("pk", "concept", "unit"))
    rows = (IndicatorValue.objects.filter(indicator_id__in=list(inds), region_code=region_code,
                                          kind__in=(c.ValueKind.BASELINE, c.ValueKind.ACTUAL),
                                          state=c.ValueState.ACCEPTED, year__isnull=False, value__isnull=False)
            .values_list("indicator_id", "kind", "year", "value").order_by("pk"))
    rank = {c.ValueKind.BASELINE: 0, c.ValueKind.ACTUAL: 1}
    seen: dict[tuple[str, int], int] = {}
    for ind_id, kind, year, value in rows:
        concept, unit = inds[ind_id]
        if rank[kind] >= seen.get((concept, year), -1):
            seen[(concept, year)] = rank[kind]
            out[concept][year] = (float(value), unit)
    return out


def _in_unit(value: float, unit: str, target_unit: str) -> float | None:
    if unit == target_unit or not unit or not target_unit:
        return value
    factor = conversion_factor(unit, target_unit)
    return None if factor is None else value * float(factor)


@dataclass
class IndicatorProgress:
    indicator: Indicator
    target: IndicatorValue
    baseline: IndicatorValue | None
    assessment: Assessment
    points: list[tuple[int, float]]
    #: The year the target is assessed for: its own, or — when the plan gives none (“通过5年左右努力”)
    #: — the plan's last year, ``presumed`` then.
    target_year: int | None = None
    presumed: bool = False
    #: The platform's own figure when the indicator is linked to a live metric (``live_code``): this
    #: year to date, in the indicator's unit — what passes through the platform, shown beside the
    #: reported actuals and not assessed (a year-to-date flow is not the year's figure).
    live: dict | None = None


def _live_value(ind: Indicator, region_code: str, year: int) -> dict | None:
    if not ind.live_code or ind.live_code not in live_metric_registry():
        return None
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), timezone.localdate())
    if end < start:
        return None
    num, den = live_metric(ind.live_code, region_code=region_code, start=start, end=end)
    if den is None:  # a count or an amount in yuan
        value = _in_unit(float(num), "元", ind.unit) if ind.unit in AMOUNT_UNITS else float(num)
    elif not den:
        value = None
    else:
        value = float(num / den) * (100.0 if ind.unit == "%" else 1.0)
    return {"code": ind.live_code, "value": value, "start": start, "end": end}


def plan_progress(plan: Plan, *, as_of_year: int | None = None) -> list[IndicatorProgress]:
    """For each indicator of the plan with a numeric target, its headline target (the latest year;
    a target without a year counts for the plan's last year, marked ``presumed``), the actuals of
    its concept in the plan's region, the engine's assessment, and the platform's live figure when
    the indicator is linked to one."""
    as_of_year = as_of_year or timezone.localdate().year
    ind_ids = list(plan.indicators.order_by().values_list("pk", flat=True))
    values = list(IndicatorValue.objects.filter(indicator_id__in=ind_ids, state=c.ValueState.ACCEPTED,
                                                kind__in=(c.ValueKind.TARGET, c.ValueKind.BASELINE),
                                                value__isnull=False)
                  .select_related("indicator").order_by("indicator_id", "year", "pk"))
    targets: dict[int, tuple[int, bool, IndicatorValue]] = {}  # indicator → (year, presumed, value)
    baselines: dict[int, IndicatorValue] = {}
    for v in values:
        if v.kind == c.ValueKind.BASELINE:
            if v.year is not None:
                baselines[v.indicator_id] = v
            continue
        year, presumed = (v.year, False) if v.year is not None else (plan.period_end, True)
        if year is None:
            continue
        best = targets.get(v.indicator_id)
        if best is None or (year, not presumed) >= (best[0], not best[1]):
            targets[v.indicator_id] = (year, presumed, v)
    # one row per concept: the latest target year, then the indicator with a baseline (the table)
    by_concept: dict[str, tuple[int, bool, IndicatorValue]] = {}
    for ind_id, best in targets.items():
        ind = best[2].indicator
        other = by_concept.get(ind.concept)
        if other is None or (best[0], ind_id in baselines) > (other[0], other[2].indicator_id in baselines):
            by_concept[ind.concept] = best
    concepts = set(by_concept)
    series = actual_series(concepts, {plan.region_code})
    out = []
    for year, presumed, t in sorted(by_concept.values(), key=lambda b: b[2].indicator.name):
        ind = t.indicator
        pts = [(y, x) for y, (val, unit) in sorted(series.get((ind.concept, plan.region_code), {}).items())
               if (x := _in_unit(val, unit, ind.unit)) is not None]
        base = baselines.get(ind.pk)
        a = assess(target=float(t.value), target_year=year, points=pts, as_of_year=as_of_year,
                   baseline=(base.year, float(base.value)) if base else None, direction=ind.direction,
                   qualifier=t.qualifier)
        out.append(IndicatorProgress(ind, t, base, a, pts, target_year=year, presumed=presumed,
                                     live=_live_value(ind, plan.region_code, as_of_year)))
    return out


@dataclass
class TargetCheck:
    target: IndicatorValue
    actual: float | None
    actual_source: IndicatorValue | None
    met: bool | None


def target_year_check(plan: Plan, year: int) -> list[TargetCheck]:
    """Each numeric, accepted target of ``plan`` for ``year`` against the actual of that year for
    the same concept and region (from any plan, e.g. the next plan's review of the past):
    met, missed, or no actual."""
    targets = list(IndicatorValue.objects.filter(indicator__plan=plan, kind=c.ValueKind.TARGET, year=year,
                                                 value__isnull=False, state=c.ValueState.ACCEPTED)
                   .select_related("indicator").order_by("indicator__name"))
    concepts = {t.indicator.concept for t in targets}
    actuals = {}
    for v in (IndicatorValue.objects.filter(kind=c.ValueKind.ACTUAL, state=c.ValueState.ACCEPTED, year=year,
                                            value__isnull=False, indicator__concept__in=concepts,
                                            region_code=plan.region_code)
              .select_related("indicator__plan").order_by("pk")):
        actuals[v.indicator.concept] = v
    rows = []
    for t in targets:
        a = actuals.get(t.indicator.concept)
        val = _in_unit(float(a.value), a.indicator.unit, t.indicator.unit) if a else None
        met = None if val is None else meets(val, float(t.value), direction=t.indicator.direction,
                                             qualifier=t.qualifier)
        rows.append(TargetCheck(t, val, a, met))
    return rows


def latest_actual_year(region_code: str) -> int | None:
    """The latest year of an accepted actual stored for the region (the cockpit's default
    evaluation year: statuses as of the latest data rather than a year nothing is known of yet),
    capped at the current year."""
    year = (IndicatorValue.objects.filter(kind=c.ValueKind.ACTUAL, region_code=region_code, state=c.ValueState.ACCEPTED,
                                          year__isnull=False, value__isnull=False)
            .order_by("-year").values_list("year", flat=True).first())
    return None if year is None else min(year, timezone.localdate().year)


def open_flags(user) -> QuerySet[ValueFlag]:
    return (ValueFlag.objects.restrict(user, VIEW).filter(status=c.FlagStatus.OPEN).select_related("indicator__plan")
            .prefetch_related("values"))


# --- tasks -----------------------------------------------------------------------------------------

#: A task without a deadline (blank, recurring or undated in the document): shown as 无明确期限,
#: never overdue nor at risk by date (a blocked one is still at risk).
NO_DEADLINE = Q(deadline__isnull=True)


def task_flags(today: dt.date | None = None) -> tuple[Q, Q]:
    """(overdue, at risk) as filters: overdue = past its deadline and not done; at risk = blocked,
    or due within 30 days and under half done. A task without a deadline is never overdue."""
    today = today or timezone.localdate()
    not_done = ~Q(status=c.TaskStatus.DONE)
    overdue = not_done & Q(deadline__lt=today)
    at_risk = not_done & (
        (Q(deadline__gte=today) | NO_DEADLINE) & Q(status=c.TaskStatus.BLOCKED)
        | Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=AT_RISK_DAYS), percent__lt=AT_RISK_PERCENT))
    return overdue, at_risk


def tasks_for(user, *, plan_id=None, flag: str = "", unit_id=None, key_only=False, q: str = "",
              today: dt.date | None = None) -> QuerySet[Task]:
    qs = Task.objects.select_related("plan").prefetch_related("lead_units")
    if not can_view(user):
        qs = qs.filter(Q(units__organization_id=user.organization_id)
                       | Q(lead_units__organization_id=user.organization_id)).distinct()
    overdue, at_risk = task_flags(today)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if unit_id:
        qs = qs.filter(Q(units__id=unit_id) | Q(lead_units__id=unit_id)).distinct()
    if key_only:
        qs = qs.filter(is_key=True)
    if flag == "overdue":
        qs = qs.filter(overdue)
    elif flag == "at_risk":
        qs = qs.filter(at_risk)
    elif flag == "no_deadline":
        qs = qs.filter(NO_DEADLINE & ~Q(status=c.TaskStatus.DONE))
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(text__icontains=q) | Q(code__icontains=q))
    return qs.order_by("deadline", "plan_id", "pk")


def task_flag_of(task: Task, today: dt.date | None = None) -> str:
    """``overdue``, ``at_risk``, ``no_deadline`` (open, without a deadline: 无明确期限) or ``""``;
    the same rules as :func:`task_flags`."""
    today = today or timezone.localdate()
    if task.status == c.TaskStatus.DONE:
        return ""
    if task.deadline and task.deadline < today:
        return "overdue"
    if task.status == c.TaskStatus.BLOCKED or (
            task.deadline and task.deadline <= today + dt.timedelta(days=AT_RISK_DAYS) and task.percent < AT_RISK_PERCENT):
        return "at_risk"
    return "no_deadline" if task.deadline is None else ""


def unit_scorecards(today: dt.date | None = None, unit_ids=None) -> list[dict]:
    """Each responsible unit's tasks (lead or supporting): total, done, overdue, at risk, ★,
    average progress, and the tracked actions on indicator gaps it leads."""
    overdue, at_risk = task_flags(today)
    qs = Unit.objects.all()
    if unit_ids is not None:
        qs = qs.filter(pk__in=unit_ids)
    rows = (qs.annotate(total=Count("tasks", distinct=True),
                        done=Count("tasks", filter=Q(tasks__status=c.TaskStatus.DONE), distinct=True),
                        overdue=Count("tasks", filter=_prefix(overdue, "tasks__"), distinct=True),
                        at_risk=Count("tasks", filter=_prefix(at_risk, "tasks__"), distinct=True),
                        no_deadline=Count("tasks", filter=_prefix(NO_DEADLINE & ~Q(status=c.TaskStatus.DONE), "tasks__"),
                                          distinct=True),
                        key=Count("tasks", filter=Q(tasks__is_key=True), distinct=True),
                        led=Count("led_tasks", distinct=True),
                        actions=Count("led_tasks", filter=Q(led_tasks__indicator__isnull=False), distinct=True))
            .filter(total__gt=0).order_by("-overdue", "-total", "name"))
    out = []
    for u in rows:
        score = round(100 * u.done / u.total) if u.total else None
        out.append({"unit": u, "total": u.total, "done": u.done, "overdue": u.overdue, "at_risk": u.at_risk,
                    "no_deadline": u.no_deadline, "key": u.key, "led": u.led, "actions": u.actions, "done_pct": score})
    return out


def _prefix(q: Q, prefix: str) -> Q:
    """The same filter on a related model's fields (``deadline`` → ``tasks__deadline``)."""
    new = Q()
    new.connector, new.negated = q.connector, q.negated
    for child in q.children:
        new.children.append(_prefix(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]))
    return new


# --- live metrics ----------------------------------------------------------------------------------

def live_metric_registry() -> dict[str, str]:
    """``{code: dotted path}`` from every installed app's ``AppConfig.live_metrics``."""
    reg: dict[str, str] = {}
    for config in apps.get_app_configs():
        for code, path in (getattr(config, "live_metrics", None) or {}).items():
            reg.setdefault(code, path)
    return reg


def live_metric(code: str, *, region_code: str, start: dt.date, end: dt.date) -> tuple[Decimal, Decimal | None] | None:
    """The metric's (numerator, denominator) for the region and period, or ``None`` when no
    installed app provides ``code`` (the page then says 暂无数据源)."""
    path = live_metric_registry().get(code)
    if path is None:
        return None
    fn = import_string(path)
    num, den = fn(region_code=region_code, start=start, end=end)
    return Decimal(num), (None if den is None else Decimal(den))


def metric_ratio(value: tuple[Decimal, Decimal | None] | None) -> Decimal | None:
    if value is None:
        return None
    num, den = value
    if den is None:
        return num
    return (num / den) if den else None


# --- the composite index ---------------------------------------------------------------------------

def districts_of(region_code: str) -> list[Region]:
    return list(Region.objects.filter(parent_id=region_code).order_by("code"))


def index_for(*, region_code: str, years: list[int], codes: list[str], weights: dict[str, float] | None = None,
              directions: dict[str, str] | None = None, draws: int = 200):
    """The composite index of the districts of ``region_code`` × ``years`` from ``codes``: each a
    live metric code (ratio, or count when it has no denominator) or an indicator concept whose
    district actuals are stored. Units are ``(district, year)``, normalised together, so an index
    is comparable across years. Returns ``(result, units, sources)`` with ``units[i] = (Region,
    year)``, or ``None`` when fewer than two units or no indicator has data."""
    districts = districts_of(region_code)
    units = [(d, y) for y in sorted(set(years)) for d in districts]
    if len(units) < 2 or not codes:
        return None
    registry = live_metric_registry()
    values: dict[tuple[str, str], float | None] = {}
    sources = {}
    stored = actual_series({x for x in codes if x not in registry}, {d.code for d in districts})
    for code in codes:
        sources[code] = "live" if code in registry else "actual"
        for d, y in units:
            key = (f"{d.code}:{y}", code)
            if code in registry:
                r = metric_ratio(live_metric(code, region_code=d.code, start=dt.date(y, 1, 1), end=dt.date(y, 12, 31)))
                values[key] = None if r is None else float(r)
            else:
                point = stored.get((code, d.code), {}).get(y)
                values[key] = None if point is None else point[0]
    labels = [f"{d.code}:{y}" for d, y in units]
    used = [x for x in codes if any(values.get((u, x)) is not None for u in labels)]
    keep = [i for i, u in enumerate(labels) if any(values.get((u, x)) is not None for x in used)]
    if not used or len(keep) < 2:
        return None
    units, labels = [units[i] for i in keep], [labels[i] for i in keep]  # units with no data at all are left out
    result = compute_index(values, units=labels, indicators=used, directions=directions,
                           weights={k: v for k, v in weights.items() if k in used} if weights else None, draws=draws)
    return result, units, sources


def region_codes_under(code: str) -> Q:
    return within_region(code)


# --- the cockpit -----------------------------------------------------------------------------------

#: Live metrics the marketplace app is expected to declare: (code, label, kind, definition); absent
#: ones show 暂无数据源. ``kind``: ``count``/``amount`` (numerator only), ``rate`` (numerator ÷
#: denominator of the same population, 0–100 %), ``mean`` (sum ÷ count, shown as a number).
MARKETPLACE_METRICS = [
    ("roadshows_held", _("路演活动场次"), "count", _("本年已举办（状态为已举办）的路演场次，按路演所在区划。")),
    ("credit_granted_amount", _("授信金额（元）"), "amount", _("本年放款的债权融资申请的批准金额合计，按需求所属区划。")),
    ("demands_posted", _("发布融资需求"), "count", _("本年发布的融资需求笔数。")),
    ("demands_matched", _("融资需求对接成功"), "count", _("本年有申请放款的融资需求笔数。")),
    ("pickup_rate", _("需求响应（揭榜）率"), "rate", _("本年发布的需求中被机构揭榜或指派的笔数 ÷ 本年发布的需求笔数。")),
    ("approval_rate", _("审批通过率"), "rate", _("本年作出决定的申请中获批的笔数 ÷ 本年作出决定的申请笔数。")),
    ("first_loan_rate", _("首贷占比"), "rate", _("本年放款的债权申请中首次贷款企业的笔数 ÷ 本年放款的债权申请笔数。")),
    ("reasonable_demand_satisfaction", _("合理融资需求满足率"), "rate",
     _("本年发布、未撤回且至少有一款在售产品匹配的需求中已获融资的笔数 ÷ 此类需求笔数。")),
    ("advisor_visits", _("金融辅导队走访"), "count", _("本年金融辅导员走访企业的次数。")),
    ("time_to_pickup_days", _("需求响应时长（工作日）"), "mean", _("本年发布的需求从发布到首次揭榜的工作日数之和 ÷ 已揭榜需求数。")),
    ("time_to_decision_days", _("审批时长（工作日）"), "mean", _("本年作出决定的申请从揭榜到决定的工作日数之和 ÷ 申请数。")),
    ("satisfaction", _("企业满意度（1–5 分）"), "mean",
     _("本年企业给出的满意度评分（金融辅导走访与结束的融资申请）之和 ÷ 评分次数（平均分，满分 5）。")),
    ("request_rating_rate", _("结束申请的企业评价率"), "rate", _("本年结束（已放款、已拒绝、已撤回）的申请中企业已评价的笔数 ÷ 本年结束的申请笔数。")),
    ("enterprises_on_platform", _("对接平台企业数"), "count", _("截至期末发布过融资需求的企业数（去重）。")),
    ("ip_pledge_financing_amount", _("知识产权质押融资额（元）"), "amount", _("本年登记的知识产权质押的登记金额合计（含已解除），按出质企业所属区划。")),
    ("ip_pledges_registered", _("知识产权质押登记笔数"), "count", _("本年登记的知识产权质押笔数。")),
]
PLATFORM_METRICS = [
    ("enterprises.on_platform", _("平台企业数"), "count", _("截至期末在平台登记的企业数。")),
    ("enterprises.new", _("本年新增企业"), "count", _("本年在平台登记的企业数。")),
    ("tiers.on_ladder_share", _("入梯度企业占比"), "rate", _("最近一次已完成的梯度评价中进入任一梯度的企业数 ÷ 参评企业数。")),
    ("tiers.srdi_or_above_share", _("专精特新及以上占比"), "rate", _("最近一次梯度评价中达到专精特新中小企业及以上梯度的企业数 ÷ 参评企业数。")),
    ("tiers.srdi_or_above_objective_share", _("专精特新及以上（客观条件已满足，待人工认定）占比"), "rate",
     _("最近一次梯度评价中满足专精特新中小企业或“小巨人”全部客观条件（结论为符合，或仅余市场地位等人工认定事项）的企业数 ÷ 参评企业数。"
       "上一项只计已认定（符合）的企业，这两项标准须经人工认定，故仅凭引擎结论为 0。")),
    ("tiers.little_giant_share", _("“小巨人”占比"), "rate", _("最近一次梯度评价中达到专精特新“小巨人”梯度的企业数 ÷ 参评企业数。")),
    ("consents.active_share", _("数据授权有效率"), "rate", _("本年授予的数据授权中期末仍有效的件数 ÷ 本年授予的件数。")),
    ("listing.reserve_enterprises", _("上市后备企业数"), "count",
     _("最近一次入库分层中处于储备、培育、辅导/申报层的企业数（上市后备企业库）。")),
    ("listing.new_listed_companies", _("新增上市公司"), "count", _("本年登记了“上市”里程碑的企业数。")),
    ("imports.applied_share", _("数据归集成功率"), "rate", _("本年导入批次中已入库的批次数 ÷ 本年导入批次数（全平台）。")),
]
#: Where the cockpit's figures come from (shown in the printed report).
METRIC_SOURCES = {"listing": _("平台上市后备企业库"), "enterprises": _("平台企业库"), "tiers": _("平台梯度评价（资质评价引擎）"), "consents": _("平台数据授权记录"),
                  "imports": _("平台数据导入记录")}


#: Rates whose numerator and denominator are amounts in yuan (shown in 万元/亿元 beside the rate);
#: an ``amount`` metric is one too.
MONEY_RATIOS = {"funds_budget_used", "npl_ratio"}

#: Live metrics on the cockpit are cached this many seconds (they count whole tables).
METRIC_CACHE_SECONDS = 60


def metric_cards(codes: list[tuple[str, str, str, str]], *, region_code: str, year: int) -> list[dict]:
    digest = hashlib.sha1(",".join(code for code, *_ in codes).encode()).hexdigest()[:16]
    key = f"targets:metric-cards:{get_language()}:{region_code}:{year}:{digest}"  # labels are translated
    cards = cache.get(key)
    if cards is None:
        cards = _metric_cards(codes, region_code=region_code, year=year)
        cache.set(key, cards, METRIC_CACHE_SECONDS)
    return cards


def _metric_cards(codes: list[tuple[str, str, str, str]], *, region_code: str, year: int) -> list[dict]:
    registry = live_metric_registry()
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), timezone.localdate())
    out = []
    for code, label, kind, definition in codes:
        source = METRIC_SOURCES.get(code.split(".")[0], _("平台融资对接记录")) if "." in code else _("平台融资对接记录")
        card = {"code": code, "label": str(label), "kind": kind, "definition": str(definition), "source": str(source),
                "period": f"{formatting.cn_date(start)} – {formatting.cn_date(end)}"}
        if code not in registry:
            out.append(dict(card, available=False))
            continue
        value = live_metric(code, region_code=region_code, start=start, end=end)
        ratio = metric_ratio(value)
        if kind == "auto":
            card["kind"] = kind = "count" if value[1] is None else "rate"
        # a rate outside 0–100 % means numerator and denominator are not of one population: shown
        # as 口径异常 rather than as a figure (and logged), never as 452 %
        invalid = kind == "rate" and ratio is not None and not (0 <= ratio <= 1)
        if invalid:
            logger.warning("live metric %s is a rate out of [0, 1]: %s / %s", code, value[0], value[1])
        out.append(dict(card, available=True, numerator=value[0], denominator=value[1], ratio=ratio,
                        invalid=invalid, money=kind == "amount" or code.split(".")[-1] in MONEY_RATIOS))
    return out


def tier_ladder(region_code: str) -> dict[str, int]:
    """Enterprises per tier (labelled, every tier of the ladder in order, zeros included) in the
    latest finished evaluation run; ``{}`` when there is none."""
    run = latest_run_covering(region_code)
    if run is None:
        return {}
    rows = dict(TierPlacement.objects.filter(within_region(region_code), run=run)
                .values_list("tier").annotate(n=Count("pk")))
    if not rows:
        return {}
    return {str(label): rows.get(code, 0) for code, label in Tier.choices}


def district_comparison(region_code: str, concept: str) -> dict:
    """District actuals of one concept by year: ``{"years": [...], "districts": [...], "series": {district: [..]}}``."""
    districts = districts_of(region_code)
    codes = {d.code: d.name for d in districts}
    ind_ids = list(Indicator.objects.filter(concept=concept).order_by().values_list("pk", flat=True))
    rows = (IndicatorValue.objects.filter(indicator_id__in=ind_ids, kind=c.ValueKind.ACTUAL,
                                          region_code__in=list(codes), state=c.ValueState.ACCEPTED,
                                          year__isnull=False)
            .values_list("region_code", "year", "value"))
    data: dict[str, dict[int, float]] = defaultdict(dict)
    years: set[int] = set()
    for code, year, value in rows:
        data[code][year] = float(value)
        years.add(year)
    ys = sorted(years)
    return {"kind": "actual", "years": ys, "districts": [codes[k] for k in codes if k in data],
            "series": {codes[k]: [data[k].get(y) for y in ys] for k in codes if k in data}}


#: Platform figures compared across districts (live metrics computed from the platform's own rows,
#: per district): (code, label, kind, definition).
DISTRICT_METRICS = [
    ("enterprises.on_platform", _("平台企业数"), "count", _("截至期末在平台登记的企业数。")),
    ("tiers.on_ladder_share", _("入梯度企业占比"), "rate", _("最近一次梯度评价中进入任一梯度的企业数 ÷ 参评企业数。")),
    ("demands_posted", _("发布融资需求"), "count", _("本年发布的融资需求笔数。")),
    ("demands_matched", _("融资需求对接成功"), "count", _("本年有申请放款的融资需求笔数。")),
    ("credit_granted_amount", _("授信金额（元）"), "amount", _("本年放款的债权融资申请的批准金额合计。")),
]


def district_platform(region_code: str, code: str, *, year: int) -> dict:
    """One live metric per district of ``region_code`` for ``year``: ``{"kind": "platform", "code",
    "label", "unit_kind", "districts": [...], "values": [...]}`` (rates as 0–1, ``None`` when the
    denominator is 0). Districts are the region table's children, all listed; for a district, its
    peers in the same city (counts and shares only, no rows)."""
    meta = {x[0]: x for x in DISTRICT_METRICS}[code]
    if code not in live_metric_registry():
        return {"kind": "platform", "code": code, "label": str(meta[1]), "unit_kind": meta[2], "districts": [],
                "values": []}
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), timezone.localdate())
    names, values = [], []
    peers = districts_of(region_code)
    if not peers:  # a district: compared with its peers in the city (aggregates only)
        parent = Region.objects.filter(code=region_code).values_list("parent_id", flat=True).first()
        peers = districts_of(parent) if parent else []
    for d in peers:
        r = metric_ratio(live_metric(code, region_code=d.code, start=start, end=end))
        names.append(d.name)
        values.append(None if r is None else float(r))
    return {"kind": "platform", "code": code, "label": str(meta[1]), "unit_kind": meta[2], "districts": names,
            "values": values}


#: The cockpit's trend chart shows at most this many concepts (those with the longest series).
TREND_LINES = 6


def _trends(progress, region_code: str) -> list[tuple[Indicator, list[tuple[int, float]]]]:
    """Observed series (actuals and baselines of every plan of the region) of the concepts the
    region's targets track, in each indicator's unit; those with at least two years, longest first."""
    by_concept: dict[str, Indicator] = {}
    for _plan, p in progress:
        by_concept.setdefault(p.indicator.concept, p.indicator)
    series = observed_series(set(by_concept), region_code)
    out = []
    for concept, ind in by_concept.items():
        pts = [(y, x) for y, (val, unit) in sorted(series.get(concept, {}).items())
               if (x := _in_unit(val, unit, ind.unit)) is not None]
        if len(pts) >= 2:
            out.append((ind, pts))
    out.sort(key=lambda t: (-len(t[1]), t[0].concept))
    return out[:TREND_LINES]


def district_concepts(region_code: str, limit: int = 50) -> list[str]:
    """Concepts with district actuals (an EXISTS probe per indicator on the value index, stopping
    at the first match, rather than a DISTINCT over every value)."""
    codes = [d.code for d in districts_of(region_code)]
    has = IndicatorValue.objects.filter(indicator_id=OuterRef("pk"), kind=c.ValueKind.ACTUAL, region_code__in=codes)
    return list(Indicator.objects.filter(Exists(has)).values_list("concept", flat=True)
                .distinct().order_by("concept")[:limit])


def cockpit(*, region_code: str, as_of_year: int, concept: str = "", today: dt.date | None = None) -> dict:
    """Everything the regulator's cockpit shows for a region."""
    today = today or timezone.localdate()
    region_plans = list(Plan.objects.filter(region_code=region_code).order_by("-period_end", "name"))
    progress = []
    for plan in region_plans:
        progress += [(plan, p) for p in plan_progress(plan, as_of_year=as_of_year)]
    status_counts: dict[str, int] = defaultdict(int)
    for _plan, p in progress:
        status_counts[str(p.assessment.status)] += 1
    trends = _trends(progress, region_code)
    overdue, at_risk = task_flags(today)
    tasks = Task.objects.filter(plan__in=region_plans)
    task_counts = tasks.aggregate(total=Count("pk"), done=Count("pk", filter=Q(status=c.TaskStatus.DONE)),
                                  overdue=Count("pk", filter=overdue), at_risk=Count("pk", filter=at_risk),
                                  no_deadline=Count("pk", filter=NO_DEADLINE & ~Q(status=c.TaskStatus.DONE)),
                                  key=Count("pk", filter=Q(is_key=True)))
    overdue_list = list(tasks.filter(overdue).select_related("plan").prefetch_related("lead_units")
                        .order_by("-is_key", "deadline", "pk")[:20])
    concepts = [code for code, *_ in DISTRICT_METRICS] + district_concepts(region_code)
    concept = concept if concept in concepts else concepts[0]
    return {"region_code": region_code, "as_of_year": as_of_year, "plans": region_plans, "progress": progress,
            "status_counts": dict(status_counts), "trends": trends, "task_counts": task_counts,
            "overdue": overdue_list, "tiers": tier_ladder(region_code), "concepts": concepts, "concept": concept,
            "districts": (district_platform(region_code, concept, year=today.year)
                          if concept in dict((x[0], x) for x in DISTRICT_METRICS)
                          else district_comparison(region_code, concept)),
            "district_metrics": DISTRICT_METRICS,
            # live metrics describe the platform now: this year to date, whatever the targets' year
            "platform": metric_cards(PLATFORM_METRICS, region_code=region_code, year=today.year),
            "marketplace": metric_cards(MARKETPLACE_METRICS + _other_metrics(), region_code=region_code, year=today.year),
            "metrics_year": today.year,
            "flags": ValueFlag.objects.filter(status=c.FlagStatus.OPEN, indicator__plan__in=region_plans).count()}


def _other_metrics() -> list[tuple[str, str, str, str]]:
    """Live metrics other apps declare that neither list above names (shown by code, as a
    count, or a rate when it has a denominator)."""
    named = {x[0] for x in MARKETPLACE_METRICS + PLATFORM_METRICS}
    info: dict[str, tuple] = {}  # an app may name its metrics: ``AppConfig.live_metric_info``, a dict
    for config in apps.get_app_configs():  # {code: (label, kind, definition)} or the dotted path of one
        declared = getattr(config, "live_metric_info", None) or {}
        info.update(import_string(declared) if isinstance(declared, str) else declared)
    return [(code, *info.get(code, (code, "auto", ""))) for code in sorted(live_metric_registry()) if code not in named]


def live_metric_choices() -> list[tuple[str, str]]:
    """Every live metric an installed app provides, by its name, for linking an indicator to it."""
    return [(code, str(label)) for code, label, *_ in MARKETPLACE_METRICS + PLATFORM_METRICS + _other_metrics()
            if code in live_metric_registry()]
