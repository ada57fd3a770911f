"""Generated input against the citizen forms: never a 5xx, never an unescaped payload; concurrent submissions."""

import re
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedback.extensions import db
from feedback.forum.models import Opinion, OpinionTopic
from tests.forum_helpers import submit, use_fake_model

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>",
"'><iframe src=//evil>", "{{ 7*7 }}<b>", "</textarea><script>x()</script>"]
FUZZ = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])

control = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=31), max_size=20)
mixed = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
vietnamese = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ 0123456789.,", max_size=300)
huge = st.integers(min_value=4990, max_value=6000).map(lambda n: "ư" * n)
payload = st.sampled_from(PAYLOADS)
fragment = st.one_of(st.just(""), control, mixed, vietnamese, payload)
text_value = st.tuples(fragment, st.one_of(st.just(""), payload), fragment).map("".join)
body_value = st.one_of(text_value, huge, st.tuples(huge, payload).map("".join))


def assert_escaped(response, values):
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page[:500]
    for value in values:
        for raw in PAYLOADS:
            if raw in value:
                assert raw not in page


@FUZZ
@given(data=st.fixed_dictionaries({
    "kind": st.one_of(st.sampled_from(["suggestion", "report", "praise", "question", "complaint"]), text_value),
    "body": body_value,
    "identity": st.one_of(st.sampled_from(["public", "sealed", "anonymous"]), text_value),
    "contact_name": text_value,
    "contact_phone": st.one_of(st.just("0912 345 678"), text_value),
    "contact_email": st.one_of(st.just("a@example.vn"), text_value),
    "contact_consent": st.sampled_from(["", "y", "on", "<script>alert(1)</script>"]),
    "wants_publication": st.sampled_from(["", "y"]),
    "officer_name": text_value, "officer_rank": text_value, "officer_badge": text_value,
    "website": st.one_of(st.just(""), st.just(""), text_value),
}))
def test_submission_form_never_fails_or_reflects_raw_html(app, client, tree, data):
    response = client.post("/u/CM-TPCM-P5/new", data=data)
    assert response.status_code in (200, 400)
    assert_escaped(response, data.values())


@FUZZ
@given(code=st.one_of(text_value, huge, st.text(alphabet="0123456789- ", min_size=20, max_size=40)))
def test_tracking_form_never_fails_or_reflects_raw_html(app, client, tree, code):
    response = client.post("/track", data={"code": code})
    assert response.status_code in (303, 400, 404)
    assert_escaped(response, [code])


@settings(FUZZ, max_examples=200)
@given(body=body_value)
def test_follow_up_form_never_fails_or_reflects_raw_html(app, client, tree, body):
    with client.session_transaction() as session:
        session["tracked_opinion"] = tracked_id(tree)
    response = client.post("/track/follow-up", data={"body": body})
    assert response.status_code in (303, 400)
    assert_escaped(response, [body])


def tracked_id(tree, cache={}):
    key = id(tree)
    if key not in cache:
        cache.clear()
        cache[key] = submit(tree["CM-TPCM-P5"])[0].id
    return cache[key]


def test_tracked_page_escapes_stored_text(app, client, tree):
    opinion, receipt = submit(tree["CM-TPCM-P5"], body="Xin chào " + " ".join(PAYLOADS))
    client.post("/track", data={"code": receipt})
    client.post("/track/follow-up", data={"body": PAYLOADS[1]})
    page = client.get("/track").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not any(raw in page for raw in PAYLOADS)


def test_two_hundred_concurrent_submissions_each_stored_once(app, live_server, tree):
    use_fake_model(app)
    url = live_server.url + "/u/CM-TPCM-P5/new"
    start = threading.Barrier(50)

    def one(i):
        if i < 50:
            start.wait()
        body = urllib.parse.urlencode({"kind": "report", "identity": "anonymous",
                                       "body": f"Phản ánh đồng thời số {i}: đèn đường hư"}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=60) as response:
                page = response.read().decode()
        except HTTPError as error:
            return i, error.code, None
        return i, response.status, re.search(r"\d{5}(?:-\d{5}){4}", page).group(0)

    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(200)))
    acknowledged = [(i, receipt) for i, status, receipt in results if status == 200]
    assert len(acknowledged) == 200, [r for r in results if r[1] != 200][:5]
    db.session.expire_all()
    bodies = db.session.scalars(select(Opinion.body)).all()
    assert len(bodies) == 200 and len(set(bodies)) == 200
    assert len({receipt for _, receipt in acknowledged}) == 200
    hashes = db.session.scalars(select(Opinion.receipt_hash)).all()
    assert len(set(hashes)) == 200
    # Tagged in the background, each exactly once, after the citizens had their receipts.
    assert app.extensions["tagging"].join(timeout=60)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Opinion).where(Opinion.classified_at.is_(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(OpinionTopic)) == 200
