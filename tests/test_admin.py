"""The plan owner manages users: create, role, owner roles, deactivate; every change audited."""
from sqlalchemy import select

from board.services.accounts import find_user
from models import AuditEntry, OwnerRole, db
from tests.conftest import PASSWORD, csrf_token, sign_in
from tests.pages import page_of


def _version(app, email):
    """The account's version, as the admin's form carries it."""
    with app.app_context():
        return find_user(email).version


def _role_id(app, name):
    with app.app_context():
        return db.session.scalars(select(OwnerRole.id).where(OwnerRole.name == name)).one()


def test_admin_creates_a_user_who_can_sign_in_with_the_shown_password(seeded_app, client_for):
    admin = client_for("admin")
    psw = _role_id(seeded_app, "Principal Social Worker")
    response = admin.post("/admin/users", data={
        "email": "New.Lead@Example.org", "name": "New Lead", "role": "contributor",
        "owner_roles": [psw], "csrf_token": csrf_token(admin)})
    assert response.status_code == 201
    password = page_of(response).value_labelled("Password for new.lead@example.org")
    assert password
    assert password not in admin.get("/admin/users").get_data(as_text=True)  # anywhere in the markup
    newcomer = seeded_app.test_client()
    signed_in = newcomer.post("/sign-in", data={"email": "new.lead@example.org", "password": password,
                                                "csrf_token": csrf_token(newcomer)})
    assert signed_in.status_code == 303
    with seeded_app.app_context():
        user = find_user("new.lead@example.org")
        assert (user.name, user.role) == ("New Lead", "contributor")
        assert [r.name for r in user.owner_roles] == ["Principal Social Worker"]
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.kind == "user_created")
                                   .order_by(AuditEntry.id.desc())).first()
        assert entry.user.email == "admin@example.org" and entry.subject == "new.lead@example.org"


def test_invalid_user_form_keeps_input_and_says_why(client_for):
    admin = client_for("admin")
    response = admin.post("/admin/users", data={
        "email": "viewer@example.org", "name": "Someone Else", "role": "viewer",
        "csrf_token": csrf_token(admin)})
    page = page_of(response)
    assert response.status_code == 422
    assert "There is already an account for viewer@example.org." in page.form_errors()
    assert page.field_value("name") == "Someone Else"
    bad_email = admin.post("/admin/users", data={
        "email": "not-an-email", "name": "X", "role": "viewer", "csrf_token": csrf_token(admin)})
    assert bad_email.status_code == 422
    assert any("Enter an email address" in error for error in page_of(bad_email).form_errors())


def test_admin_changes_role_and_owner_roles(seeded_app, client_for):
    admin = client_for("admin")
    with seeded_app.app_context():
        viewer_id = find_user("viewer@example.org").id
    token = csrf_token(admin)
    page = page_of(admin.get(f"/admin/users/{viewer_id}"))
    version = page.field_value("version", within=f'form[action="/admin/users/{viewer_id}/role"]')
    assert version == str(_version(seeded_app, "viewer@example.org"))
    assert admin.post(f"/admin/users/{viewer_id}/role",
                      data={"role": "editor", "version": version, "csrf_token": token}).status_code == 303
    role_ids = [_role_id(seeded_app, "Audit Officer"), _role_id(seeded_app, "Heads of Service")]
    assert admin.post(f"/admin/users/{viewer_id}/owner-roles", data={
        "owner_roles": role_ids, "version": _version(seeded_app, "viewer@example.org"),
        "csrf_token": token}).status_code == 303
    bad = admin.post(f"/admin/users/{viewer_id}/role", data={
        "role": "emperor", "version": _version(seeded_app, "viewer@example.org"), "csrf_token": token})
    assert bad.status_code == 422 and "Not a valid choice" in bad.get_data(as_text=True)
    with seeded_app.app_context():
        user = find_user("viewer@example.org")
        assert user.role == "editor"
        assert [r.name for r in user.owner_roles] == ["Audit Officer", "Heads of Service"]
        kinds = db.session.scalars(select(AuditEntry.kind).where(AuditEntry.subject == user.email)).all()
        assert kinds[-2:] == ["role_changed", "owner_roles_changed"]


def test_deactivate_and_reactivate(seeded_app, client_for):
    admin = client_for("admin")
    with seeded_app.app_context():
        editor_id = find_user("editor@example.org").id
    token = csrf_token(admin)
    assert admin.post(f"/admin/users/{editor_id}/deactivate", data={
        "version": _version(seeded_app, "editor@example.org"), "csrf_token": token}).status_code == 303
    assert sign_in(seeded_app.test_client(), "editor").status_code == 422
    assert admin.post(f"/admin/users/{editor_id}/reactivate", data={
        "version": _version(seeded_app, "editor@example.org"), "csrf_token": token}).status_code == 303
    assert sign_in(seeded_app.test_client(), "editor", PASSWORD).status_code == 303


def test_the_last_admin_cannot_be_removed(seeded_app, client_for):
    admin = client_for("admin")
    with seeded_app.app_context():
        admin_id = find_user("admin@example.org").id
    token = csrf_token(admin)
    version = _version(seeded_app, "admin@example.org")
    demote = admin.post(f"/admin/users/{admin_id}/role", data={"role": "viewer", "version": version,
                                                                 "csrf_token": token})
    assert demote.status_code == 422
    assert "only active admin" in demote.get_data(as_text=True)
    refused = admin.post(f"/admin/users/{admin_id}/deactivate", data={"version": version, "csrf_token": token})
    assert "only active admin" in page_of(admin.get(refused.headers["Location"])).flash_text()
    with seeded_app.app_context():
        user = find_user("admin@example.org")
        assert (user.role, user.active) == ("admin", True)
