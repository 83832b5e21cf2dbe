"""Writes of the rating app: outcomes, training, promotion, rating runs. Each is one transaction
that writes its own audit entry; a failure stores nothing.

* :func:`default_outcomes_load` records who defaulted after a date (the target models learn);
* :func:`rating_model_train` fits the scorecard on the features known on the window's start date
  and registers the version as a *candidate* with its development report;
* :func:`rating_model_promote` makes a version champion / challenger / retired (platform or
  regulator administrators only);
* :func:`rating_run_create` / :func:`rating_run_execute` rate a region in chunks with the champion,
  store every result in bulk (COPY on PostgreSQL) and the run's stability check (PSI).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kechuang.accounts.access import RUN, covers_region, is_district, is_regulator
from kechuang.accounts.models import Region, within_region
from kechuang.core.choices import AuditAction
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import actor_label_for, audit_record, job_enqueue, model_snapshot
from kechuang.engine.rating.training import fit_with_holdout
from kechuang.engine.scorecard import MonitoringStatistics, ScorecardError
from kechuang.enterprises.models import Enterprise

from .adapter import features_as_of
from .choices import ModelStatus, RunStatus
from .error_codes import RatingErrorCode as E
from .loading import store_results
from .models import DefaultOutcome, RatingModel, RatingRun
from .selectors import can_govern, champion, loaded_model, training_sample

#: Enterprises per chunk of a run (facts read, features, scoring, COPY).
DEFAULT_CHUNK = 2000
#: Share of the sample held out (deterministically, by code) to validate the fitted model.
HOLDOUT_SHARE = 0.3
#: Plain-Chinese explanation of each engine error code a training can hit.
TRAINING_ERRORS = {
    "too_few_rows": gettext_lazy("样本太少，无法训练"),
    "target_one_class": gettext_lazy("样本中只有一类结果（全部违约或全部未违约），无法区分好坏"),
    "no_features_selected": gettext_lazy("没有特征通过筛选（常数、全部缺失或信息值过低）"),
    "non_finite": gettext_lazy("特征中有无穷大值"),
    "target_missing": gettext_lazy("违约标记有缺失"),
    "target_not_binary": gettext_lazy("违约标记不是 0/1"),
}

MODEL_FIELDS = ["name", "version", "status", "train_as_of", "horizon_months", "region_code", "n_rows",
                "n_events", "auc", "ks", "gini", "params", "is_synthetic", "note", "approved_label"]
RUN_FIELDS = ["status", "model", "as_of", "region_code", "enterprises_total", "grade_counts",
              "mean_pd", "alert", "is_synthetic"]


def _check_as_of(as_of: dt.date) -> None:
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": ValidationError(
            _("评级基准日 %(d)s 在未来：只能按今天或以前已知的数据评级。") % {"d": as_of.isoformat()},
            code=E.FUTURE_DATE)})


def _check_governor(actor) -> None:
    if hasattr(actor, "pk") and not can_govern(actor):
        raise PermissionDenied(_("只有平台管理员或监管部门管理员可以训练和发布评级模型。"))


def _q4(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(str(round(float(x), 4)))


# --- outcomes ---------------------------------------------------------------------------------


def default_outcomes_load(*, rows: Iterable[tuple[str, Any]], as_of: dt.date, horizon_months: int,
                          source: str, actor, is_synthetic: bool = False) -> int:
    """Record ``(uscc, defaulted)`` outcomes of the window ``as_of`` + ``horizon_months``. Every
    row is checked first (unknown code, value not 0/1, a code twice); any error names its row and
    nothing is written. Outcomes already recorded for the window are kept (idempotent)."""
    rows = list(rows)
    ids = dict(Enterprise.objects.filter(uscc__in=[r[0] for r in rows]).values_list("uscc", "pk"))
    errors, seen, parsed = [], set(), []
    truth = {"1": True, "0": False, "true": True, "false": False}
    for n, (uscc, value) in enumerate(rows, start=1):
        key = str(value).strip().lower()
        if uscc not in ids:
            errors.append(_("第 %(n)s 行：统一社会信用代码 %(u)s 不在主题数据库中") % {"n": n, "u": uscc})
        elif key not in truth:
            errors.append(_("第 %(n)s 行：违约标记应为 0 或 1，而不是 %(v)s") % {"n": n, "v": value})
        elif uscc in seen:
            errors.append(_("第 %(n)s 行：统一社会信用代码 %(u)s 重复") % {"n": n, "u": uscc})
        else:
            seen.add(uscc)
            parsed.append((ids[uscc], truth[key]))
    if errors:
        raise ValidationError({"outcomes": [ValidationError(e, code=E.BAD_OUTCOMES) for e in errors[:50]]})
    with transaction.atomic():
        known = set(DefaultOutcome.objects.filter(as_of=as_of, horizon_months=horizon_months)
                    .values_list("enterprise_id", flat=True))
        new = [DefaultOutcome(enterprise_id=eid, as_of=as_of, horizon_months=horizon_months,
                              defaulted=d, source=source[:100], is_synthetic=is_synthetic)
               for eid, d in parsed if eid not in known]
        DefaultOutcome.objects.bulk_create(new, batch_size=5000)
        audit_record(actor=actor, action=AuditAction.IMPORT, object_type="rating.defaultoutcome",
                     object_id=f"{as_of.isoformat()}+{horizon_months}m",
                     object_repr=_("违约结果 %(d)s 起 %(h)s 个月") % {"d": as_of.isoformat(), "h": horizon_months},
                     after={"rows": len(rows), "inserted": len(new), "source": source,
                            "is_synthetic": is_synthetic})
    return len(new)


# --- the registry -----------------------------------------------------------------------------


def rating_model_train(*, as_of: dt.date, actor, horizon_months: int = 12, region_code: str = "",
                       params: dict | None = None, binning: dict | None = None, note: str = "",
                       is_synthetic: bool = False, progress: Progress | None = None) -> RatingModel:
    """Fit the scorecard on the features known at the end of ``as_of`` and the outcomes of the
    window, and register it as a candidate. The engine's errors (one-class target, too few rows,
    no usable feature, …) become a ``ValidationError`` in plain Chinese with the engine's code."""
    _check_governor(actor)
    _check_as_of(as_of)
    progress = progress or NullProgress()
    X, y, usccs = training_sample(as_of=as_of, horizon_months=horizon_months, region_code=region_code,
                                  progress=progress, with_ids=True)
    if y.size == 0:
        raise ValidationError({"as_of": ValidationError(
            _("%(d)s 起 %(h)s 个月的观察窗口没有违约结果记录（或这些企业当日尚无数据），无法训练。")
            % {"d": as_of.isoformat(), "h": horizon_months}, code=E.NO_OUTCOMES)})
    try:
        fitted, validation = fit_with_holdout(X, y, usccs, share=HOLDOUT_SHARE, params=params,
                                              binning=binning)
    except ScorecardError as exc:
        code = str(exc.code)
        raise ValidationError(_("训练失败（%(code)s）：%(reason)s。%(detail)s") % {
            "code": code, "reason": TRAINING_ERRORS.get(code, _("评分卡无法拟合")), "detail": exc.message},
            code=E.TRAINING_FAILED) from exc
    report = fitted.report_ | {"validation": validation, "holdout_share": HOLDOUT_SHARE}
    metrics = report.get("metrics", {})
    progress.finish(_("训练完成"))
    with transaction.atomic():
        version = (RatingModel.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
        model = RatingModel.objects.create(
            version=version, model_json=fitted.model_.to_json(), report=report,
            features=list(fitted.selected_features_), train_as_of=as_of, horizon_months=horizon_months,
            region_code=region_code, n_rows=int(report["sample"]["n_rows"]),
            n_events=int(report["sample"]["n_events"]),
            auc=_q4(metrics.get("auc")), ks=_q4(metrics.get("ks")), gini=_q4(metrics.get("gini")),
            params={"scorecard": params or {}, "binning": binning or {}}, is_synthetic=is_synthetic,
            note=note[:200], trained_by=actor if hasattr(actor, "pk") else None,
            trained_label=actor_label_for(actor))
        audit_record(actor=actor, action=AuditAction.CREATE, instance=model,
                     after=model_snapshot(model, MODEL_FIELDS))
    return model


def rating_model_train_enqueue(*, as_of: dt.date, actor, horizon_months: int = 12, note: str = ""):
    """Check who and when, then queue the training as a background job (``rating.train``): on
    20,000 enterprises it reads their facts for most of a minute, too long for a web request."""
    _check_governor(actor)
    _check_as_of(as_of)
    with transaction.atomic():
        job = job_enqueue(kind="rating.train", actor=actor, params={
            "as_of": as_of.isoformat(), "horizon_months": horizon_months, "note": note[:200]})
        audit_record(actor=actor, action=AuditAction.CREATE, instance=job,
                     after={"kind": job.kind, "params": job.params})
    return job


#: Statuses that put a model to use: reaching one is an approval, under four eyes.
APPROVING_STATUSES = frozenset({ModelStatus.CHAMPION, ModelStatus.CHALLENGER})


def _check_approver(model: RatingModel, status: str, actor) -> None:
    """Four eyes: nobody approves a model they trained. The champion rates the whole city, so a
    district-scoped administrator neither crowns nor retires it (nor a model trained on a region
    it does not cover)."""
    if not hasattr(actor, "pk"):
        return
    if status in APPROVING_STATUSES and model.trained_by_id is not None and model.trained_by_id == actor.pk:
        raise ValidationError({"status": ValidationError(
            _("四眼原则：训练该模型的人不能批准它，请由另一位管理员批准。"), code=E.SELF_APPROVAL)})
    if actor.is_superuser:
        return
    touches_champion = status == ModelStatus.CHAMPION or model.status == ModelStatus.CHAMPION
    outside = bool(model.region_code) and not covers_region(actor, model.region_code)
    if touches_champion and (is_district(actor) or outside):
        raise PermissionDenied(_("区县监管部门管理员不能发布或撤换全市的冠军模型。"))


def rating_model_promote(*, model: RatingModel, status: str, actor) -> RatingModel:
    """Move ``model`` to ``status``. A new champion retires the previous one; the promotion
    records who approved it. Only platform or regulator administrators, never the trainer, and
    the champion only by an administrator of the city (or above)."""
    _check_governor(actor)
    if status not in ModelStatus.values:
        raise ValidationError({"status": ValidationError(_("未知的模型状态。"), code=E.BAD_STATUS)})
    with transaction.atomic():
        model = RatingModel.objects.select_for_update().get(pk=model.pk)
        _check_governor(actor)
        _check_approver(model, status, actor)
        if model.status == ModelStatus.RETIRED and status != ModelStatus.RETIRED:
            raise ValidationError({"status": ValidationError(_("已退役的模型不能再启用，请重新训练。"),
                                                             code=E.BAD_STATUS)})
        before = model_snapshot(model, MODEL_FIELDS)
        if status == ModelStatus.CHAMPION:
            for old in RatingModel.objects.select_for_update().filter(status=ModelStatus.CHAMPION).exclude(pk=model.pk):
                old_before = model_snapshot(old, MODEL_FIELDS)
                old.status = ModelStatus.RETIRED
                old.save(update_fields=["status"])
                audit_record(actor=actor, action=AuditAction.UPDATE, instance=old, before=old_before,
                             after=model_snapshot(old, MODEL_FIELDS), context={"replaced_by": model.pk})
            model.approved_by = actor if hasattr(actor, "pk") else None
            model.approved_label = actor_label_for(actor)
            model.approved_at = timezone.now()
        model.status = status
        model.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=model, before=before,
                     after=model_snapshot(model, MODEL_FIELDS))
    return model


