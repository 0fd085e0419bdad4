"""Who is looking, and through which URLs: a signed-in person, or a committee's read-only share link.

Templates and views ask the viewer for links (`viewer.url("plan.action_detail", ref=...)`), so a share
page links to share pages and a signed-in page to signed-in ones, from one set of templates.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import select

from board.services.people import role_title
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
    # A share link's: names instead of roles (the plan owner's choice), and the publication it is pinned to.
    share_names: bool = False
    publication_id: int | None = None

    @property
    def read_only(self) -> bool:
        return self.share_token is not None

    @property
    def shows_names(self) -> bool:
        """Signed in, people are named; a committee reads their roles unless its link shows names."""
        return not self.read_only or self.share_names

    def person(self, user: User | None) -> str:
        """A person as this viewer may see them: their name, or the role they hold."""
        if user is None:
            return "Unknown"
        return user.name if self.shows_names else role_title(user)

    def actor(self, event) -> str:
        """Who made a history entry: a person (as `person`), else the label of the command or import."""
        return self.person(event.user) if event.user else (event.actor_label or "Unknown")

    def person_words(self, name: str, role: str) -> str:
        """A person kept in a publication as both name and role, as this viewer may see them."""
        return name if self.shows_names else role

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


def current_viewer() -> Viewer:
    """The viewer of this request (a share link's check sets `g.share_token` before any view runs)."""
    if "viewer" not in g:
        token = g.get("share_token")
        link = g.get("share_link")
        g.viewer = Viewer(user=None if token else current_user._get_current_object(), share_token=token,
                          share_label=link.label if link else None, share_names=bool(link and link.show_names),
                          publication_id=link.publication_id if link else None)
    return g.viewer


def plan_for_request() -> Plan:
    """The plan this request is about; 404 (saying how to import one) when there is none yet."""
    return db.first_or_404(select(Plan).order_by(Plan.id).limit(1), description=NO_PLAN)


def init_app(app) -> None:
    @app.context_processor
    def _viewer():
        viewer = current_viewer()
        # Short names the templates have always used, all answered by the viewer.
        return {"viewer": viewer, "may": viewer.may, "is_read_only": lambda: viewer.read_only,
                "may_change_note": viewer.may_change_note, "may_change_comment": viewer.may_change_note,
                "person": viewer.person, "actor": viewer.actor, "person_words": viewer.person_words}
