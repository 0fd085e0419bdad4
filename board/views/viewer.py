"""Who is looking, and through which URLs: a signed-in person, or a committee's read-only share link.

Templates and views ask the viewer for links (`viewer.url("plan.action_detail", ref=...)`), so a share
page links to share pages and a signed-in page to signed-in ones, from one set of templates.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import abort, current_app, g, request, url_for
from flask_login import current_user

from board.services.people import role_title
from board.services.plans import all_plans, change_counter_of
from board.speed import static_digest
from models import Plan, Role, User, db

NO_PLAN = ("No plan has been imported yet: the plan owner imports one from a spreadsheet on the Import plan page "
           "(/import-plan), or run `flask --app app import-plan PATH`.")
# Set by `board.plan_urls.PlanPrefix` on a request for /plans/<slug>/...
PLAN_SLUG_KEY = "board.plan_slug"

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
    plan_archived: bool = False   # the plan in view is archived: read-only for everyone

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

    def has_role(self, role: Role | str) -> bool:
        """Is this a signed-in user with at least this role (whatever plan is in view)?"""
        return (not self.read_only and self.user is not None and self.user.is_authenticated
                and self.user.has_role(Role(role)))

    def may(self, role: Role | str) -> bool:
        """May they do what this role does to the plan in view? Never on a share link, and on an
        archived plan nobody changes anything (reading is a viewer's, and stays)."""
        if self.plan_archived and Role(role) is not Role.VIEWER:
            return False
        return self.has_role(role)

    def url(self, endpoint: str, **values) -> str:
        """The URL of a page as this viewer reaches it (a share link stays inside its share pages)."""
        if self.read_only:
            return url_for(SHARE_ENDPOINTS[endpoint], token=self.share_token, **values)
        return url_for(endpoint, **values)

    def may_change_note(self, note_or_comment) -> bool:
        """Its author or an admin, signed in, while it is not withdrawn (notes and impact comments)."""
        from board.services.evidence import may_change_note

        return not self.read_only and not self.plan_archived and may_change_note(note_or_comment, self.user)

    def may_update(self, action) -> bool:
        """May this person give the action an update (and move its due)? See `action_updates.may_update`."""
        from board.services.action_updates import may_update

        return not self.read_only and not self.plan_archived and may_update(action, self.user)


def current_viewer() -> Viewer:
    """The viewer of this request (a share link's check sets `g.share_token` before any view runs)."""
    if "viewer" not in g:
        token = g.get("share_token")
        link = g.get("share_link")
        plan = request_plan()
        g.viewer = Viewer(user=None if token else current_user._get_current_object(), share_token=token,
                          share_label=link.label if link else None, share_names=bool(link and link.show_names),
                          publication_id=link.publication_id if link else None,
                          plan_archived=bool(plan and plan.archived))
    return g.viewer


def install_plans() -> list[Plan]:
    """Every plan of the install, read once per request: an install holds a handful (one a year), so one
    query serves both finding this request's plan and the plan switcher."""
    if "install_plans" not in g:
        g.install_plans = all_plans()
    return g.install_plans


def request_plan() -> Plan | None:
    """The plan this request is about: a share link's own plan; else the one its URL names
    (`/plans/<slug>/...`); else the live plan (the one marked live, else the first). None when there is
    no such plan."""
    if "plan" not in g:
        link = g.get("share_link")
        slug = request.environ.get(PLAN_SLUG_KEY)
        if link is not None:
            g.plan = db.session.get(Plan, link.plan_id)
        elif slug:
            g.plan = next((plan for plan in install_plans() if plan.slug == slug), None)
        else:
            plans = install_plans()
            g.plan = next((plan for plan in plans if plan.live), min(plans, key=lambda plan: plan.id, default=None))
    return g.plan


def request_plan_counter() -> int | None:
    """The change counter of the plan `request_plan` finds (no share link), without loading any plan."""
    return change_counter_of(request.environ.get(PLAN_SLUG_KEY))


def plan_url(plan: Plan | str | None, endpoint: str, **values) -> str:
    """The URL of `endpoint` in `plan` (a plan or its slug: `/plans/<slug>/...`), or outside any plan when
    `plan` is None, from whichever plan's page it is built on."""
    path = url_for(endpoint, **values)
    root = request.script_root
    inner = path[len(root):] if root and path.startswith(root) else path
    slug = plan if isinstance(plan, str) or plan is None else plan.slug
    return install_root() + (f"/plans/{slug}" if slug else "") + inner


def install_root() -> str:
    """The path the install is served under: the request's SCRIPT_NAME without a plan's `/plans/<slug>`."""
    root = request.script_root
    return root[: root.rindex("/plans/")] if request.environ.get(PLAN_SLUG_KEY) else root


def asset_url(filename: str) -> str:
    """A static file's one URL, the same from every plan's pages, fingerprinted by its bytes (`?v=`), so
    the browser caches it once and for good (board/speed.py). Each file linked is noted for the request
    (`g.assets_linked`): a kept page is only served again while its files are unchanged."""
    digest = static_digest(filename)
    g.setdefault("assets_linked", {})[filename] = digest
    return install_root() + _static_path(current_app.static_url_path, filename, digest)


@lru_cache(maxsize=256)
def _static_path(_static_url_path: str, filename: str, digest: str | None) -> str:
    """The static file's URL below the install's root (built once per file version: the URL map is fixed)."""
    path = url_for("static", filename=filename, v=digest)
    root = request.script_root
    return path[len(root):] if root and path.startswith(root) else path


def plan_for_request() -> Plan:
    """The plan this request is about (see `request_plan`); 404 saying what is missing when there is none."""
    plan = request_plan()
    if plan is None:
        slug = request.environ.get(PLAN_SLUG_KEY)
        abort(404, description=f"There is no plan named {slug}: see the list of plans." if slug else NO_PLAN)
    return plan


# Blueprints whose writes are not about one plan's content: accounts, the install's users and links, the
# plans themselves (archiving, lineage, importing: a new plan may be made from any plan's pages, and the
# import refuses to update an archived one itself), reading pages, the read-only API, a person's email
# preferences. Every other blueprint changes a plan.
NOT_PLAN_CONTENT = {"auth", "admin", "about", "share", "plans", "plan_files", "api", "notifications"}


def refuse_changes_to_an_archived_plan() -> None:
    # A request no route accepts answers for itself (404, or 405 for a method no route takes).
    if request.method in ("GET", "HEAD", "OPTIONS") or request.url_rule is None or \
            request.blueprint in NOT_PLAN_CONTENT:
        return
    refuse_if_archived(request_plan())


def refuse_if_archived(plan: Plan | None) -> None:
    """403 saying so when `plan` is archived (also for pages that exist only to change it, such as a form)."""
    if plan is not None and plan.archived:
        abort(403, description=f"The {plan.slug} plan is archived: it is kept as it was and nothing in it "
                               "can be changed.")


def init_app(app) -> None:
    app.before_request(refuse_changes_to_an_archived_plan)
    @app.context_processor
    def _viewer():
        viewer = current_viewer()
        # Short names the templates have always used, all answered by the viewer.
        return {"viewer": viewer, "may": viewer.may, "is_read_only": lambda: viewer.read_only, "plan_url": plan_url,
                "asset_url": asset_url, "install_plans": install_plans,
                "plan_in_view": request_plan(),
                "may_change_note": viewer.may_change_note, "may_change_comment": viewer.may_change_note,
                "may_update": viewer.may_update, "person": viewer.person, "actor": viewer.actor,
                "person_words": viewer.person_words}
