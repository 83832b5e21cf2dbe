"""Filters shared by the list pages."""

import django_filters
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


def _descending(fmt, label) -> str:
    return str(fmt) % label


_descending_lazy = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering filter with its descending labels built at render time, so they
    follow the request's language like the ascending ones (upstream formats them at import)."""

    def build_choices(self, fields, labels):
        labels = dict(labels)
        for field, param in fields.items():
            label = labels.get(field, _(pretty_name(param)))
            labels.setdefault(field, label)
            labels.setdefault(f"-{param}", _descending_lazy(self.descending_fmt, label))
        return super().build_choices(fields, labels)
