"""Outgoing e-mail through a backend chosen by MAIL_BACKEND: file (default), console, smtp, memory.

`send_mail` never raises: a mail server that is down must not block a submission or an answer.
Nothing here logs an address, a subject or a body (they may hold personal data).
"""

import logging
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from urllib.parse import urlsplit

from flask import current_app, g, has_app_context, has_request_context, render_template, url_for
from flask_babel import force_locale

log = logging.getLogger(__name__)


def build_message(to, subject, body):
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or None)
    message.set_content(body)
    return message


def _send_file(message):
    folder = Path(current_app.instance_path) / "mail"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{uuid.uuid4().hex[:12]}.eml"
    path.write_bytes(message.as_bytes())
    path.chmod(0o600)


def _send_console(message):
    # Recipient and text stay out of the output: only that a mail went, and its size.
    print(f"[mail] one message, {len(message.get_content())} characters")


def _send_smtp(message):
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as server:
        if config["MAIL_USE_TLS"]:
            server.starttls()
        if config["MAIL_USERNAME"]:
            server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        server.send_message(message)


def _send_memory(message):
    current_app.extensions.setdefault("mail_outbox", []).append(message)


BACKENDS = {"file": _send_file, "console": _send_console, "smtp": _send_smtp, "memory": _send_memory}


def send_mail(to, subject, body):
    """Send one plain-text mail; True when handed to the backend, False (logged) on any failure."""
    if not to:
        return False
    backend_name = current_app.config.get("MAIL_BACKEND", "file")
    backend = current_app.extensions.get("mail_backend") or BACKENDS.get(backend_name)
    if backend is None:
        log.error("unknown MAIL_BACKEND %r: mail not sent", backend_name)
        return False
    try:
        backend(build_message(to, subject, body))
    except Exception as error:  # any failure: report, never propagate
        log.error("mail not sent through %s backend: %s", backend_name, type(error).__name__)
        return False
    return True


def external_url(endpoint, **values):
    """An absolute link for a mail: SITE_URL when set, else the host of the request that led to it
    (the current one, or the one the background tagging thread noted in g.external_base_url)."""
    base = current_app.config.get("SITE_URL") or (g.get("external_base_url") if has_app_context() else None)
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base or "http://localhost")
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def send_template(to, template, **context):
    """Render mail/<template>.html (plain text, first line the subject) in the default language and send it."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            text = render_template(f"mail/{template}.html", **context)
        except Exception as error:  # a broken template must not block the caller either
            log.error("mail template %s failed: %s", template, type(error).__name__)
            return False
    subject, _sep, body = text.strip().partition("\n")
    return send_mail(to, subject.strip(), body.strip() + "\n")
