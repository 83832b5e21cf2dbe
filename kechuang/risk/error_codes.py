from django.db import models


class RiskErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    FUTURE_DATE = "future_date", "the warning date is in the future"
    BAD_REGION = "bad_region", "unknown region or outside the user's region"
    BAD_RULES = "bad_rules", "the rule set is not valid"
    BAD_CHOICE = "bad_choice", "a value is not one of the allowed choices"
    BAD_DATE = "bad_date", "a date is missing, malformed or in the past"
    BAD_ASSIGNEE = "bad_assignee", "the assignee is not an advisor or officer of the enterprise's region"
    CASE_EXISTS = "case_exists", "the enterprise already has an open case"
    CASE_CLOSED = "case_closed", "the case is closed"
    NOT_EXPOSED = "not_exposed", "the institution has no exposure to the enterprise"
    CLEARED_WARNING = "cleared_warning", "a cleared warning cannot open a case"
    TOO_LONG = "too_long", "a text is longer than allowed"
