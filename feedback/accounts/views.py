import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import NotFound

from feedback.accounts import services
from feedback.accounts.decorators import admin_required, staff_required
from feedback.accounts.forms import LoginForm, PasswordForm, UserCreateForm, UserEditForm
from feedback.accounts.models import Role, User
from feedback.extensions import db, limiter, login_manager
from feedback.units.services import get_unit_by_code
from feedback.urls import safe_next_url

bp = Blueprint("accounts", __name__, template_folder="templates", cli_group="users")


@login_manager.user_loader
def load_user(session_token):
    user = db.session.scalar(db.select(User).filter_by(session_token=session_token))
    return user if user is not None and user.is_active else None


def _account_key():
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _login_failed(response):
    return response.status_code != 302


def _login_limit():
    return current_app.config["LOGIN_FAILURE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_login_failed)
@limiter.limit(_login_limit, methods=["POST"], key_func=_account_key, deduct_when=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("units.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next_url(request.args.get("next"), url_for("units.index")))
        form.password.errors.append(_("Wrong e-mail address or password, or the account is inactive."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@staff_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            form.new_password.errors.append(str(error))
        else:
            # The new session token ended every session, this one too: start a fresh one here.
            login_user(current_user)
            flash(_("Your password was changed. Every other session has been logged out."), "success")
            return redirect(url_for("units.index"))
    return render_template("accounts/password.html", form=form)


@bp.route("/admin/users")
@admin_required
def admin_users():
    users = services.list_users(request.args.get("q"))
    return render_template("accounts/admin_users.html", users=users, q=request.args.get("q", ""))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def admin_user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        unit = get_unit_by_code(form.unit_code.data.strip().upper())
        if unit is None:
            form.unit_code.errors.append(_("No unit has this code."))
        else:
            try:
                user = services.create_user(form.email.data, form.full_name.data, form.role.data, unit,
                                            form.password.data)
            except services.AccountError as error:
                form.email.errors.append(str(error))
            else:
                flash(_("Account created for %(name)s.", name=user.full_name), "success")
                return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_user_new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def admin_user_edit(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    form = UserEditForm(data={"role": user.role.value, "unit_code": user.unit.code, "is_active": user.is_active})
    if form.validate_on_submit():
        unit = get_unit_by_code(form.unit_code.data.strip().upper())
        if unit is None:
            form.unit_code.errors.append(_("No unit has this code."))
        else:
            try:
                services.update_account(user, form.role.data, unit, form.is_active.data, actor=current_user)
            except services.AccountError as error:
                flash(str(error), "error")
            else:
                flash(_("Account saved."), "success")
                return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_user_edit.html", form=form, user=user)


@bp.cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="admin", show_default=True)
@click.option("--unit", "unit_code", required=True, help="Home unit code, e.g. CM.")
@click.password_option()
def create_user_command(email, full_name, role, unit_code, password):
    """Create a staff account (the first administrator, say)."""
    unit = get_unit_by_code(unit_code.strip().upper())
    if unit is None:
        raise click.ClickException(f"no unit with code {unit_code}")
    try:
        user = services.create_user(email, full_name, role, unit, password)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {user.role.value} {user.email} at {unit.code}")
