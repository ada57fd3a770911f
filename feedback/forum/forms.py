from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from feedback.forum.models import IDENTITY_LABELS, KIND_LABELS, SENTIMENT_LABELS, TOPIC_LABELS, Identity, OpinionKind
from feedback.forum.services import MAX_BODY, MAX_FOLLOW_UP, MIN_BODY, clean_text

KIND_HINTS = {
    OpinionKind.suggestion: _l("An idea to improve the unit's work (kiến nghị)."),
    OpinionKind.report: _l("A problem you saw: in the neighbourhood, at the office, on the road (phản ánh)."),
    OpinionKind.praise: _l("Thanks for an officer or the unit; it may lead to a commendation."),
    OpinionKind.question: _l("Ask about a procedure or the unit's work."),
    OpinionKind.complaint: _l("An officer's conduct wronged you (khiếu nại) or broke the law (tố cáo): "
                              "it goes to the inspectors."),
}
IDENTITY_HINTS = {
    Identity.public: _l("Your name may be shown with the opinion if it is published."),
    Identity.sealed: _l("Only the inspectors handling the case see your name and contact details."),
    Identity.anonymous: _l("We keep no name, no contact, no IP address and no device information."),
}


class ReasonableText:
    """Length counted on the stored form of the text (Unicode normalised, trimmed)."""

    def __init__(self, minimum, maximum):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form, field):
        length = len(clean_text(field.data or ""))
        if length < self.minimum:
            raise ValidationError(_l("Please write at least %(n)d characters.", n=self.minimum))
        if length > self.maximum:
            raise ValidationError(_l("Please write at most %(n)d characters (you wrote %(m)d).", n=self.maximum, m=length))


def _choices(labels, blank=None):
    """SelectChoice list from a {enum or code: label} mapping, optionally after a blank "all" choice."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(getattr(key, "value", key), label) for key, label in labels.items()]


class OpinionForm(FlaskForm):
    kind = RadioField(_l("What kind of opinion is it?"), choices=_choices(KIND_LABELS), default="suggestion",
                      validators=[InputRequired(message=_l("Please choose the kind of opinion."))])
    body = TextAreaField(
        _l("Your opinion"),
        validators=[InputRequired(message=_l("Please write your opinion.")), ReasonableText(MIN_BODY, MAX_BODY)],
        description=_l("Between %(min)d and %(max)d characters, with or without diacritics. Say what happened, "
                       "where and when.", min=MIN_BODY, max=MAX_BODY),
        render_kw={"rows": 8, "maxlength": MAX_BODY + 500},
    )
    officer_name = StringField(_l("Officer's name (if you know it)"), validators=[Optional(), Length(max=200)])
    officer_rank = StringField(_l("Rank"), validators=[Optional(), Length(max=100)])
    officer_badge = StringField(_l("Badge number"), validators=[Optional(), Length(max=50)])
    identity = RadioField(_l("How do you want to appear?"), choices=_choices(IDENTITY_LABELS), default="anonymous",
                          validators=[InputRequired(message=_l("Please choose how you want to appear."))])
    contact_name = StringField(_l("Your name"), validators=[Optional(), Length(max=200)],
                               render_kw={"autocomplete": "name"})
    contact_phone = StringField(_l("Phone number"), validators=[
        Optional(), Length(max=40),
        Regexp(r"^[0-9 +().\-]{6,40}$", message=_l("Please enter a phone number with digits only, e.g. 0912 345 678."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"})
    contact_email = EmailField(_l("E-mail"), validators=[
        Optional(), Length(max=254), Email(check_deliverability=False, message=_l("Please enter a valid e-mail address."))],
        render_kw={"autocomplete": "email"})
    contact_consent = BooleanField(_l("I agree that the unit may use these contact details to answer me about this "
                                      "opinion, and for nothing else."))
    wants_publication = BooleanField(
        _l("Publish my opinion on the public forum after moderation (phone numbers, ID numbers and similar "
           "personal data are masked)."))
    # A bot fills every field; people never see this one (hidden by CSS, labelled "leave empty").
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    submit = SubmitField(_l("Send my opinion"))

    def validate_contact_name(self, field):
        if self.identity.data in (Identity.public.value, Identity.sealed.value) and not clean_text(field.data or ""):
            raise ValidationError(_l("Please give your name, or choose to stay anonymous."))

    def validate_contact_consent(self, field):
        if self.identity.data == Identity.anonymous.value:
            return
        if (self.contact_phone.data or self.contact_email.data) and not field.data:
            raise ValidationError(_l("Please agree that the unit may use your contact details, or leave them empty."))


class TrackForm(FlaskForm):
    code = StringField(_l("Receipt code"), validators=[InputRequired(message=_l("Please enter your receipt code.")),
                                                       Length(max=100)],
                       description=_l("25 digits, for example 12345-67890-12345-67890-12345. Spaces and dashes "
                                      "do not matter."),
                       render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"})
    submit = SubmitField(_l("Show my opinion"))


class FollowUpForm(FlaskForm):
    body = TextAreaField(_l("Add information"), validators=[
        InputRequired(message=_l("Please write your message.")), ReasonableText(2, MAX_FOLLOW_UP)],
        description=_l("The unit sees this message with your opinion. Your identity stays as you chose."),
        render_kw={"rows": 4})
    submit = SubmitField(_l("Send the message"))


class FilterForm(FlaskForm):
    """The forum's filters: a GET form, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    unit = StringField(_l("Unit code"), validators=[Optional(), Length(max=32)])
    subtree = BooleanField(_l("Include the units below it"), default=True)
    topic = SelectField(_l("Topic"), choices=_choices(TOPIC_LABELS, _l("All topics")),
                        validators=[Optional()])
    sentiment = SelectField(_l("Tone"), choices=_choices(SENTIMENT_LABELS, _l("All")),
                            validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS, _l("All kinds")), validators=[Optional()])
    answered = SelectField(_l("Answer"), choices=_choices({"yes": _l("Answered"), "no": _l("Not answered yet")}, _l("All")),
                           validators=[Optional()])
    submit = SubmitField(_l("Filter"))
