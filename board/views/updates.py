"""Update requests and updates as pages show them: the board's "Ask owners for an update" control, the
page that says who would be asked, and the "Give an update" form (from the card, or from an emailed link)."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for

from board.clock import today
from board.forms import BoardFilterForm
from board.services import update_requests
from board.services.board_view import load_board
from board.services.update_requests import AskScope
from board.updates.forms import AskForUpdatesForm, GiveUpdateForm
from board.views.viewer import Viewer
from models import Action, Plan, UpdateLink

REPLY_WITHIN = timedelta(days=7)


def ask_url(plan: Plan, viewer: Viewer, filters: BoardFilterForm, open_now: list | None = None) -> str | None:
    """Where the board's "Ask owners for an update" goes (keeping its filters), for those who may ask
    (`open_now`: the plan's open clinics, if read already)."""
    if viewer.read_only or viewer.plan_archived or update_requests.ask_scope(plan, viewer.user, open_now) is None:
        return None
    return url_for("updates.ask") + filters.query_string()


def shown_refs(plan: Plan, viewer: Viewer, filters: BoardFilterForm, scope: AskScope) -> tuple[list[str], int]:
    """The refs the filtered board shows that this person may ask about, and how many it shows beyond them."""
    board = load_board(plan, board_filter=filters.board_filter(viewer.user))
    cards = [card for lane in board.swimlanes for cards in lane.columns.values() for card in cards]
    numbers = {lane.area.id: lane.area.number for lane in board.swimlanes}
    mine = [card for card in cards if scope.covers(numbers[card.area_id])]
    ordered = sorted(mine, key=lambda card: (numbers[card.area_id], card.id))
    return [card.ref for card in ordered], len(cards) - len(mine)


def fresh_ask_form(refs: list[str]) -> AskForUpdatesForm:
    return AskForUpdatesForm(formdata=None, reply_by=today() + REPLY_WITHIN, refs=" ".join(refs))


def ask_page(plan: Plan, scope: AskScope, filters: BoardFilterForm, form: AskForUpdatesForm,
             left_out: int = 0) -> dict:
    """Who would be asked about the actions in the form, and the form."""
    actions = update_requests.actions_for(plan, (form.refs.data or "").split()[:1000])
    actions = [action for action in actions if scope.covers(action.area.number)]
    return {"plan": plan, "form": form, "audience": update_requests.audience(actions), "left_out": left_out,
            "scope": scope, "board_url": url_for("plan.board") + filters.query_string(),
            "filters_active": filters.filters_active()}


def give_form(action: Action, formdata=None) -> GiveUpdateForm:
    """A fresh form showing the action as it is now (or, given `formdata`, what was sent)."""
    if formdata is not None:
        return GiveUpdateForm(formdata=formdata)
    return GiveUpdateForm(formdata=None, status=action.status, current_status=action.status,
                          current_due=action.due_text, version=action.version)


def give_page(plan: Plan, action: Action, form: GiveUpdateForm, *, link: UpdateLink | None = None,
              back_url: str | None = None, post_url: str) -> dict:
    """The "Give an update" page: the action, what was asked (through a link: that request), the form."""
    asked = link.request if link is not None else update_requests.latest_request(action)
    return {"plan": plan, "action": action, "form": form, "asked": asked, "link": link, "today": today(),
            "back_url": back_url, "post_url": post_url}
