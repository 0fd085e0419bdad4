"""What leaders record about impact: evidence notes on actions, impact comments on outcomes."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, event, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.plan import Outcome
from models.user import User


class EvidenceNote(db.Model):
    """A note of evidence on an action. Edits keep the earlier wording (NoteRevision);
    withdrawing keeps the note, marked withdrawn with a reason. Never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(2000))
    # Marked by its author for the board only: committees never see it (share links, publications).
    internal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=now)
    edited_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic lock: an edit or withdrawal names the version it saw; a stale one is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    revisions: Mapped[list[NoteRevision]] = relationship(
        back_populates="note", order_by="NoteRevision.id.desc()"
    )


class NoteRevision(db.Model):
    """The wording a note had before an edit (append-only)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("evidence_note.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    link_url: Mapped[str | None] = mapped_column(String(2000))
    written_at: Mapped[datetime] = mapped_column()
    replaced_at: Mapped[datetime] = mapped_column(default=now)
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    note: Mapped[EvidenceNote] = relationship(back_populates="revisions")
    replaced_by: Mapped[User] = relationship()


class ImpactRating(str, enum.Enum):
    NO_EVIDENCE = "no_evidence"
    EMERGING = "emerging"
    CLEAR = "clear"

    @property
    def label(self) -> str:
        return {"no_evidence": "No evidence yet", "emerging": "Emerging", "clear": "Clear impact"}[self.value]


class ImpactComment(db.Model):
    """What changed for children under an intended outcome, with a rating. Like a note: an edit keeps
    the earlier wording and rating (CommentRevision); a withdrawal keeps the comment. Never deleted."""

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    edited_at: Mapped[datetime | None] = mapped_column()
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    outcome: Mapped[Outcome] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment", order_by="CommentRevision.id.desc()"
    )

    @property
    def rating_enum(self) -> ImpactRating:
        return ImpactRating(self.rating)


class CommentRevision(db.Model):
    """The wording and rating an impact comment had before an edit (append-only)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("impact_comment.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    rating: Mapped[str] = mapped_column(String(20))
    written_at: Mapped[datetime] = mapped_column()
    replaced_at: Mapped[datetime] = mapped_column(default=now)
    replaced_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    comment: Mapped[ImpactComment] = relationship(back_populates="revisions")
    replaced_by: Mapped[User] = relationship()

    @property
    def rating_enum(self) -> ImpactRating:
        return ImpactRating(self.rating)


@event.listens_for(NoteRevision, "before_update")
@event.listens_for(NoteRevision, "before_delete")
@event.listens_for(CommentRevision, "before_update")
@event.listens_for(CommentRevision, "before_delete")
@event.listens_for(ImpactComment, "before_delete")
@event.listens_for(EvidenceNote, "before_delete")
def _refuse_change(mapper, connection, target):
    from models.action import HistoryIsAppendOnly

    raise HistoryIsAppendOnly(f"{type(target).__name__} rows are never changed or deleted")
