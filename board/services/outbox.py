"""The outbox: emails wait in a table and are sent from it, retried with a growing wait.

A change that sends email (a request for updates, an invitation...) queues its messages in the same
transaction, so a message is never sent for a change that was rolled back, nor lost for one that was
kept. Sending happens after the web response (a slow or broken mail server never delays or fails a
page) and by `flask --app app send-mail`, run every minute by cron or a systemd timer. A sender first
claims a message with a conditional UPDATE, so two senders (the web worker and cron) never send the
same message twice.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import func, select, update

from board import clock
from board.mailer import log, mail, where_mail_goes
from models import OutboxMessage, Plan, User, db

# A message that failed waits this long before the next try: the next run at once after the first
# failure, then 1, 2, 4... minutes, at most an hour; after MAX_ATTEMPTS tries it is given up.
MAX_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 20
# A sender's claim: no other sender touches the message for this long (a sender that died mid-send
# leaves it to be tried again then).
CLAIM = timedelta(minutes=10)
# Messages holding a link that sets a password keep no copy of it once sent or given up.
HOLDS_A_SECRET = ("invitation", "reset")
REMOVED = "(Removed once sent: it held a link that sets a password.)"
# Errors about one message; any other error means the server or the connection failed.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


@dataclass(frozen=True)
class Email:
    """A message as written for one person: its subject, plain text and HTML, extra headers."""

    subject: str
    text: str
    html: str
    headers: dict = field(default_factory=dict)


def queue(to: User | str, email: Email, *, kind: str, plan: Plan | None = None) -> OutboxMessage:
    """Put a message in the outbox (the caller commits it with the change it belongs to)."""
    user = to if isinstance(to, User) else None
    message = OutboxMessage(plan_id=plan.id if plan else None, user_id=user.id if user else None, kind=kind,
                            to_address=user.email if user else to, subject=email.subject[:300],
                            text_body=email.text, html_body=email.html, headers=dict(email.headers),
                            created_at=clock.now(), next_attempt_at=clock.now())
    db.session.add(message)
    return message


def retry_wait(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th failed try."""
    if attempts <= 1:
        return timedelta(0)
    return min(timedelta(minutes=2 ** (attempts - 2)), MAX_WAIT)


@dataclass
class Delivery:
    """What one sending run did."""

    sent: int = 0
    failed: int = 0          # tried and failed: each waits for a later try
    given_up: int = 0
    errors: list[str] = field(default_factory=list)


def deliver(only_ids: list[int] | None = None, *, ignore_waits: bool = False, limit: int = 500) -> Delivery:
    """Send the messages that are due (of `only_ids`, if given; every waiting one with `ignore_waits`),
    oldest first, over one connection. A message the server refuses waits for a later try; when the
    server cannot be reached, every message waits; when the connection breaks while sending, the rest
wait untried for the next run."""
    done = Delivery()
    claimed = _claim(only_ids, ignore_waits, limit)
    if not claimed:
        return done
    connection = mail.get_connection()
    try:
        connection.open()
    except Exception as problem:  # noqa: BLE001 - whatever the server does, the messages wait
        for message in claimed:
            _failed(message, problem, done)
        return done
    try:
        for index, message in enumerate(claimed):
            try:
                connection.send_messages([_as_email(message)])
            except MESSAGE_ERRORS as problem:
                _failed(message, problem, done)
            except Exception as problem:  # noqa: BLE001 - the connection broke: the rest wait
                _failed(message, problem, done)
                _release(claimed[index + 1:])
                break
            else:
                _sent(message, done)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            log.warning("The mail connection did not close cleanly.")
    return done


def _claim(only_ids, ignore_waits: bool, limit: int) -> list[OutboxMessage]:
    now = clock.now()
    waiting = [OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None)]
    due = waiting + ([] if ignore_waits else [OutboxMessage.next_attempt_at <= now])
    query = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)
    if only_ids is not None:
        query = query.where(OutboxMessage.id.in_(only_ids))
    claimed = []
    for message_id in db.session.scalars(query).all():
        taken = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, *due)
            .values(next_attempt_at=now + CLAIM).execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        if taken == 1:
            claimed.append(db.session.get(OutboxMessage, message_id))
    return claimed


def _as_email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(message.subject, message.text_body,
                                   from_email=current_app.config["MAIL_DEFAULT_SENDER"],
                                   to=[message.to_address], headers=dict(message.headers or {}))
    email.attach_alternative(message.html_body, "text/html")
    return email


def _forget_secret(message: OutboxMessage) -> None:
    if message.kind in HOLDS_A_SECRET:
        message.text_body = message.html_body = REMOVED


def _sent(message: OutboxMessage, done: Delivery) -> None:
    message.sent_at = clock.now()
    message.attempts += 1
    _forget_secret(message)
    db.session.commit()
    done.sent += 1
    log.info("Email %s to %s, “%s”: sent %s.", message.id, message.to_address, message.subject,
             where_mail_goes(current_app.config))


def _failed(message: OutboxMessage, problem: Exception, done: Delivery) -> None:
    now: datetime = clock.now()
    message.attempts += 1
    message.last_error = f"{type(problem).__name__}: {problem}"[:500]
    if message.attempts >= MAX_ATTEMPTS:
        message.gave_up_at = now
        _forget_secret(message)
        done.given_up += 1
        log.error("Email %s to %s, “%s”: given up after %s tries (%s).", message.id, message.to_address,
                  message.subject, message.attempts, message.last_error)
    else:
        message.next_attempt_at = now + retry_wait(message.attempts)
        done.failed += 1
        log.warning("Email %s to %s, “%s”: not sent (%s); it waits for try %s.", message.id,
                    message.to_address, message.subject, message.last_error, message.attempts + 1)
    db.session.commit()
    done.errors.append(message.last_error)


def _release(messages: list[OutboxMessage]) -> None:
    """Give claimed messages back untried: the next run takes them."""
    if messages:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in messages]))
                           .values(next_attempt_at=clock.now()).execution_options(synchronize_session=False))
        db.session.commit()


def waiting_count() -> int:
    """Messages not yet sent (and not given up)."""
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None)))
