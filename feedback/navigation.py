"""Menu entries; an entry shows only when its endpoint is registered and the user's role allows it."""

from flask import current_app
from flask_babel import lazy_gettext as _l

PUBLIC_NAV = [
    ("forum.search", _l("Send an opinion")),
    ("forum.index", _l("Public forum")),
    ("forum.track", _l("Track my opinion")),
]

# endpoint, label, roles that see it (an administrator sees everything)
STAFF_NAV = [
    ("inbox.index", _l("Inbox"), {"chief", "officer"}),
    ("cases.index", _l("Cases"), {"inspector"}),
    ("moderation.queue", _l("Moderation"), {"moderator"}),
    ("dashboard.index", _l("Dashboard"), {"chief"}),
    ("surveys.index", _l("Surveys"), {"chief"}),
    ("units.index", _l("Units"), set()),
    ("units.clusters", _l("Clusters"), set()),
    ("accounts.admin_users", _l("Accounts"), {"admin"}),
    ("classifier_admin.index", _l("Classifier"), {"admin"}),
]


def init_app(app):
    @app.context_processor
    def navigation_context():
        return {
            "public_nav": PUBLIC_NAV,
            "staff_nav": STAFF_NAV,
            "has_endpoint": lambda name: name in current_app.view_functions,
        }
