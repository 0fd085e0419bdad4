"""Database models, one module per aggregate, and the shared SQLAlchemy handle.

`db` is created here once so blueprints, services and models can all import it
without importing each other in a circle.
"""
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def plain_rows(query, params: dict | None = None) -> list:
    """A select's rows through Core on the session's connection (in its transaction, after flushing
    what the session holds, as the ORM would): no ORM result processing, which cost about as much as
    building the board's cards from the rows. A statement built once at import with `bindparam`s for
    `params` costs a quarter of one built per call (building it and its cache key, ~0.5 ms)."""
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(query, params).all()


# Imported after `db` exists: each module defines its tables on it.
from models.action import Action, ActionEvent, Closure, EventKind, Status, action_owners
from models.activity import ActivityRecord
from models.api_token import ApiToken
from models.audit import AuditEntry
from models.clinic import (
    ActionArising,
    ArisingUpdate,
    ArisingUpdateKind,
    Clinic,
    ClinicNote,
    clinic_participants,
)
from models.evidence import CommentRevision, EvidenceNote, ImpactComment, ImpactRating, NoteRevision
from models.kpi import Frequency, KpiMeasure, KpiValue, Polarity, Unit
from models.mail import OutboxMessage
from models.plan import Area, Outcome, OwnerRole, Plan
from models.publication import Publication, PublicationPdf, ReportDraft
from models.share_link import ShareLink
from models.update_request import UpdateLink, UpdateRequest
from models.user import AccountLink, Role, SignInThrottle, User, UserSession, user_owner_roles

__all__ = [
    "AccountLink",
    "Action",
    "ActionArising",
    "ActionEvent",
    "ActivityRecord",
    "ApiToken",
    "Area",
    "ArisingUpdate",
    "ArisingUpdateKind",
    "AuditEntry",
    "Clinic",
    "ClinicNote",
    "Closure",
    "CommentRevision",
    "EventKind",
    "EvidenceNote",
    "Frequency",
    "ImpactComment",
    "ImpactRating",
    "KpiMeasure",
    "KpiValue",
    "NoteRevision",
    "OutboxMessage",
    "Outcome",
    "OwnerRole",
    "Plan",
    "Polarity",
    "Publication",
    "PublicationPdf",
    "ReportDraft",
    "Role",
    "ShareLink",
    "SignInThrottle",
    "Status",
    "Unit",
    "UpdateLink",
    "UpdateRequest",
    "User",
    "UserSession",
    "action_owners",
    "clinic_participants",
    "db",
    "user_owner_roles",
]
