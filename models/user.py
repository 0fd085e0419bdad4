"""People who sign in, what their role lets them do, and the sign-in throttle."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
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
    Role.CONTRIBUTOR: ("Contributor", "add evidence notes and impact comments"),
    Role.EDITOR: ("Editor", "move cards, change RAG and due dates, add evidence"),
    Role.ADMIN: ("Admin", "everything, plus users, share links and plan import"),
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
    # Bumped when the password changes or the account is deactivated, which ends old sessions.
    session_generation: Mapped[int] = mapped_column(Integer, default=1)

    owner_roles: Mapped[list[OwnerRole]] = relationship(
        secondary=user_owner_roles, order_by=OwnerRole.name
    )

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, needed: Role) -> bool:
        return self.role_enum.rank >= needed.rank

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class SignInThrottle(db.Model):
    """Failed sign-ins per account or per address, kept in the database so every worker sees them."""

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime] = mapped_column(default=now)
    locked_until: Mapped[datetime | None] = mapped_column()
