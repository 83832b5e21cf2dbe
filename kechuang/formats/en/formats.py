"""English numbers: 1,100 and 16,000,000.00 (Django's own, pinned so both languages agree)."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
