"""Committee read-only links: tokens from `secrets`, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from sqlalchemy import select, update

from board import clock
from board.services import audit
from models import Plan, Publication, ShareLink, User, db

TOKEN_BYTES = 32  # 256 bits


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(plan: Plan, label: str, expires_on: date | None, *, by: User | None = None,
                actor_label: str = "", publication: Publication | None = None,
                show_names: bool = False) -> tuple[ShareLink, str]:
    """Create a link to the live board, or pinned to `publication`, showing people by role unless
    `show_names`; returns it with its token, which is never stored and cannot be shown again."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink(plan_id=plan.id, label=label.strip(), token_hash=hash_token(token),
                     created_by=by, expires_on=expires_on, publication=publication, show_names=show_names)
    db.session.add(link)
    audit.record("share_link_created", link.label, by=by, actor_label=actor_label,
                 to_value="; ".join((f"expires {expires_on.isoformat()}" if expires_on else "no expiry",
                                     shows(link), "names" if show_names else "roles")))
    db.session.commit()
    return link, token


def find_link(token: str) -> ShareLink | None:
    """The link for a token, whatever its state (the caller decides what revoked or expired means)."""
    if not token or len(token) > 100:
        return None
    wanted = hash_token(token)
    link = db.session.scalars(select(ShareLink).where(ShareLink.token_hash == wanted)).first()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        return None
    return link


def record_open(link: ShareLink) -> None:
    """Count an opening in the database itself, so openings at the same moment are all counted."""
    db.session.execute(update(ShareLink).where(ShareLink.id == link.id)
                       .values(times_opened=ShareLink.times_opened + 1, last_opened_at=clock.now())
                       .execution_options(synchronize_session=False))
    db.session.commit()


def revoke(link: ShareLink, *, by: User | None = None, actor_label: str = "", kind: str = "share_link") -> None:
    """Revoke a link (or an API token, `kind` "api_token"): it stops working on the next request."""
    if link.revoked_at:
        return
    link.revoked_at = clock.now()
    link.revoked_by = by
    audit.record(f"{kind}_revoked", link.label, by=by, actor_label=actor_label)
    db.session.commit()


def all_links(plan: Plan) -> list[ShareLink]:
    return db.session.scalars(
        select(ShareLink).where(ShareLink.plan_id == plan.id).order_by(ShareLink.created_at.desc())
    ).all()


def shows(link: ShareLink) -> str:
    """What a link shows, in words."""
    return f"publication {link.publication.number}" if link.publication else "live board"
