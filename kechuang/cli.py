"""The ``kechuang`` command: Django's management commands plus the platform's own verbs.

``kechuang serve`` (migrate, load demo data if empty, run the web server and a job worker),
``kechuang import``, ``kechuang export``, ``kechuang spark`` (the batch engines on Spark), ``kechuang demo``, ``kechuang audit verify`` … are all
management commands, so ``kechuang help`` lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["spark"]:  # the Spark jobs never set up Django (kechuang.spark.cli)
        from kechuang.spark.cli import main as spark_main

        return spark_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kechuang", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
