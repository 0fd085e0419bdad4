"""Your email: the weekly digest on or off, from your account or from the digest's own one-click link."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from board.notifications.forms import DigestChoiceForm, EmailPreferencesForm
from board.services import digests

notifications_bp = Blueprint("notifications", __name__)


@notifications_bp.route("/account/email", methods=["GET", "POST"])
@login_required
def preferences():
    """Which emails you get: the weekly digest (update requests always come: someone is waiting)."""
    form = EmailPreferencesForm(weekly_digest=current_user.weekly_digest)
    if form.validate_on_submit():
        digests.set_weekly_digest(current_user, form.weekly_digest.data)
        flash("You get the weekly digest." if form.weekly_digest.data else "The weekly digest is off: you no "
              "longer get it.", "success")
        return redirect(url_for("notifications.preferences"), 303)
    return render_template("notifications/preferences.html", form=form), 422 if request.method == "POST" else 200


@notifications_bp.route("/email/digest/<token>", methods=["GET", "POST"])
def stop_digest(token: str):
    """The digest's opt-out link: no sign-in, for this one choice only. A mail program's own "Unsubscribe"
    button posts here without a form (RFC 8058 one-click), which stops the digest at once; the page's
    buttons are a form like any other."""
    user = digests.user_for_opt_out(token)
    if user is None:
        abort(404, description="This link does not work: it may have been copied only in part. Open it again "
                               "from the email, or sign in and choose on your email preferences page.")
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") == "One-Click":
            digests.set_weekly_digest(user, False)
            return "", 204
        form = DigestChoiceForm()
        if not form.validate_on_submit():
            abort(400)
        digests.set_weekly_digest(user, form.wanted.data == "on")
        flash("The weekly digest is off." if form.wanted.data == "off" else "The weekly digest is on again.",
              "success")
        return redirect(url_for("notifications.stop_digest", token=token), 303)
    return render_template("notifications/stop_digest.html", user=user, token=token, form=DigestChoiceForm())
