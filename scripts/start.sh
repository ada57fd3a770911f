#!/usr/bin/env bash
# Set up and start Lắng nghe with demo data on the embedded SQLite database: http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv 2>/dev/null || true
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

export LANGNGHE_ENV="${LANGNGHE_ENV:-development}"
export FLASK_APP=wsgi
.venv/bin/flask translate compile >/dev/null
.venv/bin/python -m classifier build-default --if-stale
.venv/bin/flask db upgrade
.venv/bin/flask demo
echo "Lắng nghe is starting on http://127.0.0.1:${PORT:-5000}"
exec .venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
