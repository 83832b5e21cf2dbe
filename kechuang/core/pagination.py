"""Pagination that stays fast on a region's million enterprises: counting stops at a cap, so a
list shows "10,000+" instead of scanning every matching row on each request."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

COUNT_CAP = 10_000


def capped_count(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """``(count, capped)``: the exact count up to ``cap``, else ``(cap, True)``."""
    n = queryset.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


class CappedPaginator(Paginator):
    """A Django paginator whose count stops at :data:`COUNT_CAP` (``count_capped`` tells)."""

    cap = COUNT_CAP

    @cached_property
    def _capped(self) -> tuple[int, bool]:
        return capped_count(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self._capped[0]

    @property
    def count_capped(self) -> bool:
        """True when more rows match than were counted (pages stop at the cap: narrow the
        filter to see the rest)."""
        return self._capped[1]


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """DRF pagination with a capped ``count`` and ``count_capped`` in the response."""

    default_limit = 50
    max_limit = 1000
    cap = COUNT_CAP

    def paginate_queryset(self, queryset, request, view=None):
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.count, self.count_capped = capped_count(queryset, self.cap)
        self.offset = self.get_offset(request)
        self.request = request
        page = list(queryset[self.offset:self.offset + self.limit])
        self.full_page = len(page) == self.limit
        return page

    def get_paginated_response(self, data):
        return Response({"count": self.count, "count_capped": self.count_capped,
                         "next": self.get_next_link(), "previous": self.get_previous_link(),
                         "results": data})

    def get_next_link(self):
        if self.count_capped:
            # Past the counted rows there may be more: a full page always has a next one.
            if not self.full_page:
                return None
            url = self.request.build_absolute_uri()
            url = replace_query_param(url, self.limit_query_param, self.limit)
            return replace_query_param(url, self.offset_query_param, self.offset + self.limit)
        return super().get_next_link()

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_capped"] = {"type": "boolean", "example": False}
        return result
