"""Asking owners for an update: who would be asked, the request and its links, what is still outstanding.

The plan owner (or an editor taking part in a clinic, for its areas) asks about the actions a filtered
board shows. Each active person holding an owner role of those actions gets one email listing their
actions, each with its own link: signed (the token names one `UpdateLink` row, so it cannot be made
up or altered), for giving that one action an update only, until a week after the reply-by date, and
once. A request stays outstanding for an action until someone records anything on it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from board import clock
from board.services import outbox, signed_ids
from board.services.clinics import open_clinics
from board.services.moves import bump_change_counter
from board.services.outbox import Email
from models import (
    Action,
    Clinic,
    OwnerRole,
    Plan,
    Role,
    UpdateLink,
    UpdateRequest,
    User,
    action_owners,
    db,
    user_owner_roles,
)

# A link keeps working this long after the reply-by date: a late answer is still an answer.
LINK_GRACE = timedelta(days=7)
MAX_MESSAGE = 2000
LINK_PURPOSE = "give-an-update"


class RequestRefused(ValueError):
    """The request cannot be sent as asked; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- who may ask, about what ----------------------------------------------------------------------

@dataclass(frozen=True)
class AskScope:
    """What a person may ask about: every area (the plan owner), or those of the clinics they take part in."""

    clinic: Clinic | None = None
    area_numbers: tuple[int, ...] | None = None      # None: every area

    def covers(self, area_number: int) -> bool:
        return self.area_numbers is None or area_number in self.area_numbers


def ask_scope(plan: Plan, user, open_now: list | None = None) -> AskScope | None:
    """The plan owner (admin) may ask about any action; an editor while taking part in (or chairing) an
    open clinic, about that clinic's areas; nobody else (None). `open_now`: the plan's open clinics, if
    the caller has read them already."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.has_role(Role.ADMIN):
        return AskScope()
    if not user.has_role(Role.EDITOR):
        return None
    mine = [clinic for clinic in (open_clinics(plan) if open_now is None else open_now)
            if user.id == clinic.chair_user_id or user in clinic.participants]
    if not mine:
        return None
    if any(clinic.whole_plan for clinic in mine):
        return AskScope(clinic=mine[0])
    return AskScope(clinic=mine[0], area_numbers=tuple(sorted({n for clinic in mine for n in clinic.area_numbers})))


@dataclass
class Recipient:
    user: User
    actions: list[Action]


@dataclass
class Audience:
    """Who a request about `actions` would reach."""

    actions: list[Action]             # those at least one person is asked about
    recipients: list[Recipient]
    unreached: list[Action]           # no active person holds any of their owner roles
    unheld_roles: list[OwnerRole]     # owner roles of these actions that no active person holds


def actions_for(plan: Plan, refs: list[str]) -> list[Action]:
    """The plan's actions with these refs, in plan order, with their owners and areas."""
    if not refs:
        return []
    return list(db.session.scalars(
        select(Action).where(Action.plan_id == plan.id, Action.ref.in_(refs))
        .options(selectinload(Action.owners), selectinload(Action.area)).order_by(Action.plan_order)))


def holders(role_ids: set[int]) -> dict[int, list[User]]:
    """Active people holding each of these owner roles."""
    found: dict[int, list[User]] = {role_id: [] for role_id in role_ids}
    if not role_ids:
        return found
    rows = db.session.execute(
        select(user_owner_roles.c.owner_role_id, User).join(User, User.id == user_owner_roles.c.user_id)
        .where(user_owner_roles.c.owner_role_id.in_(role_ids), User.active.is_(True))
        .order_by(User.name, User.id)).all()
    for role_id, user in rows:
        found[role_id].append(user)
    return found


def audience(actions: list[Action]) -> Audience:
    """Who holds an owner role of each action: one recipient per person, their actions in plan order."""
    by_role = holders({role.id for action in actions for role in action.owners})
    recipients: dict[int, Recipient] = {}
    asked, unreached = [], []
    for action in actions:
        people = {user.id: user for role in action.owners for user in by_role[role.id]}
        (asked if people else unreached).append(action)
        for user in people.values():
            recipients.setdefault(user.id, Recipient(user, [])).actions.append(action)
    unheld = {role.id: role for action in actions for role in action.owners if not by_role[role.id]}
    return Audience(asked, sorted(recipients.values(), key=lambda r: (r.user.name, r.user.id)), unreached,
                    sorted(unheld.values(), key=lambda role: role.name))


# --- asking ---------------------------------------------------------------------------------------

# What writes the email for one person: (plan, request, the person, [(action, link token)]) -> Email.
ComposeRequest = Callable[[Plan, UpdateRequest, User, list[tuple[Action, str]]], Email]


@dataclass
class Asked:
    request: UpdateRequest
    people: int
    actions: int
    message_ids: list[int]


