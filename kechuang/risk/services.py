"""Writes of the risk app: one function per state change, each one transaction with its audit
entry (``kechuang.core.services.audit_record``); the access rules are re-checked inside.

Warning runs: :func:`warning_run_create` registers one (optionally as a background job),
:func:`warning_run_execute` computes and stores it with the changes against the previous run of
the region. Institutions record their response to a warning on their exposure
(:func:`warning_respond`). Cases (一企一策): :func:`case_open`, :func:`case_action_add`,
:func:`case_close`, and :func:`cases_escalate` for overdue ones (the ``risk_escalate`` command
and the ``risk.escalate`` job).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kechuang.accounts.access import CHANGE, RUN, covers_region, is_financial, is_regulator, is_writer, organization_of
from kechuang.accounts.models import Region
from kechuang.core.choices import AuditAction
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import actor_label_for, audit_record, job_enqueue, model_snapshot
from kechuang.engine.risk import RuleSetError, check_rules, load_rules
from kechuang.engine.risk.backtest import backtest
from kechuang.enterprises.models import Enterprise
from kechuang.evaluation.selectors import latest_run_covering
from kechuang.evaluation.models import TierPlacement

from . import choices as c
from .adapter import rating_runs_for, region_enterprise_ids, warnings_for
from .error_codes import RiskErrorCode as E
from .models import BacktestReport, CaseAction, EnterpriseWarning, RiskCase, WarningResponse, WarningRun
from .selectors import can_be_assignee, exposure_of

RUN_FIELDS = ["as_of", "region_code", "rules_version", "status", "enterprises_total", "level_counts",
              "change_counts", "future_items", "error"]
CASE_FIELDS = ["status", "outcome", "assignee", "deadline", "escalated_at", "closed_at"]
MAX_NOTE = 500


def _err(field: str | None, message: str, code: str) -> ValidationError:
    e = ValidationError(message, code=code)
    return ValidationError({field: e}) if field else e


def _text(value: Any, field: str, limit: int = MAX_NOTE, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise _err(field, _("请填写内容。"), E.TOO_LONG)
    if len(text) > limit:
        raise _err(field, _("内容过长：最多 %(n)s 字（收到 %(m)s 字）。") % {"n": limit, "m": len(text)}, E.TOO_LONG)
    return text


def _choice(value: Any, choices, field: str) -> str:
    if value not in choices.values:
        raise _err(field, _("“%(v)s”不是可选项，可选：%(c)s。") % {
            "v": str(value)[:40], "c": "、".join(str(label) for label in choices.labels)}, E.BAD_CHOICE)
    return value


# ---------------------------------------------------------------------------------------------
# Warning runs


def warning_run_create(*, as_of: dt.date, region_code: str, actor, enqueue: bool = False,
                       rules_text: str | None = None, is_synthetic: bool = False) -> WarningRun:
    """Register warnings for ``region_code`` on ``as_of`` with the rule set in ``rules_text``
    (default: the packaged rules); with ``enqueue`` a background job (``risk.run``) executes it."""
    if not isinstance(as_of, dt.date) or as_of > timezone.localdate():
        raise _err("as_of", _("预警基准日不能晚于今天（收到 %(d)s）。") % {"d": as_of}, E.FUTURE_DATE)
    if not Region.objects.filter(code=region_code).exists():
        raise _err("region_code", _("未知的区划代码 %(c)s。") % {"c": region_code}, E.BAD_REGION)
    if hasattr(actor, "pk"):
        if not is_regulator(actor, RUN):
            raise PermissionDenied(_("只有监管部门的管理员或经办人员可以发起风险预警（查看人员不能发起任务）。"))
        if not covers_region(actor, region_code):
            raise _err("region_code", _("只能对本辖区的企业发起预警。"), E.BAD_REGION)
    try:
        rules = load_rules(rules_text)
    except RuleSetError as exc:
        raise _err("rules", _("预警规则有误：%(p)s") % {"p": exc}, E.BAD_RULES) from None
    with transaction.atomic():
        run = WarningRun.objects.create(as_of=as_of, region_code=region_code, rules_version=rules.version,
                                        rules=rules.as_json(), is_synthetic=is_synthetic,
                                        created_by=actor if hasattr(actor, "pk") else None,
                                        actor_label=actor_label_for(actor))
        if enqueue:
            run.job = job_enqueue(kind="risk.run", params={"run_id": run.pk}, actor=actor)
            run.save(update_fields=["job"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, after=model_snapshot(run, RUN_FIELDS))
    return run


def previous_run(run: WarningRun) -> WarningRun | None:
    """The latest succeeded run of the same region before ``run`` (by date, then creation)."""
    return (WarningRun.objects.filter(region_code=run.region_code, status=c.RunStatus.SUCCEEDED,
                                      as_of__lte=run.as_of).exclude(pk=run.pk)
            .order_by("-as_of", "-created_at", "-pk").first())


def _change(rank: int, prev: int) -> str:
    if prev == 0:
        return c.Change.NEW
    if rank > prev:
        return c.Change.ESCALATED
    return c.Change.UNCHANGED if rank == prev else c.Change.EASED


def _pd(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.8f}")


def warning_run_execute(*, run: WarningRun, actor, progress: Progress | None = None) -> WarningRun:
    """Compute the run's warnings on what was known at the end of ``as_of`` and store, in one
    transaction with its audit entry, one row per warned enterprise and one ``cleared`` row per
    enterprise warned in the previous run and not any more. A failure marks the run ``failed``
    with the error and stores nothing."""
    progress = progress or NullProgress()
    WarningRun.objects.filter(pk=run.pk).update(status=c.RunStatus.RUNNING)
    try:
        with transaction.atomic():
            run = WarningRun.objects.select_for_update().get(pk=run.pk)
            rules = check_rules(run.rules)  # the stored JSON, checked again before use
            prev = previous_run(run)
            prev_levels = {} if prev is None else dict(
                EnterpriseWarning.objects.filter(run=prev, level_rank__gt=0).values_list("enterprise_id", "level_rank"))
            ratings = rating_runs_for(run.region_code, run.as_of)
            ids = region_enterprise_ids(run.region_code)
            ents = {e["pk"]: e for e in Enterprise.objects.filter(pk__in=ids).values("pk", "region_code", "industry_code")}
            ev_run = latest_run_covering(run.region_code, run.as_of)
            tiers = {} if ev_run is None else dict(
                TierPlacement.objects.filter(run=ev_run, enterprise_id__in=ids).values_list("enterprise_id", "tier"))
            progress.start(len(ids), _("计算 %(r)s 的 %(n)s 家企业的风险预警") % {"r": run.region_code, "n": len(ids)})
            rows: list[EnterpriseWarning] = []
            levels: Counter = Counter()
            changes: Counter = Counter()
            future = 0
            seen: set[int] = set()
            current: dict[int, dict] = {}
            for part in warnings_for(ids, as_of=run.as_of, rules=rules, rating_runs=ratings):
                for eid, w in part:
                    seen.add(eid)
                    future += len(w["future"])
                    rank = c.LEVEL_RANKS[w["level"]]
                    prev_rank = prev_levels.get(eid, 0)
                    if rank == 0:
                        if prev_rank:
                            current[eid] = w
                        continue
                    change = _change(rank, prev_rank)
                    levels[w["level"]] += 1
                    changes[change] += 1
                    rows.append(_row(run, eid, w, ents[eid], tiers, rank, prev_rank, change))
                progress.advance(len(part))
            for eid, prev_rank in prev_levels.items():
                if eid in seen and eid not in current:
                    continue  # still warned (stored above)
                w = current.get(eid) or {"level": "none", "values": {}, "levels": {}, "evidence": [], "future": []}
                changes[c.Change.CLEARED] += 1
                ent = ents.get(eid) or {"region_code": "", "industry_code": ""}
                rows.append(_row(run, eid, w, ent, tiers, 0, prev_rank, c.Change.CLEARED))
            EnterpriseWarning.objects.bulk_create(rows, batch_size=2000)
            before = model_snapshot(run, RUN_FIELDS)
            run.status = c.RunStatus.SUCCEEDED
            run.previous = prev
            run.rating_runs = [r.pk for r in ratings]
            run.enterprises_total = len(seen)
            run.level_counts = {lv: levels.get(lv, 0) for lv in c.WARNING_LEVELS}
            run.change_counts = {ch: changes.get(ch, 0) for ch in c.Change.values}
            run.future_items = future
            run.finished_at = timezone.now()
            run.save()
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, before=before,
                         after=model_snapshot(run, RUN_FIELDS))
    except (ValueError, RuleSetError) as exc:
        WarningRun.objects.filter(pk=run.pk).update(status=c.RunStatus.FAILED, error=str(exc)[:2000],
                                                    finished_at=timezone.now())
        run.refresh_from_db()
    return run


def _row(run, eid, w, ent, tiers, rank, prev_rank, change) -> EnterpriseWarning:
    values = {k: (None if v is None else round(v, 6)) for k, v in w["values"].items()}
    return EnterpriseWarning(
        run=run, enterprise_id=eid, region_code=ent["region_code"] or "", industry_code=ent["industry_code"] or "",
        tier=tiers.get(eid, ""), level=c.LEVEL_BY_RANK[rank], level_rank=rank,
        previous_level=c.LEVEL_BY_RANK[prev_rank], change=change, values=values, levels=w["levels"],
        evidence=w["evidence"], future=w["future"], pd=_pd(w["values"].get("pd")),
        pd_prev=_pd(None if w["values"].get("pd_ratio") in (None, 0) else
                    w["values"]["pd"] / w["values"]["pd_ratio"]))


# ---------------------------------------------------------------------------------------------
# Institutions' responses


def warning_respond(*, warning: EnterpriseWarning, action: str, actor, note: str = "") -> WarningResponse:
    """A bank, guarantor or insurer records what it did about a warning on an enterprise it lent
    to, guaranteed or insured on the platform (its exposure is stored beside the response)."""
    org = organization_of(actor)
    if not (is_financial(org) and is_writer(actor)):
        raise PermissionDenied(_("只有对该企业有业务敞口的银行、担保或保险机构的经办人员可以反馈处置情况。"))
    action = _choice(action, c.ResponseAction, "action")
    note = _text(note, "note")
    with transaction.atomic():
        exposure = exposure_of(org, warning.enterprise_id)
        if exposure["total"] <= 0:
            raise _err(None, _("本机构在平台上对该企业没有贷款、担保或保险敞口。"), E.NOT_EXPOSED)
        resp = WarningResponse.objects.create(warning=warning, institution=org, action=action, note=note,
                                              exposure=exposure["total"], actor=actor,
                                              actor_label=actor_label_for(actor))
        audit_record(actor=actor, action=AuditAction.CREATE, instance=resp, after=model_snapshot(resp),
                     region_code=warning.region_code)
    return resp


def warnings_read(*, warnings, user, what: str) -> int:
    """Record that an institution (or an advisor's agency) read warnings: one audit entry per
    enterprise, on the basis of its platform exposure or assignment (warnings are not reached
    through a consent, so the profile's consent-bound read log does not apply). Regulators'
    reads are not logged, as for the profile."""
    if user.is_superuser or not is_financial(organization_of(user)):
        return 0
    rows = list(warnings)
    with transaction.atomic():
        for w in rows:
            audit_record(actor=user, action=AuditAction.READ, instance=w.enterprise,
                         context={"what": what, "warning_id": w.pk, "basis": "exposure_or_assignment"})
    return len(rows)


# ---------------------------------------------------------------------------------------------
# Cases (一企一策)


def _case_writer(actor, region_code: str) -> None:
    if not (is_regulator(actor, CHANGE) and covers_region(actor, region_code)):
        raise PermissionDenied(_("只有企业所在辖区监管部门的管理员或经办人员可以办理。"))


def _case_handler(actor, case: RiskCase) -> None:
    """The assignee or a writer of a regulator covering the case's region."""
    if case.assignee_id == getattr(actor, "pk", None) and is_writer(actor):
        return
    _case_writer(actor, case.region_code)


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        raise _err(field, _("请填写有效日期（YYYY-MM-DD）。"), E.BAD_DATE)
    if value < timezone.localdate():
        raise _err(field, _("期限不能早于今天（收到 %(d)s）。") % {"d": value.isoformat()}, E.BAD_DATE)
    return value


def case_open(*, warning: EnterpriseWarning, assignee, deadline, actor, plan: str = "",
              is_synthetic: bool = False) -> RiskCase:
    """Open a case from a warning, assigned to the enterprise's 金融辅导员 or an officer of a
    regulator covering the enterprise's region; one open case per enterprise."""
    _case_writer(actor, warning.region_code)
    if warning.level_rank == 0:
        raise _err(None, _("已解除的预警不能立案。"), E.CLEARED_WARNING)
    deadline = _date(deadline, "deadline")
    plan = _text(plan, "plan", limit=4000)
    if not can_be_assignee(assignee, warning.enterprise_id, warning.region_code):
        raise _err("assignee", _("责任人须是该企业的金融辅导员或其所在辖区监管部门的经办人员。"), E.BAD_ASSIGNEE)
    try:
        with transaction.atomic():
            case = RiskCase.objects.create(warning=warning, enterprise_id=warning.enterprise_id,
                                           region_code=warning.region_code, level=warning.level, assignee=assignee,
                                           plan=plan, deadline=deadline, opened_by=actor, is_synthetic=is_synthetic)
            CaseAction.objects.create(case=case, kind=c.ActionKind.NOTE, note=gettext_noop("立案"),
                                      due_on=deadline, actor=actor, actor_label=actor_label_for(actor))
            audit_record(actor=actor, action=AuditAction.CREATE, instance=case, after=model_snapshot(case))
    except IntegrityError:
        raise _err(None, _("该企业已有处置中的案件。"), E.CASE_EXISTS) from None
    return case


def _locked_open(case: RiskCase) -> RiskCase:
    locked = RiskCase.objects.select_for_update().get(pk=case.pk)
    if locked.status == c.CaseStatus.CLOSED:
        raise _err(None, _("案件已办结。"), E.CASE_CLOSED)
    return locked


def case_action_add(*, case: RiskCase, kind: str, note: str, actor, party: str = "", contact: str = "",
                    due_on=None) -> CaseAction:
    """Record a measure, a contact (with the enterprise, a bank …) or a note on an open case."""
    _case_handler(actor, case)
    if kind not in (c.ActionKind.ACTION, c.ActionKind.CONTACT, c.ActionKind.NOTE):
        raise _err("kind", _("只能记录处置措施、联系沟通或情况记录。"), E.BAD_CHOICE)
    if party:
        _choice(party, c.Party, "party")
    note = _text(note, "note", required=True)
    contact = _text(contact, "contact", limit=100)
    due = None if due_on in (None, "") else _date(due_on, "due_on")
    with transaction.atomic():
        locked = _locked_open(case)
        act = CaseAction.objects.create(case=locked, kind=kind, party=party, contact=contact, note=note, due_on=due,
                                        actor=actor, actor_label=actor_label_for(actor))
        audit_record(actor=actor, action=AuditAction.CREATE, instance=act, after=model_snapshot(act),
                     region_code=locked.region_code)
    return act


def case_close(*, case: RiskCase, outcome: str, actor, note: str = "") -> RiskCase:
    """Close a case with its outcome (resolved, 应急转贷, restructured, written off)."""
    _case_handler(actor, case)
    outcome = _choice(outcome, c.Outcome, "outcome")
    note = _text(note, "note")
    with transaction.atomic():
        locked = _locked_open(case)
        before = model_snapshot(locked, CASE_FIELDS)
        locked.status, locked.outcome, locked.closed_at = c.CaseStatus.CLOSED, outcome, timezone.now()
        locked.save(update_fields=["status", "outcome", "closed_at"])
        CaseAction.objects.create(case=locked, kind=c.ActionKind.OUTCOME,
                                  note=note or str(c.Outcome(outcome).label), actor=actor,
                                  actor_label=actor_label_for(actor))
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                     after=model_snapshot(locked, CASE_FIELDS))
    return locked


def cases_escalate(*, actor, today: dt.date | None = None) -> int:
    """Every open case past its deadline is marked escalated (the regulator's list shows it) with
    a step in its record; each escalation audited. Returns how many."""
    today = today or timezone.localdate()
    n = 0
    for pk in RiskCase.objects.filter(status=c.CaseStatus.OPEN, deadline__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            locked = RiskCase.objects.select_for_update().get(pk=pk)
            if locked.status != c.CaseStatus.OPEN or locked.deadline >= today:
                continue
            before = model_snapshot(locked, CASE_FIELDS)
            locked.status, locked.escalated_at = c.CaseStatus.ESCALATED, timezone.now()
            locked.save(update_fields=["status", "escalated_at"])
            CaseAction.objects.create(case=locked, kind=c.ActionKind.ESCALATION,
                                      note=_("超过办结期限 %(d)s，已升级至监管部门") % {"d": locked.deadline.isoformat()},
                                      actor=actor if hasattr(actor, "pk") else None,
                                      actor_label=actor_label_for(actor))
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                         after=model_snapshot(locked, CASE_FIELDS), context={"escalation": True})
            n += 1
    return n


# ---------------------------------------------------------------------------------------------
# Backtest


def backtest_run(*, actor, n: int = 20_000) -> BacktestReport:
    """Backtest the packaged rules on the synthetic hold-out region (and the development one) and
    store the report."""
    if hasattr(actor, "pk") and not is_regulator(actor, RUN):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以发起回测。"))
    if not 1000 <= n <= 200_000:
        raise _err("n", _("回测企业数须在 1,000 至 200,000 之间。"), E.BAD_CHOICE)
    rules = load_rules()
    report = backtest(rules, n=n)
    with transaction.atomic():
        row = BacktestReport.objects.create(rules_version=rules.version, enterprises=n, report=report,
                                            created_by=actor if hasattr(actor, "pk") else None,
                                            actor_label=actor_label_for(actor))
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row,
                     after={"rules_version": rules.version, "enterprises": n})
    return row
