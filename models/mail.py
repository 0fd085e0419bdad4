"""The outbox: every email the board sends waits here until it is sent (`flask --app app send-mail`)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from board.clock import now
from models import db


class OutboxMessage(db.Model):
    """One email to one address, with its plain-text and HTML parts. Written in the same transaction as
    the change that asks for it; sent after the response and, while it fails, retried with a growing
    wait until `sent_at` (or, after too many tries, `gave_up_at`) is set."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan it is about (none for invitations and password resets) and the account it is for.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Not tried before this moment: the retry wait after a failure, or a sender's claim while it sends.
    next_attempt_at: Mapped[datetime] = mapped_column(default=now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    gave_up_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(500))
