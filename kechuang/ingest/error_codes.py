from django.db import models


class IngestErrorCode(models.TextChoices):
    FORMAT = "format", "unsupported file format"
    FILE = "file", "the file cannot be read"
    NOT_PERMITTED = "not_permitted", "not permitted"
    NOT_OPEN = "not_open", "quarantined row is not open"
    STILL_INVALID = "still_invalid", "the corrected row is still invalid"
    USCC_CHANGED = "uscc_changed", "a corrected row must keep the quarantined row's code"
    DUPLICATE_USCC = "duplicate_uscc", "the same code appears twice in the file"
    UNKNOWN_ENTERPRISE = "unknown_enterprise", "a new enterprise needs its name and founding date"
    OUTSIDE_REGION = "outside_region", "the row would create, change or move an enterprise outside the importer's region"
    NOT_RESUMABLE = "not_resumable", "only a failed import run can be resumed"
    FILE_TOO_LARGE = "file_too_large", "the uploaded file is larger than the upload limit"
