#!/usr/bin/env bash
# Set up and run the whole test suite, on SQLite and on PostgreSQL, browser tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the Playwright browser tests (Playwright's own browser download is not reachable).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
    fi
fi

# PostgreSQL runs locally on these machines; start it when it is installed but stopped.
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    fi
fi

python3 -m venv .venv 2>/dev/null || true
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

export LANGNGHE_ENV=development
.venv/bin/flask --app wsgi translate compile >/dev/null
.venv/bin/python -m classifier build-default --if-stale

exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-2}" --durations=15 "$@"
