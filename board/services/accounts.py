"""Accounts: creating users, changing roles, signing in with a throttle on repeated failures."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from board import clock
from board.services import audit
from models import OwnerRole, Role, SignInThrottle, User, db

MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
# Checked against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is for the person asking."""


@dataclass
class SignInResult:
    user: User | None = None
    locked_minutes: int | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(email: str, name: str, role: Role, password: str, *, by: User | None = None,
                actor_label: str = "", owner_roles: list[OwnerRole] | None = None) -> User:
    """Create an account; refuses a duplicate email or a short password."""
    email = normalise_email(email)
    if find_user(email):
        raise AccountError(f"There is already an account for {email}.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(email=email, name=name.strip(), role=role.value, owner_roles=owner_roles or [])
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    audit.record("user_created", email, by=by, actor_label=actor_label, to_value=role.value)
    db.session.commit()
    return user


def set_role(user: User, role: Role, *, by: User | None = None, actor_label: str = "") -> None:
    if user.role == role.value:
        return
    if user.role == Role.ADMIN.value and _last_active_admin(user):
        raise AccountError("This is the only active admin: make someone else admin first.")
    audit.record("role_changed", user.email, by=by, actor_label=actor_label,
                 from_value=user.role, to_value=role.value)
    user.role = role.value
    db.session.commit()


def set_active(user: User, active: bool, *, by: User | None = None, actor_label: str = "") -> None:
    """Deactivate (ends their sessions; history keeps their name) or reactivate an account."""
    if user.active == active:
        return
    if not active and user.role == Role.ADMIN.value and _last_active_admin(user):
        raise AccountError("This is the only active admin: make someone else admin first.")
    audit.record("activated" if active else "deactivated", user.email, by=by,
                 actor_label=actor_label)
    user.active = active
    user.session_generation += 1
    db.session.commit()


def set_owner_roles(user: User, roles: list[OwnerRole], *, by: User | None = None) -> None:
    before = "; ".join(r.name for r in user.owner_roles)
    after = "; ".join(sorted(r.name for r in roles))
    if before == after:
        return
    audit.record("owner_roles_changed", user.email, by=by, from_value=before, to_value=after)
    user.owner_roles = roles
    db.session.commit()


def _last_active_admin(user: User) -> bool:
    admins = db.session.scalar(select(func.count(User.id)).where(
        User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id))
    return admins == 0


def ensure_first_admin(email: str | None, password: str | None) -> tuple[User, str | None] | None:
    """Create the first admin when there is no user. Returns (user, generated password or None)."""
    if db.session.scalar(select(func.count(User.id))):
        return None
    generated = None
    if not (email and password):
        email = email or "admin@example.org"
        password = generated = generate_password()
    user = create_user(email, "Plan owner (admin)", Role.ADMIN, password, actor_label="First run")
    return user, generated


def _throttle_keys(email: str, address: str | None) -> list[tuple[str, int]]:
    keys = [(f"email:{normalise_email(email)}", MAX_FAILURES_PER_ACCOUNT)]
    if address:
        keys.append((f"addr:{address}", MAX_FAILURES_PER_ADDRESS))
    return keys


def _locked_minutes(keys: list[tuple[str, int]], now: datetime) -> int | None:
    rows = db.session.scalars(select(SignInThrottle).where(
        SignInThrottle.key.in_([key for key, _ in keys]))).all()
    until = max((row.locked_until for row in rows if row.locked_until and row.locked_until > now),
                default=None)
    if until is None:
        return None
    return max(1, int((until - now).total_seconds() + 59) // 60)


def _record_failure(keys: list[tuple[str, int]], now: datetime) -> None:
    for key, limit in keys:
        row = db.session.get(SignInThrottle, key)
        if row is None:
            row = SignInThrottle(key=key, failures=0, first_failed_at=now)
            db.session.add(row)
        if now - row.first_failed_at > FAILURE_WINDOW:
            row.failures, row.first_failed_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCK_FOR
    db.session.commit()


def authenticate(email: str, password: str, address: str | None = None) -> SignInResult:
    """Check a sign-in. Unknown email and wrong password fail alike; repeated failures lock for a while."""
    now = clock.now()
    keys = _throttle_keys(email, address)
    locked = _locked_minutes(keys, now)
    if locked:
        return SignInResult(locked_minutes=locked)
    user = find_user(email)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        _record_failure(keys, now)
        return SignInResult(locked_minutes=_locked_minutes(keys, now))
    for row in db.session.scalars(select(SignInThrottle).where(
            SignInThrottle.key.in_([key for key, _ in keys]))):
        db.session.delete(row)
    user.last_signed_in_at = now
    db.session.commit()
    return SignInResult(user=user)
