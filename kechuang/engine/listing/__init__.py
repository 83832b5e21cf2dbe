"""The listing pipeline (上市后备企业库) as data: pool tiers with entry and stay rules in the
qualification engine's rule language, the order of listing milestones, and the listing awards the
policy documents promise. A library that never imports Django (see docs/listing.md).

The exchanges' listing standards themselves are qualification standards
(``kechuang.engine.qualification.listing_registry``)."""

from .awards import AwardSchedule, awards_due, load_awards
from .milestones import MILESTONES, milestone_rank, sequence_problem
from .pool import POOL_FEATURES, PoolRules, load_pool_rules, movement, place, place_batch, pool_features

__all__ = [
    "MILESTONES", "POOL_FEATURES", "AwardSchedule", "PoolRules", "awards_due", "load_awards", "load_pool_rules",
    "milestone_rank", "movement", "place", "place_batch", "pool_features", "sequence_problem",
]
