from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from feedback.accounts.models import Role


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


def role_choices():
    return [(role.value, role.label) for role in Role]


class UserCreateForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    unit_code = StringField(_l("Home unit code"), validators=[DataRequired(), Length(max=32)],
                            description=_l("For example CM-TPCM. Chiefs and inspectors see this unit and every unit below it."))
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(min=10, max=200)])
    submit = SubmitField(_l("Create account"))


class UserEditForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])
    unit_code = StringField(_l("Home unit code"), validators=[DataRequired(), Length(max=32)])
    is_active = BooleanField(_l("Account active"))
    submit = SubmitField(_l("Save"))
