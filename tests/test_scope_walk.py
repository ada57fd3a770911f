"""Walk every staff route with users of every role and of two districts.

The walk is generic: it reads app.url_map, fills the URL parameters from fixture objects of two
"worlds" (Cà Mau city vs Thới Bình district) and reads the roles a view allows from its
`roles_required` decorator. Expected: anonymous → login redirect; a role the view does not allow →
403; an object of a unit the user cannot see → 404; an object in scope → a page. A staff rule whose
parameters the walk cannot fill fails the test unless EXEMPT names it with a reason.
"""

import pytest
from flask import url_for

from feedback.accounts.models import Role
from feedback.accounts.scope import can_see_unit
from feedback.cases.services import case_of
from feedback.forum.models import Identity, OpinionKind
from feedback.inbox import services as inbox
from tests.inbox_helpers import make_opinion

STAFF_BLUEPRINTS = {"inbox", "cases", "dashboard", "moderation", "classifier_admin", "units", "accounts", "surveys"}
STAFF_PREFIXES = ("/staff", "/admin")
# endpoint -> reason it is not walked
EXEMPT = {}
# Parameters that are not ids of scoped objects, per endpoint then for every endpoint.
ENDPOINT_VALUES = {
    "surveys.qr": {"fmt": "svg"},
    "surveys.export": {"kind": "summary", "fmt": "csv"},
}
# Parameters naming objects whose unit decides the scope: name -> key in the world's objects.
SCOPED_PARAMS = {"opinion_id", "case_id", "template_id", "code", "unit_code", "survey_id", "question_id"}
USERS = {
    "chief_tpcm": ("chief", "CM-TPCM"),
    "chief_thb": ("chief", "CM-THB"),
    "officer_p5": ("officer", "CM-TPCM-P5"),
    "inspector_thb": ("inspector", "CM-THB"),
    "moderator": ("moderator", "CM"),
    "admin": ("admin", "CM"),
}


def allowed_roles(view):
    """The role set closed over by roles_required, found by walking the decorators' closures."""
    seen, stack = set(), [view]
    while stack:
        func = stack.pop()
        if id(func) in seen or not callable(func):
            continue
        seen.add(id(func))
        names = getattr(getattr(func, "__code__", None), "co_freevars", ())
        for name, cell in zip(names, getattr(func, "__closure__", None) or ()):
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if name == "allowed" and isinstance(value, set) and all(isinstance(r, Role) for r in value):
                return value
            if callable(value):
                stack.append(value)
        if hasattr(func, "__wrapped__"):
            stack.append(func.__wrapped__)
    return None


def staff_rules(app):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint in STAFF_BLUEPRINTS and rule.rule.startswith(STAFF_PREFIXES):
            yield rule


def build_world(tree, make_user, unit_code, district_code, chief):
    """One opinion (a public-requested complaint, so it also has a case), a template, a survey."""
    from surveys import services as surveys
    from surveys.models import QuestionType

    opinion, _ = make_opinion(tree[unit_code], body="Cán bộ đòi tiền bồi dưỡng khi làm hồ sơ.",
                              kind=OpinionKind.complaint, topics=("integrity",), identity=Identity.sealed,
                              contact_name="Người Phản Ánh", wants_publication=True)
    template = inbox.save_template(None, tree[district_code], "Mẫu", "Nội dung mẫu.", chief)
    survey = surveys.create_survey(chief, tree[district_code], f"Khảo sát {district_code}")
    question = surveys.add_question(survey, chief, QuestionType.stars, "Ông/bà hài lòng không?")
    values = {"opinion_id": opinion.id, "case_id": case_of(opinion).id, "template_id": template.id,
              "code": unit_code, "unit_code": district_code, "survey_id": survey.id, "question_id": question.id}
    # A survey about a district concerns every unit below it: an officer of a ward may read its results.
    district, leaf = tree[district_code].id, tree[unit_code].id
    units = {"opinion_id": (leaf,), "case_id": (leaf,), "template_id": (district,), "code": (leaf,),
             "unit_code": (district,), "survey_id": (district, leaf), "question_id": (district, leaf)}
    return values, units


def fill(app, rule, world_values, admin_id):
    """URL values for the rule, or None when a parameter cannot be filled."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if name in ENDPOINT_VALUES.get(rule.endpoint, {}):
            values[name] = ENDPOINT_VALUES[rule.endpoint][name]
        elif name in world_values:
            values[name] = world_values[name]
        elif name == "user_id":
            values[name] = admin_id
        elif name == "version_id":
            values[name] = 999_999  # no such version: the role check comes first
        elif converter is not None and getattr(converter, "items", None):
            values[name] = sorted(converter.items)[0]  # any(...) converter
        else:
            return None
    return values


@pytest.fixture
def walk(app, tree, make_user):
    users = {key: make_user(role, unit) for key, (role, unit) in USERS.items()}
    worlds = {
        "tpcm": build_world(tree, make_user, "CM-TPCM-P5", "CM-TPCM", users["chief_tpcm"]),
        "thb": build_world(tree, make_user, "CM-THB-TANLOC", "CM-THB", users["chief_thb"]),
    }
    return users, worlds


def test_every_staff_rule_is_covered_or_exempt(app, walk):
    users, worlds = walk
    unfilled = [rule.rule for rule in staff_rules(app)
                if rule.endpoint not in EXEMPT and fill(app, rule, worlds["tpcm"][0], users["admin"].id) is None]
    assert unfilled == [], "staff rules the walk cannot fill: add values or an EXEMPT reason"
    unguarded = [rule.rule for rule in staff_rules(app) if allowed_roles(app.view_functions[rule.endpoint]) is None
                 and rule.endpoint not in EXEMPT]
    assert unguarded == [], "staff views without roles_required"


def test_anonymous_is_sent_to_login(app, client, walk):
    users, worlds = walk
    for rule in staff_rules(app):
        values = fill(app, rule, worlds["tpcm"][0], users["admin"].id)
        if values is None:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("user_key", list(USERS))
def test_roles_and_scope(app, client, auth, walk, user_key):
    users, worlds = walk
    user = users[user_key]
    auth.login(user)
    checked = 0
    for rule in staff_rules(app):
        if rule.endpoint in EXEMPT:
            continue
        roles = allowed_roles(app.view_functions[rule.endpoint])
        for world_values, world_units in worlds.values():
            values = fill(app, rule, world_values, users["admin"].id)
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            scoped = [world_units[name] for name in rule.arguments if name in SCOPED_PARAMS]
            visible = [any(can_see_unit(user, unit_id) for unit_id in unit_ids) for unit_ids in scoped]
            is_get = "GET" in rule.methods
            response = client.open(url, method="GET" if is_get else "POST")
            status = response.status_code
            where = f"{user_key} {'GET' if is_get else 'POST'} {url}"
            assert status < 500, where
            if user.role not in roles:
                assert status == 403, where
            elif scoped and not any(visible):
                assert status == 404, where
            elif is_get and scoped and all(visible) and rule.endpoint.partition(".")[0] in {"inbox", "cases",
                                                                                           "dashboard"}:
                assert status == 200, where
            elif is_get and not scoped and "version_id" not in rule.arguments:
                assert status in (200, 302), where
            checked += 1
    assert checked > 50


def test_chief_changing_the_id_gets_404(client, auth, walk):
    users, worlds = walk
    auth.login(users["chief_tpcm"])
    own, other = worlds["tpcm"][0]["opinion_id"], worlds["thb"][0]["opinion_id"]
    assert client.get(f"/staff/inbox/{own}").status_code == 200
    assert client.get(f"/staff/inbox/{other}").status_code == 404
