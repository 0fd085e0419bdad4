"""Carrying an upload from its preview to its confirmation: what the file said, signed into the form.

Nothing is stored between the two steps. The preview's form holds the file's own data, signed with the
app's secret (so it cannot be altered) and with the plan's fingerprint at preview time (so a preview made
before someone else changed the plan is shown again, never applied blindly).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from board.services.plan_data import fingerprint
from models import Plan

PREVIEW_HOURS = 12


@dataclass(frozen=True)
class SignedUpload:
    file_name: str
    given: dict
    plan_id: int | None
    fingerprint: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="plan-import")


def sign_upload(file_name: str, given: dict, plan: Plan | None) -> str:
    """The token the confirm form carries for this file and plan."""
    return _serializer().dumps({"file": file_name, "given": given, "plan": plan.id if plan else None,
                                "fingerprint": fingerprint(plan) if plan else ""})


def open_upload(token: str | None) -> SignedUpload | None:
    """The upload a token carries; None when it was altered, is not one, or is older than PREVIEW_HOURS."""
    try:
        payload = _serializer().loads(token or "", max_age=PREVIEW_HOURS * 3600)
        return SignedUpload(str(payload["file"]), dict(payload["given"]), payload["plan"],
                            str(payload["fingerprint"]))
    except (BadData, KeyError, TypeError, ValueError):
        return None


def is_stale(upload: SignedUpload, plan: Plan | None) -> bool:
    """Whether the plan has changed (texts, not statuses) since the preview was made."""
    return upload.fingerprint != (fingerprint(plan) if plan else "")
