from __future__ import annotations

import orjson

from kechuang.synthetic import generate
from kechuang.synthetic.__main__ import main


def test_cli_writes_records_and_outcomes(tmp_path):
    out, outcomes = tmp_path / "demo-synthetic.jsonl", tmp_path / "outcomes.csv"
    assert main(["--n", "120", "--seed", "5", "--output", str(out), "--outcomes", str(outcomes)]) == 0
    lines = out.read_bytes().splitlines()
    assert [orjson.loads(x) for x in lines] == list(generate(120, seed=5))
    rows = outcomes.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "uscc,as_of,latent_pd,defaulted"
    assert len(rows) == 121
    assert rows[1].split(",")[0] == orjson.loads(lines[0])["uscc"]
    assert rows[1].split(",")[1] == "2026-11-22"
    assert rows[1].split(",")[3] in ("0", "1")


def test_cli_reports_a_bad_region_and_writes_nothing(tmp_path):
    out = tmp_path / "x-synthetic.jsonl"
    assert main(["--n", "10", "--region", "999999", "--output", str(out)]) == 2
    assert not out.exists()
