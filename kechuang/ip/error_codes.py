from django.db import models


class IPErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    NOT_HELD = "not_held", "the enterprise does not hold this IP item"
    EXPIRED = "expired", "the IP item's term has ended"
    NOT_VALUED = "not_valued", "the IP item has no valuation with a value"
    OVER_VALUE = "over_value", "the amount exceeds the items' remaining value (value minus active pledges)"
    NO_ITEMS = "no_items", "a pledge needs at least one IP item"
    DUPLICATE_ITEM = "duplicate_item", "an IP item is named twice"
    AMOUNT = "amount", "amount must be positive"
    DATES = "dates", "expiry must come after registration"
    PLEDGEE = "pledgee", "the pledgee must be a financial institution"
    NOT_ACTIVE = "not_active", "the pledge is not active"
    BAD_EXPERT = "bad_expert", "expert input invalid"
    RATE = "rate", "pledge rate must be between 0 and 1"
    PRODUCT = "product", "not an IP-pledge loan product of the actor's institution"
