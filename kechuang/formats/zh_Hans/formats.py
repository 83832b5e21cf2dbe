"""zh-Hans numbers as Chinese finance pages write them: 1,100 and 16,000,000.00."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
