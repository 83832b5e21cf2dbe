"""Writes of the trade app, each one audited transaction.

Listing, expressing interest, negotiating, agreeing, signing, registering and withdrawing move a
deal along :data:`choices.TRANSITIONS`; a step out of order is refused (``out_of_order``) with
nothing written. Steps on one item are serialised on its holder's enterprise row
(``select_for_update``), so two exclusive deals cannot both be agreed. Signing writes both parties'
IP facts into the theme database through ``enterprises.services.platform_facts_write`` (source
技术交易（平台）, batch ``技术交易#<id>``): the facts keep the deal as their provenance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE, covers_region, is_regulator, may, organization_of
from kechuang.accounts.choices import IP_HOLDER_KINDS
from kechuang.core.choices import AuditAction
from kechuang.core.services import audit_record, model_snapshot
from kechuang.engine.ipvalue import get_model
from kechuang.engine.ipvalue.value import item_facts
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.services import platform_facts_write
from kechuang.ip.choices import PledgeStatus
from kechuang.ip.models import PledgeItem
from kechuang.ip.selectors import ip_items
from kechuang.ip.services import DEFAULT_MODEL

from . import choices as c
from .error_codes import TradeErrorCode as E
from .models import Deal, Listing, PledgeeConsent

CENT = Decimal("0.01")
DEAL_SOURCE = ("ip-trade", "技术交易（平台）")
#: Facts that describe the item itself and travel to a new owner; the rest are the holder's own
#: (its revenue from the item, its use in an HNTE application, its pledges).
ITEM_FACTS = ("number", "title", "type", "granted_on", "filed_on", "expires_on", "claims", "citations",
              "family_size", "litigations", "licences", "high_value")


def _err(field: str | None, message: str, code: str) -> ValidationError:
    e = ValidationError(message, code=code)
    return ValidationError({field: e}) if field else e


def _price(value: Any, field: str = "price", *, required: bool = True) -> Decimal | None:
    if value in (None, "") and not required:
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        d = None
    if d is None or not d.is_finite() or d <= 0:
        raise _err(field, _("价格须为大于零的金额（元），收到“%(v)s”。") % {"v": str(value)[:40]}, E.PRICE)
    return d.quantize(CENT)


def _holder_of(org, code: str) -> Enterprise:
    """The organisation's record in the theme database. An organisation of a kind that holds no IP
    (a bank, a regulator) is refused outright; an enterprise, university or institute without a
    record gets the coded error."""
    if org is None or org.kind not in IP_HOLDER_KINDS:
        raise PermissionDenied(_("只有企业、高等院校和科研院所可以参与知识产权交易。"))
    if org.enterprise_id is None:
        msg = (_("出让方须为在主题库中有记录的企业、高等院校或科研院所。") if code == E.SELLER
               else _("受让方须为在主题库中有记录的企业、高等院校或科研院所。"))
        raise _err(None, msg, code)
    return org.enterprise


def _writer_of(actor, org) -> bool:
    return may(actor, CHANGE) and organization_of(actor) is not None and organization_of(actor) == org


def _lock_holder(holder_id: int) -> None:
    Enterprise.objects.select_for_update().only("pk").get(pk=holder_id)


def _held_item(holder: Enterprise, key: str, on: dt.date) -> dict:
    """The holder's item ``key`` as owner, not expired on ``on``; coded errors otherwise."""
    item = next((i for i in ip_items(holder) if i["number"] == key), None)
    if item is None:
        raise _err("ip_key", _("出让方未持有知识产权 %(key)s（或已转出、仅为被许可人）。") % {"key": key}, E.NOT_HELD)
    remaining = item_facts(item, get_model(DEFAULT_MODEL), on)["remaining_years"]
    if remaining is not None and remaining <= 0:
        raise _err("ip_key", _("知识产权 %(key)s 保护期已届满，不能交易。") % {"key": key}, E.EXPIRED)
    return item


def _unconsented_pledges(holder: Enterprise, key: str) -> list[int]:
    """Active pledges on the item whose pledgee has not consented to its listing."""
    active = set(PledgeItem.objects.filter(pledge__enterprise=holder, pledge__status=PledgeStatus.ACTIVE,
                                           ip_key=key).values_list("pledge_id", flat=True))
    consented = set(PledgeeConsent.objects.filter(pledge_id__in=active, ip_key=key).values_list("pledge_id", flat=True))
    return sorted(active - consented)


