"""Capped counting keeps lists fast on a million rows and says when it stopped counting."""

import pytest
from django.test import RequestFactory
from rest_framework.request import Request

from kechuang.core.models import Job
from kechuang.core.pagination import CappedLimitOffsetPagination, CappedPaginator, capped_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs():
    Job.objects.bulk_create([Job(kind="ingest.import") for _ in range(12)])
    return Job.objects.order_by("pk")


def test_capped_count(jobs):
    assert capped_count(jobs, cap=20) == (12, False)
    assert capped_count(jobs, cap=12) == (12, False)
    assert capped_count(jobs, cap=11) == (11, True)


def test_paginator_stops_counting_at_the_cap(jobs, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    paginator = CappedPaginator(jobs, 5)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (10, True, 2)


def test_api_pagination_reports_a_capped_count_and_keeps_a_next_link(jobs, monkeypatch):
    monkeypatch.setattr(CappedLimitOffsetPagination, "cap", 10)
    pager = CappedLimitOffsetPagination()
    request = Request(RequestFactory().get("/api/x/", {"limit": 5, "offset": 10}))

    page = pager.paginate_queryset(jobs, request)
    body = pager.get_paginated_response([j.pk for j in page]).data

    assert (body["count"], body["count_capped"], len(body["results"])) == (10, True, 2)
    assert body["next"] is None  # the last, partial page
    first = pager.paginate_queryset(jobs, Request(RequestFactory().get("/api/x/", {"limit": 5})))
    assert len(first) == 5
    assert "offset=5" in pager.get_next_link()
