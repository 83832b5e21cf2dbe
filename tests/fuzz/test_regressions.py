"""Each server error the API fuzz run found, reproduced by hand: every one a coded 4xx now, in
the one error format, with nothing written. (Each failed with a 500 before its fix.)"""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError
from rest_framework.exceptions import ErrorDetail, ValidationError as DRFValidationError
from rest_framework.test import APIClient

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core import api
from kechuang.enterprises.tests.factories import user
from kechuang.marketplace.models import FinancingRequest, Product, Roadshow
from kechuang.marketplace.services import demand_post
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product
from kechuang.rating.models import RatingModel, RatingRun
from kechuang.targets.models import Plan
from kechuang.targets.tests.factories import small_plan

from .test_fuzz_api import SCHEMA

pytestmark = pytest.mark.django_db


def client(u) -> APIClient:
    c = APIClient()
    c.force_authenticate(u)
    return c


@pytest.fixture
def admin(django_user_model):
    """The platform administrator: a superuser who belongs to no organisation."""
    return django_user_model.objects.create_superuser("root", password="pw-12345678")


def test_roadshow_by_a_user_without_organisation_is_a_coded_400_and_nothing_is_written(admin):
    response = client(admin).post("/api/marketplace/roadshows/", {"title": "路演", "region_code": "370100",
                                                                   "held_on": "2026-12-20"}, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("organizer", "organizer_required")]
    assert Roadshow.objects.count() == 0


def test_a_percent_sign_in_user_input_does_not_break_the_error_message(admin):
    RatingModel.objects.create(version=1, status="champion", model_json="{}", train_as_of=date(2026, 1, 1),
                               trained_label="test")
    response = client(admin).post("/api/rating-runs/", {"as_of": "2026-11-01", "region_code": "X%。"},
                                  format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "region_code", "code": "bad_region",
                                           "message": "未知的区划代码 X%。。"}]}
    assert RatingRun.objects.count() == 0


def test_basic_auth_with_a_nul_byte_is_refused_not_a_server_error():
    token = base64.b64encode(b"ad\x00min:pw").decode()
    response = APIClient().get("/api/marketplace/queue/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "authentication_failed"


@pytest.mark.parametrize("url", [
    pytest.param("/api/targets/live-metrics/?region=n%C3%B9%C2%B2", id="live-metrics-not-digits"),
    pytest.param("/api/targets/live-metrics/?region=37", id="live-metrics-too-short"),
    pytest.param("/api/marketplace/metrics/?region=abcdef", id="metrics-letters"),
    pytest.param("/api/marketplace/metrics/breakdown/?region=%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2%C2%B2",
                 id="breakdown-superscript-digits"),
])
def test_a_malformed_region_parameter_is_a_coded_400(admin, url):
    response = client(admin).get(url)
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("region", "bad_region")]


@pytest.mark.parametrize(("url", "field"), [
    pytest.param("/api/rating-results/?run=%C2%B2", "run", id="superscript-two"),
    pytest.param("/api/rating-results/?run=99999999999999999999", "run", id="beyond-bigint"),
    pytest.param("/api/targets/plans/{plan}/progress/?as_of=%C2%B2%C2%B2", "as_of", id="year-superscript"),
    pytest.param("/api/targets/plans/{plan}/check/?year=99999999999999999999", "year", id="year-huge"),
])
def test_integer_query_parameters_take_ascii_digits_in_range(admin, url, field):
    small_plan()
    response = client(admin).get(url.format(plan=Plan.objects.get().pk))
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, "bad_integer")]


@pytest.fixture
def approvable():
    """A request the bank has picked up (the rate is parsed before the state is checked)."""
    bank, banker = institution(K.BANK, "银行甲")
    ent, ent_user = enterprise(1)
    product = loan_product(bank, banker)
    did = client(ent_user).post("/api/marketplace/demands/", {"kind": "debt", "amount": "1000000", "term_months": 12,
                                                             "purpose": "rd"}, format="json").json()["id"]
    rid = client(banker).post(f"/api/marketplace/demands/{did}/grab/", {"product": product.pk},
                              format="json").json()["id"]
    return FinancingRequest.objects.get(pk=rid), banker


