"""Read-only API tokens: made from `secrets`, shown once, stored only as a SHA-256 hash.

A token reads one plan through /api/v1 until it expires or is revoked; it can never write.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import date

from sqlalchemy import select, update

from board import clock
from board.services import audit, share_links
from board.services.share_links import TOKEN_BYTES, hash_token
from models import ApiToken, Plan, User, db

# A recognisable prefix: secret scanners and people can tell an API token from other strings.
PREFIX = "ipb_"


class TokenRefused(ValueError):
    pass


def create_token(plan: Plan, label: str, expires_on: date | None, *, by: User | None = None,
                 actor_label: str = "") -> tuple[ApiToken, str]:
    """Create a token; returns it with the token itself, which is never stored and cannot be shown again."""
    label = " ".join(label.split())
    if not label:
        raise TokenRefused("Give the token a label: who or what uses it.")
    if expires_on and expires_on < clock.today():
        raise TokenRefused("The expiry date must be today or later.")
    token = PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    row = ApiToken(plan_id=plan.id, label=label[:200], token_hash=hash_token(token), created_by=by,
                   expires_on=expires_on)
    db.session.add(row)
    audit.record("api_token_created", row.label, by=by, actor_label=actor_label,
                 to_value=f"expires {expires_on.isoformat()}" if expires_on else "no expiry")
    db.session.commit()
    return row, token


def authenticate(token: str | None) -> ApiToken | None:
    """The active token for this string (not revoked, not expired), its use counted; else None."""
    if not token or len(token) > 200:
        return None
    wanted = hash_token(token)
    row = db.session.scalars(select(ApiToken).where(ApiToken.token_hash == wanted)).first()
    if row is None or not hmac.compare_digest(row.token_hash, wanted) or row.state(clock.today()) != "active":
        return None
    # Counted in the database itself, so uses at the same moment are all counted.
    db.session.execute(update(ApiToken).where(ApiToken.id == row.id)
                       .values(times_used=ApiToken.times_used + 1, last_used_at=clock.now())
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return row


def revoke(row: ApiToken, *, by: User | None = None, actor_label: str = "") -> None:
    share_links.revoke(row, by=by, actor_label=actor_label, kind="api_token")


def all_tokens(plan: Plan) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.plan_id == plan.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_query(plan: Plan, token_id: int):
    return select(ApiToken).where(ApiToken.id == token_id, ApiToken.plan_id == plan.id)