# --- listings ---------------------------------------------------------------------------------


def listing_create(*, seller, ip_key: str, kind: str, actor, asking_price: Any = None, description: str = "",
                   today: dt.date | None = None) -> Listing:
    """List an item the seller holds. Refused (coded, nothing written): ``seller`` (not an IP
    holder organisation with a theme-database record), ``kind``, ``price`` (≤ 0), ``not_held``,
    ``expired`` (term ended today), ``pledged`` (an active pledge whose pledgee has not consented),
    ``duplicate_listing`` (already listed for this kind)."""
    today = today or timezone.localdate()
    if not _writer_of(actor, seller):
        raise PermissionDenied(_("只有出让方的经办人员可以挂牌。"))
    holder = _holder_of(seller, E.SELLER)
    if kind not in c.DealKind.values:
        raise _err("kind", _("交易方式须为转让、独占许可、普通许可或作价入股。"), E.KIND)
    price = _price(asking_price, "asking_price", required=False)
    key = str(ip_key or "").strip()
    with transaction.atomic():
        _lock_holder(holder.pk)
        item = _held_item(holder, key, today)
        if pending := _unconsented_pledges(holder, key):
            raise _err("ip_key", _("知识产权 %(key)s 处于质押中（质押 %(ids)s），须经质权人同意方可挂牌。")
                       % {"key": key, "ids": "、".join(f"#{p}" for p in pending)}, E.PLEDGED)
        if Listing.objects.filter(holder=holder, ip_key=key, kind=kind, status=c.ListingStatus.LISTED).exists():
            raise _err("ip_key", _("知识产权 %(key)s 已以该方式挂牌。") % {"key": key}, E.DUPLICATE_LISTING)
        listing = Listing.objects.create(
            seller=seller, holder=holder, ip_key=key, ip_title=(item.get("title") or "")[:200], ip_type=item["type"],
            kind=kind, asking_price=price, industry_code=holder.industry_code or "", region_code=holder.region_code,
            description=description[:4000], created_by=actor)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=listing, after=model_snapshot(listing))
    return listing


def listing_withdraw(*, listing: Listing, actor, reason: str = "") -> Listing:
    """Take a listing off the market (the seller); its open deals are withdrawn with it."""
    if not _writer_of(actor, listing.seller):
        raise PermissionDenied(_("只有出让方的经办人员可以撤牌。"))
    with transaction.atomic():
        _lock_holder(listing.holder_id)
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        if locked.status != c.ListingStatus.LISTED:
            raise _err(None, _("该挂牌已结束。"), E.NOT_LISTED)
        before = model_snapshot(locked)
        locked.status, locked.closed_at = c.ListingStatus.WITHDRAWN, timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        _withdraw_open(locked.deals.all(), actor, reason or _("挂牌已撤回"))
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                     after=model_snapshot(locked), purpose=reason[:200])
    return locked


def pledgee_consent_grant(*, pledge, ip_key: str, actor, note: str = "") -> PledgeeConsent:
    """The pledgee consents that a pledged item be listed (its writer only)."""
    if not _writer_of(actor, pledge.pledgee):
        raise PermissionDenied(_("只有质权人的经办人员可以同意。"))
    if pledge.status != PledgeStatus.ACTIVE or not pledge.items.filter(ip_key=ip_key).exists():
        raise _err("ip_key", _("该质押不在质押中或不含知识产权 %(key)s。") % {"key": ip_key}, E.NOT_PLEDGEE)
    with transaction.atomic():
        row, _created = PledgeeConsent.objects.get_or_create(pledge=pledge, ip_key=ip_key,
                                                             defaults={"note": note[:200], "granted_by": actor})
        audit_record(actor=actor, action=AuditAction.CREATE, instance=row, after=model_snapshot(row),
                     region_code=pledge.region_code)
    return row


# --- deals ------------------------------------------------------------------------------------


