"""Dashboard: SQL aggregations on both databases, the page, the SVG charts and their headers."""

from feedback.dashboard import services
from feedback.forum.models import OpinionKind
from feedback.inbox import services as inbox
from tests.inbox_helpers import make_opinion


def test_aggregations(tree, make_user):
    chief = make_user("chief", "CM-TPCM")
    a, _ = make_opinion(tree["CM-TPCM-P5"], topics=("demeanour", "procedure"), sentiment="negative",
                        explanation={"demeanour": [["quát tháo", 1.5], ["thái độ", 0.7]]}, due_in_days=-1)
    make_opinion(tree["CM-TPCM-P5"], topics=("demeanour",), sentiment="negative",
                 explanation={"demeanour": [["quát tháo", 1.1]]})
    b, _ = make_opinion(tree["CM-TPCM-P9"], topics=("traffic",), sentiment="positive", kind=OpinionKind.praise)
    make_opinion(tree["CM-THB-TANLOC"], topics=("demeanour",), sentiment="negative")
    inbox.answer_opinion(b, "Cảm ơn.", True, chief)
    scope = services.make_scope(chief, granularity="week")
    totals = services.totals(scope)
    assert (totals["total"], totals["negative"], totals["answered"], totals["overdue"]) == (3, 2, 1, 1)
    sentiment = services.trend_by_sentiment(scope)
    assert sum(sentiment["negative"].values()) == 2 and sum(sentiment["positive"].values()) == 1
    assert set(sentiment["negative"]) <= set(services.periods(scope))
    topics = services.trend_by_topic(services.make_scope(chief, granularity="month"))
    assert sum(topics["demeanour"].values()) == 2 and sum(topics["traffic"].values()) == 1
    issues = services.top_negative_issues(scope)
    assert (issues[0][0].code, issues[0][1], issues[0][2]) == ("CM-TPCM-P5", "demeanour", 2)
    assert services.top_phrases(scope)[0] == ("quát tháo", 2)
    assert services.median_response_days(scope) is not None
    assert [o.id for o in services.overdue_items(scope)] == [a.id]
    assert services.totals(services.make_scope(chief, unit_id=tree["CM-TPCM-P9"].id))["total"] == 1


def test_median_response_days_even_count(tree, make_user):
    from datetime import timedelta

    chief = make_user("chief", "CM-TPCM")
    for days in (1, 3, 6, 10):
        opinion, _ = make_opinion(tree["CM-TPCM-P5"], created_days_ago=days)
        inbox.answer_opinion(opinion, "Đã xử lý.", True, chief, now=opinion.created_at + timedelta(days=days))
    assert services.median_response_days(services.make_scope(chief)) == 4.5


def test_page_and_charts(client, auth, tree, make_user):
    make_opinion(tree["CM-TPCM-P5"], topics=("demeanour",), sentiment="negative")
    auth.login(make_user("officer", "CM-TPCM-P5"))
    assert client.get("/staff/dashboard").status_code == 403
    auth.logout()
    auth.login(make_user("chief", "CM-TPCM"))
    html = client.get("/staff/dashboard?granularity=week").get_data(as_text=True)
    assert "/staff/dashboard/chart/sentiment.svg" in html and "<caption>" in html
    assert client.get(f"/staff/dashboard?unit={tree['CM-THB'].id}").status_code == 404
    for name in ("sentiment", "topics"):
        response = client.get(f"/staff/dashboard/chart/{name}.svg?granularity=month")
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert "<script" not in response.get_data(as_text=True)
        assert "style-src 'unsafe-inline'" in response.headers["Content-Security-Policy"]
    page_csp = client.get("/staff/dashboard").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page_csp
