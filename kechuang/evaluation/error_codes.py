from django.db import models


class EvaluationErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    BAD_DATE = "bad_date", "the evaluation date is not a valid date"
    FUTURE_DATE = "future_date", "the evaluation date is in the future"
    UNKNOWN_STANDARD = "unknown_standard", "unknown standard or no version in force"
    BAD_REGION = "bad_region", "unknown region or outside the user's region"
    BAD_CHANGE = "bad_change", "a what-if change is not valid"
    NOT_QUEUED = "not_queued", "the run is not queued"
    BAD_RECORD = "bad_record", "a posted record cannot be evaluated"
    TOO_MANY_RECORDS = "too_many_records", "too many records in one request"
    BAD_RESULTS = "bad_results", "a result file to import lacks a column or holds another version"
