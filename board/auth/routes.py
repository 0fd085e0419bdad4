"""Signing in and out, your own account (password and sessions), and the emailed links that set a
password: an invitation, and "Forgot your password?"."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from board.auth.forms import ChangePasswordForm, ForgotPasswordForm, SetPasswordForm, SignInForm
from board.forms import ConfirmForm
from board.security import safe_next
from board.services import account_links, accounts, sessions
from board.views import emails
from board.views.viewer import request_plan
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


# The one answer to "Forgot your password?", whether or not the address has an account.
RESET_SENT = ("If that address has an account here, a link to set a new password is on its way to it. "
              "The link works for 1 hour. Nothing arrived? Check the spam folder, or ask again in a few minutes.")
NEW_LINK_SENT = ("If the account that link was for is still open, a new link is on its way to the same address. "
                 "Nothing arrived? Check the spam folder, or ask again in a few minutes.")


def _too_many(seconds: int) -> str:
    return (f"Too many requests from here: wait {(seconds + 59) // 60} minutes before asking again. "
            "Nothing was sent.")


@auth_bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to set a new password: the same answer, at the same speed, for any address."""
    form = ForgotPasswordForm()
    error = None
    if form.validate_on_submit():
        asked = account_links.ask_for_reset(form.email.data, request.remote_addr)
        if not asked.wait_seconds:
            # Whether the address has an account is looked at after the answer has gone: it cannot tell.
            if asked.send:
                email, write = form.email.data, emails.writer(request_plan()).account_link
                emails.after_response(lambda: emails.deliver_now(account_links.send_reset(email, write)))
            flash(RESET_SENT, "success")
            return redirect(url_for("auth.sign_in"), 303)
        error = _too_many(asked.wait_seconds)
    status = 200 if request.method == "GET" else (429 if error else 422)
    return render_template("auth/forgot_password.html", form=form, error=error), status


@auth_bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Choose a password through an emailed link (an invitation or a reset). A link that no longer works
    says why and offers a new one."""
    link = account_links.find(token)
    state = account_links.state(link)
    if state != "open":
        return render_template("auth/link_closed.html", state=state, token=token, confirm=ConfirmForm(),
                               purpose=link.purpose if link else None), 404 if state == "unknown" else 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = account_links.set_password(token, form.new.data)
        except account_links.LinkRefused as refused:
            return render_template("auth/link_closed.html", state=refused.state, token=token, confirm=ConfirmForm(),
                                   purpose=link.purpose), 410
        except accounts.AccountError as problem:
            form.new.errors = [*form.new.errors, str(problem)]
        else:
            flash(f"Your password is set, {user.name}. Sign in with it now.", "success")
            return redirect(url_for("auth.sign_in"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, link=link, token=token), status


@auth_bp.post("/set-password/<token>/new")
def new_link(token: str):
    """A new link for the account a used or expired link was for, sent to the same address."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    asked = account_links.renew(token, request.remote_addr)
    if asked.wait_seconds:
        flash(_too_many(asked.wait_seconds), "error")
        return redirect(url_for("auth.forgot_password"), 303)
    if asked.send:
        write = emails.writer(request_plan()).account_link
        emails.after_response(lambda: emails.deliver_now(account_links.send_renewal(token, write)))
    flash(NEW_LINK_SENT, "success")
    return redirect(url_for("auth.sign_in"), 303)
