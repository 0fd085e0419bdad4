"""The words a councillor meets on the board and its papers, explained once: every committee page and
every report carries them, with the short forms of the plan's owner roles."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from board.services.direction import Direction
from board.services.owner_roles import abbreviate_role, owner_initials
from models import ImpactRating, OwnerRole, Plan, Status, db


@dataclass(frozen=True)
class Term:
    term: str
    meaning: str


def terms(stale_days: int) -> list[Term]:
    """Each term and what it means on this board (`stale_days`: BOARD_STALE_DAYS)."""
    found = [Term("RAG", "Red, Amber, Green: how an action is going. The board adds Not started and Complete "
                         "(blue), and always writes the status in words beside its colour.")]
    found += [Term(status.label, status.meaning[:1].upper() + status.meaning[1:] + ".") for status in Status]
    found += [
        Term("Complete, awaiting sign-off", "Marked Complete with its evidence; the plan owner has not yet "
                                            "accepted it (when the plan owner requires sign-off)."),
        Term("Completed on time / late", "When the action became Complete against the due date in force then."),
        Term("Without evidence", "Green or Complete, but no evidence note backs it: boards and committees do not "
                                 "accept green without evidence."),
        Term("Overdue", "Past its due date and not Complete, whatever its status: an action never started "
                        "is overdue too."),
        Term("Stale", f"Open (not Complete) with no update recorded within its cadence (a weekly action: "
                      f"9 days), or within {stale_days} days for an action without a cadence."),
        Term("Cadence", "How often a recurring action is reviewed (weekly, monthly, quarterly...)."),
        Term("Due moved", "“was Sept 2023 · moved 2×”: the due as printed in the plan and how often it changed."),
        Term("Unexplained move", "A change of status recorded with no reason given."),
        Term("Evidence note", "What shows an action's progress, with a link to the document where there is one."),
        Term("Direction of travel", "How an action's status changed from the start of a period to its end."),
    ]
    found += [Term(f"{d.symbol} {d.label}", d.meaning[:1].upper() + d.meaning[1:] + ".") for d in Direction]
    found += [Term(f"Impact: {rating.label}", meaning) for rating, meaning in (
        (ImpactRating.CLEAR, "Leaders see a clear change for children and young people under the outcome."),
        (ImpactRating.EMERGING, "Early signs of change, not yet clear."),
        (ImpactRating.NO_EVIDENCE, "No evidence of impact yet."))]
    found.append(Term("Performance clinic", "A weekly meeting where teams bring the board up to date; its "
                                            "decisions are minuted."))
    return found


@dataclass(frozen=True)
class ShortFormRow:
    short: str
    initials: str
    name: str


def short_forms(plan: Plan) -> list[ShortFormRow]:
    """Every owner role of the plan, with the short form cards use and the initials of the whole-plan view."""
    names = db.session.scalars(select(OwnerRole.name).where(OwnerRole.plan_id == plan.id)
                               .order_by(OwnerRole.name)).all()
    return [ShortFormRow(abbreviate_role(name), owner_initials(name), name) for name in names]
