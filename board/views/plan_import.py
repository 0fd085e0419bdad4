"""Carrying an upload from its preview to its confirmation: what the file said, signed into the form.

Nothing is stored between the two steps. The preview's form holds the file's own data and where it goes
(the plan it updates, or the slug of a new plan), signed with the app's secret (so it cannot be altered),
with the plan's fingerprint at preview time (so a preview made before someone else changed the plan is shown
again, never applied blindly).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from board.services.plan_data import fingerprint
from board.services.plan_import import ImportSummary
from models import Plan

PREVIEW_HOURS = 12


@dataclass(frozen=True)
class SignedUpload:
    file_name: str
    given: dict
    plan_id: int | None
    fingerprint: str
    new_slug: str | None = None   # a new plan's slug (then plan_id is None)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="plan-import")


def sign_upload(file_name: str, given: dict, plan: Plan | None, new_slug: str | None = None) -> str:
    """The token the confirm form carries for this file, going into `plan` or, with `new_slug`, a new plan."""
    plan = None if new_slug else plan
    return _serializer().dumps({"file": file_name, "given": given, "plan": plan.id if plan else None,
                                "fingerprint": fingerprint(plan) if plan else "", "new": new_slug})


def open_upload(token: str | None) -> SignedUpload | None:
    """The upload a token carries; None when it was altered, is not one, or is older than PREVIEW_HOURS."""
    try:
        payload = _serializer().loads(token or "", max_age=PREVIEW_HOURS * 3600)
        return SignedUpload(str(payload["file"]), dict(payload["given"]), payload["plan"],
                            str(payload["fingerprint"]), payload.get("new"))
    except (BadData, KeyError, TypeError, ValueError):
        return None


def is_stale(upload: SignedUpload, plan: Plan | None) -> bool:
    """Whether the plan has changed (texts, not statuses) since the preview was made."""
    return upload.fingerprint != (fingerprint(plan) if plan else "")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def imported_message(file_name: str, summary: ImportSummary) -> str:
    """What an import did, in a sentence for the flash."""
    if summary.created_plan:
        actions, areas = _count(summary.actions_added, "action"), _count(summary.areas_added, "area")
        words = [f"Imported {file_name} as the new plan {summary.slug}: {actions} in {areas}."]
        if summary.carried_forward:
            words.append(f"{_count(summary.carried_forward, 'action')} carried forward from earlier plans, "
                         "with their history.")
        words += [f"{slug} is archived (read-only)." for slug in summary.archived]
        words.append(f"{summary.slug} is the live plan." if summary.made_live else
                     f"The live plan is unchanged: make {summary.slug} live on the Plans page.")
        return " ".join(words)
    if not summary.changed:
        return f"Imported {file_name}: nothing changed, the board already holds this plan."
    return (f"Imported {file_name}: {_count(summary.actions_added, 'action')} added, "
            f"{len(summary.actions_updated)} changed. Statuses, history and evidence are as they were.")
