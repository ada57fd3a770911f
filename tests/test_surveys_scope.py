"""Every survey route against users of every role and unit: out of scope → 404, wrong role → 403."""

import pytest

from surveys import collection
from surveys.models import QuestionType
from surveys_helpers import open_survey, question_of, replies

# user key: (role, home unit)
USERS = {
    "admin": ("admin", "CM"),
    "chief_tpcm": ("chief", "CM-TPCM"),
    "chief_p9": ("chief", "CM-TPCM-P9"),      # sees the survey's results for Ward 9, does not manage it
    "chief_thb": ("chief", "CM-THB"),
    "officer_p5": ("officer", "CM-TPCM-P5"),
    "officer_tanloc": ("officer", "CM-THB-TANLOC"),
    "inspector": ("inspector", "CM"),
    "moderator": ("moderator", "CM"),
}
MANAGERS = {"admin", "chief_tpcm"}
READERS = MANAGERS | {"chief_p9", "officer_p5"}


def routes(survey, question):
    """(method, path, kind): "manage" needs a manager of the survey, "read" a reader, "show" a chief reader."""
    base = f"/staff/surveys/{survey.id}"
    q = f"{base}/questions/{question.id}"
    return [
        ("GET", base, "show"),  # chiefs who see the survey read its details; only its managers act on it
        ("GET", f"{base}/edit", "manage"),
        ("POST", f"{base}/edit", "manage"),
        ("GET", f"{base}/questions/new", "manage"),
        ("GET", f"{q}/edit", "manage"),
        ("POST", f"{q}/delete", "manage"),
        ("POST", f"{q}/move", "manage"),
        ("POST", f"{base}/state?state=archived", "manage"),
        ("POST", f"{base}/copy", "manage"),
        ("GET", f"{base}/links", "manage"),
        ("GET", f"{base}/qr/CM-TPCM-P5.png", "manage"),
        ("GET", f"{base}/qr/CM-TPCM-P5.svg", "manage"),
        ("GET", f"{base}/tokens", "manage"),
        ("POST", f"{base}/tokens", "manage"),
        ("GET", f"{base}/tokens/CM-TPCM-P5", "manage"),
        ("GET", f"{base}/tokens/CM-TPCM-P5.csv", "manage"),
        ("GET", f"{base}/results", "read"),
        ("GET", f"{base}/results/{question.id}.svg", "read"),
        ("GET", f"{base}/results/timeline.svg", "read"),
        ("GET", f"{base}/export/responses.csv", "read"),
        ("GET", f"{base}/export/responses.xlsx", "read"),
        ("GET", f"{base}/export/summary.csv", "read"),
        ("GET", f"{base}/export/summary.xlsx", "read"),
    ]


def expected(user_key, role, kind):
    if role in ("inspector", "moderator"):
        return {403}
    if kind in ("manage", "show"):
        if role == "officer":
            return {403}
        if user_key in MANAGERS:
            return {200, 302}
        if user_key in READERS:
            return {200} if kind == "show" else {403}
        return {404}
    return {200} if user_key in READERS else {404}


def test_every_route_every_role(app, make_user, tree):
    users = {key: make_user(role, unit) for key, (role, unit) in USERS.items()}
    survey = open_survey(users["chief_tpcm"], tree["CM-TPCM"], uses_tokens=True)
    collection.issue_tokens(survey, tree["CM-TPCM-P5"], 2, users["chief_tpcm"])
    for unit in ("CM-TPCM-P5", "CM-TPCM-P9"):
        for code in collection.issue_tokens(survey, tree[unit], 5, users["chief_tpcm"]):
            collection.submit_response(survey, tree[unit], replies(survey), code, forward=False)
    question = question_of(survey, QuestionType.stars)
    table = routes(survey, question)
    failures = []
    anonymous = app.test_client()
    for method, path, kind in table:
        status = anonymous.open(path, method=method).status_code
        if status != 302:
            failures.append(("anonymous", method, path, status))
    for key, user in users.items():
        client = app.test_client()
        assert client.post("/login", data={"email": user.email, "password": "correct-horse-battery-staple"}).status_code == 302
        for method, path, kind in table:
            path, _sep, query = path.partition("?")
            data = dict(part.split("=") for part in query.split("&")) if query else {}
            status = client.open(path, method=method, data=data).status_code
            if status not in expected(key, user.role.value, kind):
                failures.append((key, method, path, status))
        index = client.get("/staff/surveys")
        if user.role.value in ("inspector", "moderator"):
            assert index.status_code == 403
        else:
            assert index.status_code == 200
            assert (survey.title_vi in index.text) == (key in READERS), key
        assert client.get("/staff/surveys/new").status_code == (200 if key in MANAGERS | {"chief_p9", "chief_thb"} else 403)
    assert failures == []


@pytest.mark.parametrize("path", ["/staff/surveys/999999", "/staff/surveys/999999/results"])
def test_unknown_survey_is_404(client, auth, make_user, path):
    auth.login(make_user("admin", "CM"))
    assert client.get(path).status_code == 404
