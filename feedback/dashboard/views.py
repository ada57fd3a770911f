"""The chief's dashboard: counts, trends, recurring issues, overdue items, response times; SVG charts."""

import pygal
from flask import Blueprint, Response, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.decorators import roles_required
from feedback.accounts.scope import require_unit
from feedback.dashboard import services
from feedback.forum.models import SENTIMENT_CODES, SENTIMENT_LABELS, TOPIC_CODES, TOPIC_LABELS
from feedback.inbox.services import units_in_scope

bp = Blueprint("dashboard", __name__, template_folder="templates")

chief_required = roles_required("chief")
# pygal styles its SVG with an inline <style>; only this response may allow that.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def read_scope():
    unit_id = request.args.get("unit", type=int)
    if unit_id:
        require_unit(current_user, unit_id)
    return services.make_scope(current_user, unit_id, request.args.get("granularity", "month"))


def period_label(day, granularity):
    return format_date(day, "MM/yyyy") if granularity == "month" else format_date(day, "dd/MM")


@bp.route("/staff/dashboard")
@chief_required
def index():
    scope = read_scope()
    data = services.dashboard_data(scope)
    args = {"unit": scope.unit_id or "", "granularity": scope.granularity}
    return render_template("dashboard/index.html", data=data, scope=scope, args=args,
                           units=units_in_scope(current_user), period_label=period_label,
                           topic_labels=TOPIC_LABELS, sentiment_labels=SENTIMENT_LABELS,
                           topic_codes=TOPIC_CODES, sentiment_codes=SENTIMENT_CODES)


@bp.route("/staff/dashboard/chart/<any(sentiment, topics):name>.svg")
@chief_required
def chart(name):
    scope = read_scope()
    periods = services.periods(scope)
    labels = [period_label(p, scope.granularity) for p in periods]
    config = dict(js=[], print_values=True, print_zeroes=False, legend_at_bottom=True, legend_at_bottom_columns=3,
                  x_label_rotation=30, width=800, height=480, show_y_guides=True, disable_xml_declaration=True)
    if name == "sentiment":
        series = services.trend_by_sentiment(scope)
        chart = pygal.StackedBar(title=_("Opinions by sentiment"), **config)
        for code in SENTIMENT_CODES:
            chart.add(str(SENTIMENT_LABELS[code]), [series.get(code, {}).get(p, 0) for p in periods])
    else:
        series = services.trend_by_topic(scope)
        chart = pygal.Line(title=_("Opinions by topic"), dots_size=4, **config)
        for code in TOPIC_CODES:
            chart.add(str(TOPIC_LABELS[code]), [series.get(code, {}).get(p, 0) for p in periods])
    chart.x_labels = labels
    return Response(services.render_chart(chart), mimetype="image/svg+xml",
                    headers={"Content-Security-Policy": SVG_CSP, "Cache-Control": "private, max-age=300"})
