"""Who is looking, and through which URLs: a signed-in person, or a committee's read-only share link.

Templates and views ask the viewer for links (`viewer.url("plan.action_detail", ref=...)`), so a share
page links to share pages and a signed-in page to signed-in ones, from one set of templates.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from models import Plan, Role, User, db

NO_PLAN = "No plan has been imported yet: run `flask --app app import-plan PATH`."

# A signed-in page's endpoint -> the share-link page that shows the same, read-only.
SHARE_ENDPOINTS = {
    "plan.board": "share.board",
    "plan.board_changes": "share.changes",
    "plan.action_detail": "share.action_detail",
    "evidence.outcomes": "share.outcomes",
    "evidence.outcome": "share.outcome",
    "reports.report": "share.report",
}


@dataclass(frozen=True)
class Viewer:
    """Who the page is for. On a share link there is no user and nothing may change."""

    user: User | None
    share_token: str | None = None
    share_label: str | None = None

    @property
    def read_only(self) -> bool:
        return self.share_token is not None

    def may(self, role: Role | str) -> bool:
        """Has the signed-in user at least this role? Never on a share link."""
        return (not self.read_only and self.user is not None and self.user.is_authenticated
                and self.user.has_role(Role(role)))

    def url(self, endpoint: str, **values) -> str:
        """The URL of a page as this viewer reaches it (a share link stays inside its share pages)."""
        if self.read_only:
            return url_for(SHARE_ENDPOINTS[endpoint], token=self.share_token, **values)
        return url_for(endpoint, **values)

    def may_change_note(self, note_or_comment) -> bool:
        """Its author or an admin, signed in, while it is not withdrawn (notes and impact comments)."""
        from board.services.evidence import may_change_note

        return not self.read_only and may_change_note(note_or_comment, self.user)

    def may_update(self, action) -> bool:
        """May this person give the action an update (and move its due)? See `action_updates.may_update`."""
        from board.services.action_updates import may_update

        return not self.read_only and may_update(action, self.user)


def current_viewer() -> Viewer:
    """The viewer of this request (a share link's check sets `g.share_token` before any view runs)."""
    if "viewer" not in g:
        token = g.get("share_token")
        link = g.get("share_link")
        g.viewer = Viewer(user=None if token else current_user._get_current_object(), share_token=token,
                          share_label=link.label if link else None)
    return g.viewer


def plan_for_request() -> Plan:
    """The plan this request is about; 404 (saying how to import one) when there is none yet."""
    return db.first_or_404(select(Plan).order_by(Plan.id).limit(1), description=NO_PLAN)


def current_plan_or_none() -> Plan | None:
    """The plan this request is about, or None before any is imported (pages that work without one)."""
    try:
        return plan_for_request()
    except NotFound:
        return None


def init_app(app) -> None:
    @app.context_processor
    def _viewer():
        viewer = current_viewer()
        # Short names the templates have always used, all answered by the viewer.
        return {"viewer": viewer, "may": viewer.may, "is_read_only": lambda: viewer.read_only,
                "may_change_note": viewer.may_change_note, "may_change_comment": viewer.may_change_note,
                "may_update": viewer.may_update}
