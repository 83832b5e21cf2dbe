"""Reads of the talent app: the name a viewer may see, the latest valuation of each person still
under consent, team values, the 人才贷 limit, the per-person explanation and the regulator's
distributions (aggregates only, no personal data)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from kechuang.accounts.access import VIEW, organization_of
from kechuang.core.formatting import english, money, region_name, unit_en
from kechuang.engine.talent import bundled_model, explain, flat_facts, load_model, talent_loan_limit

from .choices import LEVEL_LABELS
from .models import TalentConsent, TalentLoanTerms, TalentPerson, Valuation, ValuationRun


def sees_full_name(person: TalentPerson, user) -> bool:
    """Only the person and an organisation holding the person's active consent see the full name."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if person.user_id and person.user_id == user.pk:
        return True
    org = organization_of(user)
    return org is not None and TalentConsent.objects.active().filter(person=person, organization=org).exists()


def display_name(person: TalentPerson, user) -> str:
    return person.full_name if sees_full_name(person, user) else person.masked_name


def latest(qs):
    """Of valuations, each person's latest one whose person holds an active consent now."""
    newer = Valuation.objects.filter(person=OuterRef("person"), run_id__gt=OuterRef("run_id"))
    return qs.consented().filter(~Exists(newer))


def team_value(enterprise_id: int, user=None) -> dict[str, Any]:
    """The enterprise's team value: the sum of its consented people's latest low and high ends."""
    qs = Valuation.objects.filter(enterprise_id=enterprise_id)
    if user is not None:
        qs = qs.restrict(user, VIEW)
    agg = latest(qs).aggregate(people=Count("pk"), low=Sum("value_low"), high=Sum("value_high"))
    return {"people": agg["people"], "low": agg["low"] or Decimal(0), "high": agg["high"] or Decimal(0)}


def latest_team_value_low(enterprise_id: int) -> float | None:
    """The marketplace's ``talent_value_low`` feature: ``None`` when nobody of the team is valued."""
    v = team_value(enterprise_id)
    return float(v["low"]) if v["people"] else None


def loan_limit(terms: TalentLoanTerms, *, enterprise_id: int | None = None, valuation: Valuation | None = None) -> Decimal:
    """人才贷 limit = min(cap, product maximum, advance rate × value low)."""
    if valuation is not None:
        low = valuation.value_low
    else:
        low = team_value(enterprise_id)["low"]
    cap = min(terms.cap, terms.product.amount_max)
    return Decimal(f"{talent_loan_limit(value_low=float(low), advance_rate=float(terms.advance_rate), cap=float(cap)):.2f}")


def talent_products(user):
    return (TalentLoanTerms.objects.restrict(user, VIEW).filter(product__is_active=True)
            .select_related("product", "product__institution").order_by("product__name"))


def explanation(person: TalentPerson) -> dict[str, Any]:
    """The per-person explain path on the current model, with group labels."""
    model = bundled_model()
    e = explain(model, flat_facts(person.facts, timezone.localdate()))
    en = english()
    labels = {g.id: (g.label_en or g.label) if en else g.label for g in model.groups}
    names = {i.id: (i.label_en or i.label) if en else i.label for i in model.indicators}
    for row in e["indicators"]:
        row["group_label"] = labels[row["group"]]
        row["label"] = names[row["id"]]
        v = row["value"]
        if isinstance(v, str):
            row["shown"] = str(LEVEL_LABELS.get(row["fact"], {}).get(v, v))
        elif v is not None:
            unit = row["unit"] if not en else unit_en(row["unit"])
            if en and unit.isalpha():
                unit = " " + unit  # "5 years", but "12%"
            row["shown"] = money(v) if row["unit"] == "元" else f"{v:,.2f}".rstrip("0").rstrip(".") + unit
    e["group_rows"] = [{"id": g.id, "label": labels[g.id], "weight": g.weight, "score": e["groups"][g.id]} for g in model.groups]
    e["model"] = model
    return e


def indicator_labels(valuation: Valuation) -> dict[str, str]:
    model = load_model(valuation.run.model_json)
    en = english()
    return {i.id: (i.label_en or i.label) if en else i.label for i in model.indicators}


def distribution(user, run: ValuationRun | None = None) -> dict[str, Any]:
    """By district and by industry section: people valued and the sums of their ranges (latest
    consented valuations in the user's reach). Aggregates only."""
    qs = Valuation.objects.restrict(user, VIEW)
    if run is not None:
        qs = qs.filter(run=run)
    qs = latest(qs)
    by_district = [{"code": r["region_code"], "name": region_name(r["region_code"]), "people": r["people"],
                    "low": r["low"], "high": r["high"]}
                   for r in qs.values("region_code").annotate(people=Count("pk"), low=Sum("value_low"),
                                                              high=Sum("value_high")).order_by("region_code")]
    sections: dict[str, dict[str, Any]] = {}
    for r in qs.values("industry_code").annotate(people=Count("pk"), low=Sum("value_low"), high=Sum("value_high")):
        key = (r["industry_code"] or "?")[:1]
        s = sections.setdefault(key, {"section": key, "people": 0, "low": Decimal(0), "high": Decimal(0)})
        s["people"] += r["people"]
        s["low"] += r["low"] or 0
        s["high"] += r["high"] or 0
    return {"districts": by_district, "industries": sorted(sections.values(), key=lambda s: s["section"]),
            "people": sum(d["people"] for d in by_district)}
