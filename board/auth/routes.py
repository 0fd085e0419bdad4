"""Signing in and out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from board.auth.forms import SignInForm
from board.forms import ConfirmForm
from board.security import safe_next
from board.services.accounts import authenticate

auth_bp = Blueprint("auth", __name__)
SIGN_IN_FAILED = "That email and password do not match an active account."


def _safe_next(target: str | None) -> str:
    return safe_next(target, url_for("plan.board"))


@auth_bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")), 303)
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.user:
            login_user(result.user)
            flash(f"Signed in as {result.user.name}.", "success")
            return redirect(_safe_next(request.args.get("next")), 303)
        if result.locked_minutes:
            error = (f"Too many failed sign-ins. Sign-in is paused for this account or address; "
                     f"try again in {result.locked_minutes} minute{'s' if result.locked_minutes > 1 else ''}.")
        else:
            error = SIGN_IN_FAILED
    status = 422 if request.method == "POST" else 200
    return render_template("auth/sign_in.html", form=form, error=error,
                           next=safe_next(request.args.get("next"), None)), status


@auth_bp.post("/sign-out")
def sign_out():
    """Sign out (a POST, so another site cannot sign people out)."""
    if ConfirmForm().validate_on_submit():
        logout_user()
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)
