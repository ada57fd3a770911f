"""Surveys: definitions (survey, question, option), single-use tokens, anonymous responses and answers."""

import enum
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback import database
from feedback.extensions import db
from feedback.units.models import Unit, utcnow



def enum_column(enum_class, name):
    return database.enum_column(enum_class, name, length=16)


def in_language(vi, en):
    """Content written in two languages, shown in the visitor's language (Vietnamese when no English)."""
    if en and str(get_locale()) == "en":
        return en
    return vi


class SurveyState(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"
    archived = "archived"

    @property
    def label(self):
        return STATE_LABELS[self]


STATE_LABELS = {
    SurveyState.draft: _l("Draft"),
    SurveyState.open: _l("Open"),
    SurveyState.closed: _l("Closed"),
    SurveyState.archived: _l("Archived"),
}

# The only moves a survey can make; the service layer enforces them.
TRANSITIONS = {
    SurveyState.draft: {SurveyState.open},
    SurveyState.open: {SurveyState.closed},
    SurveyState.closed: {SurveyState.archived},
    SurveyState.archived: set(),
}


class QuestionType(enum.Enum):
    agreement = "agreement"      # 1 strongly disagree … 5 strongly agree
    stars = "stars"              # 1–5 satisfaction stars
    recommend = "recommend"      # 0–10 recommendation
    single = "single"            # one option
    multiple = "multiple"        # any number of options
    yes_no = "yes_no"            # 1 yes, 0 no
    short_text = "short_text"
    long_text = "long_text"

    @property
    def label(self):
        return TYPE_LABELS[self]

    @property
    def is_scale(self):
        return self in SCALES

    @property
    def is_choice(self):
        return self in (QuestionType.single, QuestionType.multiple)

    @property
    def is_text(self):
        return self in (QuestionType.short_text, QuestionType.long_text)


TYPE_LABELS = {
    QuestionType.agreement: _l("Agreement (5-point scale)"),
    QuestionType.stars: _l("Satisfaction (1 to 5 stars)"),
    QuestionType.recommend: _l("Recommendation (0 to 10)"),
    QuestionType.single: _l("Single choice"),
    QuestionType.multiple: _l("Multiple choice"),
    QuestionType.yes_no: _l("Yes / no"),
    QuestionType.short_text: _l("Short text"),
    QuestionType.long_text: _l("Long text"),
}

# type: (lowest value, highest value, lowest value counted in the top two boxes)
SCALES = {
    QuestionType.agreement: (1, 5, 4),
    QuestionType.stars: (1, 5, 4),
    QuestionType.recommend: (0, 10, 9),
}

AGREEMENT_LABELS = {
    1: _l("Strongly disagree"),
    2: _l("Disagree"),
    3: _l("Neither agree nor disagree"),
    4: _l("Agree"),
    5: _l("Strongly agree"),
}

# Criteria a question can feed in the conduct scores: the taxonomy topics plus two survey-only ones.
CRITERIA = {
    "satisfaction": _l("Citizen satisfaction"),
    "overall": _l("Overall assessment"),
    "demeanour": _l("Demeanour and conduct"),
    "procedure": _l("Administrative procedure"),
    "integrity": _l("Integrity, harassment"),
    "responsiveness": _l("Responsiveness to reports"),
    "public_order": _l("Public order and security"),
    "traffic": _l("Traffic order and safety"),
    "facilities": _l("Facilities and equipment"),
}


class ResponseChannel(enum.Enum):
    link = "link"    # the unit's open link or QR code
    token = "token"  # a single-use code handed out after a service visit


class Survey(db.Model):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_vi: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str | None] = mapped_column(Text)
    state: Mapped[SurveyState] = mapped_column(enum_column(SurveyState, "survey_state"), default=SurveyState.draft)
    version: Mapped[int] = mapped_column(default=1)
    parent_survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"), index=True)
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Staff who can see this unit manage the survey.
    owner_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    target_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    include_subtree: Mapped[bool] = mapped_column(default=True)
    uses_tokens: Mapped[bool] = mapped_column(default=False)

    owner_unit: Mapped[Unit] = relationship(foreign_keys=[owner_unit_id])
    target_unit: Mapped[Unit] = relationship(foreign_keys=[target_unit_id])
    parent: Mapped["Survey | None"] = relationship(remote_side=[id])
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="(SurveyQuestion.position, SurveyQuestion.id)"
    )

    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("closes_on IS NULL OR opens_on IS NULL OR closes_on >= opens_on", name="dates_ordered"),
        # A survey cannot be open or closed without a first opening date (set by the service on opening).
        CheckConstraint("state = 'draft' OR opens_on IS NOT NULL", name="opened_has_date"),
    )

    @property
    def title(self):
        return in_language(self.title_vi, self.title_en)

    @property
    def description(self):
        return in_language(self.description_vi, self.description_en)

    def accepts_responses(self, today):
        """Open, and today within the opening dates."""
        return (self.state == SurveyState.open and (self.opens_on is None or self.opens_on <= today)
                and (self.closes_on is None or today <= self.closes_on))

    def can_move_to(self, state):
        return state in TRANSITIONS[self.state]

    def __repr__(self):
        return f"<Survey {self.id} {self.slug} v{self.version} {self.state.value}>"


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType, "survey_question_type"))
    text_vi: Mapped[str] = mapped_column(String(1000))
    text_en: Mapped[str | None] = mapped_column(String(1000))
    help_vi: Mapped[str] = mapped_column(String(1000), default="")
    help_en: Mapped[str | None] = mapped_column(String(1000))
    required: Mapped[bool] = mapped_column(default=True)
    criterion: Mapped[str | None] = mapped_column(String(24))
    has_other: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list["SurveyOption"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="(SurveyOption.position, SurveyOption.id)"
    )

    @property
    def text(self):
        return in_language(self.text_vi, self.text_en)

    @property
    def help(self):
        return in_language(self.help_vi, self.help_en)

    @property
    def field_name(self):
        return f"q{self.id}"

    def scale_values(self):
        """The values a scale or yes/no question accepts, lowest first."""
        if self.type in SCALES:
            low, high, _top = SCALES[self.type]
            return list(range(low, high + 1))
        if self.type == QuestionType.yes_no:
            return [1, 0]
        return []


