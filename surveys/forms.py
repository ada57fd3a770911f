"""Forms: building a survey (staff) and answering it (citizens)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from surveys.collection import MAX_TOKENS_PER_BATCH, OTHER, Reply
from surveys.models import CRITERIA, QuestionType

REQUIRED = _l("This field is required.")


def choices(pairs):
    """SelectChoice objects from (value, label) pairs (tuples are deprecated in WTForms)."""
    return [SelectChoice(value, label) for value, label in pairs]


def criterion_choices():
    return choices([("", _l("None"))] + list(CRITERIA.items()))


def type_choices():
    return choices((t.value, t.label) for t in QuestionType)


class SurveyCreateForm(FlaskForm):
    start = RadioField(_l("Start from"), choices=choices([
        ("template", _l("The standard satisfaction questionnaire (SIPAS model), in Vietnamese and English")),
        ("blank", _l("An empty survey")),
    ]), default="template", validators=[InputRequired(REQUIRED)])
    title_vi = StringField(_l("Title in Vietnamese"), validators=[Optional(), Length(max=300)],
                           description=_l("Needed for an empty survey; the questionnaire brings its own."))
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    target_unit = SelectField(_l("Unit surveyed"), coerce=int, validators=[InputRequired(REQUIRED)])
    include_subtree = BooleanField(_l("Also every unit below it (each gets its own link)"), default=True)
    opens_on = DateField(_l("Opening date"), validators=[Optional()],
                         description=_l("Leave empty to open on the day you open the survey."))
    closes_on = DateField(_l("Closing date"), validators=[Optional()])
    uses_tokens = BooleanField(_l("Single-use codes: one response per service visit"))
    submit = SubmitField(_l("Create the survey"))

    def validate_title_vi(self, field):
        if self.start.data == "blank" and not (field.data or "").strip():
            raise ValueError(_l("Please give the survey a Vietnamese title."))


class SurveyEditForm(FlaskForm):
    title_vi = StringField(_l("Title in Vietnamese"), validators=[DataRequired(REQUIRED), Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    description_vi = TextAreaField(_l("Introduction in Vietnamese"), validators=[Optional(), Length(max=3000)])
    description_en = TextAreaField(_l("Introduction in English"), validators=[Optional(), Length(max=3000)])
    opens_on = DateField(_l("Opening date"), validators=[Optional()])
    closes_on = DateField(_l("Closing date"), validators=[Optional()])
    uses_tokens = BooleanField(_l("Single-use codes: one response per service visit"))
    submit = SubmitField(_l("Save"))


class QuestionForm(FlaskForm):
    type = SelectField(_l("Question type"), choices=type_choices, validators=[InputRequired(REQUIRED)])
    text_vi = TextAreaField(_l("Question in Vietnamese"), validators=[DataRequired(REQUIRED), Length(max=1000)])
    text_en = TextAreaField(_l("Question in English"), validators=[Optional(), Length(max=1000)])
    help_vi = StringField(_l("Help text in Vietnamese"), validators=[Optional(), Length(max=1000)])
    help_en = StringField(_l("Help text in English"), validators=[Optional(), Length(max=1000)])
    required = BooleanField(_l("An answer is required"), default=True)
    criterion = SelectField(_l("Scoring criterion"), choices=criterion_choices, validators=[Optional()],
                            description=_l("Conduct scores use the questions linked to a criterion."))
    has_other = BooleanField(_l("Offer \"Other\" with a text box (choice questions)"))
    options_vi = TextAreaField(_l("Options in Vietnamese, one per line (choice questions)"),
                               validators=[Optional(), Length(max=6000)])
    options_en = TextAreaField(_l("Options in English, one per line, in the same order"),
                               validators=[Optional(), Length(max=6000)])
    submit = SubmitField(_l("Save the question"))

    def option_pairs(self):
        vi = [line.strip() for line in (self.options_vi.data or "").splitlines() if line.strip()]
        en = [line.strip() for line in (self.options_en.data or "").splitlines() if line.strip()]
        return [(label, en[i] if i < len(en) else None) for i, label in enumerate(vi)]

    def validate_options_vi(self, field):
        if any(len(line) > 300 for line in (field.data or "").splitlines()):
            raise ValueError(_l("Each option has at most 300 characters."))


class TokenForm(FlaskForm):
    unit = SelectField(_l("Unit"), coerce=int, validators=[InputRequired(REQUIRED)])
    count = IntegerField(_l("Number of codes"), default=50, validators=[
        InputRequired(_l("Please give a number.")),
        NumberRange(1, MAX_TOKENS_PER_BATCH, _l("Between 1 and %(n)d codes can be made at once.", n=MAX_TOKENS_PER_BATCH)),
    ])
    submit = SubmitField(_l("Make the codes"))


class ResponseForm(FlaskForm):
    """The CSRF token and the single-use code; the answers are read per question by read_replies."""

    token = StringField(_l("Your single-use code"), validators=[Optional(), Length(max=40)],
                        description=_l("Printed on the slip you received, for example ABCDE-FGHJK."))
    submit = SubmitField(_l("Send my answers"))


def _parse(raw):
    raw = (raw or "").strip()
    if raw == OTHER:
        return OTHER
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        return int(raw)
    return -1  # not a value any question offers: the service rejects it with a clear message


def read_replies(survey, formdata):
    """Shape the posted answers: question id → Reply with parsed values and texts."""
    replies = {}
    for question in survey.questions:
        name = question.field_name
        if question.type.is_text:
            replies[question.id] = Reply(text=formdata.get(name, ""))
        elif question.type == QuestionType.multiple:
            replies[question.id] = Reply(values=[_parse(v) for v in formdata.getlist(name)[:50] if v.strip()],
                                         text=formdata.get(name + "_other", ""))
        else:
            values = [v for v in formdata.getlist(name)[:50] if v.strip()]
            replies[question.id] = Reply(values=[_parse(v) for v in values], text=formdata.get(name + "_other", ""))
    return replies
