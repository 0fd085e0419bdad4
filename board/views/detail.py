"""An action's whole story (the side panel and its own page), with its inline forms."""
from __future__ import annotations

from board.clock import today
from board.evidence.forms import DueChangeForm, NoteForm, SignOffForm
from board.forms import BoardFilterForm
from board.services.board_view import actions_by_refs
from board.services.completion import card_completion
from board.services.evidence import latest_comment, notes_for
from board.services.history import timeline
from board.services.lineage import carried_from, carried_to, closed_label
from board.services.update_requests import latest_request
from board.views.viewer import Viewer
from models import Action, EventKind, Plan
from models.action import NOTE_KINDS


def action_detail(plan: Plan, action: Action, viewer: Viewer, filters: BoardFilterForm, **forms) -> dict:
    """Everything the detail shows; its forms are fresh unless given back with their errors, and none on a
    share page (a form makes a CSRF token, and so a session cookie)."""
    editable = not viewer.read_only
    history = _history(action, viewer)
    return {
        "plan": plan, "action": action, "today": today(), "filter_query": filters.query_string(),
        "see_also": actions_by_refs(plan, action.see_also), "history": history,
        # A committee never sees a withdrawn note nor an internal one; signed in, both stay visible, marked.
        "notes": notes_for(action, outside_the_team=viewer.read_only),
        # Its due changes, newest first, as the history holds them (read once).
        "due_changes": [entry.event for entry in history if entry.event.kind is EventKind.DUE],
        "impact": latest_comment(action.outcome),
        # Who last asked its owners for an update (a committee does not see the asking).
        "update_request": None if viewer.read_only else latest_request(action),
        "earlier": _earlier(action, viewer), "closed": closed_label(action.closed_how, action.closed_note),
        "later": carried_to(action),
        "note_form": forms.get("note_form") or (NoteForm(formdata=None) if editable else None),
        "due_form": forms.get("due_form") or (DueChangeForm(formdata=None, current_due=action.due_text)
                                              if editable else None),
        "completion": card_completion(action, plan), "sign_off_problem": forms.get("sign_off_problem"),
        "sign_off_form": SignOffForm(formdata=None, version=action.version) if viewer.may("admin") else None,
    }


def _earlier(action: Action, viewer: Viewer) -> dict | None:
    """The earlier plan's action this one continues: linked, and its history read where it was recorded."""
    found = carried_from(action)
    if found is None:
        return None
    source, source_plan = found
    return {"action": source, "plan": source_plan, "history": _history(source, viewer),
            "notes": notes_for(source, outside_the_team=viewer.read_only)}


def _history(action: Action, viewer: Viewer):
    """The action's timeline; a committee's leaves out the notes' entries (its notes section shows the
    notes it may read, never a withdrawn or internal one)."""
    entries = timeline(action)
    if viewer.read_only:
        entries = [entry for entry in entries if entry.event.kind not in NOTE_KINDS]
    return entries
