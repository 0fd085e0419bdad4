"""Command-line tools for operators: `flask --app app COMMAND`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from board import clock
from board.config import public_base_url
from board.mailer import where_mail_goes
from board.services import (
    accounts,
    api_tokens,
    backup,
    digests,
    lineage,
    outbox,
    plans,
    publications,
    share_links,
)
from board.services.board_view import current_plan
from board.services.kpis import ensure_baseline_measures
from board.services.plan_file import PlanFileInvalid, load_plan_file
from board.services.plan_import import import_plan
from board.services.plan_upload import read_plan_path
from board.views.emails import EmailWriter
from models import ApiToken, Closure, Role, ShareLink, db

CLI_ACTOR = "Command line"
ROLE_NAMES = click.Choice([role.value for role in Role])


def _plan_named(slug: str | None):
    """The plan `--plan SLUG` names, else the live plan; a one-line refusal when there is none."""
    plan = plans.plan_by_slug(slug) if slug else current_plan()
    if plan is None:
        known = ", ".join(p.slug for p in plans.all_plans())
        raise click.ClickException(f"There is no plan named {slug}" + (f" (plans: {known})." if known else ".")
                                   if slug else "No plan has been imported yet.")
    return plan


@click.command("import-plan")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--new", "as_new", is_flag=True, help="Import the file as a new plan (with --slug).")
@click.option("--slug", default=None, help="The new plan's name in URLs, e.g. 2024-25 (with --new).")
@click.option("--plan", "plan_slug", default=None, help="Update this plan's texts from the file.")
@with_appcontext
def import_plan_command(path: str, as_new: bool, slug: str | None, plan_slug: str | None) -> None:
    """Check a plan file (.json, .xlsx or .csv) and import it in one transaction (nothing is written if it
    is refused): as a new plan (--new --slug 2024-25) or into an existing one (--plan 2023-24). A
    spreadsheet updating a plan keeps what it cannot say from that plan."""
    existing = plans.all_plans()
    if as_new and plan_slug:
        raise click.ClickException("Choose one: --new --slug SLUG for a new plan, or --plan SLUG to update one.")
    if as_new and not slug:
        raise click.ClickException("A new plan needs a name: --new --slug 2024-25.")
    if slug and not as_new:
        raise click.ClickException("--slug names a new plan: add --new (or use --plan SLUG to update one).")
    if existing and not (as_new or plan_slug):
        raise click.ClickException(
            f"This database holds plans ({', '.join(p.slug for p in existing)}): say which you mean: "
            f"--plan {existing[0].slug} to update that plan's texts from the file, or --new --slug SLUG to "
            "import it as a new plan.")
    target = _plan_named(plan_slug) if plan_slug else None
    try:
        summary = import_plan(read_plan_path(path, target), plan=target, new_slug=slug if as_new else None)
    except plans.PlanChoiceError as refused:
        raise click.ClickException(str(refused)) from None
    except PlanFileInvalid as refused:
        click.echo(f"Refused {path}: {len(refused.problems)} problem(s), nothing imported.", err=True)
        for problem in refused.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    for line in summary.lines():
        click.echo(line)


@click.command("setup-db")
@with_appcontext
def setup_db_command() -> None:
    """Create or upgrade the schema, import the seed plan into an empty database, make the first admin."""
    upgrade()
    if current_plan() is None:
        seed = current_app.config["PLAN_SEED_PATH"]
        summary = import_plan(load_plan_file(seed))
        click.echo(f"Imported the seed plan ({summary.actions_added} actions) from {seed}.")
    else:
        click.echo("Database is up to date; it already holds a plan, so the seed was not imported.")
        if ensure_baseline_measures(current_plan()):
            db.session.commit()
            click.echo("Added the plan's own measures (figures, compliance target, audit grades) to the scorecard.")
    first = accounts.ensure_first_admin(current_app.config.get("BOARD_ADMIN_EMAIL"),
                                        current_app.config.get("BOARD_ADMIN_PASSWORD"))
    if first:
        user, generated = first
        if generated:
            click.echo(f"Created the first admin: {user.email} with password {generated}\n"
                       "  (shown once: sign in and keep it safe, or set BOARD_ADMIN_EMAIL and "
                       "BOARD_ADMIN_PASSWORD before the first run).")
        else:
            click.echo(f"Created the first admin {user.email} from BOARD_ADMIN_EMAIL.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _user_or_exit(email: str):
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    return user


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as shown in history.")
@click.option("--role", "role", type=ROLE_NAMES, default=Role.VIEWER.value, show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_user_command(email: str, name: str, role: str, password_stdin: bool) -> None:
    """Create an account."""
    try:
        user = accounts.create_user(email, name, Role(role), _read_password(password_stdin),
                                    actor_label=CLI_ACTOR)
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Created {user.email} ({user.role_enum.label}).")


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE_NAMES)
@with_appcontext
def set_role_command(email: str, role: str) -> None:
    """Change an account's role."""
    user = _user_or_exit(email)
    try:
        accounts.set_role(user, Role(role), actor_label=CLI_ACTOR)
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{user.email} is now {user.role_enum.label}.")


