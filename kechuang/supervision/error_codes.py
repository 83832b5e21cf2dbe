from django.db import models


class SupervisionErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    BAD_CHOICE = "bad_choice", "a value is not one of the allowed choices (e.g. an unknown licence type)"
    BAD_REGION = "bad_region", "unknown district or outside the user's region"
    BAD_AMOUNT = "bad_amount", "an amount is missing, malformed or negative"
    BAD_DATE = "bad_date", "a date is missing, malformed or in the future"
    DUPLICATE = "duplicate", "the licence number is already registered"
    BAD_INSTITUTION = "bad_institution", "the linked platform organisation is not a guarantor"
    BAD_FILE = "bad_file", "the file is not a readable XLSX workbook"
    REPORT_INVALID = "report_invalid", "the report has errors (see the list: row, field, reason)"
    TOO_LONG = "too_long", "a text is longer than allowed"
    CLOSED = "closed", "the inspection is already closed"
