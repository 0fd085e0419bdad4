"""Email: Flask-Mailman set up from the board's MAIL_* settings, and the log of what was sent.

With `MAIL_SERVER` set, messages go over SMTP (`MAIL_PORT`, `MAIL_USE_TLS`, `MAIL_USERNAME`,
`MAIL_PASSWORD`, from `MAIL_FROM`). Without it, `make run` needs no mail server: each message is
written to `instance/outbox/` (a file per sending, readable as text) and logged.
Messages are never sent from here directly: they wait in the outbox table (`services/outbox.py`).
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask_mailman import Mail

mail = Mail()
log = logging.getLogger("board.mail")


def outbox_folder(instance_path: str) -> Path:
    return Path(instance_path) / "outbox"


def init_app(app) -> None:
    config = app.config
    smtp = bool(config.get("MAIL_SERVER"))
    config["MAIL_BACKEND"] = "smtp" if smtp else "file"
    config["MAIL_FILE_PATH"] = str(outbox_folder(app.instance_path))
    config["MAIL_DEFAULT_SENDER"] = config.get("MAIL_FROM")
    config["MAIL_PORT"] = config.get("MAIL_PORT") or (587 if config.get("MAIL_USE_TLS") else 25)
    mail.init_app(app)
    if not log.handlers:
        # Sent, written and failed messages are worth seeing in gunicorn's log, make run's terminal
        # and cron's mail, whatever else logs at which level.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s [mail] %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def where_mail_goes(config) -> str:
    """In words, for the log and the command line."""
    if config.get("MAIL_SERVER"):
        return f"over SMTP to {config['MAIL_SERVER']}:{config['MAIL_PORT']}"
    return f"into {config['MAIL_FILE_PATH']} (no MAIL_SERVER is set)"
