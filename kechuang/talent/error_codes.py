from django.db import models


class TalentErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    NO_CONSENT = "no_consent", "the person has no active consent for this use"
    BAD_FACTS = "bad_facts", "the person's facts do not pass the checks (unknown facts, levels, programmes)"
    BAD_ID = "bad_id", "the ID number is not a valid resident ID number"
    DUPLICATE_PERSON = "duplicate_person", "a person with this ID number is registered"
    CONSENT_PERIOD = "consent_period", "the consent ends before it starts or in the past"
    CONSENT_GRANTEE = "consent_grantee", "the grantee cannot hold this consent"
    CONSENT_REVOKED = "consent_revoked", "the consent is already revoked"
    BAD_MODEL = "bad_model", "the valuation model does not load"
    BAD_REGION = "bad_region", "unknown region or outside the user's region"
    NO_PEOPLE = "no_people", "nobody in scope has an active consent"
    BAD_TERMS = "bad_terms", "人才贷 terms out of range"
    BAD_FILE = "bad_file", "the import file cannot be read, or a column or cell is not the template's"
