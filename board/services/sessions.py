"""Signed-in sessions, kept on the server so that ending one really ends it.

The browser's session cookie carries a random token; the database keeps its hash, when it was last
used and whether it has ended. A session ends on sign-out, "sign out everywhere", a password change
or deactivation, after `BOARD_SESSION_IDLE_MINUTES` without use, or `BOARD_SESSION_MAX_HOURS` after
sign-in: a saved copy of its cookie then opens nothing.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from board import clock
from models import User, UserSession, db

# last_seen_at is written at most this often, so reading pages does not mean writing on each.
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (timedelta(minutes=int(config.get("BOARD_SESSION_IDLE_MINUTES", 120))),
            timedelta(hours=int(config.get("BOARD_SESSION_MAX_HOURS", 12))))


def start(user: User, user_agent: str = "") -> str:
    """A new session for `user`; returns its token (the caller commits)."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db.session.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                               user_agent=(user_agent or "")[:200]))
    user.session_token = token
    return token


# Built once: every signed-in request asks it. The session is read as plain values (only the user is
# an object the request goes on using).
_SESSION_AND_USER = (select(UserSession.id, UserSession.ended_at, UserSession.last_seen_at, UserSession.created_at, User)
                     .join(User, User.id == UserSession.user_id).where(UserSession.token_hash == bindparam("hash")))


def user_for(token: str | None) -> User | None:
    """The user of a live session, or None (unknown, ended, idle too long, too old, or deactivated).
    A session found too old or idle is ended here."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_SESSION_AND_USER, {"hash": token_hash(token)}).first()
    if row is None:
        return None
    session_id, ended_at, last_seen_at, created_at, user = row
    if ended_at is not None or not user.active:
        return None
    now = clock.now()
    idle, lifetime = _limits()
    if now - last_seen_at > idle or now - created_at > lifetime:
        db.session.execute(update(UserSession).where(UserSession.id == session_id)
                           .values(ended_at=now, ended_reason="timed out"))
        db.session.commit()
        return None
    if now - last_seen_at > TOUCH_EVERY:
        db.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        db.session.commit()
    user.session_token = token
    return user


def end(token: str | None, reason: str = "signed out") -> None:
    """End one session (the caller commits)."""
    if token:
        db.session.execute(update(UserSession).where(UserSession.token_hash == token_hash(token),
                                                     UserSession.ended_at.is_(None))
                           .values(ended_at=clock.now(), ended_reason=reason))


def end_all(user: User, reason: str, keep_token: str | None = None) -> int:
    """End every open session of `user` (but `keep_token`'s); how many ended. The caller commits."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    return db.session.execute(query.values(ended_at=clock.now(), ended_reason=reason)).rowcount


def open_sessions(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)).order_by(UserSession.last_seen_at.desc())))
