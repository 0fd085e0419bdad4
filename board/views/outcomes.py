"""The intended outcomes: every outcome by area, one outcome's whole comment history, and one
outcome's fragment after an inline comment."""
from __future__ import annotations

from board.evidence.forms import ImpactCommentForm
from board.services.outcomes import outcomes_overview
from board.views.viewer import Viewer
from models import Outcome, Plan


def _blank_form(viewer: Viewer | None = None) -> ImpactCommentForm | None:
    """A fresh comment form; none on a share page (a form makes a CSRF token, and so a session cookie)."""
    return None if viewer is not None and viewer.read_only else ImpactCommentForm(formdata=None)


def outcomes_page(plan: Plan, viewer: Viewer, forms: dict | None = None) -> dict:
    """Every outcome; `forms` holds a comment form given back with its errors, by outcome id."""
    return {"plan": plan, "areas": outcomes_overview(plan), "forms": forms or {},
            "blank_form": _blank_form(viewer)}


def outcome_page(plan: Plan, outcome: Outcome, viewer: Viewer) -> dict:
    area_view = outcomes_overview(plan, only_outcome_id=outcome.id)[0]
    return {"plan": plan, "area_view": area_view, "view": area_view.outcomes[0], "forms": {},
            "blank_form": _blank_form(viewer), "full_history": True}


def outcome_fragment(plan: Plan, outcome: Outcome, form=None) -> dict:
    """One outcome as the outcomes page shows it, with `form` (and its errors) when given."""
    view = outcomes_overview(plan, only_outcome_id=outcome.id)[0].outcomes[0]
    return {"view": view, "forms": {outcome.id: form} if form else {}, "blank_form": form or _blank_form()}
