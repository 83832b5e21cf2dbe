"""The grab's lean API path (issue 10, contended grab latency): the same answer and the same
refusals as before, with fewer statements — a loser is answered after three reads and opens no
transaction; a winner writes without a savepoint and is answered without re-reading its request."""

import pytest
from django.db import connection
from django.test import Client

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.marketplace import services
from kechuang.marketplace.models import Demand, FinancingRequest, RequestEvent

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    bank, bu = institution(K.BANK, "银行甲")
    bank2, bu2 = institution(K.BANK, "银行乙")
    ent, eu = enterprise(1)
    d = services.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                             actor=eu, prefill={"hnte": True, "region_city": "370100"})
    return dict(bank=bank, bu=bu, bank2=bank2, bu2=bu2, d=d, p1=loan_product(bank, bu),
                p2=loan_product(bank2, bu2, name="乙行贷"))


def session(user):
    """A signed-in browser-like client: the session and its user are read as in production."""
    c = Client()
    c.force_login(user)
    return c


def grab(c, demand_id, product_id):
    sql = []

    def log(execute, statement, params, many, context):
        sql.append(statement)
        return execute(statement, params, many, context)

    with connection.execute_wrapper(log):
        r = c.post(f"/api/marketplace/demands/{demand_id}/grab/", {"product": product_id},
                   content_type="application/json")
    return r, sql


def test_winning_grab_answers_exactly_what_reading_the_request_back_shows(w):
    # given a bank signed in with a session, when it grabs an open demand
    r, _sql = grab(session(w["bu"]), w["d"].pk, w["p1"].pk)
    # then the answer (built from the request as created) equals the request read back by the API
    assert r.status_code == 201, r.content
    back = session(w["bu"]).get(f"/api/marketplace/requests/{r.json()['id']}/")
    assert back.status_code == 200
    assert r.json() == back.json()
    assert r.json()["holder"] == "银行甲（u-银行甲）"
    assert [(e["from_state"], e["to_state"], e["note"]) for e in r.json()["events"]] == [("", "picked_up", "抢单")]


def test_winning_grab_takes_eight_statements_and_no_savepoint_of_its_own(w):
    r, sql = grab(session(w["bu"]), w["d"].pk, w["p1"].pk)
    assert r.status_code == 201
    # user with its organisation; demand id+status; product; claim; consent; request; event; audit
    # (on PostgreSQL the audit entry and its sealer-queue row are one statement; SQLite takes two)
    work = [s for s in sql if "SAVEPOINT" not in s]
    assert len(work) == (8 if connection.vendor == "postgresql" else 9), work
    # the test's transaction turns the grab's own transaction into one savepoint (taken and
    # released); the request's INSERT has none of its own any more
    assert len(sql) - len(work) == 2, sql
    assert sql[0].count("accounts_organization") >= 1  # the organisation joined to the user
    assert FinancingRequest.objects.filter(demand=w["d"]).count() == 1
    assert RequestEvent.objects.filter(request__demand=w["d"]).count() == 1
    assert AuditEntry.objects.filter(object_type="marketplace.financingrequest").count() == 1


def test_losing_grab_takes_three_reads_and_changes_nothing(w):
    assert grab(session(w["bu"]), w["d"].pk, w["p1"].pk)[0].status_code == 201
    audits = AuditEntry.objects.count()
    # when the second bank grabs the held demand
    r, sql = grab(session(w["bu2"]), w["d"].pk, w["p2"].pk)
    # then it is told already_held after three reads (user, demand status, product), no write
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "already_held"
    assert len(sql) == 3, sql
    assert all(s.lstrip().upper().startswith("SELECT") for s in sql), sql
    assert FinancingRequest.objects.get(demand=w["d"]).institution == w["bank"]
    assert AuditEntry.objects.count() == audits


def test_permission_is_checked_before_the_early_answer(w):
    # given a held demand, when a bank grabs it with another bank's product
    assert grab(session(w["bu"]), w["d"].pk, w["p1"].pk)[0].status_code == 201
    r, _sql = grab(session(w["bu2"]), w["d"].pk, w["p1"].pk)
    # then it is refused as not the product's institution (403 naming it), not told "held"
    assert r.status_code == 403
    assert "银行甲" in r.json()["errors"][0]["message"]
    # and on an open demand the same refusal changes nothing
    d2 = services.demand_post(enterprise=w["d"].enterprise, kind="debt", amount="1000000", term_months=12,
                              purpose="rd", actor=w["d"].posted_by, prefill={"hnte": True, "region_city": "370100"})
    r2, _sql = grab(session(w["bu2"]), d2.pk, w["p1"].pk)
    assert r2.status_code == 403
    assert Demand.objects.get(pk=d2.pk).status == "open"
    assert not FinancingRequest.objects.filter(demand=d2).exists()


def test_unknown_demand_is_404_and_unknown_product_is_400(w):
    c = session(w["bu"])
    assert grab(c, 10**9, w["p1"].pk)[0].status_code == 404
    r, _sql = grab(c, w["d"].pk, 10**9)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "product"
    assert Demand.objects.get(pk=w["d"].pk).status == "open"


def test_a_viewer_cannot_grab(w):
    from kechuang.enterprises.tests.factories import user

    viewer = user("viewer-甲", w["bank"], role="viewer")
    r, _sql = grab(session(viewer), w["d"].pk, w["p1"].pk)
    assert r.status_code == 403
    assert Demand.objects.get(pk=w["d"].pk).status == "open"
    assert not FinancingRequest.objects.exists()
