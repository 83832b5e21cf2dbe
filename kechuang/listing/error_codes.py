from django.db import models


class ListingErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    BAD_REGION = "bad_region", "unknown region or outside the actor's region"
    FUTURE_DATE = "future_date", "date in the future"
    BAD_MILESTONE = "bad_milestone", "unknown milestone"
    MILESTONE_EXISTS = "milestone_exists", "milestone already recorded"
    OUT_OF_ORDER = "out_of_order", "milestone out of order"
    BAD_VALUE = "bad_value", "value missing or not one of the choices"
