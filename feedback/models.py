"""Imports every model module, so create_all and Alembic see the whole schema."""

from feedback.accounts import models as accounts_models  # noqa: F401
from feedback.cases import models as cases_models  # noqa: F401
from feedback.classifier_admin import models as classifier_admin_models  # noqa: F401
from feedback.forum import models as forum_models  # noqa: F401
from feedback.inbox import models as inbox_models  # noqa: F401
from feedback.moderation import models as moderation_models  # noqa: F401
from feedback.units import models as units_models  # noqa: F401
from surveys import models as surveys_models  # noqa: F401
