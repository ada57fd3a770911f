from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class PublishForm(FlaskForm):
    public_text = TextAreaField(_l("Public text"), validators=[Optional(), Length(max=6000)],
                                description=_l("Phone numbers, e-mails, ID numbers and plates are already masked. "
                                               "Remove names and other details that could identify someone."),
                                render_kw={"rows": 6})
    submit = SubmitField(_l("Publish"))


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Please give a reason.")), Length(max=1000)],
                           render_kw={"rows": 2})
    submit = SubmitField(_l("Hide"))
