"""Redirect targets taken from the request must stay on this site."""

from urllib.parse import urlsplit


def safe_next_url(target, fallback):
    """target when it is a local path, else fallback (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target
