"""Read-only links for committees: only a hash of the token is stored."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from board.clock import now
from models import db
from models.publication import Publication
from models.user import User


class RevocableToken:
    """What a share link and an API token have in common: a label, a hashed token that works until its
    expiry day ends or it is revoked, and who made and revoked it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    # It works through the whole of this day.
    expires_on: Mapped[date | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    @declared_attr
    def plan_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("plan.id"), index=True)

    @declared_attr
    def created_by(cls) -> Mapped[User | None]:
        return relationship(foreign_keys=[cls.created_by_id])

    @declared_attr
    def revoked_by(cls) -> Mapped[User | None]:
        return relationship(foreign_keys=[cls.revoked_by_id])

    def state(self, today: date) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_on and self.expires_on < today:
            return "expired"
        return "active"


class ShareLink(RevocableToken, db.Model):
    last_opened_at: Mapped[datetime | None] = mapped_column()
    times_opened: Mapped[int] = mapped_column(Integer, default=0)
    # Pinned to one publication (it shows that paper, whatever its later versions say), else the live board.
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))
    # People are shown by role on a committee's pages unless the plan owner opened this link to names.
    show_names: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    publication: Mapped[Publication | None] = relationship()