class SurveyOption(db.Model):
    __tablename__ = "survey_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label_vi: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str | None] = mapped_column(String(300))

    question: Mapped[SurveyQuestion] = relationship(back_populates="options")

    @property
    def label(self):
        return in_language(self.label_vi, self.label_en)


class SurveyToken(db.Model):
    """A single-use code for one service visit. Burning it records the day only and links to no response."""

    __tablename__ = "survey_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_on: Mapped[date] = mapped_column(Date)
    used_on: Mapped[date | None] = mapped_column(Date)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (Index("ix_survey_token_survey_unit", "survey_id", "unit_id"),)


class SurveyResponse(db.Model):
    """One anonymous response: no IP, no user agent, no token, the day only."""

    __tablename__ = "survey_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    created_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[ResponseChannel] = mapped_column(enum_column(ResponseChannel, "survey_response_channel"))

    unit: Mapped[Unit] = relationship()
    answers: Mapped[list["SurveyAnswer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_survey_response_survey_unit", "survey_id", "unit_id"),
        Index("ix_survey_response_survey_day", "survey_id", "created_on"),
    )


class SurveyAnswer(db.Model):
    """One answer to one question: a scale value, a chosen option or a text.

    survey_id and unit_id repeat the response's, so statistics group millions of answers by unit
    with one index scan and no join.
    """

    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_option.id", ondelete="CASCADE"))
    value_int: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")

    __table_args__ = (
        CheckConstraint("value_int IS NULL OR (value_int >= 0 AND value_int <= 10)", name="value_range"),
        CheckConstraint("option_id IS NOT NULL OR value_int IS NOT NULL OR text IS NOT NULL", name="not_empty"),
        Index("ix_survey_answer_stats", "survey_id", "question_id", "unit_id", "value_int", "option_id"),
        Index("ix_survey_answer_question", "question_id", "response_id"),
    )
