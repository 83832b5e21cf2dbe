"""Writes of the points app, each one transaction with its audit entry; a failure stores nothing.

* :func:`points_model_register` checks a model text with the engine (weights summing within each
  group, formulas over known facts, stage rules that do not overlap …) and registers the version;
* :func:`bundled_models_register` registers the models shipped with the engine (demo, set-up);
* :func:`points_run_create` / :func:`points_run_compute` score a region on a date, queued and
  computed by a background job (``points.run``): the facts known at the end of the date, the 对照库
  fitted on the region's enterprises, every result with its rank within its stage and district,
  its reasons, next band and movement since its previous result with the same model family
  (whichever region's run gave it). A failed run keeps its error and no result.
  :func:`points_run_execute` does both in process; its failure stores nothing (not even the run).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import RUN, covers_region, is_district, is_regulator
from kechuang.accounts.models import Region, within_region
from kechuang.core.choices import AuditAction
from kechuang.core.formatting import region_name
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import actor_label_for, audit_record, job_enqueue, model_snapshot
from kechuang.engine.points import PointsModelError, PointsScorer, bundled_models, load_model, row_result
from kechuang.engine.points.model import DATA_DIR
from kechuang.enterprises.models import Enterprise

from .adapter import facts_as_of
from .choices import RunStatus
from .error_codes import PointsErrorCode as E
from .models import PointsModel, PointsResult, PointsRun
from .selectors import default_model, engine_model

MODEL_FIELDS = ["code", "version", "name", "scope", "region_code", "schema_version", "source",
                "provisional_weights"]
RUN_FIELDS = ["status", "model", "as_of", "region_code", "enterprises_total", "band_counts", "stage_counts",
              "mean_points", "previous", "is_synthetic", "error"]


def _d(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(f"{x:.2f}")


def _person(actor) -> bool:
    return hasattr(actor, "pk")


def points_model_register(*, text: str, fmt: str, actor) -> PointsModel:
    """Register a model version from its TOML or JSON text. Refused with every problem the engine
    finds (``bad_model``), a version already registered (``duplicate_version``), a local model of
    a region the actor does not cover or a national one by a district (``bad_region``)."""
    if _person(actor) and not is_regulator(actor, RUN):
        raise PermissionDenied(_("只有监管部门的管理员或经办人员可以登记积分模型。"))
    if fmt not in ("toml", "json"):
        raise ValidationError({"fmt": ValidationError(_("模型格式只能是 TOML 或 JSON。"), code=E.BAD_MODEL)})
    try:
        model = load_model(text, fmt=fmt)
    except PointsModelError as exc:
        raise ValidationError({"text": [ValidationError(_("模型不能载入：%(p)s") % {"p": p}, code=E.BAD_MODEL)
                                        for p in exc.problems]}) from None
    if _person(actor):
        if model.scope == "local" and not covers_region(actor, model.region_code):
            raise ValidationError({"region_code": ValidationError(
                _("只能登记本辖区的地方模型（%(c)s 不在辖区内）。") % {"c": model.region_code}, code=E.BAD_REGION)})
        if model.scope == "national" and is_district(actor):
            raise ValidationError({"scope": ValidationError(_("区县监管部门不能登记全国核心指标模型。"),
                                                            code=E.BAD_REGION)})
    with transaction.atomic():
        if PointsModel.objects.filter(version=model.version).exists():
            raise ValidationError({"version": ValidationError(
                _("积分模型版本 %(v)s 已登记，请使用新的版本号。") % {"v": model.version}, code=E.DUPLICATE_VERSION)})
        try:
            with transaction.atomic():
                row = PointsModel.objects.create(
                    code=model.code, version=model.version, name=model.name, scope=model.scope,
                    region_code=model.region_code, schema_version=model.raw["schema"], model_json=model.to_json(),
                    source=model.source[:300],
                    provisional_weights=sum(1 for i in model.indicators if i.weight_status == "provisional"),
                    created_by=actor if _person(actor) else None, actor_label=actor_label_for(actor))
        except IntegrityError:
            raise ValidationError({"version": ValidationError(
                _("积分模型版本 %(v)s 已登记，请使用新的版本号。") % {"v": model.version}, code=E.DUPLICATE_VERSION)}) from None
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row, MODEL_FIELDS))
    return row


def bundled_models_register(*, actor) -> list[PointsModel]:
    """Register the engine's bundled models not yet registered (idempotent)."""
    out = []
    known = set(PointsModel.objects.values_list("version", flat=True))
    for path in sorted(DATA_DIR.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        if load_model(text).version in known:
            continue
        out.append(points_model_register(text=text, fmt="toml", actor=actor))
    return out


def _previous_results(model: PointsModel, run: PointsRun, ids: list[int]) -> dict[int, tuple]:
    """Each enterprise's latest earlier result with the same model family (``code``), whichever
    region's run scored it: ``{enterprise id: (run id, points, band)}``."""
    out: dict[int, tuple] = {}
    for start in range(0, len(ids), 5000):
        rows = (PointsResult.objects.filter(run__model__code=model.code, run__status=RunStatus.SUCCEEDED,
                                            run_id__lt=run.pk, enterprise_id__in=ids[start:start + 5000])
                .order_by("enterprise_id", "-run_id").values_list("enterprise_id", "run_id", "points", "band"))
        for eid, rid, pts, band in rows:
            out.setdefault(eid, (rid, pts, band))
    return out


def _check(region_code: str, as_of: dt.date, actor) -> None:
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": ValidationError(_("积分基准日不能晚于今天。"), code=E.FUTURE_DATE)})
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError({"region_code": ValidationError(_("未知的区划代码 %(c)s。") % {"c": region_code},
                                                              code=E.BAD_REGION)})
    if _person(actor):
        if not is_regulator(actor, RUN):
            raise PermissionDenied(_("只有监管部门的管理员或经办人员可以计算创新积分（查看人员不能发起）。"))
        if not covers_region(actor, region_code):
            raise ValidationError({"region_code": ValidationError(_("只能计算本辖区企业的创新积分。"),
                                                                  code=E.BAD_REGION)})


def _run_model(region_code: str, model: PointsModel | None) -> PointsModel:
    model = model or default_model(region_code)
    if model is None:
        raise ValidationError({"model": ValidationError(_("还没有登记积分模型。"), code=E.NO_MODEL)})
    return model


def points_run_create(*, region_code: str, as_of: dt.date, actor, model: PointsModel | None = None,
                      is_synthetic: bool = False, enqueue: bool = False) -> PointsRun:
    """Register a points run of ``region_code`` on ``as_of`` (queued, with its audit entry); with
    ``enqueue`` a background job (``points.run``) computes it with live progress."""
    _check(region_code, as_of, actor)
    model = _run_model(region_code, model)
    engine_model(model)  # a model that no longer loads is refused now, not in the job
    with transaction.atomic():
        run = PointsRun.objects.create(model=model, as_of=as_of, region_code=region_code, status=RunStatus.QUEUED,
                                       is_synthetic=is_synthetic, created_by=actor if _person(actor) else None,
                                       actor_label=actor_label_for(actor))
        if enqueue:
            run.job = job_enqueue(kind="points.run", params={"run_id": run.pk}, actor=actor)
            run.save(update_fields=["job"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, region_code=region_code,
                     after=model_snapshot(run, RUN_FIELDS))
    return run


def points_run_compute(*, run: PointsRun, actor, progress: Progress | None = None) -> PointsRun:
    """Compute a registered run: every result in one transaction with its audit entry. A failure
    marks the run ``failed`` with the error and keeps no result."""
    progress = progress or NullProgress()
    PointsRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    try:
        with transaction.atomic():
            run = PointsRun.objects.select_for_update(of=("self",)).select_related("model").get(pk=run.pk)
            _compute(run, actor, progress)
    except Exception as exc:  # stored on the run for the page; none of the run's results is kept
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else f"{type(exc).__name__}: {exc}"
        PointsRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=message,
                                                   finished_at=timezone.now())
        run.refresh_from_db()
        return run
    progress.finish(_("已计算 %(n)s 家企业的创新积分。") % {"n": run.enterprises_total})
    return run


def _compute(run: PointsRun, actor, progress: Progress) -> None:
    model = run.model
    engine = engine_model(model)
    regions = dict(Enterprise.objects.market_entities().filter(within_region(run.region_code)).order_by("pk")
                   .values_list("pk", "region_code"))
    progress.start(len(regions), _("%(r)s 的 %(n)s 家企业计算创新积分") % {
        "r": region_name(run.region_code), "n": len(regions)})
    ids, frames = [], []
    for part, frame in facts_as_of(regions, as_of=run.as_of):
        ids.extend(part)
        frames.append(frame)
        progress.advance(len(part))
    if not ids:
        raise ValidationError({"region_code": ValidationError(
            _("该区域在基准日没有任何企业数据，无法计算积分。"), code=E.NO_ENTERPRISES)})
    facts = pl.concat(frames)
    keys = pl.DataFrame({"enterprise_id": ids, "region_code": [regions[i] or "" for i in ids]},
                        schema={"enterprise_id": pl.Int64, "region_code": pl.Utf8})
    scorer = PointsScorer(engine).fit(facts)
    out = scorer.score(facts, keys=keys, rank_by="region_code")
    before = _previous_results(model, run, ids)
    rows = []
    for row in out.iter_rows(named=True):
        r = row_result(engine, row)
        eid = row["enterprise_id"]
        points = _d(r["points"])
        old = before.get(eid)
        rows.append(PointsResult(
            run=run, enterprise_id=eid, region_code=row["region_code"], stage=r["stage"], points=points,
            band=r["band"], rank=row["rank"], peers=row["peers"], bonus=_d(r["bonus"]),
            negative=_d(r["negative"]),
            scores={k: round(v, 4) for k, v in r["scores"].items()},
            values={k: (None if v is None else round(v, 6)) for k, v in r["values"].items()},
            lifts=r["lifts"], drags=r["drags"], next_band=json.loads(json.dumps(r["next"])),
            previous_points=old[1] if old else None, previous_band=old[2] if old else "",
            movement=(points - old[1]) if old else None))
    PointsResult.objects.bulk_create(rows, batch_size=2000)
    before_snapshot = model_snapshot(run, RUN_FIELDS)
    run.status = RunStatus.SUCCEEDED
    run.enterprises_total = len(rows)
    run.band_counts = dict(Counter(r.band for r in rows))
    run.stage_counts = dict(Counter(r.stage for r in rows))
    run.mean_points = _d(float(out["points"].mean()))
    run.reference = scorer.reference_json()
    compared = Counter(old[0] for old in before.values())
    run.previous_id = compared.most_common(1)[0][0] if compared else None
    run.finished_at = timezone.now()
    run.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, before=before_snapshot,
                 after=model_snapshot(run, RUN_FIELDS), region_code=run.region_code,
                 context={"bundled": model.version in {m.version for m in bundled_models().values()}})


def points_run_execute(*, region_code: str, as_of: dt.date, actor, model: PointsModel | None = None,
                       is_synthetic: bool = False, progress: Progress | None = None) -> PointsRun:
    """Score every enterprise of ``region_code`` (and the districts in it) on ``as_of`` now, in this
    process (commands, the demo, tests; pages and the API queue a run instead, see
    :func:`points_run_create`); the region's enterprises are the 对照库. Returns the succeeded run
    with its results; an error raises and leaves nothing behind, not even the run."""
    _check(region_code, as_of, actor)
    model = _run_model(region_code, model)
    engine_model(model)
    with transaction.atomic():
        run = PointsRun.objects.create(model=model, as_of=as_of, region_code=region_code, status=RunStatus.RUNNING,
                                       is_synthetic=is_synthetic, created_by=actor if _person(actor) else None,
                                       actor_label=actor_label_for(actor))
        _compute(run, actor, progress or NullProgress())
    return run


__all__ = ["bundled_models_register", "points_model_register", "points_run_compute", "points_run_create",
           "points_run_execute"]
