"""The WSGI entry point: `gunicorn --preload wsgi:app` (and `flask --app wsgi ...` for commands)."""

import sys

from feedback import create_app

app = create_app()
if "gunicorn" in sys.modules:
    # Serving: load the classifier before gunicorn forks its workers (with --preload), so that
    # they share its memory and none spends its first seconds loading it. Commands skip this.
    app.extensions["classifier"].warm_up()
