"""The promise of the plan format: a file that import_plan accepts renders every page; a file with one
thing wrong is refused with a problem at that place, in plain words, and nothing changes."""
from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from board.services import share_links
from board.services.board_view import current_plan
from board.services.plan_file import PlanFileInvalid, parse_plan_text, validate_plan
from board.services.plan_import import import_plan
from models import Action, ActionEvent, Area, KpiMeasure, Outcome, OwnerRole, Plan, db
from tests.conftest import FUZZ_EXAMPLES, HTMX, make_app, sign_in
from tests.databases import copy_database
from tests.pages import page_of
from tests.plan_strategies import BREAKERS, broken_plans, valid_plans

# Small and reproducible: the same examples on every run and machine.
FEW = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None)
# pydantic's own wording, which a council officer should never have to read.
RAW_WORDING = ("Input should", "Extra inputs", "Field required", "String should", "List should",
               "Value error", "valid dictionary")


def _actions(plan: dict) -> list[dict]:
    return [action for area in plan["areas"] for outcome in area["outcomes"] for action in outcome["actions"]]


def _sample(actions: list[dict]) -> list[str]:
    """The refs whose detail pages differ most: first, last, one with parts, one pointer."""
    chosen = [actions[0], actions[-1], *[a for a in actions if a.get("parts")][:1],
              *[a for a in actions if not a["owners"]][:1]]
    return list(dict.fromkeys(action["ref"] for action in chosen))


def _pages(token: str, refs: list[str], outcome_ids: list[int], area_numbers: list[int]) -> list[tuple]:
    """(url, headers) of the pages and partials a viewer or a share link reads about this plan."""
    share = f"/share/{token}"
    pages = ["/", "/outcomes", "/overview", "/report", "/kpis", "/activity", "/export.csv", "/export.xlsx",
             f"{share}/", f"{share}/outcomes", f"{share}/report"]
    pages += [page for ref in refs for page in (f"/actions/{ref}", f"{share}/actions/{ref}")]
    pages += [page for id_ in outcome_ids[:2] for page in (f"/outcomes/{id_}", f"{share}/outcomes/{id_}")]
    partials = ["/", "/board/changes?since=0", f"{share}/changes?since=0"]
    partials += [page for ref in refs for page in (f"/actions/{ref}", f"/actions/{ref}/card")]
    partials += [f"/areas/{number}/lane" for number in area_numbers]
    return [(url, {}) for url in pages] + [(url, HTMX) for url in partials]


@FEW
@given(plan=valid_plans())
def test_an_accepted_plan_renders_every_page(users_template, tmp_path_factory, plan):
    assert validate_plan(plan) == [], "the strategy made a plan the format does not allow"
    tmp = tmp_path_factory.mktemp("accepted")
    app = make_app(tmp, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(users_template, tmp))
    try:
        pages = _read_every_page(app, json.loads(json.dumps(plan)))  # what a file holds, as the CLI reads it
    finally:  # many examples, one database each: let none keep a connection open
        with app.app_context():
            db.engine.dispose()
    refs = sorted(action["ref"] for action in _actions(plan))
    assert sorted(page_of(pages["/"]).card_refs()) == refs
    rows = list(csv.reader(io.StringIO(pages["/export.csv"].get_data(as_text=True))))
    assert sorted(row[1] for row in rows[1:]) == refs
    sheet = load_workbook(io.BytesIO(pages["/export.xlsx"].data)).active
    assert sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True)) == refs


def _read_every_page(app, plan: dict) -> dict:
    """Import `plan`, then read every page as a signed-in viewer and through a share link (each 200)."""
    with app.app_context():
        import_plan(plan)
        _link, token = share_links.create_link(current_plan(), "Committee", None)
        outcome_ids = list(db.session.scalars(select(Outcome.id).order_by(Outcome.id)))
    viewer = app.test_client()
    assert sign_in(viewer, "viewer").status_code == 303
    pages = {}
    for url, headers in _pages(token, _sample(_actions(plan)), outcome_ids, [a["number"] for a in plan["areas"]]):
        response = viewer.get(url, headers=headers)
        assert response.status_code == 200, (url, headers, response.status_code)
        pages.setdefault(url, response)
    return pages


def _snapshot() -> dict:
    counts = {model.__name__: db.session.scalar(select(func.count()).select_from(model))
              for model in (Plan, Area, Outcome, Action, ActionEvent, OwnerRole, KpiMeasure)}
    plan = db.session.scalars(select(Plan)).one()
    return {**counts, "plan": (plan.title, plan.header, plan.change_counter)}


@pytest.mark.parametrize("breaker", BREAKERS, ids=lambda breaker: breaker.__name__)
@settings(FEW, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_plan_with_one_thing_broken_is_refused_at_that_place(seeded_app, breaker, data):
    # One app for every example: a refused plan writes nothing, which is what is checked here.
    plan, path = data.draw(broken_plans(breaker))
    with seeded_app.app_context():
        before = _snapshot()
        with pytest.raises(PlanFileInvalid) as refused:
            import_plan(plan)
        db.session.rollback()
        assert _snapshot() == before
    problems = refused.value.problems
    assert path in {problem.path for problem in problems}, (path, [str(p) for p in problems])
    for problem in problems:
        assert problem.message and not problem.message.startswith(RAW_WORDING), str(problem)
    with pytest.raises(PlanFileInvalid) as from_text:  # the same, read from the file's text
        parse_plan_text(json.dumps(plan))
    assert [str(p) for p in from_text.value.problems] == [str(p) for p in problems]
