"""Rates are typed as percentages on the product page and the error names the field in Chinese."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kechuang.accounts.choices import OrganizationKind
from kechuang.marketplace.models import Product

from .factories import institution

pytestmark = pytest.mark.django_db

FORM = {"name": "科创贷", "category": "credit", "amount_min": "100000", "amount_max": "5000000",
        "term_min_months": "3", "term_max_months": "36", "eligibility": "[]", "sla_pickup_days": "2"}


def test_rate_typed_as_percentage_is_stored_as_the_fraction(client):
    _org, bank_user = institution(OrganizationKind.BANK, "银行甲")
    client.force_login(bank_user)
    resp = client.post(reverse("marketplace:product_create"), {**FORM, "rate": "3.85%"})
    assert resp.status_code == 302
    assert Product.objects.get(name="科创贷").rate == Decimal("0.0385")


def test_out_of_range_rate_is_named_in_chinese_and_nothing_is_saved(client):
    _org, bank_user = institution(OrganizationKind.BANK, "银行甲")
    client.force_login(bank_user)
    resp = client.post(reverse("marketplace:product_create"), {**FORM, "rate": "40"})
    assert resp.status_code == 200
    text = resp.content.decode()
    # the error sits beside the field labelled in Chinese (the product form's field errors)
    assert '<label class="form-label small" for="rate">年化利率/费率（%）</label>' in text
    assert 'id="error-rate">年化利率/费率须在 0 至 36% 之间' in text
    assert "rate:" not in text
    assert not Product.objects.filter(name="科创贷").exists()
