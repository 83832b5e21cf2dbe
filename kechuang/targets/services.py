"""Writes of the targets app, each one transaction with its audit entry: imports of plans,
indicators and tasks, actuals entered by a person, flag resolution, progress reports, the
tracked action an indicator gap spawns, linking a responsible unit to an organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.core.services import audit_record
from kechuang.engine.targets.units import conversion_factor, magnitude_suspect

from . import choices as c
from .error_codes import TargetsError
from .flag_messages import flag_message_zh
from .loading import (ImportFileError, Row, RowError, parse_deadline, parse_int, parse_kind, parse_rows,
                      parse_value, parse_year, split_units)
from .models import Indicator, IndicatorValue, Plan, Task, TaskReport, Unit, ValueFlag
from .selectors import live_metric_registry, user_units


def _label(actor) -> str:
    return getattr(actor, "username", None) or str(actor or "system")


def _user(actor):
    return actor if hasattr(actor, "pk") else None


@transaction.atomic
def targets_import(*, plans: list[Row] = (), indicators: list[Row] = (), tasks: list[Row] = (),
                   concepts: list[Row] = (), actor, file_name: str = "") -> dict:
    """Load parsed plan, indicator and task rows (see :mod:`.loading`). Checks every row first and
    raises :class:`ImportFileError` before writing anything; re-importing the same rows changes
    nothing. Contradictions, wrong units and periods outside the plan are flagged, not refused."""
    known_plans = {p.name: p for p in Plan.objects.all()}
    plan_rows = {r.data["plan"]: r for r in plans}
    errors: list[RowError] = []
    for r in plans:
        for f, label in (("period_start", _("规划期起")), ("period_end", _("规划期止"))):
            if parse_int(r.data.get(f, "")) is None:
                errors.append(RowError(r.number, label, TargetsError.BAD_NUMBER, _("“%(value)s”不是年份") % {"value": r.data.get(f)}))
    concept_map = {(r.data["region"], r.data["indicator"]): (r.data["concept"], r.data.get("direction", ""))
                   for r in concepts}
    for r in list(indicators) + list(tasks):
        if r.data["plan"] not in known_plans and r.data["plan"] not in plan_rows:
            errors.append(RowError(r.number, _("规划"), TargetsError.UNKNOWN_PLAN,
                                   _("规划“%(plan)s”不存在，请先导入规划清单") % {"plan": r.data["plan"]}))
    for r in indicators:
        kind = parse_kind(r.data["kind"])
        if kind is None:
            errors.append(RowError(r.number, _("类型"), TargetsError.BAD_KIND,
                                   _("“%(kind)s”应为 目标/基期/实际/增速目标") % {"kind": r.data["kind"]}))
        elif kind == c.ValueKind.ACTUAL and parse_value(r.data["value"]).value is None:
            errors.append(RowError(r.number, _("数值"), TargetsError.BAD_NUMBER,
                                   _("实际值“%(value)s”不是数字") % {"value": r.data["value"]}))
    if errors:
        raise ImportFileError(errors)

    counts = defaultdict(int)
    for r in plans:
        d = r.data
        fields = {"title": d.get("title", ""), "region_name": d["region"], "region_code": d.get("region_code", ""),
                  "issuing_body": d.get("issuing_body", ""), "document_number": d.get("document_number", ""),
                  "period_start": parse_int(d["period_start"]), "period_end": parse_int(d["period_end"]),
                  "base_year": parse_int(d.get("base_year", "")), "source_file": d.get("source_file", "")}
        plan, created = Plan.objects.update_or_create(name=d["plan"], defaults=fields)
        known_plans[plan.name] = plan
        counts["plans_created" if created else "plans_seen"] += 1

    user, label = _user(actor), _label(actor)
    existing_ind = {(i.plan_id, i.name): i for i in Indicator.objects.filter(plan__in=list(known_plans.values()))}
    touched: set[int] = set()
    new_values: list[IndicatorValue] = []
    for r in indicators:
        d = r.data
        plan = known_plans[d["plan"]]
        ind = existing_ind.get((plan.pk, d["indicator"]))
        if ind is None:
            concept, direction = concept_map.get((plan.region_name, d["indicator"]), (d["indicator"], ""))
            if not direction and "不良" in d["indicator"]:
                direction = c.Direction.LOWER
            ind = Indicator.objects.create(plan=plan, name=d["indicator"][:200], concept=concept[:200],
                                           unit=d.get("unit", "")[:30], direction=direction or c.Direction.HIGHER)
            existing_ind[(plan.pk, ind.name)] = ind
            counts["indicators"] += 1
        pv = parse_value(d["value"])
        kind = parse_kind(d["kind"])
        key = dict(indicator=ind, kind=kind, period_label=d["year"][:60], value_text=d["value"][:60],
                   quote=d.get("quote", ""), region_code=d.get("region_code", "") or plan.region_code)
        if IndicatorValue.objects.filter(**key).exists():
            counts["values_unchanged"] += 1
            continue
        new_values.append(IndicatorValue.objects.create(
            **key, year=parse_year(d["year"]), value=pv.value, value_high=pv.high,
            unit=d.get("unit", "")[:30], qualifier=d.get("qualifier", "")[:40],
            source_file=d.get("source_file", "")[:200] or file_name[:200], note=d.get("note", ""),
            row_number=r.number, entered_by=user, entered_label=label[:100]))
        touched.add(ind.plan_id)
        counts["values"] += 1
    counts["flags"] += _check_values(new_values, touched)

    for r in tasks:
        d = r.data
        plan = known_plans[d["plan"]]
        task, created = Task.objects.get_or_create(
            plan=plan, code=d["task_id"][:80],
            defaults={"title": d["title"][:300], "text": d.get("text", ""), "section": d.get("section", "")[:200],
                      "is_key": "★" in d.get("key", ""), "deadline_text": d.get("deadline", "")[:100],
                      "deadline": parse_deadline(d.get("deadline", ""), plan.period_end),
                      "source_file": d.get("source_file", "")[:200], "note": d.get("note", "")})
        if not created:
            counts["tasks_unchanged"] += 1
            continue
        leads = split_units(d.get("lead_units", ""))
        units = split_units(d.get("responsible_units", "")) or leads
        objs = {n: Unit.objects.get_or_create(name=n)[0] for n in dict.fromkeys(units + leads)}
        task.units.set([objs[n] for n in units])
        task.lead_units.set([objs[n] for n in (leads or units[:1])])
        counts["tasks"] += 1
    result = dict(counts)
    audit_record(actor=actor, action="import", object_type="targets.plan", object_id=file_name[:100],
                 object_repr=f"规划目标任务导入 {file_name}"[:200], after=result)
    return result


def _plan_year_ok(value: IndicatorValue, plan: Plan) -> bool:
    if value.year is None or plan.period_end is None:
        return True
    if value.kind in (c.ValueKind.TARGET, c.ValueKind.GROWTH_TARGET):
        return (plan.period_start or 0) <= value.year <= plan.period_end
    if value.kind == c.ValueKind.ACTUAL:
        return value.year <= plan.period_end
    return True


def _check_values(new_values: list[IndicatorValue], plan_ids: set[int]) -> int:
    """Raise flags for the new values: periods outside the plan, units that differ from the
    indicator's (or amounts 1,000× off its other values), and targets of one concept and year
    within a plan that disagree. Flagged values are set aside until a person decides."""
    flags = 0
    for v in new_values:
        ind, plan = v.indicator, v.indicator.plan
        if not _plan_year_ok(v, plan):
            flags += _flag(ind, [v], c.FlagKind.PERIOD, "period",
                           {"kind": v.kind, "year": v.year, "start": plan.period_start, "end": plan.period_end})
        if v.kind == c.ValueKind.ACTUAL and v.value is not None:
            if v.unit and ind.unit and v.unit != ind.unit:
                factor = conversion_factor(v.unit, ind.unit)
                params = {"unit": v.unit, "indicator_unit": ind.unit}
                if factor:
                    params["converted"] = f"{(v.value * factor).normalize():f}"
                flags += _flag(ind, [v], c.FlagKind.UNIT, "unit_converted" if factor else "unit", params)
            else:
                refs = [x.value for x in ind.values.exclude(pk=v.pk).filter(value__isnull=False)
                        .filter(state=c.ValueState.ACCEPTED)]
                if refs and all(magnitude_suspect(float(v.value), float(x)) for x in refs):
                    flags += _flag(ind, [v], c.FlagKind.UNIT, "magnitude", {"value": f"{v.value}", "unit": ind.unit})
    groups: dict[tuple, list[IndicatorValue]] = defaultdict(list)
    for v in (IndicatorValue.objects.filter(indicator__plan_id__in=plan_ids, kind=c.ValueKind.TARGET,
                                            year__isnull=False, value__isnull=False)
              .exclude(state=c.ValueState.REJECTED).select_related("indicator")):
        groups[(v.indicator.plan_id, v.indicator.concept, v.year, v.region_code)].append(v)
    for vals in groups.values():
        base_unit = vals[0].indicator.unit
        normalised = set()
        for v in vals:
            f = conversion_factor(v.indicator.unit, base_unit) if v.indicator.unit != base_unit else Decimal(1)
            normalised.add((v.value * f).normalize() if f is not None else (v.value, v.indicator.unit))
        if len(normalised) > 1 and not ValueFlag.objects.filter(kind=c.FlagKind.CONTRADICTION,
                                                                values__in=vals).exists():
            items = [{"name": v.indicator.name, "value": v.value_text, "unit": v.indicator.unit,
                      "qualifier": v.qualifier, "row": v.row_number} for v in vals]
            flags += _flag(vals[0].indicator, vals, c.FlagKind.CONTRADICTION, "contradiction",
                           {"year": vals[0].year, "concept": vals[0].indicator.concept, "items": items})
    return flags


def _flag(indicator: Indicator, values: list[IndicatorValue], kind: str, code: str, params: dict) -> int:
    """One flag on ``values``: its message stored as a code and parameters (read in the reader's
    language) and as the Chinese sentence (API, audit)."""
    flag = ValueFlag.objects.create(indicator=indicator, kind=kind, message=flag_message_zh(code, params),
                                    message_code=code, message_params=params)
    flag.values.set(values)
    IndicatorValue.objects.filter(pk__in=[v.pk for v in values]).update(state=c.ValueState.FLAGGED)
    return 1


@transaction.atomic
def actual_record(*, indicator: Indicator, year: int, value: Decimal, unit: str, source: str, actor,
                  region_code: str = "", quote: str = "") -> IndicatorValue:
    """A person enters an actual value; it is checked like an imported one (unit, period)."""
    v = IndicatorValue.objects.create(
        indicator=indicator, kind=c.ValueKind.ACTUAL, year=year, period_label=str(year),
        region_code=region_code or indicator.plan.region_code, value=value, value_text=f"{value}",
        unit=unit, source_file=source[:200], quote=quote, entered_by=_user(actor), entered_label=_label(actor)[:100])
    _check_values([v], set())
    v.refresh_from_db()
    audit_record(actor=actor, action="create", instance=v,
                 after={"indicator": indicator.pk, "year": year, "value": value, "unit": unit, "source": source,
                        "state": v.state})
    return v


@transaction.atomic
def flag_resolve(*, flag: ValueFlag, keep: IndicatorValue | None, resolution: str, actor,
                 convert: bool = False) -> ValueFlag:
    """A person decides a flag: ``keep`` becomes the valid value (converted to the indicator's
    unit when ``convert``), the flag's other values are rejected; ``keep=None`` rejects them all."""
    flag = ValueFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != c.FlagStatus.OPEN:
        raise ValidationError(_("该问题已处理"), code=TargetsError.FLAG_CLOSED)
    before = {"status": flag.status}
    values = list(flag.values.all())
    for v in values:
        if keep is not None and v.pk == keep.pk:
            v.state = c.ValueState.ACCEPTED
            if convert and v.unit != v.indicator.unit:
                factor = conversion_factor(v.unit, v.indicator.unit)
                if factor is not None:
                    v.value, v.unit = v.value * factor, v.indicator.unit
        else:
            v.state = c.ValueState.REJECTED
        v.save(update_fields=["state", "value", "unit"])
    flag.status, flag.resolution = c.FlagStatus.RESOLVED, resolution
    flag.resolved_by, flag.resolved_at = _user(actor), timezone.now()
    flag.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    audit_record(actor=actor, action="update", instance=flag, before=before,
                 after={"status": flag.status, "keep": keep.pk if keep else None, "resolution": resolution,
                        "convert": convert})
    return flag


