"""The enterprise rates a closed financing request once (1–5 stars, audited); nobody else can, an
open request cannot be rated; the ratings count in the satisfaction mean and the rated ÷ closed
rate, which stays within 0–100 %."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import user
from kechuang.marketplace import metrics
from kechuang.marketplace import services as s
from kechuang.marketplace.error_codes import MarketplaceErrorCode as E
from kechuang.marketplace.models import RequestRating
from kechuang.marketplace.services_feedback import request_rate

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


def _request(n=1, bank_name="银行甲"):
    bank, bu = institution(K.BANK, bank_name)
    product = loan_product(bank, bu)
    ent, eu = enterprise(n)
    demand = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="working_capital",
                           actor=eu)
    req = s.request_apply(demand=demand, product=product, actor=eu)
    return req, eu, bu


def _decline(req, bu):
    s.request_pick_up(request=req, actor=bu)
    s.request_review(request=req, actor=bu)
    return s.request_decide(request=req, approve=False, reason="现金流不足", actor=bu)


def _ratings_audited():
    return AuditEntry.objects.filter(object_type="marketplace.requestrating").count()


def test_the_enterprise_rates_its_closed_request_once_and_it_is_audited():
    req, eu, bu = _request()
    req = _decline(req, bu)

    rating = request_rate(request=req, stars=4, comment="  审批很快，但拒绝理由可以更具体  ", actor=eu)

    assert (rating.stars, rating.comment, rating.rated_by) == (4, "审批很快，但拒绝理由可以更具体", eu)
    entry = AuditEntry.objects.get(object_type="marketplace.requestrating")
    assert (entry.action, entry.object_id, entry.after["stars"]) == ("create", str(rating.pk), 4)
    with pytest.raises(ValidationError) as again:
        request_rate(request=req, stars=1, actor=eu)
    assert again.value.error_dict["stars"][0].code == E.ALREADY_RATED
    assert (RequestRating.objects.get().stars, _ratings_audited()) == (4, 1)


def test_an_open_request_cannot_be_rated():
    req, eu, _bu = _request()

    with pytest.raises(ValidationError) as err:
        request_rate(request=req, stars=5, actor=eu)

    assert err.value.error_dict["stars"][0].code == E.NOT_CLOSED
    assert (RequestRating.objects.count(), _ratings_audited()) == (0, 0)


@pytest.mark.parametrize("who", ["bank", "viewer", "other_enterprise"])
def test_only_the_enterprise_itself_may_rate(who):
    req, eu, bu = _request()
    req = _decline(req, bu)
    actor = {"bank": lambda: bu, "viewer": lambda: user("ent-viewer", eu.organization, role=Role.VIEWER),
             "other_enterprise": lambda: enterprise(2)[1]}[who]()

    with pytest.raises(PermissionDenied):
        request_rate(request=req, stars=5, actor=actor)

    assert (RequestRating.objects.count(), _ratings_audited()) == (0, 0)


@pytest.mark.parametrize("stars", [0, 6, "x", None, "", True])
def test_stars_must_be_one_to_five(stars):
    req, eu, bu = _request()
    req = _decline(req, bu)

    with pytest.raises(ValidationError) as err:
        request_rate(request=req, stars=stars, actor=eu)

    assert err.value.error_dict["stars"][0].code == E.STARS
    assert RequestRating.objects.count() == 0


def test_ratings_count_in_satisfaction_and_the_rated_share_of_closed_requests():
    today = timezone.localdate()
    first, eu1, bu1 = _request(1, "银行甲")
    second, eu2, bu2 = _request(2, "银行乙")
    open_one, _eu3, _bu3 = _request(3, "银行丙")
    request_rate(request=_decline(first, bu1), stars=5, actor=eu1)
    _decline(second, bu2)  # closed, not rated

    period = {"region_code": "370100", "start": today - dt.timedelta(days=1), "end": today}
    assert metrics.satisfaction(**period) == (Decimal(5), Decimal(1))
    assert metrics.request_rating_rate(**period) == (Decimal(1), Decimal(2))
    request_rate(request=second, stars=2, actor=eu2)
    assert metrics.satisfaction(**period) == (Decimal(7), Decimal(2))
    assert metrics.request_rating_rate(**period) == (Decimal(2), Decimal(2))  # bounded: the same requests
    assert open_one.state == "submitted"
    before = {"region_code": "370100", "start": today - dt.timedelta(days=10), "end": today - dt.timedelta(days=2)}
    assert metrics.request_rating_rate(**before) == (Decimal(0), Decimal(0))


def _client(u):
    c = Client()
    c.force_login(u)
    return c


def test_the_request_page_offers_the_form_then_shows_the_rating():
    req, eu, bu = _request()
    c = _client(eu)
    assert 'id="rating-form"' not in c.get(f"/marketplace/requests/{req.pk}/").content.decode()  # still open
    _decline(req, bu)
    assert 'id="rating-form"' in c.get(f"/marketplace/requests/{req.pk}/").content.decode()
    assert 'id="rating-form"' not in _client(bu).get(f"/marketplace/requests/{req.pk}/").content.decode()

    missing = c.post(f"/marketplace/requests/{req.pk}/rate/", {"comment": "不错"})
    assert missing.status_code == 400
    assert 'id="error-stars">请选择 1 至 5 星。' in missing.content.decode()
    assert RequestRating.objects.count() == 0

    ok = c.post(f"/marketplace/requests/{req.pk}/rate/", {"stars": "3", "comment": "一般"})
    assert ok.status_code == 302
    page = c.get(f"/marketplace/requests/{req.pk}/").content.decode()
    assert 'id="rating-given"' in page and "3 / 5" in page and "一般" in page and 'id="rating-form"' not in page
    bank_page = _client(bu).get(f"/marketplace/requests/{req.pk}/").content.decode()
    assert "3 / 5" in bank_page  # the institution that held it sees the feedback

    again = c.post(f"/marketplace/requests/{req.pk}/rate/", {"stars": "5"}, follow=True)
    assert "该申请已评价过" in again.content.decode()
    assert RequestRating.objects.get().stars == 3
