"""The WSGI entry point: `gunicorn --preload wsgi:app` (and `flask --app wsgi ...` for commands)."""

import sys

from feedback import create_app, prepare_to_fork

app = create_app()
if "gunicorn" in sys.modules:  # serving; `flask` commands skip this
    prepare_to_fork(app)
