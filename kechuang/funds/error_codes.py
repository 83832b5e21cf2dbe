from django.db import models


class FundsErrorCode(models.TextChoices):
    NOT_PERMITTED = "not_permitted", "not permitted"
    BAD_RULE = "bad_rule", "programme rule data invalid (schema, formula naming an unknown fact, …)"
    PROGRAMME_EXISTS = "programme_exists", "this programme version is already defined"
    NO_BUDGET = "no_budget", "the programme has no budget for the year"
    DEADLINE = "deadline", "claimed after the programme's claim deadline or outside its period"
    NOT_ON_PLATFORM = "not_on_platform", "the loan, loss or certificate claimed is not on the platform"
    NOT_CLAIMANT = "not_claimant", "the actor may not claim for this subject under this programme"
    NOT_ELIGIBLE = "not_eligible", "the enterprise does not meet the programme's eligibility"
    OVER_CAP = "over_cap", "amount above what the formula and caps allow"
    DUPLICATE = "duplicate", "the subject is already claimed in this programme or its exclusive group"
    BUDGET_EXCEEDED = "budget_exceeded", "approval would exceed the remaining budget"
    BAD_TRANSITION = "bad_transition", "transition not allowed from the current state"
    FOUR_EYES = "four_eyes", "the same person may not propose, review and approve a claim"
    REASON_REQUIRED = "reason_required", "a decline or clawback needs a reason"
    BAD_VALUE = "bad_value", "value missing or invalid"
