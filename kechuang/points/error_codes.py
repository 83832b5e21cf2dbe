from django.db import models


class PointsErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    BAD_MODEL = "bad_model", "the points model does not load (weights, facts, stage rules …)"
    DUPLICATE_VERSION = "duplicate_version", "a model with this version exists"
    BAD_REGION = "bad_region", "unknown region or outside the user's region"
    FUTURE_DATE = "future_date", "the scoring date is in the future"
    NO_MODEL = "no_model", "no points model to score with"
    NO_ENTERPRISES = "no_enterprises", "no enterprise of the region has facts on the date"
