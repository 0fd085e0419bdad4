"""People who sign in, what their role lets them do, the sign-in throttle, and the emailed links that
set a password (an invitation, a password reset)."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from board.clock import now
from models import db
from models.plan import OwnerRole


class Role(str, enum.Enum):
    """What a signed-in person may do; each role may do everything the ones before it may."""

    VIEWER = "viewer"
    CONTRIBUTOR = "contributor"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    @property
    def label(self) -> str:
        return _ROLE_TEXT[self][0]

    @property
    def may(self) -> str:
        return _ROLE_TEXT[self][1]


_ROLE_TEXT = {
    Role.VIEWER: ("Viewer", "read everything"),
    Role.CONTRIBUTOR: ("Contributor", "add evidence notes and impact comments, record their measures"),
    Role.EDITOR: ("Editor", "move cards, change RAG and due dates, add evidence"),
    Role.ADMIN: ("Admin", "everything, plus users, share links, measures, API tokens and plan import"),
}

_ROLE_RANK = {role: index for index, role in enumerate(Role)}

user_owner_roles = Table(
    "user_owner_role",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("owner_role_id", ForeignKey("owner_role.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    """A person with an account. Never deleted: history keeps their name."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default=Role.VIEWER.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_signed_in_at: Mapped[datetime | None] = mapped_column()
    password_changed_at: Mapped[datetime | None] = mapped_column()
    # Optimistic lock for the admin's changes (role, owner roles, active): a stale form is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The Monday email of their actions overdue, due soon, stale and asked about (they may turn it off).
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    owner_roles: Mapped[list[OwnerRole]] = relationship(
        secondary=user_owner_roles, order_by=OwnerRole.name
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return bool(self.active)

    # The signed-in session this object was loaded through (set at sign-in and by the user loader):
    # Flask-Login keeps it in the session cookie, and the server checks it on every request.
    session_token = None

    def get_id(self) -> str | None:
        return self.session_token

    # Flask-Login's mixin compares users by get_id(), which here is the session (None outside a
    # request, so every two accounts would be "equal"): compare accounts by their row.
    def __eq__(self, other) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(("user", self.id)) if self.id is not None else object.__hash__(self)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, needed: Role) -> bool:
        return self.role_enum.rank >= needed.rank

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserSession(db.Model):
    """One signed-in session. The browser holds its token; only a hash is stored. Ended on sign-out,
    on "sign out everywhere", a password change or deactivation, when idle too long, or when too old:
    a saved cookie of an ended session is worth nothing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_seen_at: Mapped[datetime] = mapped_column(default=now)
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_reason: Mapped[str | None] = mapped_column(String(40))
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()


class SignInThrottle(db.Model):
    """Failed sign-ins per (account, address) and per address, in the database so every worker sees
    them; counted with atomic upserts."""

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(default=now)
    # No attempt from this key is checked before this moment (a growing delay, never for ever).
    locked_until: Mapped[datetime | None] = mapped_column()


class AccountLink(db.Model):
    """An emailed link to set a password: an invitation (valid 72 hours) or a password reset (1 hour).
    The email holds the token; only its hash is stored. It works once: using it, or another link of the
    same account being used, ends it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))        # "invitation" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    # Ended unused, because another link of the account was used to set its password.
    cancelled_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()
