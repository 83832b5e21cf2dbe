"""REST API of data collection: upload a file (runs in the background), follow its progress, fix
or discard quarantined records."""

from __future__ import annotations

import tempfile
from pathlib import Path

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from kechuang.core.restricted import RestrictedViewSetMixin
from kechuang.ingest.models import ImportRun, QuarantinedRow
from kechuang.ingest.error_codes import IngestErrorCode
from kechuang.ingest.services import (can_import, default_source, import_run_create, import_run_resume,
                                      import_runs_fail_stale, quarantined_row_discard,
                                      quarantined_row_resubmit, upload_too_large)

from .serializers import (DiscardSerializer, ImportRunSerializer, ImportUploadSerializer,
                          QuarantinedRowSerializer, ResubmitSerializer)


class CanImport(permissions.BasePermission):
    message = "only the regulator's admins and officers may import data"

    def has_permission(self, request, view):
        return can_import(request.user)


class FileTooLarge(exceptions.APIException):
    """413 with the coded body: ``{"errors": [{"field": "file", "code": "file_too_large", …}]}``."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = IngestErrorCode.FILE_TOO_LARGE


class ImportRunViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Imports: the regulator's admins and officers, and whoever started one, within the region
    the run was imported under. Runs whose heartbeat stopped are marked failed on every read."""

    queryset = ImportRun.objects.select_related("job").order_by("-created_at")
    serializer_class = ImportRunSerializer
    permission_classes = [CanImport]
    filterset_fields = ["status", "source"]
    restrict_actions = {"upload": "run", "resume": "run"}

    def get_queryset(self):
        if not getattr(self, "swagger_fake_view", False):
            import_runs_fail_stale()
        return super().get_queryset()

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={202: ImportRunSerializer})
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request):
        """Upload a JSON Lines, CSV or XLSX file; it is imported by a background worker. Poll the
        run for ``progress`` and the outcome."""
        self._refuse_too_large(request.META.get("CONTENT_LENGTH"))  # before the body is read
        form = ImportUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        self._refuse_too_large(upload.size)
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            run = import_run_create(path=Path(tmp.name), file_name=upload.name,
                                    source=form.validated_data.get("source") or default_source(),
                                    actor=request.user, mode=form.validated_data["mode"],
                                    section=form.validated_data["section"], enqueue=True)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @staticmethod
    def _refuse_too_large(size) -> None:
        message = upload_too_large(size)
        if message is not None:
            raise FileTooLarge({"file": [message]}, code=IngestErrorCode.FILE_TOO_LARGE)

    @extend_schema(request=None, responses={202: ImportRunSerializer})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Queue a failed (or killed) import again: it continues after its last committed chunk,
        writing no row twice. 400 ``not_resumable`` unless the run failed."""
        run = import_run_resume(run=self.get_object(), actor=request.user)
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class QuarantinedRowViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Quarantined records of the imports the caller may see; fix and resubmit, or discard."""

    queryset = QuarantinedRow.objects.order_by("run", "sheet", "row")
    serializer_class = QuarantinedRowSerializer
    permission_classes = [CanImport]
    filterset_fields = ["run", "status", "uscc"]

    @extend_schema(request=ResubmitSerializer, responses=QuarantinedRowSerializer)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        """Validate the corrected record and load it; 400 with every remaining problem otherwise."""
        body = ResubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = self.get_object()
        quarantined_row_resubmit(row=row, data=body.validated_data["data"], actor=request.user)
        row.refresh_from_db()
        return Response(self.get_serializer(row).data)

    @extend_schema(request=DiscardSerializer, responses=QuarantinedRowSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        body = DiscardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = quarantined_row_discard(row=self.get_object(), actor=request.user,
                                      reason=body.validated_data["reason"])
        return Response(self.get_serializer(row).data)
