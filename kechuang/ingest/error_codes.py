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
