"""Writes of the IP app, each one audited transaction: valuing an enterprise's IP, registering and
releasing pledges, setting a product's pledge rate.

Pledges of one enterprise are serialised on its row (``select_for_update``): the check "amount ≤
value − active pledges" and the insert happen under that lock, so two banks registering at once
cannot both take the same remaining value."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE, RUN, VIEW, covers_region, is_financial, is_regulator, may, organization_of
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot
from kechuang.engine.ipvalue import InputError, get_model, value_item
from kechuang.engine.ipvalue.value import item_facts
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import platform_facts_write
from kechuang.marketplace.choices import ProductCategory

from . import choices as c
from .error_codes import IPErrorCode as E
from .models import IPValuation, Pledge, PledgeItem, PledgeRate
from .selectors import CENT, ip_items, latest_valuations, pledged_amounts, remaining_value

DEFAULT_MODEL = "ip-pledge-2023"


def _err(field: str | None, message: str, code: str) -> ValidationError:
    e = ValidationError(message, code=code)
    return ValidationError({field: e}) if field else e


def _money(d: float | None) -> Decimal | None:
    return None if d is None else Decimal(repr(d)).quantize(CENT)


def _sees(actor, enterprise) -> bool:
    return Enterprise.objects.restrict(actor, VIEW).filter(pk=enterprise.pk).exists()


def valuation_run(*, enterprise, actor, as_of: dt.date | None = None, expert: dict | None = None,
                  model_id: str = DEFAULT_MODEL) -> list[IPValuation]:
    """Value each identified IP item of ``enterprise`` as of ``as_of`` (today) and store the ranges
    with their reasons. ``expert`` maps an item's number to ``{indicator: [low, high]}`` (items not
    named keep their latest expert ranges). Anyone who
    may see the enterprise and write (the enterprise, its regulators, a bank under consent) may run it."""
    if not (may(actor, RUN) and _sees(actor, enterprise)):
        raise PermissionDenied(_("无权为该企业估值。"))
    as_of = as_of or timezone.localdate()
    model = get_model(model_id)
    expert = expert or {}
    with transaction.atomic():
        Enterprise.objects.select_for_update().only("pk").get(pk=enterprise.pk)
        items = {i["number"]: i for i in ip_items(enterprise)}
        # An expert's ranges stand until an expert changes them: items without new input keep the
        # ranges of their latest valuation.
        prior = {k: v.expert for k, v in latest_valuations(enterprise).items() if v.expert}
        expert = {**prior, **expert}
        if unknown := sorted(set(expert) - set(items) - set(prior)):
            raise _err("expert", _("专家输入所指的知识产权 %(keys)s 不属于该企业。") % {"keys": "、".join(unknown)},
                       E.BAD_EXPERT)
        rows = []
        for key, item in items.items():
            try:
                v = value_item(item, model, as_of, expert=expert.get(key))
            except InputError as exc:
                raise _err("expert", _("%(key)s 的专家输入有误：%(why)s") % {"key": key, "why": exc}, E.BAD_EXPERT) from None
            low, mid, high = v.value if v.value is not None else (None, None, None)
            rows.append(IPValuation(
                enterprise=enterprise, ip_key=key, ip_title=(item.get("title") or "")[:200], ip_type=item["type"],
                model_id=model.id, as_of=as_of, status=v.status, value_low=_money(low), value_mid=_money(mid),
                value_high=_money(high), quality_low=Decimal(repr(v.quality[0])).quantize(CENT),
                quality_high=Decimal(repr(v.quality[2])).quantize(CENT),
                remaining_years=None if v.remaining_years is None else Decimal(repr(v.remaining_years)),
                detail={**v.to_dict(), "model": model.id}, expert=expert.get(key) or {}, created_by=actor))
        IPValuation.objects.bulk_create(rows)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="ip.ipvaluation",
                     object_id=str(enterprise.pk), object_repr=str(enterprise)[:200],
                     after={"model": model.id, "as_of": as_of.isoformat(), "items": len(rows),
                            "valued": sum(r.status == c.ValuationStatus.VALUED for r in rows)},
                     region_code=enterprise.region_code)
    return rows


def _amount(value: Any) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        d = None
    if d is None or not d.is_finite() or d <= 0:
        raise _err("amount", _("登记金额须为大于零的数字，收到“%(v)s”。") % {"v": str(value)[:40]}, E.AMOUNT)
    return d.quantize(CENT)


def _may_register(actor, enterprise, pledgee) -> bool:
    if not may(actor, CHANGE):
        return False
    if is_regulator(actor, CHANGE) and covers_region(actor, enterprise.region_code):
        return True
    return organization_of(actor) == pledgee and _sees(actor, enterprise)


def _allocate(amount: Decimal, remaining: dict[str, Decimal]) -> dict[str, Decimal]:
    """Split ``amount`` over the items in proportion to their remaining values, each within its own."""
    total = sum(remaining.values())
    alloc = {k: (amount * r / total).quantize(CENT, rounding=ROUND_DOWN) for k, r in remaining.items()}
    rest = amount - sum(alloc.values())
    for k in sorted(remaining):
        add = min(rest, remaining[k] - alloc[k])
        alloc[k] += add
        rest -= add
    return alloc


def pledge_register(*, enterprise, pledgee, ip_keys: list[str], amount: Any, registered_on: dt.date,
                    expires_on: dt.date, actor, product=None, registration_number: str = "") -> Pledge:
    """Register a pledge of ``ip_keys`` (item numbers) of ``enterprise`` to ``pledgee``.

    Refused with a coded error and nothing written when an item is not held by the enterprise
    (``not_held``), its term has ended on the registration day (``expired``), it has no valuation with
    a value (``not_valued``), or the amount exceeds the items' remaining value — the latest valuation's
    mid minus what active pledges already secure on them (``over_value``)."""
    amount = _amount(amount)
    keys = [str(k).strip() for k in ip_keys or [] if str(k).strip()]
    if not keys:
        raise _err("ip_keys", _("请选择至少一项知识产权。"), E.NO_ITEMS)
    if len(set(keys)) != len(keys):
        raise _err("ip_keys", _("同一项知识产权不能重复选择。"), E.DUPLICATE_ITEM)
    if expires_on <= registered_on:
        raise _err("expires_on", _("到期日期须晚于登记日期。"), E.DATES)
    if not (is_financial(pledgee) and pledgee.is_active):
        raise _err("pledgee", _("质权人须为在用的金融机构。"), E.PLEDGEE)
    if product is not None and (product.institution_id != pledgee.pk or product.category != ProductCategory.IP_PLEDGE):
        raise _err("product", _("所选产品不是质权人的知识产权质押贷产品。"), E.PRODUCT)
    if not _may_register(actor, enterprise, pledgee):
        raise PermissionDenied(_("只有质权人（经企业授权）或辖区监管部门可以登记质押。"))
    model = get_model(DEFAULT_MODEL)
    with transaction.atomic():
        Enterprise.objects.select_for_update().only("pk").get(pk=enterprise.pk)
        held = {i["number"]: i for i in ip_items(enterprise)}
        if missing := [k for k in keys if k not in held]:
            raise _err("ip_keys", _("企业未持有知识产权 %(keys)s。") % {"keys": "、".join(missing)}, E.NOT_HELD)
        for k in keys:
            remaining = item_facts(held[k], model, registered_on)["remaining_years"]
            if remaining is not None and remaining <= 0:
                raise _err("ip_keys", _("知识产权 %(key)s 保护期已届满，不能质押。") % {"key": k}, E.EXPIRED)
        vals = latest_valuations(enterprise, keys)
        for k in keys:
            v = vals.get(k)
            if v is not None and v.status == c.ValuationStatus.EXPIRED:
                raise _err("ip_keys", _("知识产权 %(key)s 保护期已届满，不能质押。") % {"key": k}, E.EXPIRED)
            if v is None or v.status != c.ValuationStatus.VALUED:
                raise _err("ip_keys", _("知识产权 %(key)s 尚无可用估值，请先估值。") % {"key": k}, E.NOT_VALUED)
        used = pledged_amounts(enterprise, keys)
        remaining = {k: remaining_value(vals[k], used.get(k, Decimal("0.00"))) for k in keys}
        total = sum(remaining.values())
        if amount > total:
            raise _err("amount", _("登记金额 %(amount)s 元超过所选知识产权的剩余价值 %(total)s 元（估值中值减去有效质押）。")
                       % {"amount": f"{amount:,.2f}", "total": f"{total:,.2f}"}, E.OVER_VALUE)
        pledge = Pledge.objects.create(
            enterprise=enterprise, pledgee=pledgee, product=product, registration_number=registration_number[:64],
            amount=amount, registered_on=registered_on, expires_on=expires_on, region_code=enterprise.region_code,
            created_by=actor)
        alloc = _allocate(amount, remaining)
        PledgeItem.objects.bulk_create([PledgeItem(pledge=pledge, ip_key=k, valuation=vals[k], amount=alloc[k])
                                        for k in keys])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=pledge,
                     after={**model_snapshot(pledge), "items": {k: str(alloc[k]) for k in keys}})
        _pledged_facts_write(enterprise, {k: held[k] for k in keys}, pledge, actor, pledged_on=registered_on)
    return pledge


PLEDGE_SOURCE = ("ip-pledge-registry", "知识产权质押登记（平台）")


def _pledged_facts_write(enterprise, items: dict[str, dict], pledge: Pledge, actor, *, pledged_on=None) -> None:
    """Write the items' ``pledged`` fact back to the theme database (source 知识产权质押登记, batch
    ``知识产权质押#<id>``): true with the date on registration; false on release unless another active
    pledge still secures the item. The whole merged item is written because an IP item's latest
    source states it whole."""
    out = []
    for key, item in items.items():
        row = {k: v for k, v in item.items() if k not in ("pledged", "pledged_on")}
        if pledged_on is not None:
            row.update(pledged=True, pledged_on=pledged_on)
        else:
            still = PledgeItem.objects.filter(ip_key=key, pledge__enterprise=enterprise,
                                              pledge__status=c.PledgeStatus.ACTIVE).exclude(pledge=pledge)
            row.update(pledged=still.exists())
            if row["pledged"]:
                row["pledged_on"] = still.order_by("pledge__registered_on").values_list("pledge__registered_on", flat=True).first()
        out.append(row)
    if out:
        platform_facts_write(enterprise=enterprise, sections={"ip": out}, source_code=PLEDGE_SOURCE[0],
                             source_name=PLEDGE_SOURCE[1], reference=f"知识产权质押#{pledge.pk}", actor=actor,
                             today=max(timezone.localdate(), pledged_on or timezone.localdate()))


def pledge_release(*, pledge: Pledge, actor, released_on: dt.date | None = None, note: str = "") -> Pledge:
    """Release an active pledge on repayment (解除质押): by the pledgee or the region's regulator."""
    with transaction.atomic():
        locked = Pledge.objects.select_for_update().get(pk=pledge.pk)
        visible = Pledge.objects.restrict(actor, CHANGE).filter(pk=locked.pk).exists()
        if not (visible and (organization_of(actor) == locked.pledgee or is_regulator(actor, CHANGE))):
            raise PermissionDenied(_("只有质权人或辖区监管部门可以解除质押。"))
        if locked.status != c.PledgeStatus.ACTIVE:
            raise _err(None, _("该质押已解除。"), E.NOT_ACTIVE)
        released_on = released_on or timezone.localdate()
        if released_on < locked.registered_on:
            raise _err("released_on", _("解除日期不能早于登记日期。"), E.DATES)
        before = model_snapshot(locked)
        locked.status = c.PledgeStatus.RELEASED
        locked.released_on = released_on
        locked.release_note = note[:200]
        locked.save(update_fields=["status", "released_on", "release_note"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                     after=model_snapshot(locked))
        keys = set(locked.items.values_list("ip_key", flat=True))
        items = {i["number"]: i for i in ip_items(locked.enterprise, all_items=True) if i["number"] in keys}
        _pledged_facts_write(locked.enterprise, items, locked, actor)
    return locked


def pledge_rate_set(*, product, rate: Any, basis: str, actor) -> PledgeRate:
    """Set an IP-pledge loan product's pledge rate (0–1) and valuation basis; its institution only."""
    if not (may(actor, CHANGE) and organization_of(actor) is not None
            and organization_of(actor).pk == product.institution_id):
        raise PermissionDenied(_("只有产品所属机构可以设置质押率。"))
    if product.category != ProductCategory.IP_PLEDGE:
        raise _err("product", _("只有知识产权质押贷产品可以设置质押率。"), E.PRODUCT)
    try:
        r = Decimal(str(rate))
    except (InvalidOperation, TypeError, ValueError):
        r = None
    if r is None or not r.is_finite() or not (0 < r <= 1):
        raise _err("rate", _("质押率须在 0 到 100% 之间（不含 0）。"), E.RATE)
    if basis not in c.ValueBasis.values:
        raise _err("basis", _("估值基准须为下限或中值。"), E.RATE)
    with transaction.atomic():
        existing = PledgeRate.objects.select_for_update().filter(product=product).first()
        before = model_snapshot(existing) if existing else None
        row, _created = PledgeRate.objects.update_or_create(product=product, defaults={"rate": r.quantize(Decimal("0.0001")),
                                                                                       "basis": basis})
        audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, instance=row,
                     before=before, after=model_snapshot(row), region_code=product.institution.region_id or "")
    return row