def interest_express(*, listing: Listing, buyer, actor, message: str = "") -> Deal:
    """A buyer's expression of interest: a deal in state 意向. Refused: permission (not a writer of an
    enterprise, university or institute), ``buyer`` (no theme-database record to receive the IP),
    ``own_listing``, ``not_listed``, ``duplicate_interest``."""
    if not _writer_of(actor, buyer):
        raise PermissionDenied(_("只有受让方的经办人员可以提交意向。"))
    buyer_holder = _holder_of(buyer, E.BUYER)
    if buyer.pk == listing.seller_id or buyer_holder.pk == listing.holder_id:
        raise _err(None, _("不能对本机构的挂牌提交意向。"), E.OWN_LISTING)
    with transaction.atomic():
        _lock_holder(listing.holder_id)
        locked = Listing.objects.get(pk=listing.pk)
        if locked.status != c.ListingStatus.LISTED:
            raise _err(None, _("该挂牌已结束，不能提交意向。"), E.NOT_LISTED)
        if locked.deals.filter(buyer=buyer, state__in=c.OPEN_STATES).exists():
            raise _err(None, _("已对该挂牌提交过意向。"), E.DUPLICATE_INTEREST)
        deal = Deal.objects.create(listing=locked, seller=locked.seller, holder=locked.holder, buyer=buyer,
                                   buyer_holder=buyer_holder, ip_key=locked.ip_key, kind=locked.kind,
                                   message=message[:4000], region_code=locked.region_code, created_by=actor)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=deal, after=model_snapshot(deal))
    return deal


def _step(deal: Deal, to: str, actor, *, who: str) -> tuple[Deal, dict]:
    """Lock the item and the deal, check the actor's side (``seller`` / ``buyer`` / ``either`` /
    ``registrar``) and that ``to`` follows the deal's state; returns the locked deal and its
    snapshot. Call inside a transaction."""
    _lock_holder(deal.holder_id)
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    allowed = {
        "seller": _writer_of(actor, locked.seller),
        "buyer": _writer_of(actor, locked.buyer),
        "either": _writer_of(actor, locked.seller) or _writer_of(actor, locked.buyer),
        "registrar": _writer_of(actor, locked.seller) or (is_regulator(actor, CHANGE)
                                                           and covers_region(actor, locked.region_code)),
    }[who]
    if not allowed:
        raise PermissionDenied(_("无权办理该交易的这一步。"))
    if to not in c.TRANSITIONS[locked.state]:
        raise _err("state", _("交易当前为“%(now)s”，不能转为“%(to)s”。")
                   % {"now": c.DealState(locked.state).label, "to": c.DealState(to).label}, E.OUT_OF_ORDER)
    return locked, model_snapshot(locked)


