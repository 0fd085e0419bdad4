"""The real seed plan, imported faithfully."""
from sqlalchemy import func, select

from board.services.plan_import import import_plan
from models import Action, ActionEvent, Area, Outcome, OwnerRole, Plan, Status, db
from tests.plans import seed_plan

EXPECTED_REFS = [f"{area}.{n}" for area, count in
                 [(1, 9), (2, 21), (3, 21), (4, 7), (5, 10), (6, 4), (7, 8), (8, 3), (9, 5)]
                 for n in range(1, count + 1)]


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_imports_nine_areas_and_88_actions_in_document_order(seeded_app):
    with seeded_app.app_context():
        assert _count(Area) == 9
        refs = db.session.scalars(select(Action.ref).order_by(Action.plan_order)).all()
        assert refs == EXPECTED_REFS
        assert all(a.outcome_id for a in db.session.scalars(select(Action)))
        assert db.session.scalar(select(func.count()).where(Action.status != "not_started")) == 0


def test_every_action_sits_in_exactly_one_outcome_of_its_area(seeded_app):
    with seeded_app.app_context():
        outcomes = db.session.scalars(select(Outcome)).all()
        refs = [action.ref for outcome in outcomes for action in outcome.actions]
        assert sorted(refs) == sorted(EXPECTED_REFS)
        for outcome in outcomes:
            assert all(action.area_id == outcome.area_id for action in outcome.actions)


def test_outcomes_cut_by_page_breaks_are_whole(seeded_app):
    with seeded_app.app_context():
        by_ref = {a.ref: a for a in db.session.scalars(select(Action))}
        assert by_ref["2.20"].outcome.text.endswith("radicalisation, exploitation and gangs.")
        assert by_ref["2.11"].outcome_id == by_ref["2.20"].outcome_id
        assert by_ref["2.9"].outcome.text.endswith("Action is taken to avoid drift and delay.")
        assert by_ref["3.14"].outcome.text.startswith("Children and young people have access")
        assert [a.ref for a in by_ref["1.7"].outcome.actions] == ["1.7", "1.8", "1.9"]


def test_action_text_continued_on_a_later_row_belongs_to_its_action(seeded_app):
    with seeded_app.app_context():
        by_ref = {a.ref: a for a in db.session.scalars(select(Action))}
        assert "Private Fostering assessments will be completed" in by_ref["2.13"].text
        assert by_ref["4.6"].text.endswith("allow more rigorous quality assurance systems.")
        assert len(by_ref["2.10"].parts) == 2
        assert len(by_ref["2.10"].owners) == 2


def test_owner_roles_have_one_spelling_each(seeded_app):
    with seeded_app.app_context():
        names = db.session.scalars(select(OwnerRole.name)).all()
        assert all(name.isascii() for name in names), "a look-alike letter slipped through"
        for variant in ["Head of Children's Safeguarding", "Designated Social Care Officer (DCSO)",
                        "Service Manager CINCP", "Head of Child Protection and Child in Need"]:
            assert variant not in names
        assert len({n.casefold() for n in names}) == len(names)
        by_ref = {a.ref: a for a in db.session.scalars(select(Action))}
        assert [r.name for r in by_ref["9.3"].owners] == [
            "Complaints Support Officer", "Head of Service Children's Safeguarding"]
        assert {r.name for r in by_ref["2.16"].owners} == {
            "Service Manager CIN/CP", "CESCP Training & Development Manager"}


def test_due_kept_as_printed_and_parsed(seeded_app):
    with seeded_app.app_context():
        by_ref = {a.ref: a for a in db.session.scalars(select(Action))}
        assert (by_ref["7.1"].due_text, str(by_ref["7.1"].due_date)) == ("March 24", "2024-03-31")
        assert str(by_ref["5.10"].due_date) == "2023-11-30"
        assert by_ref["2.16"].due_text == "TBC" and by_ref["2.16"].due_date is None
        assert by_ref["4.4"].cadence == "every-8-weeks"
        assert by_ref["2.1"].see_also == ["1.5", "1.6", "1.7", "1.8"]
        assert by_ref["2.1"].owners == [] and by_ref["2.1"].due_text == ""


def test_plan_header_is_kept(seeded_app):
    with seeded_app.app_context():
        plan = db.session.scalars(select(Plan)).one()
        assert plan.owner_name == "Kerry Birtles"
        assert len(plan.header["pillars"]) == 4
        assert [f["value"] for f in plan.header["performance"]["figures"]] == [1179, 2031, 190, 576, 259]
        assert plan.header["audit"]["results"][0]["text"] == "68% cases (20 cases) were good"


def test_reimporting_the_same_plan_changes_nothing(seeded_app):
    with seeded_app.app_context():
        events_before = _count(ActionEvent)
        counter_before = db.session.scalars(select(Plan)).one().change_counter
        summary = import_plan(seed_plan())
        assert not summary.changed
        assert _count(ActionEvent) == events_before
        assert _count(Action) == 88 and _count(OwnerRole) == len(db.session.scalars(select(OwnerRole)).all())
        assert db.session.scalars(select(Plan)).one().change_counter == counter_before


def test_reimporting_an_edited_plan_updates_text_but_keeps_status(seeded_app):
    with seeded_app.app_context():
        action = db.session.scalars(select(Action).where(Action.ref == "2.7")).one()
        action.status, action.position, action.version = Status.AMBER.value, 0, 4
        db.session.commit()
        plan = seed_plan()
        target = plan["areas"][1]["outcomes"][4]["actions"][1]
        assert target["ref"] == "2.7"
        target["text"] = "Scrutinise the length of child protection plans."
        target["due"] = "Dec 2023"
        target["owners"] = ["Principal Social Worker"]
        summary = import_plan(plan)
        assert summary.actions_updated == ["2.7"]
        db.session.expire_all()
        action = db.session.scalars(select(Action).where(Action.ref == "2.7")).one()
        assert (action.status, action.version) == ("amber", 4)
        assert action.text == "Scrutinise the length of child protection plans."
        assert (action.due_text, str(action.due_date)) == ("Dec 2023", "2023-12-31")
        assert [r.name for r in action.owners] == ["Principal Social Worker"]
        kinds = {e.kind for e in action.events}
        assert {"plan_text", "plan_due", "plan_owners"} <= kinds
