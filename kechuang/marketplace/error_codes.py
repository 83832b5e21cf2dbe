from django.db import models


class MarketplaceErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    ORGANIZER_REQUIRED = "organizer_required", "the actor has no organisation to organise the roadshow"
    WRONG_PUBLISHER = "wrong_publisher", "organisation kind cannot publish this product kind"
    BAD_RULE = "bad_rule", "eligibility rule invalid"
    AMOUNT_RANGE = "amount_range", "amount out of range"
    TERM_RANGE = "term_range", "term out of range"
    RATE_RANGE = "rate_range", "rate out of range"
    SLA = "sla", "invalid service level"
    KIND_MISMATCH = "kind_mismatch", "product does not serve this demand kind"
    NOT_ELIGIBLE = "not_eligible", "enterprise not eligible for the product"
    DEMAND_NOT_OPEN = "demand_not_open", "demand is not open"
    ALREADY_HELD = "already_held", "demand already held by an institution"
    BAD_TRANSITION = "bad_transition", "transition not allowed from the current state"
    NOT_HOLDER = "not_holder", "only the holding institution may act"
    REASON_REQUIRED = "reason_required", "a decline needs a reason"
    LEGS_PENDING = "legs_pending", "guarantee or insurance leg not approved"
    SHARES = "shares", "risk shares must sum to 100"
    LOSS = "loss", "invalid loss amount"
    SATISFACTION = "satisfaction", "satisfaction must be 1-5"
