"""Committee papers: the plan owner's draft highlight report, and the frozen publications made from it.

A publication is the report as at its period's end (rebuilt from history) with the narrative, stored
whole as a snapshot when it is published: later changes on the board never alter it. A correction is
a new version of the same publication number; every version stays readable. Publications and their
PDFs are never changed or deleted.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.clock import now
from models import db
from models.user import User


class ReportDraft(db.Model):
    """A highlight report being written: its period and the plan owner's narrative. Editable until
    it is published; a correction's draft names the publication it corrects and why."""

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    achievements: Mapped[str] = mapped_column(Text, default="", server_default="")
    concerns: Mapped[str] = mapped_column(Text, default="", server_default="")
    decisions: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Optional commentary per area: {"2": "words"} (JSON keys are strings).
    area_commentary: Mapped[dict] = mapped_column(JSON, default=dict)
    corrects_number: Mapped[int | None] = mapped_column(Integer)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # Optimistic lock: a save names the version it saw; a stale one is refused with both wordings.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set when it is published: it is then no longer a draft.
    published_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))

    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])


class Publication(db.Model):
    """One version of a published highlight report: numbered per plan, dated, signed, frozen."""

    __table_args__ = (UniqueConstraint("plan_id", "number", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    period_start: Mapped[date] = mapped_column()
    period_end: Mapped[date] = mapped_column()
    published_at: Mapped[datetime] = mapped_column(default=now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Who signed it, as they were called then (a name, and a role for committees).
    published_by_name: Mapped[str] = mapped_column(String(120))
    published_by_role: Mapped[str] = mapped_column(String(300))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # Everything the paper shows, as at the period's end (board/services/report_model.py).
    snapshot: Mapped[dict] = mapped_column(JSON)


class PublicationPdf(db.Model):
    """A publication's PDF, made the first time it is asked for and then kept as it is: people by
    role, or by name for a link the plan owner opened to names."""

    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id"), primary_key=True)
    with_names: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    made_at: Mapped[datetime] = mapped_column(default=now)

    publication: Mapped[Publication] = relationship()


@event.listens_for(Publication, "before_update")
@event.listens_for(Publication, "before_delete")
@event.listens_for(PublicationPdf, "before_update")
@event.listens_for(PublicationPdf, "before_delete")
def _refuse_change(mapper, connection, target):
    from models.action import HistoryIsAppendOnly

    raise HistoryIsAppendOnly(f"{type(target).__name__} rows are never changed or deleted")
