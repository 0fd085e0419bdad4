"""The board's emails as people read them, and sending them once the page has been answered.

Every message has a plain-text and an HTML part (templates/email/), in plain UK English, naming the
plan. Links in emails use BOARD_BASE_URL when it is set: on a server, set it, so a request with a
forged Host header cannot make the board email a link to another site. Without it, links use the
address the request came to (development), or where the server said it answers (the command line).
Links about a plan's actions name the plan (`/plans/<slug>/...`), so they keep pointing at that plan
when another becomes the live one at `/`; links to set a password name none.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import after_this_request, current_app, has_request_context, render_template, request, url_for

from board.clock import today
from board.config import public_base_url
from board.mailer import log
from board.plan_urls import plan_prefix
from board.services import outbox
from board.services.account_links import INVITATION, RESET, VALID_FOR
from board.services.board_view import is_overdue
from board.services.digests import Digest
from board.services.outbox import Email
from board.services.update_requests import LINK_GRACE
from board.views.viewer import install_root
from models import Action, Plan, UpdateRequest, User


def link_base() -> str:
    """Where the install answers, for links in emails (see the module's docstring): never a plan's URL."""
    configured = current_app.config.get("BOARD_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/") + install_root()
    return public_base_url(current_app.config, current_app.instance_path)


def plan_name(plan: Plan) -> str:
    """The plan as an email names it: its title and its slug (next year's plan has the same title)."""
    return f"{plan.title} ({plan.slug})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class EmailWriter:
    """Writes each kind of email; links are made on `base_url` (the install's), inside the plan an email is
    about. `plan` is named in the emails that are not about one plan's actions (invitations, resets)."""

    def __init__(self, base_url: str, plan: Plan | None = None):
        self.base_url = base_url
        self.plan = plan

    def _write(self, name: str, subject: str, headers: Callable[[], dict] | None = None, *, in_plan: Plan | None,
               **context) -> Email:
        # A request of its own: url_for makes links on base_url (and the plan's path), whatever request (if
        # any) is under way.
        base = self.base_url + (plan_prefix(in_plan.slug) if in_plan is not None else "")
        with current_app.test_request_context(base_url=base + "/"):
            text = render_template(f"email/{name}.txt", subject=subject, **context)
            html = render_template(f"email/{name}.html", subject=subject, **context)
            return Email(subject, text, html, headers() if headers else {})

    def update_request(self, plan: Plan, asked: UpdateRequest, user: User,
                       links: list[tuple[Action, str]]) -> Email:
        count = _plural(len(links), "action")
        subject = f"Update requested by {asked.reply_by.day} {asked.reply_by:%B}: {count} in the {plan_name(plan)}"
        items = [{"action": action, "token": token, "overdue": is_overdue(action, today())} for action, token in links]
        return self._write("update_request", subject, in_plan=plan, plan=plan, plan_name=plan_name(plan), asked=asked,
                           user=user, items=items, count=count, expires_on=asked.reply_by + LINK_GRACE)

    def digest(self, digest: Digest, opt_out_token: str) -> Email:
        counts = [f"{len(digest.overdue)} overdue" if digest.overdue else "",
                  f"{len(digest.due_soon)} due soon" if digest.due_soon else "",
                  f"{len(digest.stale)} stale" if digest.stale else "",
                  f"{len(digest.asked)} asked about" if digest.asked else ""]
        subject = f"Your actions this week ({', '.join(c for c in counts if c)}): {plan_name(digest.plan)}"

        def unsubscribe() -> dict:
            # Mail programs offer their own "Unsubscribe" button from these (RFC 8058: one click, a POST).
            return {"List-Unsubscribe": f"<{url_for('notifications.stop_digest', token=opt_out_token, _external=True)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}

        return self._write("digest", subject, unsubscribe, in_plan=digest.plan, digest=digest, plan=digest.plan,
                           plan_name=plan_name(digest.plan), user=digest.user, opt_out_token=opt_out_token,
                           today=today())

    def account_link(self, user: User, token: str, purpose: str, expires_at: datetime) -> Email:
        title = self.plan.title if self.plan else "improvement plan"
        if purpose == INVITATION:
            subject = f"You are invited to the improvement plan board for the {title}"
        else:
            subject = f"Reset your password for the improvement plan board ({title})"
        hours = int(VALID_FOR[purpose].total_seconds() // 3600)
        return self._write("invitation" if purpose == INVITATION else "password_reset", subject, in_plan=None,
                           user=user, token=token, expires_at=expires_at, hours=hours, plan_title=title,
                           reset=purpose == RESET)


def writer(plan: Plan | None = None) -> EmailWriter:
    return EmailWriter(link_base(), plan)


def after_response(work: Callable[[], object]) -> None:
    """Run `work` once this response has been sent, in an app context of its own: the person never waits
    for it, and a failure is logged, never shown."""
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # noqa: BLE001 - after the answer there is nobody to tell but the log
                log.exception("Work after the response failed.")

    @after_this_request
    def _when_sent(response):
        response.call_on_close(run)
        return response


def deliver_now(message_id: int | None) -> None:
    """Try one queued message at once (after the response, where nobody waits for it)."""
    if message_id is not None:
        outbox.deliver(only_ids=[message_id])


def send_after_response(message_ids: list[int]) -> None:
    """Try these queued messages once the page has been answered; those that fail wait for `send-mail`."""
    if message_ids:
        after_response(lambda: outbox.deliver(only_ids=list(message_ids)))