@click.command("deactivate-user")
@click.argument("email")
@with_appcontext
def deactivate_user_command(email: str) -> None:
    """Stop an account from signing in (its history keeps its name)."""
    user = _user_or_exit(email)
    try:
        accounts.set_active(user, False, actor_label=CLI_ACTOR)
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{user.email} is deactivated.")


@click.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an account a new password (its sessions end); without one, a one-time password is printed."""
    user = _user_or_exit(email)
    given = _read_password(password_stdin) if password_stdin else None
    try:
        password = accounts.reset_password(user, actor_label=CLI_ACTOR, password=given)
    except accounts.AccountError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"New password set for {user.email}; every session of theirs has ended."
               + ("" if given else f"\nOne-time password (shown once): {password}"))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Take a consistent online backup of the database (SQLite backup API, or pg_dump)."""
    try:
        click.echo(backup.backup(db.engine, Path(path)))
    except backup.BackupError as problem:
        raise click.ClickException(str(problem)) from None


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def restore_command(path: str) -> None:
    """Restore a backup into an empty database."""
    try:
        click.echo(backup.restore(db.engine, Path(path)))
    except backup.BackupError as problem:
        raise click.ClickException(str(problem)) from None


share_link_group = AppGroup("share-link", help="Committee read-only links.")


def _base_url(given: str | None) -> str:
    """--base-url, else BOARD_BASE_URL, else where the server said it answers when it started (see
    gunicorn.conf.py), else http://127.0.0.1:$PORT."""
    return public_base_url(current_app.config, current_app.instance_path, given)


@share_link_group.command("create")
@click.option("--label", required=True, help="Who it is for, e.g. 'Children and Families Committee'.")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day the link works (YYYY-MM-DD).")
@click.option("--base-url", default=None,
              help="Defaults to BOARD_BASE_URL, else the address the server started on, else http://127.0.0.1:$PORT.")
@click.option("--plan", "plan_slug", default=None, help="The plan it shows (default: the live plan).")
@click.option("--publication", "number", type=click.IntRange(min=1), default=None,
              help="Pin the link to the plan's publication N (as published, with its later versions), not the live "
                   "board.")
@click.option("--names", is_flag=True, help="Show people's names; without it, committees see each person's role.")
def share_link_create(label: str, expires, base_url: str | None, plan_slug: str | None, number: int | None,
                      names: bool) -> None:
    """Create a link and print its full URL (shown once)."""
    plan = _plan_named(plan_slug)
    expires_on = expires.date() if expires else None
    if expires_on and expires_on < clock.today():
        raise click.ClickException("The expiry date must be today or later.")
    pinned = publications.find_publication(plan, number) if number else None
    if number and pinned is None:
        raise click.ClickException(f"The {plan.slug} plan has no publication {number}: publish it first "
                                   "(Committee papers).")
    _link, token = share_links.create_link(plan, label, expires_on, actor_label=CLI_ACTOR, publication=pinned,
                                           show_names=names)
    with current_app.test_request_context(base_url=_base_url(base_url)):
        click.echo(url_for("share.board", token=token, _external=True))


