"""Dashboard figures for a unit subtree, all aggregated in SQL (GROUP BY), never row by row in Python."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, Float, cast, func, literal_column, select, true

from feedback.accounts.scope import scope_filter
from feedback.extensions import db
from feedback.forum.models import SENTIMENT_CODES, TOPIC_CODES, Opinion, OpinionStatus, OpinionTopic
from feedback.units.models import Unit, utcnow
from feedback.units.services import subtree_ids

GRANULARITIES = ("week", "month")
PERIODS_SHOWN = 12
OPEN_STATUSES = (OpinionStatus.new, OpinionStatus.in_progress)


@dataclass
class Scope:
    """Which opinions the dashboard counts: the user's scope, optionally one unit's subtree, a time window."""

    user: object
    unit_id: int | None
    granularity: str
    since: datetime

    def where(self):
        clauses = [scope_filter(self.user, Opinion.unit_id), Opinion.created_at >= self.since]
        if self.unit_id:
            clauses.append(Opinion.unit_id.in_(subtree_ids(self.unit_id)))
        return clauses


def make_scope(user, unit_id=None, granularity="month", now=None):
    now = now or utcnow()
    granularity = granularity if granularity in GRANULARITIES else "month"
    if granularity == "week":
        start = (now - timedelta(days=now.weekday())).date() - timedelta(weeks=PERIODS_SHOWN - 1)
    else:
        month = now.year * 12 + now.month - 1 - (PERIODS_SHOWN - 1)
        start = date(month // 12, month % 12 + 1, 1)
    return Scope(user, unit_id, granularity, datetime.combine(start, datetime.min.time()))


def _dialect():
    return db.session.get_bind().dialect.name


def period_column(column, granularity):
    """The first day of the week (Monday) or month of a timestamp, as SQL."""
    if _dialect() == "postgresql":
        return func.date_trunc(granularity, column)
    if granularity == "week":
        return func.date(column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", column)


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def periods(scope, now=None):
    """The period starts shown on the x axis, oldest first."""
    now = now or utcnow()
    result, current = [], scope.since.date()
    while current <= now.date():
        result.append(current)
        if scope.granularity == "week":
            current += timedelta(weeks=1)
        else:
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return result


def trend_by_sentiment(scope):
    """{sentiment: {period_start: count}}."""
    period = period_column(Opinion.created_at, scope.granularity).label("period")
    rows = db.session.execute(select(period, Opinion.sentiment, func.count()).where(*scope.where())
                              .group_by(period, Opinion.sentiment))
    result = {code: {} for code in (*SENTIMENT_CODES, None)}
    for period_value, sentiment, count in rows:
        result.setdefault(sentiment, {})[_as_date(period_value)] = count
    return result


def trend_by_topic(scope):
    """{topic: {period_start: count}}."""
    period = period_column(Opinion.created_at, scope.granularity).label("period")
    rows = db.session.execute(select(period, OpinionTopic.topic, func.count())
                              .join(OpinionTopic, OpinionTopic.opinion_id == Opinion.id)
                              .where(*scope.where()).group_by(period, OpinionTopic.topic))
    result = {code: {} for code in TOPIC_CODES}
    for period_value, topic, count in rows:
        result.setdefault(topic, {})[_as_date(period_value)] = count
    return result


def totals(scope, now=None):
    """Counts of the window: all, open, overdue, answered, negative, needing review."""
    now = now or utcnow()
    open_ = Opinion.status.in_(OPEN_STATUSES)
    row = db.session.execute(select(
        func.count(),
        func.count().filter(open_),
        func.count().filter(open_, Opinion.due_at < now),
        func.count().filter(Opinion.first_answered_at.is_not(None)),
        func.count().filter(Opinion.sentiment == "negative"),
        func.count().filter(Opinion.needs_review.is_(True), Opinion.sentiment_confirmed.is_(False)),
    ).select_from(Opinion).where(*scope.where())).one()
    return dict(zip(("total", "open", "overdue", "answered", "negative", "review"), row))


def top_negative_issues(scope, limit=10):
    """(unit, topic, count) with the most negative opinions."""
    count = func.count().label("n")
    rows = db.session.execute(select(Opinion.unit_id, OpinionTopic.topic, count)
                              .join(OpinionTopic, OpinionTopic.opinion_id == Opinion.id)
                              .where(*scope.where(), Opinion.sentiment == "negative")
                              .group_by(Opinion.unit_id, OpinionTopic.topic)
                              .order_by(count.desc(), Opinion.unit_id, OpinionTopic.topic).limit(limit)).all()
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_({r[0] for r in rows})))}
    return [(units[unit_id], topic, n) for unit_id, topic, n in rows]


def top_phrases(scope, limit=15):
    """The phrases the classifier cited most often in its explanations, counted in SQL over the JSON."""
    if _dialect() == "postgresql":
        document = cast(Opinion.explanation, JSON)
        # The forum stores {"explanation": {label: [[phrase, weight], ...]}, ...}; older rows the bare mapping.
        document = func.coalesce(document.op("->")("explanation"), document)
        labels = func.json_each(document).table_valued("key", "value").alias("lab")
        elements = func.json_array_elements(labels.c.value).table_valued("value").alias("el")
        phrase = elements.c.value.op("->>")(0)
        extra = [func.json_typeof(labels.c.value) == "array"]
    else:
        document = func.coalesce(func.json_extract(Opinion.explanation, "$.explanation"), Opinion.explanation)
        labels = func.json_each(document).table_valued("key", "value", "type").alias("lab")
        elements = func.json_each(labels.c.value).table_valued("value").alias("el")
        phrase = func.json_extract(elements.c.value, "$[0]")
        extra = [func.json_valid(Opinion.explanation) == 1, labels.c.type == "array"]
    phrase = phrase.label("phrase")
    count = func.count().label("n")
    query = (select(phrase, count).select_from(Opinion).join(labels, true()).join(elements, true())
             .where(*scope.where(), Opinion.explanation.is_not(None), *extra)
             .group_by(phrase).order_by(count.desc(), phrase).limit(limit))
    return [(p, n) for p, n in db.session.execute(query) if p]


def _days_between(later, earlier):
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def median_response_days(scope):
    """Median days from receipt to the first answer, or None without answers."""
    days = cast(_days_between(Opinion.first_answered_at, Opinion.created_at), Float)
    answered = [*scope.where(), Opinion.first_answered_at.is_not(None)]
    if _dialect() == "postgresql":
        value = db.session.scalar(select(func.percentile_cont(0.5).within_group(days)).where(*answered))
        return None if value is None else round(float(value), 1)
    count = db.session.scalar(select(func.count()).select_from(Opinion).where(*answered))
    if not count:
        return None
    middle = select(days.label("d")).where(*answered).order_by(days).limit(2 - count % 2).offset((count - 1) // 2)
    value = db.session.scalar(select(func.avg(literal_column("d"))).select_from(middle.subquery()))
    return round(float(value), 1)


def overdue_items(scope, now=None, limit=20):
    now = now or utcnow()
    return db.session.scalars(select(Opinion).where(*scope.where(), Opinion.status.in_(OPEN_STATUSES),
                                                    Opinion.due_at < now)
                              .order_by(Opinion.due_at).limit(limit)).all()


def dashboard_data(scope, now=None):
    """Everything the dashboard page shows."""
    return {
        "totals": totals(scope, now),
        "periods": periods(scope, now),
        "sentiment": trend_by_sentiment(scope),
        "topics": trend_by_topic(scope),
        "issues": top_negative_issues(scope),
        "phrases": top_phrases(scope),
        "median_days": median_response_days(scope),
        "overdue": overdue_items(scope, now),
    }


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def render_chart(chart):
    """Render a pygal chart to SVG without its JavaScript (the CSP forbids it and <img> ignores it)."""
    return _SCRIPT.sub("", chart.render(is_unicode=True))
