"""Clinics as pages show them: a clinic's page (its minutes, and while it is open the forms that add to
them), the clinics page, and the banners the board shows for the clinics covering what it shows."""
from __future__ import annotations

from dataclasses import dataclass

from wtforms import SelectChoice

from board.clinics.forms import (
    ArisingForm,
    ArisingOutcomeForm,
    ClinicNoteForm,
    NoteCorrectionForm,
    StartClinicForm,
    people_choices,
)
from board.services import clinic_minutes, clinics
from board.services.clinic_minutes import ArisingView
from board.views.viewer import Viewer
from models import Clinic, Plan


def arising_form(people, **kwargs) -> ArisingForm:
    form = ArisingForm(**kwargs)
    form.owner.choices = people_choices(people, blank="Nobody chosen: I write a name")
    return form


def start_form(plan: Plan, viewer: Viewer, **kwargs) -> StartClinicForm:
    """The start form for this plan: its areas, and chairs to choose from (the viewer first chosen)."""
    form = StartClinicForm(**kwargs)
    candidates = clinics.chair_candidates()
    form.chair.choices = people_choices(candidates)
    if form.chair.data is None and viewer.user in candidates:
        form.chair.data = viewer.user.id
    form.areas.choices = [SelectChoice(area.number, f"{area.number} {area.title}") for area in plan.areas]
    return form


@dataclass(frozen=True)
class Failed:
    """A form that came back with errors: which one (its kind and the note or arising it is for)."""

    kind: str              # "note", "arising", "correct-note", "correct-arising", "outcome"
    item_id: int | None
    form: object


def clinic_page(plan: Plan, clinic: Clinic, viewer: Viewer, failed: Failed | None = None,
                problem: str | None = None) -> dict:
    """The clinic's minutes so far; while it is open and the viewer may add to them, fresh forms for each
    note and action arising, except the one given back with its errors (and the input kept)."""
    found = clinic_minutes.minutes(clinic)
    may_record = not viewer.read_only and clinics.may_record(clinic, viewer.user)
    context = {"plan": plan, "clinic": clinic, "minutes": found, "problem": problem, "may_record": may_record,
               "may_end": not viewer.read_only and clinics.may_end(clinic, viewer.user),
               "clinic_areas": clinics.areas_words(clinic.area_numbers)}
    if may_record:
        context["forms"] = _forms(found, failed)
    return context


def _forms(found: clinic_minutes.Minutes, failed: Failed | None) -> dict:
    people = clinics.people()

    def given(kind: str, item_id: int | None = None):
        return failed.form if failed and (failed.kind, failed.item_id) == (kind, item_id) else None

    return {
        "failed": failed,
        "note": given("note") or ClinicNoteForm(formdata=None),
        "arising": given("arising") or arising_form(people, formdata=None),
        "correct_note": {note.id: given("correct-note", note.id)
                         or NoteCorrectionForm(formdata=None, text=note.current.text) for note in found.notes},
        "correct_arising": {item.id: given("correct-arising", item.id) or _prefilled(item, people)
                            for item in (*found.arisings, *found.carried) if not item.done},
        "outcome": {item.id: given("outcome", item.id) or ArisingOutcomeForm(formdata=None)
                    for item in (*found.arisings, *found.carried) if not item.done},
    }


def _prefilled(item: ArisingView, people) -> ArisingForm:
    return arising_form(people, formdata=None, what=item.what, owner=item.owner_id,
                        owner_name="" if item.owner_id else item.owner, due_on=item.due_on)


def clinics_page(plan: Plan, viewer: Viewer, form: StartClinicForm | None = None) -> dict:
    return {"plan": plan, "form": form or start_form(plan, viewer, formdata=None),
            "clinics": clinics.past_clinics(plan), "current": clinics.open_clinics(plan),
            "areas_words": clinics.areas_words}


@dataclass(frozen=True)
class Banner:
    clinic: Clinic
    title: str
    areas: str
    taking_part: bool
    may_end: bool
    carried: list[ArisingView]     # still open, from earlier clinics


def clinic_banners(open_now: list, viewer: Viewer, area_numbers: list[int]) -> list[Banner]:
    """The open clinics (`open_now`) covering what the board shows (none on a share link), each with what
    it carries."""
    if viewer.read_only:
        return []
    return [Banner(clinic, clinics.clinic_title(clinic), clinics.areas_words(clinic.area_numbers),
                   viewer.user in clinic.participants, clinics.may_end(clinic, viewer.user),
                   [item for item in clinic_minutes.carried_to(clinic) if not item.done])
            for clinic in clinics.clinics_showing(open_now, area_numbers)]
