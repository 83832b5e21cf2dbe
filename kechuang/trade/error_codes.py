from django.db import models


class TradeErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    SELLER = "seller", "the seller must be an enterprise, university or institute with a record in the theme database"
    BUYER = "buyer", "the buyer must be an enterprise, university or institute with a record in the theme database"
    OWN_LISTING = "own_listing", "a seller cannot express interest in its own listing"
    NOT_HELD = "not_held", "the seller does not hold this IP item (as owner)"
    EXPIRED = "expired", "the IP item's term has ended"
    PLEDGED = "pledged", "the IP item is pledged and the pledgee has not consented"
    KIND = "kind", "unknown deal kind"
    PRICE = "price", "a price must be a positive amount in yuan"
    DUPLICATE_LISTING = "duplicate_listing", "the item is already listed for this kind"
    NOT_LISTED = "not_listed", "the listing is not open"
    DUPLICATE_INTEREST = "duplicate_interest", "the buyer already has an open deal on this listing"
    OUT_OF_ORDER = "out_of_order", "the step does not follow from the deal's state"
    DUPLICATE_EXCLUSIVE = "duplicate_exclusive", "another deal already binds this item exclusively"
    CONTRACT_DATE = "contract_date", "contract date missing or in the future"
    SCHEDULE = "schedule", "payment schedule invalid"
    REGISTRATION_NUMBER = "registration_number", "technology contract registration number required"
    NOT_PLEDGEE = "not_pledgee", "only the pledgee may consent"
    PROCEEDS = "proceeds", "no signed deal's proceeds are due on this consent, or the way they were settled is unknown"
    PROCEEDS_DATE = "proceeds_date", "settlement date missing, before the contract or in the future"
