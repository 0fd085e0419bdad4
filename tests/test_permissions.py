"""Who may do what, checked for every route the app has.

WRITE_ROUTES must name every route that accepts POST: a new write route without an entry fails
`test_every_write_route_is_in_the_matrix`.
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from board.services import api_tokens, clinic_minutes, share_links
from board.services.board_view import current_plan
from board.services.clinics import join_clinic, start_clinic
from board.services.evidence import add_impact_comment, add_note
from board.services.moves import move_action
from models import Action, AuditEntry, KpiMeasure, ShareLink, User, db
from tests.conftest import ROLES, csrf_token, papers
from tests.pages import page_of

# A note can be changed by its author (the contributor in these tests) or an admin, nobody else.
AUTHOR_OR_ADMIN = ("contributor", "admin")
# A clinic is ended by its chair (the editor chairs the clinic in these tests) or an admin, nobody else.
CHAIR_OR_ADMIN = ("editor", "admin")
# endpoint -> the least role that may use it (None: anyone, even signed out), or who exactly may.
WRITE_ROUTES = {
    "auth.sign_in": None,
    "auth.sign_out": None,
    "auth.account": "viewer",
    "auth.sign_out_everywhere": "viewer",
    "admin.reset_password": "admin",
    "admin.sign_out_everywhere": "admin",
    "admin.users": "admin",
    "admin.change_role": "admin",
    "admin.change_owner_roles": "admin",
    "admin.deactivate": "admin",
    "admin.reactivate": "admin",
    "admin.links": "admin",
    "admin.revoke_link": "admin",
    "moves.move": "editor",
    "moves.reason": "editor",
    "evidence.add_note": "contributor",
    "evidence.edit_note": AUTHOR_OR_ADMIN,
    "evidence.withdraw_note": AUTHOR_OR_ADMIN,
    "evidence.edit_comment": AUTHOR_OR_ADMIN,
    "evidence.withdraw_comment": AUTHOR_OR_ADMIN,
    # Editors, and a contributor holding one of the action's owner roles (tests/test_update_requests.py).
    "evidence.change_due": "editor",
    "evidence.add_comment": "contributor",
    "clinics.index": "editor",
    "clinics.join": "contributor",
    # The contributor takes part in the clinic below: below editor, taking part is what lets you add.
    "clinics.add_note": "contributor",
    "clinics.correct_note": "contributor",
    "clinics.add_arising": "contributor",
    "clinics.correct_arising": "contributor",
    "clinics.arising_outcome": "contributor",
    "clinics.end": CHAIR_OR_ADMIN,
    "evidence.sign_off": "admin",
    "admin.plan_settings": "admin",
    "publications.start": "admin",
    "publications.draft": "admin",
    "publications.publish": "admin",
    "publications.discard": "admin",
    "publications.correct": "admin",
    "admin.tokens": "admin",
    "admin.revoke_token": "admin",
    "reports.add_measure": "admin",
    "reports.change_measure": "admin",
    # Below admin, only a measure's owners (the test users hold no owner role): refused after the form.
    "reports.record_value": "admin",
    # The plan owner, or an editor taking part in an open clinic: the editor chairs the clinic below but ends it
    # first (clinics.end is checked before), so here only the plan owner (test_update_requests.py: the editor).
    "updates.ask": ("admin",),
    # Editors, and a contributor holding one of the action's owner roles (the one here holds none of 2.7's:
    # tests/test_update_requests.py checks the owner may).
    "updates.give": "editor",
    # The emailed link is the permission: no sign-in (a wrong token is a 404).
    "updates.give_by_link": None,
    "auth.forgot_password": None,
    "auth.set_password": None,
    "auth.new_link": None,
    "notifications.preferences": "viewer",
    "notifications.stop_digest": None,
    "plans.make_live": "admin",
    "plans.archive": "admin",
    "plans.reopen": "admin",
    "plans.lineage_view": "admin",
    "plan_files.upload": "admin",
    "plan_files.confirm": "admin",
}
# GET routes anyone may open without signing in (share pages check their own token).
# The API answers a bearer token, never a session: without one, 401 (tests/test_api.py).
TOKEN_READS = {"api.plans", "api.plans_csv", "api.collection", "api.collection_csv"}
PUBLIC_READS = {"static", "auth.sign_in", "share.board", "share.action_detail", "share.changes",
                "share.outcomes", "share.outcome", "share.report", "share.version", "share.pdf", "share.board_then",
                "plan.healthz", "about.accessibility", "reports.print_head",
                # Pages reached from an email, and asking for a new password: their token or form decides.
                "auth.forgot_password", "auth.set_password", "updates.give_by_link", "notifications.stop_digest"}
IDENTITIES = ["anonymous", "share link", *ROLES]


def _write_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def _url(rule, ids):
    values = {name: ids[name] for name in rule.arguments}
    return rule.build(values)[1]


@pytest.fixture
def ids(seeded_app):
    with seeded_app.app_context():
        link, token = share_links.create_link(current_plan(), "Matrix link", None)
        target = db.session.scalars(select(User).where(User.email == "viewer@example.org")).one()
        editor = db.session.scalars(select(User).where(User.email == "editor@example.org")).one()
        action = db.session.scalars(select(Action).where(Action.ref == "2.7")).one()
        moved = move_action(action, "amber", 0, action.version, editor)
        author = db.session.scalars(select(User).where(User.email == "contributor@example.org")).one()
        note = add_note(action, "Dip sample of 20 plans done", None, author)
        comment = add_impact_comment(action.outcome, "Plans reviewed sooner", "emerging", author)
        clinic = start_clinic(current_plan(), date(2023, 12, 15), editor, "", [], editor)
        join_clinic(clinic, author)
        clinic_note = clinic_minutes.add_note(clinic, "Re-audit agreed", editor)
        arising = clinic_minutes.raise_arising(clinic, "Re-audit 20 plans", author, None, date(2024, 1, 19), editor)
        draft = papers()  # "number" 2 is both an area and a publication
        return {"user_id": target.id, "link_id": link.id, "token": token, "ref": "2.7",
                "number": 2, "event_id": moved.event.id, "note_id": note.id, "comment_id": comment.id,
                "outcome_id": action.outcome_id, "clinic_id": clinic.id, "clinic_note_id": clinic_note.id,
                "arising_id": arising.id, "plan_slug": current_plan().slug, "resource": "actions",
                "measure_id": db.session.scalars(select(KpiMeasure.id).limit(1)).one(),
                "token_id": api_tokens.create_token(current_plan(), "Power BI", None)[0].id, "draft_id": draft.id,
                "version": 1}


def _client(seeded_app, client_for, identity, token):
    if identity == "anonymous":
        return seeded_app.test_client()
    if identity == "share link":
        client = seeded_app.test_client()
        assert client.get(f"/share/{token}/").status_code == 200
        return client
    return client_for(identity)


def _rank(role):
    return ROLES.index(role)


def test_every_write_route_is_in_the_matrix(seeded_app):
    endpoints = {rule.endpoint for rule in _write_rules(seeded_app)}
    assert endpoints == set(WRITE_ROUTES), "add new write routes to WRITE_ROUTES with their role"


@pytest.mark.parametrize("identity", IDENTITIES)
def test_write_routes_answer_by_role(seeded_app, client_for, ids, identity):
    client = _client(seeded_app, client_for, identity, ids["token"])
    # A token from this client's own session, so refusals below are about roles, not CSRF.
    token = csrf_token(client, "/sign-in")
    for rule in _write_rules(seeded_app):
        needed = WRITE_ROUTES[rule.endpoint]
        response = client.post(_url(rule, ids), data={"csrf_token": token})
        where = f"{identity} POST {rule.rule}"
        if needed is None:
            assert response.status_code < 500, where
        elif identity in ("anonymous", "share link"):
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith("/sign-in"), where
        elif (identity not in needed) if isinstance(needed, tuple) else (_rank(identity) < _rank(needed)):
            assert response.status_code == 403, where
        else:
            assert response.status_code in (200, 201, 303, 400, 422), where
        if rule.endpoint == "auth.sign_out" and identity in ROLES:
            client = _client(seeded_app, client_for, identity, ids["token"])
            token = csrf_token(client, "/sign-in")


@pytest.mark.parametrize("identity", ["anonymous", "share link"])
def test_every_other_page_needs_sign_in(seeded_app, client_for, ids, identity):
    client = _client(seeded_app, client_for, identity, ids["token"])
    for rule in seeded_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in PUBLIC_READS:
            continue
        if rule.endpoint in TOKEN_READS:
            assert client.get(_url(rule, ids)).status_code == 401, rule.rule
            continue
        response = client.get(_url(rule, ids))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/sign-in"), rule.rule


@pytest.mark.parametrize("role", ROLES[:-1])
def test_admin_pages_are_refused_below_admin(client_for, role):
    client = client_for(role)
    for path in ("/admin/users", "/admin/links"):
        assert client.get(path).status_code == 403


def test_viewers_see_no_admin_links(client_for):
    html = client_for("editor").get("/").get_data(as_text=True)
    assert "/admin/users" not in html  # not as a link, nor anywhere else in the markup
    assert "/admin/users" in page_of(client_for("admin").get("/")).links()


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_missing_or_wrong_csrf_token_is_refused_and_changes_nothing(seeded_app, client_for, ids, token):
    admin = client_for("admin")
    data = {"email": "new@example.org", "name": "New", "role": "viewer"}
    if token:
        data["csrf_token"] = token
    with seeded_app.app_context():
        users_before = db.session.scalar(select(func.count(User.id)))
        audit_before = db.session.scalar(select(func.count(AuditEntry.id)))
    created = admin.post("/admin/users", data=data)
    revoked = admin.post(f"/admin/links/{ids['link_id']}/revoke", data={"csrf_token": token or ""})
    htmx = admin.post(f"/admin/links/{ids['link_id']}/revoke", headers={"HX-Request": "true"})
    assert created.status_code == revoked.status_code == htmx.status_code == 400
    assert "nothing was changed" in created.get_data(as_text=True)
    with seeded_app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == users_before
        assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_before
        assert db.session.get(ShareLink, ids["link_id"]).revoked_at is None


def test_csrf_token_in_the_htmx_header_is_accepted(seeded_app, client_for, ids):
    admin = client_for("admin")
    response = admin.post(f"/admin/links/{ids['link_id']}/revoke",
                          headers={"X-CSRFToken": csrf_token(admin), "HX-Request": "true"})
    assert response.status_code == 303


def test_tampered_ids_are_404_not_500(client_for):
    admin = client_for("admin")
    token = csrf_token(admin)
    assert admin.get("/admin/users/999999").status_code == 404
    assert admin.post("/admin/users/999999/role", data={"csrf_token": token, "role": "admin"}).status_code == 404
    assert admin.post("/admin/links/999999/revoke", data={"csrf_token": token}).status_code == 404
    assert admin.get("/admin/users/abc").status_code == 404


def test_security_headers_on_every_response(client, anon_client):
    for response in (client.get("/"), anon_client.get("/sign-in"), client.get("/static/css/board.css"),
                     client.get("/actions/99.9")):
        response.close()
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
