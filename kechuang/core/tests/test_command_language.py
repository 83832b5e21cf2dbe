"""Management commands speak the language chosen for them (``kechuang --lang en`` or
``KECHUANG_LANG``), like the pages: Chinese by default, English through the ``en`` catalogue."""

from __future__ import annotations

import json
import re

import pytest
from django.test import TestCase

from kechuang.cli import main, normalise_language, split_language
from kechuang.core.services import audit_record
from kechuang.enterprises.tests.factories import record

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def worker_in_test(monkeypatch):
    """The worker closes stale connections each tick, which would end the test's transaction."""
    monkeypatch.setattr("kechuang.core.management.commands.worker.close_old_connections", lambda: None)


def test_the_language_option_is_taken_out_of_the_command_line():
    assert split_language(["--lang", "en", "audit", "verify"]) == ("en", ["audit", "verify"])
    assert split_language(["audit", "verify", "--lang=zh-Hans"]) == ("zh-Hans", ["audit", "verify"])
    assert split_language(["import", "f.csv"]) == (None, ["import", "f.csv"])
    assert [normalise_language(v) for v in ("EN", "en-US", "zh_CN", "zh-Hans", "fr")] == [
        "en", "en", "zh-hans", "zh-hans", None]


def _feed(tmp_path):
    # an English-named enterprise, so any Chinese left in the output is the command's own
    path = tmp_path / "feed.jsonl"
    rows = [record(1, name="Jinan Test Technology Co Ltd"), {"name": "no USCC"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("argv", [
    pytest.param(["help", "import"], id="help-import"),
    pytest.param(["help", "audit"], id="help-audit"),
    pytest.param(["help", "worker"], id="help-worker"),
    pytest.param(["help", "demo"], id="help-demo"),
    pytest.param(["help", "export"], id="help-export"),
    pytest.param(["audit", "verify"], id="audit-verify"),
    pytest.param(["worker", "--once"], id="worker"),
    pytest.param(["import", "{feed}", "--show", "5"], id="import-with-a-quarantined-row"),
])
@pytest.mark.parametrize("how", ["option", "environment"])
def test_commands_speak_english_when_asked(argv, how, tmp_path, capsys, monkeypatch, worker_in_test, audit_key_files):
    argv = [a.replace("{feed}", str(_feed(tmp_path))) for a in argv]
    for i in range(2):  # entries to seal, so the worker has something to say
        audit_record(actor="tester", action="update", object_type="x.y", object_id=str(i), after={"v": i})
    if how == "option":
        argv = ["--lang", "en", *argv]
    else:
        monkeypatch.setenv("KECHUANG_LANG", "en")
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert main(argv) == 0
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.strip()
    assert HAN.findall(text) == [], text


def test_commands_speak_chinese_by_default(capsys, monkeypatch, worker_in_test):
    monkeypatch.delenv("KECHUANG_LANG", raising=False)
    assert main(["audit", "verify"]) == 0
    assert "审计日志完好" in capsys.readouterr().out
