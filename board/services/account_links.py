"""Emailed links that set a password: an invitation from the plan owner, and "Forgot your password?".

A link's token is 256 random bits; only its SHA-256 hash is stored. An invitation works for 72 hours,
a reset for 1 hour, each once: setting a password with one ends every other link of the account, and
every session. Asking for a reset answers the same whether or not the address has an account: the
work that differs (the link, the email) is done after the answer has gone, and requests are counted
per address and per email alike, so neither the words, nor the status, nor the time of the answer
tells. Too many requests for one email in a while send nothing more; too many from one address are
refused whatever the email.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from board import clock
from board.services import accounts, audit, outbox, sessions, throttle
from board.services.outbox import Email
from models import AccountLink, OwnerRole, Role, User, db

INVITATION, RESET = "invitation", "reset"
VALID_FOR = {INVITATION: timedelta(hours=72), RESET: timedelta(hours=1)}
RESETS_PER_EMAIL = 3           # links emailed to one address on request, per throttle window (15 minutes)
RESETS_PER_ADDRESS = 10        # reset requests from one network address per window
MAX_TOKEN = 100


class LinkRefused(ValueError):
    """The link does not work (unknown, used, expired, ended); `state` says which."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What writes the email: (the account, the link's URL token, its purpose, when it stops working) -> Email.
ComposeLink = Callable[[User, str, str, datetime], Email]


def _issue(user: User, purpose: str, compose: ComposeLink) -> int:
    """A new link for the account and its email, queued (the caller commits); the message's id."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    link = AccountLink(user_id=user.id, purpose=purpose, token_hash=hash_token(token), created_at=now,
                       expires_at=now + VALID_FOR[purpose])
    db.session.add(link)
    message = outbox.queue(user, compose(user, token, purpose, link.expires_at), kind=purpose)
    db.session.flush()
    return message.id


def invite_user(email: str, name: str, role: Role, owner_roles: list[OwnerRole], by: User,
                compose: ComposeLink) -> tuple[User, int]:
    """Create the account (with a password nobody knows) and email it a set-your-password link."""
    user = accounts.create_user(email, name, role, accounts.generate_password(), by=by, owner_roles=owner_roles,
                                commit=False)
    user.password_changed_at = None
    db.session.flush()
    message_id = _issue(user, INVITATION, compose)
    audit.record("user_invited", user.email, by=by, to_value=role.value)
    db.session.commit()
    return user, message_id


@dataclass(frozen=True)
class ResetAsked:
    """The answer to "Forgot your password?" (and "Send me a new link")."""

    wait_seconds: int = 0      # > 0: this address asked too often; nothing is sent, and it says so
    send: bool = False         # look for the account after the answer (False: that email had enough for now)


def ask_for_reset(email: str, address: str | None) -> ResetAsked:
    """Count the request per address and per email, the same work for any email; refuse openly only an
    address asking too often, and quietly a fourth link to one email in the window."""
    email = accounts.normalise_email(email)
    over_address = bool(address) and throttle.over_limit(f"reset-addr:{address}", RESETS_PER_ADDRESS)
    over_email = throttle.over_limit(f"reset-email:{email}", RESETS_PER_EMAIL)
    db.session.commit()
    if over_address:
        return ResetAsked(wait_seconds=int(throttle.WINDOW.total_seconds()))
    return ResetAsked(send=not over_email)


def send_reset(email: str, compose: ComposeLink) -> int | None:
    """After the answer: email a reset link if the address is an active account's; the queued message's
    id, else None."""
    user = accounts.find_user(email)
    if user is None or not user.active:
        return None
    message_id = _issue(user, RESET, compose)
    db.session.commit()
    return message_id


def find(token: str) -> AccountLink | None:
    if not token or len(token) > MAX_TOKEN:
        return None
    wanted = hash_token(token)
    link = db.session.scalars(select(AccountLink).where(AccountLink.token_hash == wanted)).first()
    return link if link is not None and hmac.compare_digest(link.token_hash, wanted) else None


def state(link: AccountLink | None) -> str:
    """"open", else why not: "unknown", "used", "ended" (another link was used), "inactive", "expired"."""
    if link is None:
        return "unknown"
    if link.used_at:
        return "used"
    if link.cancelled_at:
        return "ended"
    if not link.user.active:
        return "inactive"
    if link.expires_at <= clock.now():
        return "expired"
    return "open"


def set_password(token: str, password: str) -> User:
    """Set the account's password through its link: the link is used, the account's other links end,
    every session of the account ends. LinkRefused when the link does not work; AccountError when the
    password will not do (the link still works then)."""
    link = find(token)
    if state(link) != "open":
        raise LinkRefused(state(link))
    user = link.user
    accounts.check_new_password(user, password)  # a password that will not do leaves the link working
    now = clock.now()
    claimed = db.session.execute(update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None),
                                                           AccountLink.cancelled_at.is_(None))
                                 .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        raise LinkRefused("used")
    db.session.execute(update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.id != link.id,
                                                 AccountLink.used_at.is_(None), AccountLink.cancelled_at.is_(None))
                       .values(cancelled_at=now).execution_options(synchronize_session=False))
    accounts.replace_password(user, password)
    audit.record("invitation_accepted" if link.purpose == INVITATION else "password_reset_by_email", user.email,
                 by=user)
    sessions.end_all(user, "password set by an emailed link")
    db.session.commit()
    return user


def renew(token: str, address: str | None) -> ResetAsked:
    """"Send me a new link" on a link that no longer works: counted and answered like a reset request for
    the account it was for; the new link is sent after the answer (`send_renewal`)."""
    link = find(token)
    return ask_for_reset(link.user.email if link else f"link:{hash_token(token)}", address)


def send_renewal(token: str, compose: ComposeLink) -> int | None:
    """A new link to the account the old one was for: another invitation while it has never set a
    password, else a password reset. None when the old link is unknown or the account is off."""
    link = find(token)
    if link is None or not link.user.active:
        return None
    never_set = link.purpose == INVITATION and link.user.password_changed_at is None
    message_id = _issue(link.user, INVITATION if never_set else RESET, compose)
    db.session.commit()
    return message_id
