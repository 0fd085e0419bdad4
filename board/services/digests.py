"""The weekly digest: for each person, their actions overdue, due within 30 days, stale, and asked about.

`flask --app app send-digests` (Monday morning, by cron) queues one email per person per plan, and none
when there is nothing to say. A person's actions are those whose owner roles they hold. Anyone can stop
it with the signed one-click link in each digest (no sign-in: the link names the person and only turns
the digest off), or on their email preferences page. Running the command again the same week sends
nothing twice.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from board import clock
from board.services import outbox, signed_ids
from board.services.board_view import Card, is_overdue, is_stale, load_board
from board.services.outbox import Email
from board.services.update_requests import Outstanding, outstanding
from models import OutboxMessage, Plan, Status, User, db

DUE_SOON = timedelta(days=30)
# A digest sent less than this long ago is not sent again (a second run in the same week).
ONCE_A_WEEK = timedelta(days=6)
OPT_OUT_PURPOSE = "weekly-digest-opt-out"


@dataclass
class Digest:
    plan: Plan
    user: User
    overdue: list[Card] = field(default_factory=list)
    due_soon: list[Card] = field(default_factory=list)
    stale: list[Card] = field(default_factory=list)
    asked: list[Outstanding] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.stale or self.asked)


def digest_for(plan: Plan, user: User, today: date, cards: list[Card] | None = None,
               asked: list[Outstanding] | None = None) -> Digest:
    """What the person's digest says today (`cards`: the plan's cards, when already loaded)."""
    if cards is None:
        cards = _all_cards(plan, today)
    mine = {role.id for role in user.owner_roles}
    digest = Digest(plan, user, asked=[item for item in (asked if asked is not None else outstanding(plan, user))
                                       if item.user.id == user.id])
    for card in cards:
        if not mine & {owner.id for owner in card.owners}:
            continue
        if is_overdue(card, today):
            digest.overdue.append(card)
        elif card.due_date and today <= card.due_date <= today + DUE_SOON and card.status != Status.COMPLETE.value:
            digest.due_soon.append(card)
        if is_stale(card, today):
            digest.stale.append(card)
    digest.due_soon.sort(key=lambda card: card.due_date)
    return digest


def _all_cards(plan: Plan, today: date) -> list[Card]:
    board = load_board(plan, on=today)
    return [card for lane in board.swimlanes for cards in lane.columns.values() for card in cards]


@dataclass
class DigestRun:
    queued: list[int] = field(default_factory=list)   # outbox message ids
    nothing_to_say: int = 0
    turned_off: int = 0
    sent_this_week: int = 0


ComposeDigest = Callable[[Digest, str], Email]      # (the digest, its opt-out token) -> the email


def send_digests(plan: Plan, today: date, compose: ComposeDigest, *, again: bool = False) -> DigestRun:
    """Queue this week's digest for every active person with something to read, in one transaction."""
    run = DigestRun()
    cards = _all_cards(plan, today)
    asked = outstanding(plan)
    people = db.session.scalars(select(User).where(User.active.is_(True))
                                .options(selectinload(User.owner_roles)).order_by(User.name, User.id)).all()
    recently = set() if again else _sent_recently(plan)
    for user in people:
        if not user.weekly_digest:
            run.turned_off += 1
            continue
        if user.id in recently:
            run.sent_this_week += 1
            continue
        digest = digest_for(plan, user, today, cards, asked)
        if digest.empty:
            run.nothing_to_say += 1
            continue
        run.queued.append(outbox.queue(user, compose(digest, opt_out_token(user)), kind="digest", plan=plan))
    db.session.commit()
    run.queued = [message.id for message in run.queued]
    return run


def _sent_recently(plan: Plan) -> set[int]:
    since = clock.now() - ONCE_A_WEEK
    return set(db.session.scalars(select(OutboxMessage.user_id).where(
        OutboxMessage.plan_id == plan.id, OutboxMessage.kind == "digest", OutboxMessage.created_at >= since)))


# --- stopping it ----------------------------------------------------------------------------------

def opt_out_token(user: User) -> str:
    return signed_ids.sign(OPT_OUT_PURPOSE, user.id)


def user_for_opt_out(token: str) -> User | None:
    """The person an opt-out link names, or None when it was made up or altered."""
    user_id = signed_ids.unsign(OPT_OUT_PURPOSE, token)
    return db.session.get(User, user_id) if user_id is not None else None


def set_weekly_digest(user: User, wanted: bool) -> None:
    if user.weekly_digest != wanted:
        user.weekly_digest = wanted
        db.session.commit()
