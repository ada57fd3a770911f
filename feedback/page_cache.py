"""A small shared cache in front of the app, for pages the app marks `Cache-Control: public`.

The public forum is read far more than it is written and is the same for every visitor
who is not signed in. A caching reverse proxy would keep such pages for their max-age; this
does the same inside each worker, so the site is fast without one. Only GET requests
without a remember-me cookie, and without a session or with one that holds nothing a page
shows (SHAREABLE_SESSION_KEYS), are served from it, keyed by host, path, query, language
cookie and Accept-Language; only 200 responses marked public with a max-age and no
Set-Cookie are stored, with every header the app set (CSP included).
"""

import threading
import time

from itsdangerous import BadSignature
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header, parse_cookie

MAX_ENTRIES = 1000
MAX_SECONDS = 60
# What a citizen's session may hold without changing any public page: the CSRF token of a form
# they opened, the opinion this browser tracks, and Flask-Login's freshness flag (which it sets
# on any session without a signed-in user). A signed-in user (`_user_id`) or a message waiting
# to be shown (`_flashes`) makes the request private.
SHAREABLE_SESSION_KEYS = frozenset({"csrf_token", "tracked_opinion", "_fresh"})


def session_is_shareable(app, cookie_value):
    """True for a validly signed session cookie of `app` holding only SHAREABLE_SESSION_KEYS."""
    serializer = getattr(app.session_interface, "get_signing_serializer", lambda app: None)(app)
    if serializer is None:
        return False
    try:
        data = serializer.loads(cookie_value, max_age=int(app.permanent_session_lifetime.total_seconds()))
    except BadSignature:  # forged, damaged or expired: let the app deal with it
        return False
    return isinstance(data, dict) and set(data) <= SHAREABLE_SESSION_KEYS


class PublicPageCache:
    """WSGI middleware; `clear()` forgets every page (after a change this worker made).

    A request carrying one of `private_cookies` goes to the app, unless `shareable` maps that
    cookie's name to a test its value passes.
    """

    def __init__(self, wsgi_app, private_cookies, key_cookies=("lang",), shareable=None):
        self.wsgi_app = wsgi_app
        self.private_cookies = tuple(private_cookies)
        self.key_cookies = tuple(key_cookies)
        self.shareable = dict(shareable or {})
        self.entries = {}
        self.lock = threading.Lock()

    def clear(self):
        with self.lock:
            self.entries.clear()

    def _key(self, environ):
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE", "")) if environ.get("HTTP_COOKIE") else {}
        for name in self.private_cookies:
            if name in cookies and not (name in self.shareable and self.shareable[name](cookies[name])):
                return None
        return (environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_HOST"), environ.get("HTTP_X_FORWARDED_PROTO"),
                environ.get("wsgi.url_scheme"), environ.get("SCRIPT_NAME"), environ.get("PATH_INFO"),
                environ.get("QUERY_STRING"), environ.get("HTTP_ACCEPT_LANGUAGE"),
                tuple(cookies.get(name) for name in self.key_cookies))

    def __call__(self, environ, start_response):
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        entry = self.entries.get(key)
        if entry is not None and entry[0] > time.monotonic():
            _expires, status, headers, body = entry
            start_response(status, list(headers))
            return [body]
        response = {}

        def capture(status, headers, exc_info=None):
            response.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        max_age = _public_max_age(response.get("status", ""), response.get("headers", ()))
        if not max_age:
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = (time.monotonic() + max_age, response["status"], tuple(response["headers"]), body)
        return [body]


def _public_max_age(status, headers):
    """Seconds a response may be shared, or 0: 200, public, a max-age, and no cookie being set."""
    if not status.startswith("200"):
        return 0
    cache_control = None
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return 0
        if lowered == "cache-control":
            cache_control = parse_cache_control_header(value, cls=ResponseCacheControl)
    if cache_control is None or not cache_control.public or cache_control.private or cache_control.no_store:
        return 0
    # Capped: browsers may keep a QR code for a day, but a renamed unit shows here within a minute.
    return min(max(0, cache_control.max_age or 0), MAX_SECONDS)
