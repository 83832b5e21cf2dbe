"""Reads of the evaluation app: live evaluation and what-if for one enterprise, runs, counts,
movements between runs and the enterprises close to qualifying."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from kechuang.accounts.access import VIEW
from kechuang.accounts.models import region_prefix
from kechuang.engine.qualification import (UnknownStandardError, apply_changes, batch_to_results,
                                           check_record, default_registry, evaluate_batch,
                                           evaluate_record, ladder, records_to_frame)
from kechuang.enterprises.models import Enterprise

from .adapter import records_as_of
from .choices import RunScope, RunStatus
from .error_codes import EvaluationErrorCode as E
from .models import EvaluationResult, EvaluationRun, TierPlacement

#: What-if facts the report's form offers (annual facts of the reference year).
WHAT_IF_YEAR_FACTS = ("employees", "tech_staff", "rd_staff", "operating_revenue", "sales_revenue",
                      "rd_expense")


def resolve_versions(*, as_of: dt.date, standards: list[str] | None) -> list:
    """The engine's standards for ``standards`` on ``as_of``, or a ``ValidationError`` naming the
    bad one."""
    try:
        return default_registry().select(standards or None, as_of)
    except UnknownStandardError as exc:
        raise ValidationError({"standard": ValidationError(str(exc), code=E.UNKNOWN_STANDARD)}) from exc


def enterprise_record(*, enterprise: Enterprise, as_of: dt.date) -> dict[str, Any]:
    """The interchange record of ``enterprise`` as known at the end of ``as_of``."""
    return next(records_as_of([enterprise.pk], as_of=as_of))[1]


#: ``gaps=`` choices of the live evaluation: gaps for every standard not met, or none.
GAPS_CHOICES = ("unmet", "none")


def _evaluate(record: dict, as_of: dt.date, versions: list[str], with_gaps: bool) -> list[dict]:
    # One pass: the engine computes gaps only for the standards not met (gaps_for is empty when met).
    return evaluate_record(record, as_of, versions, with_gaps=with_gaps)


def enterprise_evaluation(*, enterprise: Enterprise, as_of: dt.date, standards: list[str] | None = None,
                          with_gaps: bool = True) -> dict[str, Any]:
    """Evaluate one enterprise live: results in the data standard's format, the ladder, and the
    problems the engine found in its facts (each naming the fact). ``with_gaps=False`` skips the
    gap search (the costly part of an evaluation; ``gaps`` stay empty)."""
    versions = [s.id for s in resolve_versions(as_of=as_of, standards=standards)]
    record = enterprise_record(enterprise=enterprise, as_of=as_of)
    results = _evaluate(record, as_of, versions, with_gaps)
    return {"uscc": enterprise.uscc, "as_of": as_of, "results": results,
            "ladder": ladder(results) if standards is None else None,
            "issues": check_record(record, as_of), "record": record}


def what_if(*, enterprise: Enterprise, as_of: dt.date, changes: dict[str, Any],
            standards: list[str] | None = None, record: dict | None = None) -> dict[str, Any]:
    """The enterprise's results before and after ``changes`` (engine paths:
    ``years[2025].tech_staff``, ``ip[+]`` …; a list value under ``ip[+]`` appends several items).
    Nothing is saved: a what-if is a read."""
    versions = [s.id for s in resolve_versions(as_of=as_of, standards=standards)]
    record = record if record is not None else enterprise_record(enterprise=enterprise, as_of=as_of)
    scalar = {k: v for k, v in changes.items() if not k.endswith("[+]")}
    try:
        changed = apply_changes(record, scalar)
    except (ValueError, IndexError, TypeError) as exc:
        raise ValidationError({"changes": ValidationError(str(exc), code=E.BAD_CHANGE)}) from exc
    for key, value in changes.items():
        if key.endswith("[+]"):
            name = key[:-3]
            if not isinstance(changed.get(name) or [], list):
                raise ValidationError({"changes": ValidationError(_("无法追加到 %(k)s") % {"k": name},
                                                                  code=E.BAD_CHANGE)})
            items = value if isinstance(value, list) else [value]
            changed[name] = [*(changed.get(name) or []), *items]
    before = _evaluate(record, as_of, versions, with_gaps=False)
    after = _evaluate(changed, as_of, versions, with_gaps=True)
    diff = [{"standard": a["standard"], "version": a["version"], "before": b["status"], "after": a["status"],
             "score_before": b["score"] if b["score"] is not None else b["score_range"],
             "score_after": a["score"] if a["score"] is not None else a["score_range"]}
            for b, a in zip(before, after, strict=True)
            if (b["status"], b["score"], b["score_range"]) != (a["status"], a["score"], a["score_range"])]
    full = standards is None
    return {"uscc": enterprise.uscc, "as_of": as_of, "changes": changes, "before": before, "after": after,
            "changed": diff, "ladder_before": ladder(before) if full else None,
            "ladder_after": ladder(after) if full else None,
            "issues": check_record(changed, as_of)}


#: Records one synchronous batch request may carry (larger batches: a file run or a region run).
MAX_BATCH_RECORDS = 1000


def _record_problem(i: int, rec: Any, as_of: dt.date) -> str | None:
    if not isinstance(rec, dict):
        return f"records[{i}]: not a JSON object / 不是 JSON 对象"
    if not isinstance(rec.get("uscc"), str) or not rec["uscc"].strip():
        return f"records[{i}].uscc: missing / 缺少统一社会信用代码"
    if rec.get("years") is not None and not isinstance(rec["years"], list):
        return f"records[{i}].years: not a list / years 不是列表"
    try:
        records_to_frame([rec])
        check_record(rec, as_of)
    except (ValueError, TypeError, AttributeError) as exc:
        return f"records[{i}]: {str(exc).replace('record 0 ', '')}"
    return None


def evaluate_records(*, records: list, as_of: dt.date, standards: list[str] | None = None,
                     with_gaps: bool = True) -> dict[str, Any]:
    """Evaluate posted interchange records (the data standard's input format) with the engine's
    batch path: results per record × standard in the data standard's format, and per record the
    problems found in its facts. Nothing is read from or written to the database. A record that
    cannot be evaluated at all rejects the whole request with every bad record named (row, field,
    reason): nothing is evaluated partially."""
    if len(records) > MAX_BATCH_RECORDS:
        raise ValidationError({"records": ValidationError(
            _("一次最多 %(n)s 条记录（更多请用文件评价或区域评价）。") % {"n": MAX_BATCH_RECORDS},
            code=E.TOO_MANY_RECORDS)})
    versions = [s.id for s in resolve_versions(as_of=as_of, standards=standards)]
    problems = [p for i, rec in enumerate(records) if (p := _record_problem(i, rec, as_of))]
    if problems:
        raise ValidationError({"records": [ValidationError(p, code=E.BAD_RECORD) for p in problems]})
    if not records:
        return {"as_of": as_of, "results": [], "issues": []}
    rows = evaluate_batch(records_to_frame(records), as_of, versions, details="json")
    results = batch_to_results(rows.sort("row", maintain_order=True), records if with_gaps else None)
    issues = [{"record": i, **issue} for i, rec in enumerate(records) for issue in check_record(rec, as_of)]
    return {"as_of": as_of, "results": results, "issues": issues}


# --- runs -------------------------------------------------------------------------------------


def runs_for(user, action: str = VIEW) -> QuerySet[EvaluationRun]:
    """The runs ``user`` may see: a regulator those of its region and the districts in it, and the
    file runs it started."""
    return EvaluationRun.objects.restrict(user, action).select_related("created_by", "job")


def latest_runs(user, *, region_code: str | None = None, limit: int = 2) -> list[EvaluationRun]:
    """The latest succeeded region runs ``user`` may see (newest first), optionally of one region."""
    qs = runs_for(user).filter(scope=RunScope.REGION, status=RunStatus.SUCCEEDED)
    if region_code:
        qs = qs.filter(region_code=region_code)
    return list(qs.order_by("-finished_at", "-pk")[:limit])


def covering_region_codes(region_code: str) -> list[str]:
    """The region codes whose runs cover ``region_code``: itself, its city, its province."""
    code = region_code or ""
    if len(code) != 6:
        return []
    return sorted({c for c in (code, code[:4] + "00", code[:2] + "0000") if code.startswith(region_prefix(c))})


def latest_run_covering(region_code: str, end: dt.date | None = None) -> EvaluationRun | None:
    """The latest succeeded region run (as of ``end``) whose region covers ``region_code``: a
    district's figures come from a run of the district, its city or its province, never from
    another district's run."""
    qs = EvaluationRun.objects.filter(scope=RunScope.REGION, status=RunStatus.SUCCEEDED,
                                      region_code__in=covering_region_codes(region_code))
    if end is not None:
        qs = qs.filter(as_of__lte=end)
    return qs.order_by("-as_of", "-finished_at", "-pk").first()


def results_for(user, run: EvaluationRun) -> QuerySet[EvaluationResult]:
    """A run's results, limited to the enterprises ``user`` may see."""
    return EvaluationResult.objects.restrict(user, VIEW).filter(run=run).select_related("enterprise")


def placements_for(user, run: EvaluationRun) -> QuerySet[TierPlacement]:
    return TierPlacement.objects.restrict(user, VIEW).filter(run=run).select_related("enterprise")


def run_counts(run: EvaluationRun) -> dict[str, Any]:
    """Counts by standard × status, by tier, and by district × tier (three aggregate queries)."""
    by_status = (EvaluationResult.objects.filter(run=run).values("standard", "status")
                 .annotate(n=Count("pk")).order_by("standard", "status"))
    by_tier = (TierPlacement.objects.filter(run=run).values("tier").annotate(n=Count("pk"))
               .order_by("tier"))
    by_district = (TierPlacement.objects.filter(run=run).values("region_code", "tier")
                   .annotate(n=Count("pk")).order_by("region_code", "tier"))
    standards: dict[str, dict[str, int]] = {}
    for row in by_status:
        standards.setdefault(row["standard"], {})[row["status"]] = row["n"]
    districts: dict[str, dict[str, int]] = {}
    for row in by_district:
        districts.setdefault(row["region_code"], {})[row["tier"]] = row["n"]
    return {"standards": standards, "tiers": {r["tier"]: r["n"] for r in by_tier},
            "districts": districts}


def movements(*, run: EvaluationRun, previous: EvaluationRun) -> QuerySet[TierPlacement]:
    """Placements of ``run`` whose rung differs from ``previous`` (annotated ``previous_rank`` and
    ``previous_tier``; enterprises new in ``run`` are left out)."""
    prev = TierPlacement.objects.filter(run=previous, enterprise_id=OuterRef("enterprise_id"))
    return (TierPlacement.objects.filter(run=run)
            .annotate(previous_rank=Subquery(prev.values("tier_rank")[:1], output_field=IntegerField()),
                      previous_tier=Subquery(prev.values("tier")[:1]))
            .filter(previous_rank__isnull=False).exclude(previous_rank=F("tier_rank"))
            .select_related("enterprise"))


def enterprise_placements(enterprise: Enterprise, limit: int = 10) -> QuerySet[TierPlacement]:
    """The enterprise's placements in the latest succeeded runs (its history on the ladder)."""
    return (TierPlacement.objects.filter(enterprise=enterprise, run__status=RunStatus.SUCCEEDED)
            .select_related("run").order_by("-run__as_of", "-run__finished_at")[:limit])
