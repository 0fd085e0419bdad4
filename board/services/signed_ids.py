"""Row ids signed for links that work without signing in (an update request's link, the digest's opt-out).

Each kind of link signs with its own purpose as the salt, so a token made for one purpose (or a session
cookie) is never accepted for another; a made-up or altered token reads as None.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

MAX_TOKEN = 200


def sign(purpose: str, row_id: int) -> str:
    return URLSafeSerializer(current_app.secret_key, salt=purpose).dumps(row_id)


def unsign(purpose: str, token: str) -> int | None:
    """The id signed for `purpose`, or None when the token was made up, altered or made for another purpose."""
    if not token or len(token) > MAX_TOKEN:
        return None
    try:
        row_id = URLSafeSerializer(current_app.secret_key, salt=purpose).loads(token)
    except BadSignature:
        return None
    return row_id if isinstance(row_id, int) and not isinstance(row_id, bool) else None
