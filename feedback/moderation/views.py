"""The moderation queue: publish (masked) or hide what citizens agreed to make public."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.decorators import roles_required
from feedback.accounts.scope import get_in_scope_or_404
from feedback.forum.masking import mask_personal_data
from feedback.forum.models import Opinion
from feedback.moderation import services
from feedback.moderation.forms import HideForm, PublishForm

bp = Blueprint("moderation", __name__, template_folder="templates", url_prefix="/staff/moderation")

moderator_required = roles_required("moderator")


@bp.route("/")
@moderator_required
def queue():
    opinions = services.queue(current_user)
    forms = {o.id: (PublishForm(prefix=f"p{o.id}", public_text=mask_personal_data(o.body)), HideForm(prefix=f"h{o.id}"))
             for o in opinions}
    return render_template("moderation/queue.html", opinions=opinions, forms=forms)


@bp.route("/published")
@moderator_required
def published():
    opinions = services.published(current_user)
    return render_template("moderation/published.html", opinions=opinions,
                           forms={o.id: HideForm(prefix=f"h{o.id}") for o in opinions})


@bp.route("/<int:opinion_id>")
@moderator_required
def show(opinion_id):
    opinion = get_in_scope_or_404(Opinion, opinion_id, current_user)
    return render_template("moderation/show.html", opinion=opinion, history=services.history(opinion),
                           publish_form=PublishForm(prefix=f"p{opinion.id}", public_text=mask_personal_data(opinion.body)),
                           hide_form=HideForm(prefix=f"h{opinion.id}"))


def _moderate(opinion_id, form_class, action, done_message, next_endpoint):
    """One moderation POST: scope check, form, service call, then redirect or show the page again."""
    opinion = get_in_scope_or_404(Opinion, opinion_id, current_user)
    is_publish = form_class is PublishForm
    form = form_class(prefix=f"{'p' if is_publish else 'h'}{opinion.id}")
    if form.validate_on_submit():
        try:
            action(opinion, current_user, (form.public_text if is_publish else form.reason).data)
        except services.ModerationError as error:
            flash(str(error), "error")
        else:
            flash(done_message, "success")
            return redirect(url_for(next_endpoint), 303)
    return _redisplay(opinion, **({"publish_form": form} if is_publish else {"hide_form": form}))


@bp.route("/<int:opinion_id>/publish", methods=["POST"])
@moderator_required
def publish(opinion_id):
    return _moderate(opinion_id, PublishForm, services.publish, _("The opinion was published."), "moderation.queue")


@bp.route("/<int:opinion_id>/hide", methods=["POST"])
@moderator_required
def hide(opinion_id):
    return _moderate(opinion_id, HideForm, services.hide, _("The opinion was hidden from the public forum."),
                     "moderation.queue")


@bp.route("/<int:opinion_id>/unpublish", methods=["POST"])
@moderator_required
def unpublish(opinion_id):
    return _moderate(opinion_id, HideForm, services.unpublish, _("The opinion was taken off the public forum."),
                     "moderation.published")


def _redisplay(opinion, publish_form=None, hide_form=None):
    publish_form = publish_form or PublishForm(prefix=f"p{opinion.id}", public_text=mask_personal_data(opinion.body))
    hide_form = hide_form or HideForm(prefix=f"h{opinion.id}")
    return render_template("moderation/show.html", opinion=opinion, history=services.history(opinion),
                           publish_form=publish_form, hide_form=hide_form), 400
