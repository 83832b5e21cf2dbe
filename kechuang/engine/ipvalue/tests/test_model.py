"""The valuation model as data: the bundled model loads, and every kind of bad data is named."""

import copy
import tomllib
from importlib import resources

import pytest

from kechuang.engine.ipvalue import ModelError, UnknownModelError, get_model, load_model


def _raw() -> dict:
    text = resources.files("kechuang.engine.ipvalue").joinpath("models/ip-pledge-2023.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_bundled_model_loads_with_the_standards_structure():
    model = get_model("ip-pledge-2023")
    assert [d.id for d in model.dimensions] == ["legal", "technical", "economic"]
    assert [d.weight for d in model.dimensions] == [0.40, 0.25, 0.35]
    assert model.scenario == "financing"
    assert len(model.indicators) == 12
    # The standard fixes the structure, not numbers: every weight is marked provisional.
    assert {d.source for d in model.dimensions} | {i.source for i in model.indicators} == {"provisional"}
    assert get_model("ip-pledge") is model  # the family resolves to its latest version


def test_unknown_model_id_is_refused():
    with pytest.raises(UnknownModelError, match="no IP valuation model 'nope'"):
        get_model("nope")


@pytest.mark.parametrize(("change", "message"), [
    pytest.param(lambda d: d.update(schema=2), "schema: this engine reads schema 1, got 2", id="schema"),
    pytest.param(lambda d: d["dimensions"][0].update(weight=0.5), "dimensions: weights sum to 1.1, not 1",
                 id="dimension-weights"),
    pytest.param(lambda d: d["indicators"][0].update(weight=0.45),
                 "indicators: weights of dimension 'legal' sum to 1.1, not 1", id="indicator-weights"),
    pytest.param(lambda d: d["indicators"][1].update(fact="colour"), "indicators[1] (protection_scope).fact: "
                 "unknown fact 'colour'", id="unknown-fact"),
    pytest.param(lambda d: d["indicators"][1].update(bands=[[3, 10], [1, 20]]),
                 "indicators[1] (protection_scope).bands: 'from' values must strictly ascend", id="bands-order"),
    pytest.param(lambda d: d["indicators"][3].update(range=[90, 10]),
                 "indicators[3] (infringement_detectability).range: needs [low, high]", id="expert-range"),
    pytest.param(lambda d: d["indicators"][0].update(source="folklore"),
                 "indicators[0] (remaining_term).source: must be one of", id="source"),
    pytest.param(lambda d: d["income"].update(discount=[0.15, 0.12, 0.04]),
                 "income: discount rate 0.04 must exceed growth 0.05 (case high)", id="discount-below-growth"),
    pytest.param(lambda d: d["terms"].update(design=15.5), "terms: needs whole statutory terms", id="terms"),
    pytest.param(lambda d: d.update(colour="red"), "unknown top-level keys ['colour']", id="unknown-key"),
])
def test_bad_model_data_is_refused_with_the_problem_named(change, message):
    data = copy.deepcopy(_raw())
    change(data)
    with pytest.raises(ModelError) as err:
        load_model(data)
    assert any(p.startswith(message) for p in err.value.problems), err.value.problems


def test_every_problem_is_listed_at_once():
    data = copy.deepcopy(_raw())
    data["schema"] = 9
    data["income"]["share_low"] = 0.5
    data["income"]["share_high"] = 0.2
    with pytest.raises(ModelError) as err:
        load_model(data)
    assert len(err.value.problems) == 2
