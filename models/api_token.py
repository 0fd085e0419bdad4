"""Read-only API tokens for reporting tools (Power BI, Excel): only a hash of the token is stored."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from models import db
from models.share_link import RevocableToken


class ApiToken(RevocableToken, db.Model):
    """A token reads one plan's data through /api/v1, nothing else, and never writes."""

    last_used_at: Mapped[datetime | None] = mapped_column()
    times_used: Mapped[int] = mapped_column(Integer, default=0)
