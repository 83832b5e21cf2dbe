from __future__ import annotations

from datetime import date

import pytest

from kechuang.synthetic import generate

AS_OF = date(2026, 11, 22)
SAMPLE = 5000


@pytest.fixture(scope="session")
def sample() -> list[dict]:
    """The first 5,000 records of the default seed."""
    return list(generate(SAMPLE))
