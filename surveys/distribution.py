"""Links and QR codes that bring citizens to a unit's survey form."""

import io

import segno
from flask import current_app, url_for


def survey_link(survey, unit, token=None):
    """The absolute address of the survey form for one unit (with a single-use code when given)."""
    args = {"key": survey.slug, "unit_code": unit.code}
    if token:
        args["t"] = token
    site = current_app.config.get("SITE_URL")
    if site:
        return site.rstrip("/") + url_for("surveys.respond", **args)
    return url_for("surveys.respond", _external=True, **args)


def qr_png(link, scale=8):
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_svg(link, scale=8):
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=True, svgns=True,
                                    title=link)
    return buffer.getvalue()


def qr_data_uri(link, scale=4):
    """An SVG data: URI, for printable sheets of many codes in one page."""
    return segno.make(link, error="m").svg_data_uri(scale=scale, border=2)
