"""The plan owner's administration: users and committee share links."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from board.admin.forms import (
    AccountForm,
    ApiTokenForm,
    CreateUserForm,
    OwnerRolesForm,
    PlanSettingsForm,
    RoleForm,
    ShareLinkForm,
)
from board.clock import today
from board.forms import ConfirmForm
from board.security import role_required
from board.services import (
    account_links,
    accounts,
    api_tokens,
    completion,
    publications,
    sessions,
    share_links,
    update_requests,
)
from board.services.board_view import current_plan
from board.views import emails
from board.views.viewer import plan_for_request, refuse_if_archived
from models import OwnerRole, Role, ShareLink, User, db

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


def _owner_role_choices():
    plan = current_plan()
    if plan is None:
        return []
    return [SelectChoice(role.id, role.name) for role in plan.owner_roles]


def _owner_roles(ids: list[int]) -> list[OwnerRole]:
    if not ids:
        return []
    return list(db.session.scalars(select(OwnerRole).where(OwnerRole.id.in_(ids))))


@admin_bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users():
    """Every account, the owner roles nobody holds, and a form to create one: invited by email (72 hours to
    choose a password), or with a first password shown once."""
    plan = plan_for_request()
    form = CreateUserForm()
    form.owner_roles.choices = _owner_role_choices()
    created = password = None
    status = 200
    if form.validate_on_submit():
        try:
            created, password = _create(plan, form)
        except accounts.AccountError as problem:
            form.email.errors.append(str(problem))
    if request.method == "POST" and created is None:
        status = 422
    elif created is not None:
        # A one-time password is not stored anywhere readable: it is shown on this response only.
        form = CreateUserForm(formdata=None)
        form.owner_roles.choices = _owner_role_choices()
        status = 201
    all_users = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("admin/users.html", form=form, users=all_users, created=created,
                           password=password, unheld=update_requests.unheld_roles(plan)), status


def _create(plan, form: CreateUserForm) -> tuple[User, str | None]:
    """The account, invited by email (no password to show) or with a one-time password to hand over."""
    roles, role = _owner_roles(form.owner_roles.data), Role(form.role.data)
    if form.invite.data:
        user, message_id = account_links.invite_user(form.email.data, form.name.data, role, roles, current_user,
                                                     emails.writer(plan).account_link)
        emails.send_after_response([message_id])
        return user, None
    password = accounts.generate_password()
    user = accounts.create_user(form.email.data, form.name.data, role, password, by=current_user, owner_roles=roles)
    return user, password


@admin_bp.get("/users/<int:user_id>")
@role_required(Role.ADMIN)
def user(user_id: int):
    """One account: role, owner roles, password, sessions, deactivate."""
    return _render_user(db.get_or_404(User, user_id))


def _render_user(account: User, status: int = 200, **forms):
    """The account page; a form given back with its errors (or a conflict) replaces the fresh one."""
    owner_form = forms.get("owner_form") or OwnerRolesForm(owner_roles=[r.id for r in account.owner_roles],
                                                          version=account.version)
    owner_form.owner_roles.choices = _owner_role_choices()
    return render_template(
        "admin/user.html", account=account, owner_form=owner_form,
        role_form=forms.get("role_form") or RoleForm(role=account.role, version=account.version),
        access_form=AccountForm(version=account.version), confirm=ConfirmForm(),
        one_time_password=forms.get("one_time_password"),
        open_sessions=len(sessions.open_sessions(account))), status


def _refused(account: User, problem: accounts.AccountError, form, field: str, form_key: str):
    """Nothing was applied. A conflict shows the account as it is now (fresh forms, a message);
    any other refusal puts its message on the form, as sent."""
    if isinstance(problem, accounts.AccountConflict):
        flash(str(problem), "error")
        return _render_user(account, status=409)
    form[field].errors.append(str(problem))
    return _render_user(account, status=422, **{form_key: form})


@admin_bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    account = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_user(account, status=422, role_form=form)
    try:
        accounts.set_role(account, Role(form.role.data), by=current_user, expected_version=form.version.data)
    except accounts.AccountError as problem:
        return _refused(account, problem, form, "role", "role_form")
    flash(f"{account.name} is now {account.role_enum.label}.", "success")
    return redirect(url_for("admin.user", user_id=account.id), 303)


@admin_bp.post("/users/<int:user_id>/owner-roles")
@role_required(Role.ADMIN)
def change_owner_roles(user_id: int):
    account = db.get_or_404(User, user_id)
    form = OwnerRolesForm()
    form.owner_roles.choices = _owner_role_choices()
    if not form.validate_on_submit():
        return _render_user(account, status=422, owner_form=form)
    try:
        accounts.set_owner_roles(account, _owner_roles(form.owner_roles.data), by=current_user,
                                 expected_version=form.version.data)
    except accounts.AccountError as problem:
        return _refused(account, problem, form, "owner_roles", "owner_form")
    flash(f"Owner roles saved for {account.name}.", "success")
    return redirect(url_for("admin.user", user_id=account.id), 303)


@admin_bp.post("/users/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    return _set_active(user_id, False)


@admin_bp.post("/users/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    account = db.get_or_404(User, user_id)
    form = AccountForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.set_active(account, active, by=current_user, expected_version=form.version.data)
    except accounts.AccountConflict as problem:
        flash(str(problem), "error")
        return _render_user(account, status=409)
    except accounts.AccountError as problem:
        flash(str(problem), "error")
    else:
        flash(f"{account.name} is {'active again' if active else 'deactivated: every session of theirs has ended'}.",
              "success")
    return redirect(url_for("admin.user", user_id=account.id), 303)


@admin_bp.post("/users/<int:user_id>/reset-password")
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    """Give the account a one-time password, shown once on this answer; its sessions end."""
    account = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = accounts.reset_password(account, by=current_user)
    flash(f"{account.name} has a new password and is signed out everywhere.", "success")
    return _render_user(account, one_time_password=password)


@admin_bp.post("/users/<int:user_id>/sign-out-everywhere")
@role_required(Role.ADMIN)
def sign_out_everywhere(user_id: int):
    """End every session of the account (a lost laptop, someone leaving)."""
    account = db.get_or_404(User, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = accounts.sign_out_everywhere(account, by=current_user,
                                         keep_token=current_user.session_token if account.id == current_user.id else None)
    flash(f"{account.name} is signed out everywhere ({ended} session{'s' if ended != 1 else ''} ended).", "success")
    return redirect(url_for("admin.user", user_id=account.id), 303)


@admin_bp.route("/links", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def links():
    """Committee read-only links: create (the URL is shown once), see use, revoke."""
    plan = plan_for_request()
    entries = publications.publications(plan)
    form = _with_choices(ShareLinkForm(), entries)
    new_url = None
    status = 200
    if form.validate_on_submit():
        pinned = next((entry.latest for entry in entries if entry.number == form.publication.data), None)
        _link, token = share_links.create_link(plan, form.label.data, form.expires_on.data,
                                              by=current_user, publication=pinned, show_names=form.show_names.data)
        new_url = url_for("share.board", token=token, _external=True)
        form = _with_choices(ShareLinkForm(formdata=None), entries)
        status = 201
    elif request.method == "POST":
        status = 422
    return render_template("admin/links.html", form=form, links=share_links.all_links(plan),
                           new_url=new_url, confirm=ConfirmForm(), today=today()), status


def _with_choices(form: ShareLinkForm, entries) -> ShareLinkForm:
    """A link shows the live board (0) or one publication, by number."""
    form.publication.choices = [SelectChoice(0, "The live board, as it is now")] + [
        SelectChoice(entry.number, f"Publication {entry.number}: {entry.latest.period_start:%-d %b %Y} to "
                                   f"{entry.latest.period_end:%-d %b %Y}") for entry in entries]
    if form.publication.data is None:
        form.publication.data = 0
    return form


@admin_bp.route("/plan", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def plan_settings():
    """The plan owner's settings for the plan: whether completions need their sign-off (an archived plan
    keeps the ones it had)."""
    plan = plan_for_request()
    if request.method == "POST":
        refuse_if_archived(plan)
    form = PlanSettingsForm(require_sign_off=plan.require_sign_off)
    if form.validate_on_submit():
        changed = completion.set_require_sign_off(plan, form.require_sign_off.data, current_user)
        flash(("Completions now need your sign-off." if plan.require_sign_off else
               "Completions no longer need your sign-off.") if changed else "Nothing changed.", "success")
        return redirect(url_for("admin.plan_settings"), 303)
    return render_template("admin/plan.html", plan=plan, form=form), 422 if request.method == "POST" else 200


@admin_bp.post("/links/<int:link_id>/revoke")
@role_required(Role.ADMIN)
def revoke_link(link_id: int):
    link = db.get_or_404(ShareLink, link_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    share_links.revoke(link, by=current_user)
    flash(f"The link “{link.label}” no longer works.", "success")
    return redirect(url_for("admin.links"), 303)


@admin_bp.route("/api-tokens", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def tokens():
    """Read-only API tokens for reporting tools: create (the token is shown once), see use, revoke."""
    plan = plan_for_request()
    form = ApiTokenForm()
    new_token = None
    status = 200
    if form.validate_on_submit():
        try:
            _row, new_token = api_tokens.create_token(plan, form.label.data, form.expires_on.data, by=current_user)
        except api_tokens.TokenRefused as refused:
            form.label.errors.append(str(refused))
            status = 422
        else:
            form = ApiTokenForm(formdata=None)
            status = 201
    elif request.method == "POST":
        status = 422
    return render_template("admin/api_tokens.html", form=form, tokens=api_tokens.all_tokens(plan), plan=plan,
                           new_token=new_token, confirm=ConfirmForm(), today=today()), status


@admin_bp.post("/api-tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_token(token_id: int):
    row = db.first_or_404(api_tokens.token_query(plan_for_request(), token_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    api_tokens.revoke(row, by=current_user)
    flash(f"The API token “{row.label}” no longer works.", "success")
    return redirect(url_for("admin.tokens"), 303)
