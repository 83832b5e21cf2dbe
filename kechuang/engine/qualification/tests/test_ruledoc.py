"""The shared rule-document reader: every engine's loader fails the same way on a broken file."""

import pytest

from kechuang.engine.funds.programme import load_programme
from kechuang.engine.ipvalue.errors import ModelError
from kechuang.engine.ipvalue.model import load_model
from kechuang.engine.listing.pool import load_pool_rules
from kechuang.engine.qualification.errors import RuleError
from kechuang.engine.qualification.rules import load_standard
from kechuang.engine.ruledoc import read_rule_doc


def test_a_dict_is_named_by_its_id():
    assert read_rule_doc({"id": "x-1", "a": 1}, RuleError) == ({"id": "x-1", "a": 1}, "x-1")


def test_json_and_toml_files_are_both_read(tmp_path):
    (tmp_path / "a.json").write_text('{"id": "j", "n": 2}', encoding="utf-8")
    (tmp_path / "b.toml").write_text('id = "t"\nn = 3\n', encoding="utf-8")
    assert read_rule_doc(tmp_path / "a.json", RuleError) == ({"id": "j", "n": 2}, "a.json")
    assert read_rule_doc(str(tmp_path / "b.toml"), RuleError) == ({"id": "t", "n": 3}, "b.toml")


@pytest.mark.parametrize("loader, error", [(load_standard, RuleError), (load_programme, RuleError),
                                           (load_pool_rules, RuleError), (load_model, ModelError)])
def test_every_loader_names_the_broken_file_with_its_own_error(tmp_path, loader, error):
    bad = tmp_path / "broken.toml"
    bad.write_text("id = \n", encoding="utf-8")
    with pytest.raises(error) as info:
        loader(bad)
    assert "broken.toml" in str(info.value) and "cannot parse" in str(info.value)
    with pytest.raises(error, match="cannot parse"):
        loader(tmp_path / "missing.toml")
