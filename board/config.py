"""Configuration read from the environment, with defaults that are safe for one council's server."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


class Config:
    # DATABASE_URL selects the database; the default SQLite file lives in instance/ (see create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # A board stays open through a whole clinic: the token is bound to the session, not to a clock.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Set when served over HTTPS (behind nginx): cookies are then never sent in clear.
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")
    # "development" allows the generated local SECRET_KEY; anything else needs a real one.
    BOARD_ENV = os.environ.get("BOARD_ENV", "production")
    # werkzeug's default; tests use a cheaper method so the suite stays fast.
    PASSWORD_HASH_METHOD = "scrypt"
    BOARD_ADMIN_EMAIL = os.environ.get("BOARD_ADMIN_EMAIL")
    BOARD_ADMIN_PASSWORD = os.environ.get("BOARD_ADMIN_PASSWORD")
    BOARD_BASE_URL = os.environ.get("BOARD_BASE_URL")
    PLAN_SEED_PATH = os.environ.get("PLAN_SEED_PATH")
    BOARD_TIMEZONE = os.environ.get("BOARD_TIMEZONE", "Europe/London")
    # How often an open board asks whether anything changed.
    BOARD_POLL_SECONDS = int(os.environ.get("BOARD_POLL_SECONDS", "10"))
    # How long a write waits for another worker's lock before answering 503 "busy, try again".
    DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "15000"))
    # An open action without a cadence is stale after this many days with no update.
    BOARD_STALE_DAYS = int(os.environ.get("BOARD_STALE_DAYS", "42"))
    # Pretend today is this ISO date (demos of an old plan, tests); unset means the real date.
    BOARD_TODAY = os.environ.get("BOARD_TODAY")
    # A signed-in session ends after this long unused, and this long after signing in whatever happens.
    # Where people report an accessibility problem (the accessibility statement names it).
    BOARD_ACCESSIBILITY_CONTACT = os.environ.get("BOARD_ACCESSIBILITY_CONTACT", "the plan owner's office")
    BOARD_SESSION_IDLE_MINUTES = int(os.environ.get("BOARD_SESSION_IDLE_MINUTES", "120"))
    BOARD_SESSION_MAX_HOURS = int(os.environ.get("BOARD_SESSION_MAX_HOURS", "12"))
    # The largest request the app reads (413 beyond it): no form needs more, and uploads are none.
    # Form fields share the same limit, so the error page's "the limit is ..." is the only limit.
    MAX_CONTENT_LENGTH = MAX_FORM_MEMORY_SIZE = int(os.environ.get("BOARD_MAX_REQUEST_BYTES", str(1024 * 1024)))
    # How many proxies (nginx) stand in front of the app: their X-Forwarded-For, -Proto and -Host are believed.
    BOARD_TRUSTED_PROXIES = int(os.environ.get("BOARD_TRUSTED_PROXIES", "0"))
    # Email over SMTP (board/mailer.py). With no MAIL_SERVER, messages are written to instance/outbox/.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 0) or None   # default: 587 with MAIL_USE_TLS, else 25
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_FROM = os.environ.get("MAIL_FROM") or "Improvement plan board <board@localhost>"
    # Seconds to wait for the mail server before the message waits for the next `send-mail`.
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", "10"))


def instance_folder(chosen: str | None = None) -> str:
    """The folder for the generated local secret, the default SQLite database and the server's address:
    `chosen`, else BOARD_INSTANCE_PATH, else `instance/` in the checkout (the same for the app, the
    command line and gunicorn.conf.py)."""
    return str(Path(chosen or os.environ.get("BOARD_INSTANCE_PATH") or ROOT / "instance").resolve())


def sqlite_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "board.sqlite3")


def local_secret_key(instance_path: str, *, create: bool = True) -> str | None:
    """The secret kept in instance/secret_key for local use when SECRET_KEY is unset: made once when
    `create` (development and tests), else only read (None when there is none)."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def record_server_url(instance_path: str, url: str) -> None:
    """Remember where the server answers (gunicorn.conf.py, when it starts), for links the command line prints."""
    path = Path(instance_path) / "server_url"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(url + "\n")


def recorded_server_url(instance_path: str) -> str | None:
    """The address the server last started on in this instance folder, if it recorded one."""
    path = Path(instance_path) / "server_url"
    return (path.read_text().strip() or None) if path.is_file() else None


def running_a_command() -> bool:
    """True while `flask --app app COMMAND` builds the app for an operator's command (not `flask run`,
    which serves): such a command may reuse the local secret `make run` made in the same checkout."""
    context = click.get_current_context(silent=True)
    return context is not None and context.info_name != "run"


def public_base_url(config, instance_path: str, given: str | None = None) -> str:
    """Where the board answers, for links made outside a request (the command line, emails): `given`,
    else BOARD_BASE_URL, else the address the server recorded when it started, else http://127.0.0.1:$PORT."""
    configured = given or config.get("BOARD_BASE_URL") or recorded_server_url(instance_path)
    return (configured or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}").rstrip("/")