def _save(deal: Deal, before: dict, actor, fields: list[str], purpose: str = "") -> Deal:
    deal.save(update_fields=[*fields, "state", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, instance=deal, before=before, after=model_snapshot(deal),
                 purpose=purpose[:200])
    return deal


def deal_negotiate(*, deal: Deal, actor) -> Deal:
    """The seller takes up an expression of interest (意向 → 洽谈中)."""
    with transaction.atomic():
        locked, before = _step(deal, c.DealState.NEGOTIATING, actor, who="seller")
        locked.state = c.DealState.NEGOTIATING
        return _save(locked, before, actor, [])


def _schedule(rows: Any, price: Decimal) -> list[dict]:
    """``[{"due_on": "2027-01-31", "amount": "500000"}, …]`` — each amount positive, the total at most
    the price; coded ``schedule`` naming the row otherwise."""
    out = []
    for n, row in enumerate(rows or [], start=1):
        try:
            due = row["due_on"] if isinstance(row["due_on"], dt.date) else dt.date.fromisoformat(str(row["due_on"]))
            amount = _price(row["amount"], "payment_schedule")
        except (KeyError, TypeError, ValueError, ValidationError):
            raise _err("payment_schedule", _("付款计划第 %(n)s 行须有付款日期和大于零的金额。") % {"n": n}, E.SCHEDULE) from None
        out.append({"due_on": due.isoformat(), "amount": str(amount)})
    if sum((Decimal(r["amount"]) for r in out), Decimal("0")) > price:
        raise _err("payment_schedule", _("付款计划合计超过成交价格。"), E.SCHEDULE)
    return out


def deal_agree(*, deal: Deal, price: Any, terms: str, actor, payment_schedule: Any = None) -> Deal:
    """Record the negotiated price (yuan) and terms (洽谈中 → 已议定), by the seller. Refused:
    ``price`` ≤ 0, ``schedule``, ``out_of_order``, ``duplicate_exclusive`` (another deal already
    binds the item: an exclusive kind excludes every other binding deal on it, and any binding deal
    excludes a new exclusive one)."""
    amount = _price(price)
    schedule = _schedule(payment_schedule, amount)
    with transaction.atomic():
        locked, before = _step(deal, c.DealState.AGREED, actor, who="seller")
        others = Deal.objects.filter(holder_id=locked.holder_id, ip_key=locked.ip_key,
                                     state__in=c.BINDING_STATES).exclude(pk=locked.pk)
        if locked.kind not in c.EXCLUSIVE_KINDS:
            others = others.filter(kind__in=c.EXCLUSIVE_KINDS)
        if clash := others.first():
            raise _err(None, _("知识产权 %(key)s 已有%(kind)s交易（#%(id)s）处于%(state)s，不能再议定%(this)s。")
                       % {"key": locked.ip_key, "kind": c.DealKind(clash.kind).label, "id": clash.pk,
                          "state": c.DealState(clash.state).label, "this": c.DealKind(locked.kind).label},
                       E.DUPLICATE_EXCLUSIVE)
        locked.state, locked.price, locked.terms, locked.payment_schedule = (
            c.DealState.AGREED, amount, terms[:8000], schedule)
        return _save(locked, before, actor, ["price", "terms", "payment_schedule"])


def _buyer_item(item: dict, kind: str, on: dt.date) -> dict:
    row = {k: item[k] for k in ITEM_FACTS if item.get(k) is not None}
    if kind in c.OWNERSHIP_KINDS:
        row.update(acquisition="transferred", acquired_on=on, held_as="owner")
    else:
        row.update(held_as="exclusive_licensee" if kind == c.DealKind.EXCLUSIVE_LICENCE else "licensee")
    return row


def _seller_item(item: dict, kind: str, on: dt.date) -> dict:
    row = dict(item)
    if kind in c.OWNERSHIP_KINDS:
        row["transferred_out_on"] = on
    else:
        row["licences"] = int(item.get("licences") or 0) + 1
    return row


def deal_sign(*, deal: Deal, contract_date: dt.date | None, actor, today: dt.date | None = None) -> Deal:
    """Record the signed contract (已议定 → 已签约), by either party, and update both parties' IP
    facts with the deal as provenance: a transfer or 作价入股 marks the seller's item transferred
    out (``transferred_out_on``) and gives the buyer the item (``acquisition`` transferred,
    ``acquired_on``); a licence counts one more licence on the seller's item and gives the buyer the
    item held as (exclusive) licensee. Refused: ``contract_date`` (missing or after today),
    ``not_held`` / ``expired`` (the seller no longer holds the item on that day), ``out_of_order``.
    An exclusive deal closes its listing and withdraws the other open deals on it."""
    today = today or timezone.localdate()
    if contract_date is None or contract_date > today:
        raise _err("contract_date", _("合同签订日期须填写且不能晚于今天。"), E.CONTRACT_DATE)
    with transaction.atomic():
        locked, before = _step(deal, c.DealState.SIGNED, actor, who="either")
        item = _held_item(locked.holder, locked.ip_key, contract_date)
        ref = f"技术交易#{locked.pk}"
        locked.seller_batch = platform_facts_write(
            enterprise=locked.holder, sections={"ip": [_seller_item(item, locked.kind, contract_date)]},
            source_code=DEAL_SOURCE[0], source_name=DEAL_SOURCE[1], reference=ref, actor=actor, today=today)
        locked.buyer_batch = platform_facts_write(
            enterprise=locked.buyer_holder, sections={"ip": [_buyer_item(item, locked.kind, contract_date)]},
            source_code=DEAL_SOURCE[0], source_name=DEAL_SOURCE[1], reference=ref, actor=actor, today=today)
        locked.state, locked.contract_date = c.DealState.SIGNED, contract_date
        _save(locked, before, actor, ["contract_date", "seller_batch", "buyer_batch"])
        _proceeds_due(locked, actor, ref)
        if locked.kind in c.EXCLUSIVE_KINDS:
            listing = Listing.objects.select_for_update().get(pk=locked.listing_id)
            lbefore = model_snapshot(listing)
            listing.status, listing.closed_at = c.ListingStatus.CLOSED, timezone.now()
            listing.save(update_fields=["status", "closed_at"])
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=listing, before=lbefore,
                         after=model_snapshot(listing), purpose=ref)
            _withdraw_open(Deal.objects.filter(holder_id=locked.holder_id, ip_key=locked.ip_key).exclude(pk=locked.pk),
                           actor, _("该知识产权已与他方签约"))
    return locked