@share_link_group.command("list")
@click.option("--plan", "plan_slug", default=None, help="The plan (default: the live plan).")
def share_link_list(plan_slug: str | None) -> None:
    """Every link of a plan: id, state, label, expiry, use."""
    plan = plans.plan_by_slug(plan_slug) if plan_slug else current_plan()
    for link in share_links.all_links(plan) if plan else []:
        click.echo(_listing(link, "opened", link.times_opened, link.last_opened_at)
                   + f"\t{share_links.shows(link)}, {'names' if link.show_names else 'roles'}")


def _listing(row, used: str, times: int, last) -> str:
    """One link or token on a line: id, state, label, expiry, use."""
    expires = row.expires_on.isoformat() if row.expires_on else "never"
    when = last.strftime("%Y-%m-%d %H:%M") if last else "never"
    return f"{row.id}\t{row.state(clock.today())}\t{row.label}\texpires {expires}\t{used} {times}x, last {when}"


def _revoke(model, row_id: int, what: str, revoke) -> None:
    row = db.session.get(model, row_id)
    if row is None:
        raise click.ClickException(f"No {what} {row_id}.")
    revoke(row, actor_label=CLI_ACTOR)
    click.echo(f"Revoked {what} {row.id} ({row.label}).")


@share_link_group.command("revoke")
@click.argument("link_id", type=int)
def share_link_revoke(link_id: int) -> None:
    """Revoke a link: it stops working on the next request."""
    _revoke(ShareLink, link_id, "share link", share_links.revoke)


api_token_group = AppGroup("api-token", help="Read-only API tokens for reporting tools (Power BI, Excel).")


@api_token_group.command("create")
@click.option("--label", required=True, help="Who or what uses it, e.g. 'Power BI performance dashboard'.")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day the token works (YYYY-MM-DD).")
@click.option("--plan", "plan_slug", default=None, help="The plan it reads (default: the live plan).")
def api_token_create(label: str, expires, plan_slug: str | None) -> None:
    """Create a token for a plan and print it (shown once: only its hash is kept)."""
    plan = _plan_named(plan_slug)
    try:
        row, token = api_tokens.create_token(plan, label, expires.date() if expires else None, actor_label=CLI_ACTOR)
    except api_tokens.TokenRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(token)
    click.echo(f"Token {row.id} ({row.label}) reads plan {plan.slug}: send it as 'Authorization: Bearer TOKEN'. "
               "It is shown this once.", err=True)


@api_token_group.command("list")
@click.option("--plan", "plan_slug", default=None, help="The plan (default: the live plan).")
def api_token_list(plan_slug: str | None) -> None:
    """Every token of a plan: id, state, label, expiry, use (never the token itself)."""
    plan = plans.plan_by_slug(plan_slug) if plan_slug else current_plan()
    for row in api_tokens.all_tokens(plan) if plan else []:
        click.echo(_listing(row, "used", row.times_used, row.last_used_at))


@api_token_group.command("revoke")
@click.argument("token_id", type=int)
def api_token_revoke(token_id: int) -> None:
    """Revoke a token: it stops working on the next request."""
    _revoke(ApiToken, token_id, "API token", api_tokens.revoke)


@click.command("send-mail")
@click.option("--now", "ignore_waits", is_flag=True,
              help="Try every waiting message now, however recently it failed (after fixing the mail server).")