def ask_for_updates(plan: Plan, actions: list[Action], reply_by: date, message: str, by: User,
                    scope: AskScope, today: date, compose: ComposeRequest, filters: str = "") -> Asked:
    """Record the request, a link per (action, person), and queue one email per person, in one transaction."""
    message = message.strip()
    if not message:
        raise RequestRefused("Write a message: what you need to know, and why.", "message")
    if len(message) > MAX_MESSAGE:
        raise RequestRefused(f"Keep the message under {MAX_MESSAGE:,} characters.", "message")
    if reply_by < today:
        raise RequestRefused("The reply-by date must be today or later.", "reply_by")
    if any(not scope.covers(action.area.number) for action in actions):
        raise RequestRefused("You may ask only about the areas of the clinic you are taking part in.", "refs")
    reached = audience(actions)
    if not reached.recipients:
        raise RequestRefused("Nobody holds an owner role of these actions, so nobody can be asked: the plan owner "
                             "links people to their roles on the Users page.", "refs")
    now = clock.now()
    request = UpdateRequest(plan_id=plan.id, asked_by=by, asked_at=now, reply_by=reply_by, message=message,
                            clinic_id=scope.clinic.id if scope.clinic else None, filters=filters[:1000])
    db.session.add(request)
    for action in reached.actions:
        action.update_requested_at = now
    for area_action in {action.area_id: action for action in reached.actions}.values():
        bump_change_counter(area_action)  # open boards show "update requested" at their next refresh
    queued = []
    for recipient in reached.recipients:
        links = [UpdateLink(request=request, action=action, user=recipient.user, expires_on=reply_by + LINK_GRACE)
                 for action in recipient.actions]
        db.session.add_all(links)
        db.session.flush()
        email = compose(plan, request, recipient.user, [(link.action, link_token(link)) for link in links])
        queued.append(outbox.queue(recipient.user, email, kind="update_request", plan=plan))
    db.session.commit()
    return Asked(request, len(reached.recipients), len(reached.actions), [message.id for message in queued])


# --- the links ------------------------------------------------------------------------------------

def link_token(link: UpdateLink) -> str:
    return signed_ids.sign(LINK_PURPOSE, link.id)


def find_link(token: str) -> UpdateLink | None:
    """The link a token names, or None when the token was made up or altered."""
    link_id = signed_ids.unsign(LINK_PURPOSE, token)
    return db.session.get(UpdateLink, link_id) if link_id is not None else None


def link_state(link: UpdateLink, today: date) -> str:
    """"open", or why it no longer works: "used", "archived" (its plan is kept as it was), "expired",
    "inactive" (the person's account is off)."""
    if link.used_at is not None:
        return "used"
    if link.request.plan.archived:
        return "archived"
    if not link.user.active:
        return "inactive"
    if link.expires_on < today:
        return "expired"
    return "open"


def use_link(link: UpdateLink) -> bool:
    """Mark the link used (in the caller's transaction); False if it was used already."""
    return db.session.execute(update(UpdateLink).where(UpdateLink.id == link.id, UpdateLink.used_at.is_(None))
                              .values(used_at=clock.now()).execution_options(synchronize_session=False)).rowcount == 1


# --- what is outstanding --------------------------------------------------------------------------

@dataclass
class Outstanding:
    """One person asked about one action, with nothing recorded on it since."""

    user: User
    action: Action
    request: UpdateRequest


def outstanding(plan: Plan, user: User | None = None) -> list[Outstanding]:
    """Every (person, action) asked about and not updated since, latest request only; by person, then plan
    order. For one person with `user`."""
    query = (select(UpdateLink.user_id, UpdateLink.action_id, UpdateRequest, Action, User)
             .join(UpdateRequest, UpdateRequest.id == UpdateLink.request_id)
             .join(Action, Action.id == UpdateLink.action_id).join(User, User.id == UpdateLink.user_id)
             .where(UpdateRequest.plan_id == plan.id, User.active.is_(True),
                    or_(Action.last_activity_at.is_(None), Action.last_activity_at <= UpdateRequest.asked_at))
             .options(selectinload(UpdateRequest.asked_by))
             .order_by(UpdateRequest.asked_at))
    if user is not None:
        query = query.where(UpdateLink.user_id == user.id)
    latest: dict[tuple[int, int], Outstanding] = {}
    for user_id, action_id, request, action, person in db.session.execute(query).all():
        latest[(user_id, action_id)] = Outstanding(person, action, request)
    return sorted(latest.values(), key=lambda o: (o.user.name, o.user.id, o.action.plan_order))


def outstanding_by_person(plan: Plan) -> list[tuple[User, list[Outstanding]]]:
    grouped: dict[int, tuple[User, list[Outstanding]]] = {}
    for item in outstanding(plan):
        grouped.setdefault(item.user.id, (item.user, []))[1].append(item)
    return list(grouped.values())


def latest_request(action: Action) -> UpdateRequest | None:
    """The latest request that asked about the action."""
    return db.session.scalars(
        select(UpdateRequest).join(UpdateLink, UpdateLink.request_id == UpdateRequest.id)
        .where(UpdateLink.action_id == action.id).options(selectinload(UpdateRequest.asked_by))
        .order_by(UpdateRequest.asked_at.desc(), UpdateRequest.id.desc()).limit(1)).first()


def unheld_roles(plan: Plan) -> list[tuple[OwnerRole, int]]:
    """Owner roles no active person holds, with how many actions each owns: those actions' requests and
    digests reach no one."""
    roles = db.session.scalars(select(OwnerRole).where(OwnerRole.plan_id == plan.id).order_by(OwnerRole.name)).all()
    held = holders({role.id for role in roles})
    counts = dict(db.session.execute(
        select(action_owners.c.owner_role_id, func.count(action_owners.c.action_id))
        .join(OwnerRole, OwnerRole.id == action_owners.c.owner_role_id)
        .where(OwnerRole.plan_id == plan.id).group_by(action_owners.c.owner_role_id)).all())
    return [(role, counts.get(role.id, 0)) for role in roles if not held[role.id]]