def _proceeds_due(deal: Deal, actor, ref: str) -> None:
    """A pledged item transferred or licensed with its pledgee's consent: the price is due to the
    pledgee, to repay the debt early or to be lodged (民法典 第四百四十四条第二款); each consent of an
    active pledge on the item records the deal and its price, for the pledgee to settle."""
    consents = PledgeeConsent.objects.select_for_update().filter(
        pledge__enterprise_id=deal.holder_id, pledge__status=PledgeStatus.ACTIVE, ip_key=deal.ip_key, deal__isnull=True)
    for consent in consents.select_related("pledge"):
        before = model_snapshot(consent)
        consent.deal, consent.proceeds, consent.proceeds_status = deal, deal.price, c.Proceeds.DUE
        consent.save(update_fields=["deal", "proceeds", "proceeds_status"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=consent, before=before,
                     after=model_snapshot(consent), region_code=consent.pledge.region_code, purpose=ref)


def pledge_proceeds_settle(*, consent: PledgeeConsent, status: str, settled_on: dt.date | None, actor,
                           note: str = "", today: dt.date | None = None) -> PledgeeConsent:
    """The pledgee records how the price of the consented deal was settled: repaid early to it, or
    lodged (提存). Refused: ``proceeds`` (nothing due on this consent, or an unknown way),
    ``proceeds_date`` (missing, before the contract, after today)."""
    today = today or timezone.localdate()
    if not _writer_of(actor, consent.pledge.pledgee):
        raise PermissionDenied(_("只有质权人的经办人员可以登记价款处理。"))
    if status not in (c.Proceeds.REPAID, c.Proceeds.LODGED):
        raise _err("status", _("请选择价款的处理方式：提前清偿或提存。"), E.PROCEEDS)
    with transaction.atomic():
        locked = PledgeeConsent.objects.select_for_update(of=("self",)).select_related("deal", "pledge").get(pk=consent.pk)
        if locked.proceeds_status != c.Proceeds.DUE:
            raise _err("status", _("该同意项下没有待处理的交易价款。"), E.PROCEEDS)
        if settled_on is None or settled_on > today or settled_on < locked.deal.contract_date:
            raise _err("settled_on", _("日期须填写，且不早于合同签订日期、不晚于今天。"), E.PROCEEDS_DATE)
        before = model_snapshot(locked)
        locked.proceeds_status, locked.proceeds_on, locked.proceeds_note = status, settled_on, note[:200]
        locked.save(update_fields=["proceeds_status", "proceeds_on", "proceeds_note"])
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=before,
                     after=model_snapshot(locked), region_code=locked.pledge.region_code)
    return locked


def deal_register(*, deal: Deal, registration_number: str, actor) -> Deal:
    """Record the technology contract's registration (技术合同登记, 已签约 → 已登记) with its
    number, by the seller or the district's regulator (the registration point)."""
    number = str(registration_number or "").strip()
    if not number:
        raise _err("registration_number", _("请填写技术合同登记号。"), E.REGISTRATION_NUMBER)
    with transaction.atomic():
        locked, before = _step(deal, c.DealState.REGISTERED, actor, who="registrar")
        locked.state, locked.registration_number = c.DealState.REGISTERED, number[:40]
        return _save(locked, before, actor, ["registration_number"])


def deal_withdraw(*, deal: Deal, actor, reason: str = "") -> Deal:
    """Either party withdraws a deal not yet signed."""
    with transaction.atomic():
        locked, before = _step(deal, c.DealState.WITHDRAWN, actor, who="either")
        locked.state, locked.withdrawn_reason = c.DealState.WITHDRAWN, reason[:200]
        return _save(locked, before, actor, ["withdrawn_reason"], purpose=reason)


def _withdraw_open(deals, actor, reason: str) -> int:
    n = 0
    for d in deals.select_for_update().filter(state__in=c.OPEN_STATES):
        before = model_snapshot(d)
        d.state, d.withdrawn_reason = c.DealState.WITHDRAWN, reason[:200]
        _save(d, before, actor, ["withdrawn_reason"], purpose=reason)
        n += 1
    return n
