"""The ``kechuang`` command: Django's management commands plus the platform's own verbs.

``kechuang serve`` (migrate, load demo data if empty, run the web server and a job worker),
``kechuang import``, ``kechuang export``, ``kechuang demo``, ``kechuang audit verify`` … are all
management commands, so ``kechuang help`` lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kechuang", *(sys.argv[1:] if argv is None else argv)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
