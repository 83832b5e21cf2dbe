#!/usr/bin/env bash
# Install Kechuang into .venv, migrate the embedded SQLite database, load the synthetic demo
# region on first start and serve http://127.0.0.1:8000 (the demo logins are printed).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" ""
exec .venv/bin/kechuang serve "${@}"
