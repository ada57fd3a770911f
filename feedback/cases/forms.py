from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from feedback.cases.models import DISPOSITION_LABELS
from feedback.inbox.forms import options


class AssignCaseForm(FlaskForm):
    inspector = SelectField(_l("Inspector in charge"), coerce=int, choices=[], validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class CaseNoteForm(FlaskForm):
    text = TextAreaField(_l("Investigation note"), validators=[DataRequired(), Length(max=10000)],
                         description=_l("Notes are added to the case log and can never be edited or deleted."))
    submit = SubmitField(_l("Add to the log"))


class DispositionForm(FlaskForm):
    disposition = SelectField(_l("Disposition"), choices=options([(k.value, v) for k, v in DISPOSITION_LABELS.items()]),
                              validators=[DataRequired()])
    summary = TextAreaField(_l("Conclusion"), validators=[DataRequired(), Length(max=10000)])
    submit = SubmitField(_l("Record and close the case"))
