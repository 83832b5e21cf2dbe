from django.db import models


class EnterpriseErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    NO_CONSENT = "no_consent", "no active consent"
    CONSENT_PERIOD = "consent_period", "invalid consent period"
    CONSENT_REVOKED = "consent_revoked", "consent already revoked"
    CONSENT_ORGANIZATION = "consent_organization", "organisation cannot receive consent"
