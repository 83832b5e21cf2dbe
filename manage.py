#!/usr/bin/env python
"""Django's command-line utility; ``kechuang`` is the same with a few extra verbs."""

import sys

from kechuang.cli import main

if __name__ == "__main__":
    sys.exit(main())
