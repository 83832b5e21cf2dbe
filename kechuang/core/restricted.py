"""Base page view and DRF viewset behaviour of the one access path: every queryset a view serves
comes through ``Model.objects.restrict(user, action)`` (:mod:`kechuang.accounts.access`), the
action following the HTTP method (or the viewset's ``restrict_actions``), and an institution's
list and detail reads of enterprise rows are audited alike (``enterprise_list_read``)."""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from kechuang.accounts.access import CHANGE, DELETE, VIEW, may
from kechuang.enterprises.services import enterprise_list_read

#: The access action an HTTP method needs.
METHOD_ACTIONS = {"GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW, "POST": CHANGE, "PUT": CHANGE,
                  "PATCH": CHANGE, "DELETE": DELETE}


class WritersOnly(BasePermission):
    """The API's default: signed in to read; an unsafe method needs a writer of an active
    organisation (viewers change nothing and start no job), checked before the body is validated.
    A viewset lists POST actions that only compute (what-if) in ``read_only_actions``."""

    message = "viewers change nothing and start no job"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS or getattr(view, "action", None) in getattr(view, "read_only_actions", ()):
            return True
        return may(user, CHANGE)


def restricted_for(request, model, action: str | None = None):
    """``model.objects.restrict(request.user, action)``, the action following the HTTP method when
    not given: the shared helper of function page views (class-based ones use the mixin)."""
    manager = model._default_manager
    if not hasattr(manager, "restrict"):
        raise ImproperlyConfigured(f"{model.__name__} has no RestrictedQuerySet: declare its access scope")
    return manager.restrict(request.user, action or METHOD_ACTIONS.get(request.method, CHANGE))


class RestrictedPageMixin:
    """For page views: ``self.restricted(action)`` is ``model.objects.restrict(user, action)``
    (``model`` names another model for a page that shows more than one); without an action it
    follows the HTTP method, like the API."""

    model = None

    def restricted(self, action: str | None = None, model=None):
        return restricted_for(self.request, model or self.model, action)


class RestrictedViewSetMixin:
    """For DRF generic viewsets: ``get_queryset`` restricts ``queryset`` for the request's action;
    with ``audit_enterprise`` (the attribute path from a row to its enterprise) an institution's
    list and retrieve are audited per enterprise, like the profile's detail read."""

    restrict_actions: dict[str, str] = {}
    audit_enterprise: str | None = None

    def access_action(self) -> str:
        return self.restrict_actions.get(getattr(self, "action", None) or "") or METHOD_ACTIONS.get(
            self.request.method, CHANGE)

    def get_queryset(self):
        qs = super().get_queryset()
        if not hasattr(qs, "restrict"):
            raise ImproperlyConfigured(f"{type(self).__name__}.queryset is not a RestrictedQuerySet")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs.restrict(self.request.user, self.access_action())

    def _audit(self, rows, what: str) -> None:
        if self.audit_enterprise is not None:
            get = attrgetter(self.audit_enterprise)
            enterprises = list({e.pk: e for e in map(get, rows)}.values())
            enterprise_list_read(enterprises=enterprises, user=self.request.user,
                                 what=f"api {self.basename} {what}")

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page) if page is not None else list(qs)
        self._audit(rows, "list")
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def get_object(self):
        # The detail read is audited here rather than in a ``retrieve`` of the mixin's own, so a
        # list-only viewset gets no detail route from the router.
        row = super().get_object()
        if getattr(self, "action", None) == "retrieve":
            self._audit([row], "detail")
        return row