@pytest.mark.parametrize("rate", ["abc", "NaN", "Infinity", "0.05.1"])
def test_a_rate_that_is_not_a_number_is_a_coded_400(approvable, rate):
    req, banker = approvable
    response = client(banker).post(f"/api/marketplace/requests/{req.pk}/decide/",
                                   {"approve": True, "rate": rate}, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("rate", "rate_range")]
    req.refresh_from_db()
    assert (req.state, req.approved_rate) == ("picked_up", None)


def test_an_equity_share_that_is_not_a_number_is_a_coded_error():
    ent, ent_user = enterprise(2)
    with pytest.raises(ValidationError) as caught:
        demand_post(enterprise=ent, actor=ent_user, kind="equity", amount=Decimal("500000"), purpose="rd",
                    equity_share="NaN")
    assert caught.value.error_dict["equity_share"][0].code == "invalid"


def test_a_duplicate_product_name_is_a_coded_400_and_the_catalogue_is_unchanged():
    bank, banker = institution(K.BANK, "银行丙")
    loan_product(bank, banker, name="科创信用贷")
    response = client(banker).post("/api/marketplace/products/", {
        "kind": "loan", "category": "credit", "name": "科创信用贷", "amount_min": "100000",
        "amount_max": "5000000", "term_min_months": 3, "term_max_months": 36}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "name", "code": "duplicate",
                                          "message": "本机构已有名为“科创信用贷”的产品。"}]
    assert list(Product.objects.values_list("name", flat=True)) == ["科创信用贷"]


# --- the error format -------------------------------------------------------------------------

def test_serializer_errors_are_flattened_with_dotted_paths_and_codes(admin):
    response = client(admin).post("/api/consents/", {"enterprise": "x", "purpose": "bogus"}, format="json")
    assert response.status_code == 400
    fields = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert fields == {("enterprise", "incorrect_type"), ("organization", "required"),
                      ("purpose", "invalid_choice"), ("valid_until", "required")}


def test_nested_serializer_errors_name_the_item_by_a_dotted_path():
    exc = DRFValidationError({"years": [{}, {"employees": [ErrorDetail("须为非负整数", code="min_value")]}],
                              "non_field_errors": [ErrorDetail("至少一年", code="required")]})
    assert api.exception_handler(exc, {}).data == {"errors": [
        {"field": "years.1.employees", "code": "min_value", "message": "须为非负整数"},
        {"field": None, "code": "required", "message": "至少一年"}]}


def test_not_found_and_forbidden_have_the_same_body(admin):
    assert client(admin).get("/api/marketplace/products/99999999999999999999/").json() == {
        "errors": [{"field": None, "code": "not_found", "message": "No Product matches the given query."}]}
    no_org = user("no-org", None)
    forbidden = client(no_org).get("/api/marketplace/queue/")
    assert forbidden.status_code == 403
    assert forbidden.json()["errors"][0]["code"] == "permission_denied"


@pytest.mark.parametrize(("exc", "status", "code"), [
    pytest.param(IntegrityError("duplicate key value violates unique constraint"), 409, api.CONFLICT, id="integrity"),
    pytest.param(DataError("value too long for type character varying(6)"), 400, api.BAD_VALUE, id="data"),
])
def test_database_errors_that_slip_past_validation_are_coded_not_500(exc, status, code):
    response = api.exception_handler(exc, {})
    assert response.status_code == status
    assert [e["code"] for e in response.data["errors"]] == [code]
    assert "duplicate key" not in str(response.data) and "varying" not in str(response.data)


def test_every_operation_documents_its_errors():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    missing = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            expected = {"400", "403"} | ({"404"} if "{" in path or method != "get" else set())
            expected |= {"409"} if method != "get" else set()
            missing += [f"{method} {path} {code}" for code in sorted(expected - set(op["responses"]))]
            assert all(op["responses"][c]["content"]["application/json"]["schema"]
                       == {"$ref": "#/components/schemas/Error"} for c in expected)
    assert missing == []
    assert schema["components"]["schemas"]["Error"]["required"] == ["errors"]