@with_appcontext
def send_mail_command(ignore_waits: bool) -> None:
    """Send the emails waiting in the outbox (run every minute by cron or a systemd timer). A message that
    fails waits longer each time (at most an hour) and is given up after 20 tries. Exit status 1 when
    one failed."""
    done = outbox.deliver(ignore_waits=ignore_waits)
    waiting = outbox.waiting_count()
    click.echo(f"Sent {done.sent} message(s) {where_mail_goes(current_app.config)}; "
               f"{done.failed} failed and will be tried again; {done.given_up} given up; {waiting} waiting.")
    for error in dict.fromkeys(done.errors):
        click.echo(f"  {error}", err=True)
    if done.failed or done.given_up:
        raise SystemExit(1)


@click.command("send-digests")
@click.option("--again", is_flag=True, help="Send even to people who had this week's digest already.")
@with_appcontext
def send_digests_command(again: bool) -> None:
    """Queue and send the weekly digest (Monday morning, by cron): for each plan not archived, each person's
    actions overdue, due within 30 days, stale, and the updates they were asked for; nothing to those with
    nothing to read. Its links open that plan's pages (`/plans/<slug>/...`)."""
    write = EmailWriter(public_base_url(current_app.config, current_app.instance_path))
    queued: list[int] = []
    for plan in plans.all_plans():
        if plan.archived:  # kept as it was: nothing in it is due any more
            click.echo(f"{plan.slug}: archived, no digest.")
            continue
        run = digests.send_digests(plan, clock.today(), write.digest, again=again)
        queued += run.queued
        click.echo(f"{plan.slug}: {len(run.queued)} digest(s) queued; {run.nothing_to_say} with nothing to say; "
                   f"{run.turned_off} turned off; {run.sent_this_week} already sent this week.")
    done = outbox.deliver(only_ids=queued)
    click.echo(f"Sent {done.sent} {where_mail_goes(current_app.config)}; {done.failed} wait for `send-mail`.")


plan_group = AppGroup("plan", help="The install's plans: list them, choose the live one, archive.")


@plan_group.command("list")
def plan_list() -> None:
    """Every plan: slug, state, title."""
    for plan in plans.all_plans():
        state = "archived" if plan.archived else "live" if plan.live else "open"
        click.echo(f"{plan.slug}\t{state}\t{plan.title}")


@plan_group.command("live")
@click.argument("slug")
def plan_live(slug: str) -> None:
    """Serve this plan at / (the board opens on it)."""
    plan = _plan_named(slug)
    try:
        plans.make_live(plan)
    except plans.PlanChoiceError as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{plan.slug} is the live plan.")


@plan_group.command("archive")
@click.argument("slug")
def plan_archive(slug: str) -> None:
    """Make a plan read-only (it stays readable)."""
    plan = _plan_named(slug)
    plans.archive(plan, CLI_ACTOR)
    click.echo(f"Archived {plan.slug}: read-only." + ("" if not plan.live else " It is still the live plan."))


@plan_group.command("reopen")
@click.argument("slug")
def plan_reopen(slug: str) -> None:
    """Undo an archive."""
    plan = _plan_named(slug)
    plans.reopen(plan)
    click.echo(f"{plan.slug} is open again.")


@plan_group.command("close-actions")
@click.argument("slug")
@click.argument("refs", nargs=-1, required=True)
@click.option("--how", type=click.Choice(["completed", "no-longer-needed", "merged"]), required=True)
@click.option("--note", default="", help="Why, or what they were merged into.")
def plan_close_actions(slug: str, refs: tuple[str, ...], how: str, note: str) -> None:
    """Close a plan's actions that no later plan carries forward."""
    plan = _plan_named(slug)
    try:
        closed = lineage.close_actions(plan, list(refs), Closure(how.replace("-", "_")), note, None, CLI_ACTOR)
    except lineage.LineageRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Closed {len(closed)} action(s) of {plan.slug}: {', '.join(a.ref for a in closed)}.")


def init_app(app) -> None:
    for command in (import_plan_command, setup_db_command, create_user_command, set_role_command,
                    set_password_command, deactivate_user_command, share_link_group, api_token_group,
                    backup_command, restore_command, send_mail_command, send_digests_command, plan_group):
        app.cli.add_command(command)
