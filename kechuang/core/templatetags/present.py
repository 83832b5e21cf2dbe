"""Template filters for every page: ``{% load present %}`` then ``{{ x|yuan }}``, ``|wan``, ``|pct``,
``|cn_date``, ``|yes_no``, ``|region``, ``|key_name``, ``|names_in_text``, ``|as_entered``. Formatting rules live
in :mod:`kechuang.core.formatting`."""

import re

from django import template
from django.apps import apps
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from kechuang.core import formatting

register = template.Library()


@register.filter
def yuan(value, places=2):
    return formatting.money(value, int(places))


@register.filter
def wan(value, places=0):
    return formatting.wan(value, int(places))


@register.filter
def pct(value, places=2):
    return formatting.percent(value, int(places))


@register.filter
def cn_date(value):
    return formatting.cn_date(value)


@register.filter
def yes_no(value):
    return formatting.yes_no(value)


@register.filter
def region(value):
    return formatting.region_name(value)


@register.filter
def key_name(value, names=None):
    """A machine key (fact path, feature, clause id, standard version, metric code) by its Chinese
    name; ``names`` is an optional page catalogue (e.g. ``{{ code|key_name:metric_names }}``)."""
    return formatting.key_name(value, names)


@register.filter
def names_in_text(value, names=None):
    """A sentence with the keys it quotes replaced by their names."""
    return formatting.names_in_text(value, names)


@register.filter
def standard_document(value):
    return formatting.standard_document(value)


@register.filter
def scorecard_term(value):
    return formatting.scorecard_term(value)


@register.filter
def interval(value):
    return formatting.interval(value)


@register.filter
def actor_name(value):
    return formatting.actor_name(value)


@register.filter
def label_of(value, choices_path):
    """A stored choice value by its label: ``{{ e.to_state|label_of:"kechuang.marketplace.choices.RequestState" }}``."""
    return formatting.choice_label(value, import_string(choices_path))


@register.filter
def note_of(value, table_path):
    """A note the platform wrote itself (a key of the table at ``table_path``) in the request's
    language; any other note as written."""
    table = import_string(table_path)
    return str(table[value]) if isinstance(value, str) and value in table else value


@register.filter
def readable(value):
    return formatting.readable(value)


@register.filter
def model_name(label):
    """An ``app.model`` label (an audit entry's object type) by the model's verbose name."""
    try:
        return str(apps.get_model(str(label))._meta.verbose_name)
    except (LookupError, ValueError):
        return formatting.key_name(label)


@register.filter
def who(entry):
    """Who did it: the person's name when the entry's user (``actor`` or ``created_by``) is already
    loaded (the view's ``select_related``; never a query per row), else the stored label by
    :func:`kechuang.core.formatting.actor_name`; a name in Chinese marked as such on an English page."""
    cached = getattr(getattr(entry, "_state", None), "fields_cache", {})
    for field in ("actor", "created_by"):
        person = cached.get(field)
        if person is not None:
            return formatting.as_entered(str(person))
    return formatting.as_entered(formatting.actor_name(getattr(entry, "actor_label", "")))


_SIZE_LABELS = {"micro": _("微型"), "small": _("小型"), "medium": _("中型"), "large": _("大型")}


@register.filter
def size_label(value):
    """Enterprise size class (engine code micro/small/medium/large) by its Chinese label."""
    return _SIZE_LABELS.get(value, formatting.EMPTY if value in (None, "") else value)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@register.filter
def as_entered(value):
    """User data shown as entered: see :func:`kechuang.core.formatting.as_entered`."""
    return formatting.as_entered(value)


@register.filter
def bilingual(obj, key: str = "title"):
    """Rule data's text in the page's language: see :func:`kechuang.core.formatting.bilingual`."""
    return formatting.bilingual(obj, key)


@register.filter
def entered_lang(value):
    """The ``lang`` attribute for an element holding user data that cannot hold markup (an
    ``<option>``, a ``<title>``): ``<option {{ p.name|entered_lang }} value="…">{{ p.name }}</option>``."""
    if value is None or (get_language() or "zh-hans").lower().startswith("zh") or not _CJK.search(str(value)):
        return ""
    return mark_safe('lang="zh-Hans"')  # noqa: S308 -- a constant


@register.filter
def place_name(region):
    """A region (``accounts.Region``) by its name in the page's language: its English name on an
    English page when it has one, else its Chinese name marked as such."""
    if region is None:
        return formatting.EMPTY
    if formatting.english() and getattr(region, "name_en", ""):
        return region.name_en
    return as_entered(region.name)
