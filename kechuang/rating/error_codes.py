from django.db import models


class RatingErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    FUTURE_DATE = "future_date", "the rating date is in the future"
    BAD_REGION = "bad_region", "unknown region or outside the user's region"
    NO_CHAMPION = "no_champion", "no champion model to rate with"
    NO_OUTCOMES = "no_outcomes", "no outcomes for the training window"
    TRAINING_FAILED = "training_failed", "the scorecard could not be fitted on the data"
    BAD_STATUS = "bad_status", "the model's status does not allow this"
    BAD_OUTCOMES = "bad_outcomes", "an outcome row is not valid"
    SELF_APPROVAL = "self_approval", "nobody approves a model they trained (four eyes)"
