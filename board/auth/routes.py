"""Signing in and out, and your own account: password and sessions."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from board.auth.forms import ChangePasswordForm, SignInForm
from board.forms import ConfirmForm
from board.security import safe_next
from board.services import accounts, sessions
from models import db

auth_bp = Blueprint("auth", __name__)
SIGN_IN_FAILED = "That email and password do not match an active account."


def _next() -> str:
    return safe_next(request.args.get("next"), url_for("plan.board"))


def _wait_message(seconds: int) -> str:
    wait = f"{seconds} seconds" if seconds < 90 else f"{(seconds + 59) // 60} minutes"
    return (f"Too many failed sign-ins from here: wait {wait} before trying again. "
            "Signing in from another device still works.")


@auth_bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(_next(), 303)
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        result = accounts.authenticate(form.email.data, form.password.data, request.remote_addr,
                                       request.user_agent.string)
        if result.user:
            # A new session: nothing of the signed-out one (its CSRF token included) carries over.
            session.clear()
            login_user(result.user)
            flash(f"Signed in as {result.user.name}.", "success")
            return redirect(_next(), 303)
        error = _wait_message(result.wait_seconds) if result.wait_seconds else SIGN_IN_FAILED
    status = 422 if request.method == "POST" else 200
    return render_template("auth/sign_in.html", form=form, error=error,
                           next=safe_next(request.args.get("next"), None)), status


@auth_bp.post("/sign-out")
def sign_out():
    """Sign out (a POST, so another site cannot sign people out): the session ends on the server."""
    if ConfirmForm().validate_on_submit() and current_user.is_authenticated:
        sessions.end(current_user.session_token)
        db.session.commit()
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"), 303)


@auth_bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your account: change your password, see where you are signed in, sign out everywhere else."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError as problem:
            field = form.current if "current password" in str(problem) else form.new
            field.errors = [*field.errors, str(problem)]
        else:
            flash("Your password is changed. You are still signed in here; everywhere else is signed out.",
                  "success")
            return redirect(url_for("auth.account"), 303)
    if request.method == "POST":
        status = 422
    return render_template("auth/account.html", form=form, confirm=ConfirmForm(),
                           open_sessions=sessions.open_sessions(current_user),
                           this_session=sessions.token_hash(current_user.session_token or "")), status


@auth_bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every other session of yours (a lost phone, a shared computer)."""
    if ConfirmForm().validate_on_submit():
        ended = accounts.sign_out_everywhere(current_user, by=current_user, keep_token=current_user.session_token)
        flash(f"Signed out everywhere else ({ended} other session{'s' if ended != 1 else ''} ended).", "success")
    return redirect(url_for("auth.account"), 303)
