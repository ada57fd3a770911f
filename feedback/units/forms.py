from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional


class UnitEditForm(FlaskForm):
    name_vi = StringField(_l("Vietnamese name"), validators=[DataRequired(), Length(max=255)])
    name_en = StringField(_l("English name"), validators=[Optional(), Length(max=255)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    is_active = BooleanField(_l("Active"))
    submit = SubmitField(_l("Save"))
