"""The widgets that mark user data in Chinese on an English page."""

import pytest
from django.utils import translation

from kechuang.core.widgets import EnteredSelect, EnteredTextarea

CHOICES = [("1", "示范银行济南分行"), ("2", "Demo Bank")]


@pytest.mark.parametrize(("language", "expected"), [
    pytest.param("en", ['<option value="1" lang="zh-Hans">示范银行济南分行</option>',
                        '<option value="2">Demo Bank</option>'], id="english-marks-only-the-chinese-label"),
    pytest.param("zh-hans", ['<option value="1">示范银行济南分行</option>', '<option value="2">Demo Bank</option>'],
                 id="chinese-page-marks-nothing"),
])
def test_entered_select(language, expected):
    with translation.override(language):
        html = EnteredSelect(choices=CHOICES).render("bank", "")
    assert [line.strip() for line in html.splitlines() if "<option" in line] == expected


@pytest.mark.parametrize(("language", "value", "marked"), [
    pytest.param("en", "一企一策：梳理知识产权", True, id="english-chinese-text"),
    pytest.param("en", "Tailored plan", False, id="english-text"),
    pytest.param("zh-hans", "一企一策：梳理知识产权", False, id="chinese-page"),
])
def test_entered_textarea(language, value, marked):
    with translation.override(language):
        html = EnteredTextarea().render("plan", value)
    assert ('lang="zh-Hans"' in html) is marked