# --- runs -------------------------------------------------------------------------------------


def rating_run_create(*, as_of: dt.date, region_code: str, actor, model: RatingModel | None = None,
                      enqueue: bool = False, is_synthetic: bool = False) -> RatingRun:
    """Register a rating of ``region_code`` (and the districts in it) on ``as_of`` with ``model``
    (default: the champion); with ``enqueue`` a background job (``rating.run``) executes it."""
    _check_as_of(as_of)
    model = model or champion()
    if model is None:
        raise ValidationError({"model": ValidationError(_("还没有冠军模型：请先训练并发布一个模型。"),
                                                        code=E.NO_CHAMPION)})
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError({"region_code": ValidationError(_("未知的区划代码 %(c)s。") % {"c": region_code},
                                                              code=E.BAD_REGION)})
    if hasattr(actor, "pk"):
        if not is_regulator(actor, RUN):
            raise PermissionDenied(_("只有监管部门的管理员或经办人员可以发起区域评级（查看人员不能发起任务）。"))
        if not covers_region(actor, region_code):
            raise ValidationError({"region_code": ValidationError(_("只能评级本辖区的企业。"),
                                                                  code=E.BAD_REGION)})
    with transaction.atomic():
        run = RatingRun.objects.create(model=model, as_of=as_of, region_code=region_code,
                                       is_synthetic=is_synthetic or model.is_synthetic,
                                       created_by=actor if hasattr(actor, "pk") else None,
                                       actor_label=actor_label_for(actor))
        if enqueue:
            run.job = job_enqueue(kind="rating.run", params={"run_id": run.pk}, actor=actor)
            run.save(update_fields=["job"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, after=model_snapshot(run, RUN_FIELDS))
    return run


def _rate_chunk(run: RatingRun, engine, frame, regions: dict[int, str], counts: Counter,
                monitor: MonitoringStatistics) -> tuple[list[tuple], float]:
    X = frame.select(engine.features)
    scored = engine.score(X, points=True)
    monitor.add(X)
    counts.update(scored["grade"].to_list())
    pts_cols = [scored[f"points_{f}"].to_list() for f in engine.features]
    reason_cols = [(scored[f"reason_{k}"].to_list(), scored[f"reason_text_{k}"].to_list())
                   for k in range(1, engine.n_reasons + 1) if f"reason_{k}" in scored.columns]
    best = engine.best_points
    value_names = [c for c in frame.columns if c not in ("uscc", "enterprise_id")]
    value_cols = [frame[c].to_list() for c in value_names]
    eids = frame["enterprise_id"].to_list()
    pds, scores, grades = scored["pd"].to_list(), scored["score"].to_list(), scored["grade"].to_list()
    rows = []
    for i, eid in enumerate(eids):
        points = {f: round(col[i], 2) for f, col in zip(engine.features, pts_cols, strict=True)}
        reasons = []
        for codes, texts in reason_cols:
            code = codes[i]
            if code is None:
                continue
            feature = code.split(".", 1)[0]
            reasons.append({"code": code, "text": texts[i],
                            "points_lost": round(best[feature] - points[feature], 2)})
        values = {n: (None if v is None else (round(v, 6) if isinstance(v, float) else v))
                  for n, v in zip(value_names, (c[i] for c in value_cols), strict=True)}
        rows.append((run.pk, eid, regions.get(eid, ""), f"{pds[i]:.8f}", f"{scores[i]:.2f}", grades[i],
                     points, values, reasons))
    return rows, float(sum(pds))


def rating_run_execute(*, run: RatingRun, actor, progress: Progress | None = None,
                       chunk_size: int = DEFAULT_CHUNK) -> RatingRun:
    """Rate every enterprise of the run's region with the run's model, on what was known at the
    end of ``as_of``; store the results, grade counts and the PSI check in one transaction with
    its audit entry. A failure marks the run ``failed`` with the error and stores nothing."""
    progress = progress or NullProgress()
    started = timezone.now()
    RatingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=started)
    try:
        with transaction.atomic():
            run = RatingRun.objects.select_for_update().select_related("model").get(pk=run.pk)
            engine = loaded_model(run.model)
            regions = dict(Enterprise.objects.market_entities().filter(within_region(run.region_code))
                           .order_by("pk").values_list("pk", "region_code"))
            ids = list(regions)
            progress.start(len(ids), _("评级 %(r)s 的 %(n)s 家企业") % {"r": run.region_code, "n": len(ids)})
            counts: Counter = Counter()
            monitor = MonitoringStatistics(engine)
            total, pd_sum = 0, 0.0
            for start in range(0, len(ids), chunk_size):
                part = ids[start:start + chunk_size]
                for frame in features_as_of(part, as_of=run.as_of, chunk=chunk_size):
                    rows, s = _rate_chunk(run, engine, frame, regions, counts, monitor)
                    total += store_results(rows)
                    pd_sum += s
                progress.advance(len(part))
            before = model_snapshot(run, RUN_FIELDS)
            run.status = RunStatus.SUCCEEDED
            run.enterprises_total = total
            run.grade_counts = {g: counts.get(g, 0) for g, _u in engine.master_scale}
            run.mean_pd = Decimal(f"{pd_sum / total:.8f}") if total else None
            run.monitoring = monitor.finalize() if total else {}
            run.alert = bool(run.monitoring.get("alert", False))
            run.started_at, run.finished_at = started, timezone.now()
            run.save()
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, before=before,
                         after=model_snapshot(run, RUN_FIELDS))
    except Exception as exc:  # report any failure on the run; nothing of it was stored
        RatingRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:5000],
                                                   finished_at=timezone.now())
        run.refresh_from_db()
        progress.finish(_("失败"))
        return run
    progress.finish(_("完成"))
    return run


__all__ = ["default_outcomes_load", "rating_model_promote", "rating_model_train",
           "rating_model_train_enqueue", "rating_run_create",
           "rating_run_execute"]
