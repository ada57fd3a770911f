from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, HiddenField, RadioField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from feedback.forum.models import (KIND_LABELS, SENTIMENT_LABELS, STATUS_LABELS, TOPIC_LABELS, Channel)

CHANNEL_LABELS = {Channel.web: _l("Web form"), Channel.survey: _l("Survey")}
NOTIFY_LABELS = {
    "immediate": _l("Immediately, one mail per new opinion"),
    "digest": _l("Once a day, a digest of new opinions"),
    "none": _l("No e-mail"),
}


def options(pairs):
    """SelectChoice objects from (value, label) pairs (tuples are deprecated in WTForms)."""
    return [SelectChoice(value, label) for value, label in pairs]


def _any(label=None):
    return [("", label or _l("Any"))]


class FilterForm(FlaskForm):
    """The inbox filters, read from the query string (GET: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search the text"), validators=[Optional(), Length(max=200)],
                    description=_l("Accents are optional: \"can cuoc\" finds \"căn cước\"."))
    unit = SelectField(_l("Unit (with the units below it)"), choices=[], validators=[Optional()])
    topic = SelectField(_l("Topic"), choices=options(_any() + list(TOPIC_LABELS.items())), validators=[Optional()])
    sentiment = SelectField(_l("Sentiment"), choices=options(_any() + list(SENTIMENT_LABELS.items())), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=options(_any() + [(k.value, v) for k, v in KIND_LABELS.items()]),
                       validators=[Optional()])
    status = SelectField(_l("Status"), choices=options(_any() + [(k.value, v) for k, v in STATUS_LABELS.items()]),
                         validators=[Optional()])
    channel = SelectField(_l("Channel"), choices=options(_any() + [(k.value, v) for k, v in CHANNEL_LABELS.items()]),
                          validators=[Optional()])
    date_from = DateField(_l("Received from"), validators=[Optional()])
    date_to = DateField(_l("Received until"), validators=[Optional()])
    review_first = BooleanField(_l("Low confidence and needing review first"))
    overdue = BooleanField(_l("Overdue only"))
    mine = BooleanField(_l("Assigned to me"))
    escalated = BooleanField(_l("Escalated to me"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TagForm(FlaskForm):
    topics = MultiCheckboxField(_l("Topics (one to three)"), choices=options(list(TOPIC_LABELS.items())))
    sentiment = RadioField(_l("Sentiment"), choices=options(list(SENTIMENT_LABELS.items())),
                           validators=[DataRequired(message=_l("Choose a sentiment."))])
    submit = SubmitField(_l("Save the tags"))

    def validate_topics(self, field):
        # No DataRequired: browsers would then demand every checkbox be ticked.
        if not 1 <= len(field.data or []) <= 3:
            raise ValidationError(_l("Choose one to three topics."))


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=options([(k.value, v) for k, v in STATUS_LABELS.items()]),
                         validators=[DataRequired()])
    submit = SubmitField(_l("Change status"))


class AssignForm(FlaskForm):
    assignee = SelectField(_l("Assign to"), coerce=int, choices=[], validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), validators=[DataRequired(), Length(max=5000)],
                         description=_l("Only staff see internal notes."))
    submit = SubmitField(_l("Add the note"))


class AnswerForm(FlaskForm):
    template = SelectField(_l("Start from a reply template"), coerce=str, choices=[], validators=[Optional()])
    body = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(min=2, max=10000)],
                         description=_l("The answer is signed with the unit's name, not yours."))
    visibility = RadioField(_l("Who may read the answer"), default="public",
                            choices=options([("public", _l("Public: shown with the opinion on the forum when it is published")),
                                     ("private", _l("Private: only the citizen, with the receipt code"))]),
                            validators=[DataRequired()])
    submit = SubmitField(_l("Send the answer"))


class BulkForm(FlaskForm):
    ids = SelectMultipleField(_l("Selected opinions"), coerce=int, choices=[], validate_choice=False)
    action = SelectField(_l("Action on the selected opinions"), validators=[DataRequired()],
                         choices=options([("confirm", _l("Confirm the suggested tags")),
                                  ("assign", _l("Assign")),
                                  ("status", _l("Change status"))]))
    assignee = SelectField(_l("Assign to"), coerce=int, choices=[], validate_choice=False, validators=[Optional()])
    status = SelectField(_l("New status"), choices=options([("", "—")] + [(k.value, v) for k, v in STATUS_LABELS.items()]),
                         validators=[Optional()])
    next = HiddenField()
    submit = SubmitField(_l("Apply"))


class TemplateForm(FlaskForm):
    unit = SelectField(_l("Unit"), coerce=int, choices=[], validators=[DataRequired()],
                       description=_l("The template can be used by this unit and every unit below it."))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=10000)])
    submit = SubmitField(_l("Save the template"))


class NotifyForm(FlaskForm):
    notify_mode = RadioField(_l("E-mail me about new opinions and cases"), choices=options(list(NOTIFY_LABELS.items())),
                             validators=[DataRequired()])
    submit = SubmitField(_l("Save"))
