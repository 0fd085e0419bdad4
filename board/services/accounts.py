"""Accounts: creating users, their roles, passwords, and checking a sign-in.

Every change an admin makes to an account names the version of the account they saw: if someone
changed it first, nothing is applied and `AccountConflict` says so. Changing a password or
deactivating an account ends its sessions.
"""
from __future__ import annotations

import gzip
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import generate_password_hash

from board import clock
from board.services import audit, sessions, throttle
from models import OwnerRole, Role, User, db

MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so both failures take the same time: it is made with
    the method real passwords are hashed with, or the two would differ."""
    return generate_password_hash("not a real password", method=method)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message is for the person asking."""


class AccountConflict(AccountError):
    """The account changed since the form was shown; nothing was applied."""


@dataclass
class SignInResult:
    user: User | None = None
    token: str | None = None          # the new session's token, for the session cookie
    wait_seconds: int = 0             # > 0: not checked; try again after this long


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def generate_password() -> str:
    """A one-time password: 16 random characters."""
    return secrets.token_urlsafe(12)


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a new password will not do, or None: at least 12 characters, not a common password,
    not the person's email or name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a few words together are easy to remember)."
    if len(password) > 200:
        return "Use at most 200 characters."
    folded = password.strip().casefold()
    if folded in _common_passwords():
        return "That password is one of the most common ones: choose another."
    if folded in {email.casefold(), email.split("@")[0].casefold(), name.strip().casefold()} - {""}:
        return "Choose a password that is not your email or your name."
    return None


def check_new_password(user: User, password: str) -> None:
    """AccountError saying why, when the password will not do for this account."""
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem)


def _set_password(user: User, password: str) -> None:
    check_new_password(user, password)
    user.set_password(password, method=current_app.config["PASSWORD_HASH_METHOD"])
    user.password_changed_at = clock.now()


def replace_password(user: User, password: str) -> None:
    """The account's next version with this password (the caller ends sessions, audits and commits)."""
    _claim(user, None)
    _set_password(user, password)


def create_user(email: str, name: str, role: Role, password: str, *, by: User | None = None,
                actor_label: str = "", owner_roles: list[OwnerRole] | None = None, commit: bool = True) -> User:
    """Create an account; refuses a duplicate email or a password that will not do. With `commit` False
    the caller adds to the same change (an invitation) and commits."""
    email = normalise_email(email)
    if find_user(email):
        raise AccountError(f"There is already an account for {email}.")
    user = User(email=email, name=name.strip(), role=role.value, owner_roles=owner_roles or [])
    _set_password(user, password)
    db.session.add(user)
    audit.record("user_created", email, by=by, actor_label=actor_label, to_value=role.value)
    if commit:
        db.session.commit()
    return user


def _claim(user: User, expected_version: int | None) -> None:
    """Take the account's next version, or refuse if someone changed it since `expected_version`
    (None: the caller has no form, e.g. the command line, and takes whatever is current)."""
    expected = user.version if expected_version is None else expected_version
    claimed = db.session.execute(update(User).where(User.id == user.id, User.version == expected)
                                 .values(version=User.version + 1)
                                 .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(user)
        raise AccountConflict(f"{user.name}'s account was changed by someone else while you were "
                              "looking at it: nothing was saved. It is shown as it is now.")
    db.session.expire(user, ["version"])


def set_role(user: User, role: Role, *, by: User | None = None, actor_label: str = "",
             expected_version: int | None = None) -> None:
    if user.role == role.value and expected_version in (None, user.version):
        return
    _claim(user, expected_version)
    if user.role == role.value:
        db.session.rollback()
        return
    if user.role == Role.ADMIN.value and _last_active_admin(user):
        db.session.rollback()
        raise AccountError("This is the only active admin: make someone else admin first.")
    audit.record("role_changed", user.email, by=by, actor_label=actor_label, from_value=user.role, to_value=role.value)
    user.role = role.value
    db.session.commit()


def set_active(user: User, active: bool, *, by: User | None = None, actor_label: str = "",
               expected_version: int | None = None) -> None:
    """Deactivate (ends their sessions; history keeps their name) or reactivate an account."""
    if user.active == active and expected_version in (None, user.version):
        return
    _claim(user, expected_version)
    if user.active == active:
        db.session.rollback()
        return
    if not active and user.role == Role.ADMIN.value and _last_active_admin(user):
        db.session.rollback()
        raise AccountError("This is the only active admin: make someone else admin first.")
    audit.record("activated" if active else "deactivated", user.email, by=by, actor_label=actor_label)
    user.active = active
    if not active:
        sessions.end_all(user, "deactivated")
    db.session.commit()


def set_owner_roles(user: User, roles: list[OwnerRole], *, by: User | None = None,
                    expected_version: int | None = None) -> None:
    before = "; ".join(r.name for r in user.owner_roles)
    after = "; ".join(sorted(r.name for r in roles))
    if before == after and expected_version in (None, user.version):
        return
    _claim(user, expected_version)
    before = "; ".join(r.name for r in user.owner_roles)
    if before == after:
        db.session.rollback()
        return
    audit.record("owner_roles_changed", user.email, by=by, from_value=before, to_value=after)
    user.owner_roles = roles
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    """The person changes their own password; every other session of theirs ends."""
    if not user.check_password(current):
        raise AccountError("That is not your current password.")
    if current == new:
        raise AccountError("Choose a new password, not the one you have now.")
    _claim(user, None)
    _set_password(user, new)
    audit.record("password_changed", user.email, by=user)
    sessions.end_all(user, "password changed", keep_token=user.session_token)
    db.session.commit()


def reset_password(user: User, *, by: User | None = None, actor_label: str = "",
                   password: str | None = None) -> str:
    """The admin (or the command line) gives an account a new password: the one given, or a
    generated one-time password to hand over. Every session of the account ends."""
    new = password or generate_password()
    _claim(user, None)
    _set_password(user, new)
    audit.record("password_reset", user.email, by=by, actor_label=actor_label)
    sessions.end_all(user, "password reset")
    db.session.commit()
    return new


def sign_out_everywhere(user: User, *, by: User | None = None, keep_token: str | None = None) -> int:
    """End the account's sessions (for yourself: all but this one, `keep_token`); how many ended."""
    ended = sessions.end_all(user, "signed out everywhere", keep_token=keep_token)
    audit.record("signed_out_everywhere", user.email, by=by, to_value=f"{ended} session(s) ended")
    db.session.commit()
    return ended


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


def authenticate(email: str, password: str, address: str | None = None, user_agent: str = "") -> SignInResult:
    """Check a sign-in and start a session. An unknown email and a wrong password fail alike and take
    the same time; repeated failures slow down that address (see `throttle`)."""
    keys = throttle.keys_for(normalise_email(email), address)
    wait = throttle.wait_seconds(keys)
    if wait:
        return SignInResult(wait_seconds=wait)
    user = find_user(email)
    if user is None:
        User(password_hash=_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])).check_password(password)
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        throttle.record_failure(keys)
        return SignInResult(wait_seconds=throttle.wait_seconds(keys))
    throttle.forget(keys)
    user.last_signed_in_at = clock.now()
    token = sessions.start(user, user_agent)
    db.session.commit()
    return SignInResult(user=user, token=token)