@transaction.atomic
def task_report_create(*, task: Task, status: str, percent: int, text: str, actor) -> TaskReport:
    """A responsible unit reports progress on its task; the task takes the report's status."""
    units = [u for u in user_units(actor) if u in set(task.units.all()) | set(task.lead_units.all())]
    if not getattr(actor, "is_superuser", False) and not units:
        raise ValidationError(_("只有该任务的牵头或责任单位可以报告进展"), code=TargetsError.FORBIDDEN)
    if not 0 <= int(percent) <= 100:
        raise ValidationError(_("进度应在 0 至 100 之间"), code=TargetsError.BAD_PERCENT)
    task = Task.objects.select_for_update().get(pk=task.pk)
    before = {"status": task.status, "percent": task.percent}
    report = TaskReport.objects.create(task=task, unit=units[0] if units else None, status=status,
                                       percent=percent, text=text, reported_by=_user(actor))
    task.status, task.percent, task.last_report_at = status, percent, report.reported_at
    task.save(update_fields=["status", "percent", "last_report_at"])
    audit_record(actor=actor, action="create", instance=report, before=before,
                 after={"task": task.pk, "status": status, "percent": percent})
    return report


@transaction.atomic
def action_create_from_gap(*, indicator: Indicator, title: str, deadline: dt.date, lead_unit: Unit,
                           text: str, actor) -> Task:
    """An indicator gap becomes a tracked action: a task of the indicator's plan, linked to it."""
    n = Task.objects.filter(plan=indicator.plan, code__startswith="ACT-").count() + 1
    task = Task.objects.create(plan=indicator.plan, code=f"ACT-{indicator.pk}-{n}", title=title[:300], text=text,
                               deadline=deadline, deadline_text=deadline.isoformat(), indicator=indicator,
                               is_key=False, note="由指标缺口生成的跟踪行动")
    task.units.set([lead_unit])
    task.lead_units.set([lead_unit])
    audit_record(actor=actor, action="create", instance=task,
                 after={"indicator": indicator.pk, "title": title, "deadline": deadline, "unit": lead_unit.name})
    return task


