"""A realistic quarter on the 88-action seed plan, for the committee paper's tests.

From 16 September to 15 December 2023 about three actions in four change status (each with a reason),
eleven are completed with their evidence, dues move, leaders rate outcomes, and notes are added; one
note is internal and one withdrawn (committees must never see either). History is append-only for
the app, so the entries are moved back into the quarter with plain SQL, as the other tests do.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from board.services import evidence
from board.services.moves import Evidence, move_action, record_reason
from models import Action, ActionEvent, EvidenceNote, db
from tests.conftest import user_for

QUARTER = (date(2023, 9, 16), date(2023, 12, 15))
# Where each action (in plan order) ends the quarter; None stays Not started.
PATTERN = ["red", "amber", "green", None, "amber", "complete", "green", "red", "amber", "complete",
           "green", None, "amber", "red"]
INTERNAL_NOTE = "Internal only: the team lead is off sick until January"
WITHDRAWN_NOTE = "Wrong card - ignore"
NARRATIVE = {
    "summary": ("The plan is moving: three in four actions have started, eleven are complete with their evidence, "
                "and the weekly performance clinics keep the board current. Overdue actions are concentrated in "
                "help and protection and in cared for children, where recruitment has slowed the work. ") * 2,
    "achievements": ("Practice standards were agreed with children's social care; the family networking service "
                     "recruited its first workers; audit activity now reports every month to the board. ") * 2,
    "concerns": ("Child protection plan scrutiny is Red: the quality assurance schedule slipped twice. Cared for "
                 "children's health assessments are overdue. We escalate the recruitment of independent "
                 "reviewing officers to the committee. ") * 2,
    "decisions": "The committee is asked to note the report and to agree the revised due dates for 3.4 and 3.5.",
}
AREA_COMMENTARY = {"2": "Help and protection carries most of the Red actions; a recovery plan is agreed.",
                   "3": "Health assessments are the main risk; the designated nurse now attends the clinic."}


def _at(event_id: int, when: datetime) -> None:
    db.session.execute(ActionEvent.__table__.update().where(ActionEvent.id == event_id).values(at=when))


def make_quarter() -> None:
    """Fill the seeded database (inside an app context) with the quarter."""
    editor, contributor = user_for("editor"), user_for("contributor")
    actions = db.session.scalars(select(Action).order_by(Action.plan_order)).all()
    start = datetime.combine(QUARTER[0], datetime.min.time()) + timedelta(hours=10)
    for index, action in enumerate(actions):
        target = PATTERN[index % len(PATTERN)]
        if target is None or action.is_pointer:  # a pointer row's status follows the actions it names
            continue
        when = start + timedelta(days=index % 85)
        proof = Evidence(f"{action.ref}: signed off at the improvement board", "https://docs.example/evidence.pdf")
        moved = move_action(action, target, 0, action.version, editor, evidence=proof if target == "complete" else None)
        reason = record_reason(moved.event, f"{action.ref}: reviewed at the weekly clinic, see the notes", editor)
        for entry in (moved.event.id, reason.id):
            _at(entry, when)
        db.session.execute(EvidenceNote.__table__.update().where(EvidenceNote.action_id == action.id)
                           .values(created_at=when))
    db.session.commit()
    for ref in ("3.4", "3.5"):
        action = db.session.scalars(select(Action).where(Action.ref == ref)).one()
        evidence.change_due(action, "Mar 2024", "Health partner capacity", editor, QUARTER[1])
    two_seven = db.session.scalars(select(Action).where(Action.ref == "2.7")).one()
    evidence.add_note(two_seven, INTERNAL_NOTE, None, contributor, internal=True)
    wrong = evidence.add_note(two_seven, WITHDRAWN_NOTE, None, contributor)
    evidence.withdraw_note(wrong, "Added to the wrong card", contributor)
    for action in actions[::8]:
        evidence.add_impact_comment(action.outcome, "Audits show plans reviewed sooner and children seen more "
                                                    "often.", "emerging", contributor)
