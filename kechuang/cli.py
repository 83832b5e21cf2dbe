"""The ``kechuang`` command: Django's management commands plus the platform's own verbs.

``kechuang serve`` (migrate, load demo data if empty, run the web server and a job worker),
``kechuang import``, ``kechuang export``, ``kechuang spark`` (the batch engines on Spark), ``kechuang demo``, ``kechuang audit verify`` … are all
management commands, so ``kechuang help`` lists them.

Their messages follow the language chosen like the pages' (Chinese first, English through the
``en`` catalogue): ``--lang en`` anywhere on the command line, else the ``KECHUANG_LANG``
environment variable, else ``LANGUAGE_CODE`` (zh-Hans).
"""

from __future__ import annotations

import os
import sys

LANG_ENV = "KECHUANG_LANG"


def normalise_language(value: str) -> str | None:
    """``en``/``en-US``/``EN`` → ``en``; ``zh``/``zh-Hans``/``zh_CN`` → ``zh-hans``; anything else ``None``."""
    v = value.strip().lower().replace("_", "-")
    if v == "en" or v.startswith("en-"):
        return "en"
    if v == "zh" or v.startswith("zh-"):
        return "zh-hans"
    return None


def split_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """The ``--lang X`` / ``--lang=X`` option taken out of ``argv`` (the rest passed on unchanged)."""
    lang, rest, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang" and i + 1 < len(argv):
            lang, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return lang, rest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["spark"]:  # the Spark jobs never set up Django (kechuang.spark.cli)
        from kechuang.spark.cli import main as spark_main

        return spark_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django
    from django.conf import settings
    from django.core.management import execute_from_command_line
    from django.utils import translation

    chosen, args = split_language(list(args))
    chosen = chosen or os.environ.get(LANG_ENV) or ""
    django.setup()
    language = normalise_language(chosen) if chosen else settings.LANGUAGE_CODE
    if language is None:
        sys.stderr.write(f"--lang / {LANG_ENV}: {chosen!r} is not a language of the platform (zh-Hans, en)\n")
        return 2
    with translation.override(language):
        execute_from_command_line(["kechuang", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
