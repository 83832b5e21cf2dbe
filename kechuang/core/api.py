"""API plumbing shared by every app: the one error format, the exceptions it maps, and the
query-parameter parsing every viewset relies on (authentication: :mod:`kechuang.core.authentication`).

Every 4xx answer has the same body (documented once in the schema, see
:mod:`kechuang.core.openapi`)::

    {"errors": [{"field": "amount", "code": "amount_range", "message": "金额必须大于零（收到 0）。"}]}

``field`` is ``null`` for an error about the request as a whole (not found, forbidden), and a
dotted path (``years.0.employees``) for a nested field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler, set_rollback

#: Codes of the errors the API itself raises (apps have their own ``error_codes``).
NOT_FOUND = "not_found"
PERMISSION_DENIED = "permission_denied"
CONFLICT = "conflict"
BAD_VALUE = "bad_value"
BAD_REGION = "bad_region"
BAD_INTEGER = "bad_integer"

#: The largest integer a query parameter may name (PostgreSQL's bigint).
BIGINT_MAX = 2**63 - 1


def _error(field, code, message) -> dict:
    return {"field": field, "code": str(code or "invalid"), "message": str(message)}


def _flatten(detail, field=None) -> list[dict]:
    """DRF's nested ``ErrorDetail`` structure as a flat list of coded errors with dotted paths."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else key
            out += _flatten(value, f"{field}.{name}" if field and name else (name or field))
        return out
    if isinstance(detail, list):
        out = []
        for i, value in enumerate(detail):
            nested = isinstance(value, (dict, list))
            out += _flatten(value, f"{field}.{i}" if nested and field else (str(i) if nested else field))
        return out
    return [_error(field, getattr(detail, "code", None), detail)]


def _django_errors(exc: DjangoValidationError) -> list[dict]:
    errors = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            name = None if field == "__all__" else field
            errors += [_error(name, e.code, " ".join(e.messages)) for e in field_errors]
    else:
        errors += [_error(None, e.code, " ".join(e.messages)) for e in exc.error_list]
    return errors


def exception_handler(exc, context):
    """Every error the API answers, in the one format: service-layer ``ValidationError``s and
    DRF's own exceptions alike. A unique constraint a concurrent write hit is a 409 ``conflict``
    and a value the database cannot hold a 400 ``bad_value``: the client learns what went wrong,
    never a 500 (the validation that should have caught it is still a bug to fix)."""
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response({"errors": _django_errors(exc)}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        set_rollback()
        return Response({"errors": [_error(None, CONFLICT, _("与已有数据冲突（如重复的名称），未作任何修改。"))]},
                        status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DataError):
        set_rollback()
        return Response({"errors": [_error(None, BAD_VALUE, _("某个值超出允许的范围或格式，未作任何修改。"))]},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        response.data = {"errors": _flatten(exc.detail)}
    return response


def region_param(value: str | None, *, field: str = "region") -> str | None:
    """A six-digit administrative division code from a query parameter (``None`` when absent),
    else a coded 400."""
    if not value:
        return None
    if len(value) != 6 or not value.isascii() or not value.isdigit():
        raise exceptions.ValidationError({field: [exceptions.ErrorDetail(
            _("区划代码应为 6 位数字（收到 %(v)s）。") % {"v": value[:20]}, code=BAD_REGION)]})
    return value


def int_param(value: str | None, *, field: str, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """An integer from a query parameter (``None`` when absent), ASCII digits only (``"²"`` is a
    digit to ``str.isdigit`` but not to ``int``), within ``minimum``..``maximum``, else a coded 400."""
    if value is None or value == "":
        return None
    text = value.strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits.isascii() or not digits.isdigit() or not minimum <= int(text) <= maximum:
        raise exceptions.ValidationError({field: [exceptions.ErrorDetail(
            _("应为 %(lo)s 至 %(hi)s 之间的整数（收到 %(v)s）。") % {"lo": minimum, "hi": maximum, "v": value[:20]},
            code=BAD_INTEGER)]})
    return int(text)
