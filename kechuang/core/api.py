"""API plumbing shared by every app: the error format and the base viewset behaviour."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler, plus service-layer ``ValidationError``s returned as 400 with their codes:
    ``{"errors": [{"code": "...", "message": "...", "field": "..."}]}``."""
    if isinstance(exc, DjangoValidationError):
        errors = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.error_dict.items():
                for e in field_errors:
                    errors.append({"field": field, "code": e.code or "invalid", "message": " ".join(e.messages)})
        else:
            for e in exc.error_list:
                errors.append({"field": None, "code": e.code or "invalid", "message": " ".join(e.messages)})
        return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
