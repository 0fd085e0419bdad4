"""Who may do what: sign-in sessions, role checks, safe redirects and security headers."""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

import click
from flask import abort, g, request, session
from flask_login import LoginManager, current_user
from werkzeug.routing import IntegerConverter

from board.services import sessions
from models import Role, User

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to see the plan."
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

# No inline script or style, no eval: htmx is configured (meta htmx-config) to need none.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The session cookie names a server-side session: an ended, idle or expired one loads nobody."""
    return sessions.user_for(session_token)


def session_claims_a_user() -> bool:
    """The signed session cookie names a sign-in session (unchecked: whether it is still open, and
    whose, is `load_user`'s work). Enough only for an answer that carries no data."""
    return bool(session.get("_user_id"))


def role_required(role: Role):
    """Only signed-in users with at least `role`; others are sent to sign in or refused (403)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)
        wrapped.required_role = role
        return wrapped
    return decorator


MAX_NEXT = 1000


def safe_next(target: str | None, default: str | None) -> str | None:
    """The one check for every `next` (and Back or Cancel link) the app follows or renders: a path on
    this site, or `default`. Never another site, never a control character (a CR/LF would split the
    redirect's headers), never absurdly long."""
    if (not target or len(target) > MAX_NEXT or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def is_read_only() -> bool:
    """True on pages opened through a committee share link."""
    return g.get("share_token") is not None


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if is_read_only():
        # The token is in the URL: keep it out of search engines, referrers and caches.
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "private, no-store"
    else:
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if _for_signed_in_eyes_only(response):
            # Nothing a signed-in person saw may be kept by a browser or proxy after they sign out.
            response.headers["Cache-Control"] = "no-store"
    return response


def _for_signed_in_eyes_only(response) -> bool:
    """The sign-in page, and every page, partial or download answered to a signed-in person; never static
    files (they keep their own caching). Share pages are decided before, without reading the session."""
    if request.endpoint == "static" or request.blueprint == "api" or response.status_code == 204:
        return False  # static files keep their own caching, the API sets no-store itself, a 204 has no body
    if request.endpoint == "auth.sign_in":
        return True
    download = response.headers.get("Content-Disposition", "").startswith("attachment")
    return (response.mimetype == "text/html" or download) and current_user.is_authenticated


def refuse_nul_characters():
    """No text anywhere, the URL's path included, may hold a NUL character (PostgreSQL cannot store or
    compare one): refuse it plainly."""
    if "\x00" in request.path or any("\x00" in value for values in (request.args, request.form)
                                     for value in values.values()):
        abort(400, description="The request contained a NUL character, which no field accepts.")


# Values copied from documentation and tutorials: long enough, but known to everyone.
WELL_KNOWN_SECRETS = {
    "dev", "changeme", "secret",
    "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",  # Flask's quickstart example
}
HOW_TO_SET_A_SECRET = ("Set SECRET_KEY to a random value of at least 32 characters "
                       "(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
                       "or BOARD_ENV=development for local use.")


class SecretKeyRefused(click.ClickException, RuntimeError):
    """No secret fit to sign sessions. One line for the operator: `flask` prints a ClickException as
    "Error: ...", gunicorn.conf.py's start check prints a RuntimeError as "Error: ..."."""


def secret_key_problem(key: str | None, board_env: str | None, testing: bool = False) -> str | None:
    """Why the app must not start with this SECRET_KEY, in one line; None when it may."""
    if testing or board_env == "development":
        return None
    if not key:
        return f"SECRET_KEY is not set. {HOW_TO_SET_A_SECRET}"
    if len(key) < 32 or key.lower() in WELL_KNOWN_SECRETS:
        return f"SECRET_KEY is too short or a well-known value. {HOW_TO_SET_A_SECRET}"
    return None


def refuse_weak_secret(app) -> None:
    """Outside development and tests the app will not start without a real SECRET_KEY."""
    problem = secret_key_problem(app.config.get("SECRET_KEY"), app.config.get("BOARD_ENV"),
                                 bool(app.config.get("TESTING")))
    if problem:
        raise SecretKeyRefused(problem)


# Ids fit a 64-bit database integer: a larger one in a URL is an unknown page, never a query.
MAX_ID = 2**63 - 1


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: non-negative and small enough for the database, else 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    # Before any blueprint adds its routes: the converter is bound when a rule is added.
    app.url_map.converters["int"] = DatabaseIntConverter
    login_manager.init_app(app)
    app.before_request(refuse_nul_characters)
    app.after_request(set_security_headers)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("SESSION_COOKIE_SECURE"))
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
