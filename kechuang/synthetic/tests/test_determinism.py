"""Same arguments, same bytes; record i does not depend on n."""

from __future__ import annotations

from datetime import date

import orjson
import pytest

from kechuang.synthetic import generate, generate_outcomes, write_jsonl
from kechuang.synthetic.population import CHUNK


def _bytes(n: int, **kw) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in generate(n, **kw))


def test_same_arguments_give_identical_bytes():
    assert _bytes(1500) == _bytes(1500)


def test_a_short_run_is_a_prefix_of_a_long_run():
    # Given runs of 700 and 2 * CHUNK + 52 records (three chunks, the last one partial)
    short = list(generate(700))
    long = list(generate(2 * CHUNK + 52))
    # Then the short one is the start of the long one
    assert len(long) == 2 * CHUNK + 52
    assert long[:700] == short


def test_seed_and_as_of_change_the_data():
    base = next(generate(1))
    assert next(generate(1, seed=7)) != base
    assert next(generate(1, as_of=date(2025, 6, 30)))["years"][-1]["year"] == 2024


def test_write_jsonl_is_identical_for_any_number_of_workers(tmp_path):
    one, two = tmp_path / "one-synthetic.jsonl", tmp_path / "two-synthetic.jsonl"
    write_jsonl(one, 2100, workers=1)
    write_jsonl(two, 2100, workers=2)
    assert one.read_bytes() == two.read_bytes()
    assert one.read_bytes() == _bytes(2100)


def test_outcomes_are_deterministic_prefix_stable_and_match_the_records():
    first = list(generate_outcomes(1100))
    assert first == list(generate_outcomes(1100))
    assert list(generate_outcomes(300)) == first[:300]
    assert [o["uscc"] for o in first[:50]] == [r["uscc"] for r in generate(50)]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n": -1}, "n must be"),
    ({"n": 10, "region": "370199"}, "region must be"),
    ({"n": 10, "region": "110101"}, "region must be"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        list(generate(**kwargs))