@transaction.atomic
def indicator_live_link(*, indicator: Indicator, live_code: str, actor) -> Indicator:
    """Link an indicator of a plan to the platform's live metric of the same measure (or unlink it
    with ``""``): its progress then shows what passes through the platform this year to date.
    Refused (coded): a code no installed app provides."""
    code = (live_code or "").strip()
    if code and code not in live_metric_registry():
        raise ValidationError({"live_code": [ValidationError(_("没有该平台实时指标：%(c)s") % {"c": code},
                                                             code=TargetsError.UNKNOWN_METRIC)]})
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
        before = {"live_code": locked.live_code}
        locked.live_code = code
        locked.save(update_fields=["live_code"])
        audit_record(actor=actor, action="update", instance=locked, before=before, after={"live_code": code})
    return locked


def unit_link(*, unit: Unit, organization, actor) -> Unit:
    """Link a responsible unit named in the plans to the organisation that reports for it."""
    before = {"organization": unit.organization_id}
    unit.organization = organization
    unit.save(update_fields=["organization"])
    audit_record(actor=actor, action="update", instance=unit, before=before,
                 after={"organization": organization.pk if organization else None})
    return unit


DATA_DIR = Path(__file__).resolve().parent / "data"


def reference_import(*, actor) -> dict:
    """The real plans bundled with the app (``data/``: copies of the public documents' targets,
    actuals and tasks with their quotes) through the same import; idempotent."""
    def rows(name: str, kind: str) -> list[Row]:
        path = DATA_DIR / name
        return parse_rows(path.read_bytes(), path.name, kind)

    return targets_import(plans=rows("plans.csv", "plans"), concepts=rows("concepts.csv", "concepts"),
                          indicators=rows("indicators.csv", "indicators"), tasks=rows("tasks.csv", "tasks"),
                          actor=actor, file_name="kechuang/targets/data")
