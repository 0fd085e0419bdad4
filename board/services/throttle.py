"""Slowing down password guessing, the way OWASP recommends, without ever locking a person out.

Failures are counted per (account, address) and per address, in the database so every worker sees
them, with one atomic upsert each (40 guesses at once count 40):
- a person's own address guessing at their account is slowed: after a few failures each further
  attempt from that address must wait, the wait doubling each time (never more than 15 minutes);
- one address failing again and again (made-up emails, many accounts) is paused for a while.
Nothing counted at one address ever stops the right password from another address, so an attacker
cannot lock the plan owner out, and nothing is counted per account alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from board import clock
from models import SignInThrottle, db

WINDOW = timedelta(minutes=15)
PAIR_FREE_FAILURES = 5            # failures from one address at one account before it is slowed
PAIR_FIRST_WAIT = timedelta(seconds=30)
PAIR_MAX_WAIT = timedelta(minutes=15)
ADDRESS_FAILURES = 20             # failures from one address, all accounts, before it is paused
ADDRESS_PAUSE = timedelta(minutes=15)


@dataclass(frozen=True)
class Keys:
    pair: str
    address: str | None


def keys_for(email: str, address: str | None) -> Keys:
    return Keys(pair=f"pair:{email}|{address or '-'}"[:300], address=f"addr:{address}"[:300] if address else None)


def wait_seconds(keys: Keys, now: datetime | None = None) -> int:
    """Seconds before an attempt with these keys is checked (0: check it now)."""
    now = now or clock.now()
    until = db.session.scalar(select(SignInThrottle.locked_until).where(
        SignInThrottle.key.in_([k for k in (keys.pair, keys.address) if k]),
        SignInThrottle.locked_until > now).order_by(SignInThrottle.locked_until.desc()).limit(1))
    return 0 if until is None else max(1, int((until - now).total_seconds() + 0.999))


def _count(key: str, now: datetime) -> int:
    """Add one failure to `key` in one statement (a new window if the last one ran out); the count."""
    table = SignInThrottle.__table__
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(table)
    expired = table.c.first_failed_at < now - WINDOW
    statement = insert.values(key=key, failures=1, first_failed_at=now).on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": case((expired, 1), else_=table.c.failures + 1),
              "first_failed_at": case((expired, now), else_=table.c.first_failed_at),
              "locked_until": case((expired, None), else_=table.c.locked_until)},
    ).returning(table.c.failures)
    return db.session.execute(statement).scalar_one()


def record_failure(keys: Keys) -> None:
    now = clock.now()
    pair_failures = _count(keys.pair, now)
    if pair_failures >= PAIR_FREE_FAILURES:
        wait = min(PAIR_FIRST_WAIT * 2 ** (pair_failures - PAIR_FREE_FAILURES), PAIR_MAX_WAIT)
        db.session.execute(update(SignInThrottle).where(SignInThrottle.key == keys.pair)
                           .values(locked_until=now + wait))
    if keys.address and _count(keys.address, now) >= ADDRESS_FAILURES:
        db.session.execute(update(SignInThrottle).where(SignInThrottle.key == keys.address)
                           .values(locked_until=now + ADDRESS_PAUSE))
    db.session.commit()


def forget(keys: Keys) -> None:
    """A right password from this address: its failures at this account no longer count."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == keys.pair))


def over_limit(key: str, limit: int) -> bool:
    """Count one more request under `key` (a new window after WINDOW); True once there were more than
    `limit` in the window. For requests that are refused quietly when too many, such as password resets."""
    return _count(key[:300], clock.now()) > limit
