"""A bad plan file is refused whole, with the JSON path of every problem, and nothing changes."""
import json

import pytest
from sqlalchemy import func, select

from board.services.plan_file import PlanFileInvalid, parse_plan_text, validate_plan
from board.services.plan_import import import_plan
from models import Action, ActionEvent, Area, Plan, db
from tests.plans import seed_plan


def _snapshot():
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Plan, Area, Action, ActionEvent)}


def _action(plan, area, outcome, index):
    return plan["areas"][area]["outcomes"][outcome]["actions"][index]


def _with_duplicate_ref(plan):
    _action(plan, 2, 0, 1)["ref"] = "2.7"


def _with_empty_text(plan):
    _action(plan, 0, 0, 2)["text"] = "   "


def _with_bad_due(plan):
    _action(plan, 0, 0, 0)["due"] = "Septembre 2023"


def _with_dangling_see_also(plan):
    _action(plan, 1, 0, 0)["see_also"] = ["1.5", "12.1"]


def _with_missing_key(plan):
    del plan["areas"][3]["outcomes"][0]["actions"][0]["owners"]


def _with_wrong_type(plan):
    plan["areas"][4]["number"] = "five"


def _with_missing_areas(plan):
    del plan["areas"]


@pytest.mark.parametrize("spoil, path, words", [
    (_with_duplicate_ref, "areas[2].outcomes[0].actions[1].ref", "duplicate of 2.7"),
    (_with_empty_text, "areas[0].outcomes[0].actions[2].text", "must not be empty"),
    (_with_bad_due, "areas[0].outcomes[0].actions[0].due", "'Septembre 2023' is not a month"),
    (_with_dangling_see_also, "areas[1].outcomes[0].actions[0].see_also", "12.1"),
    (_with_missing_key, "areas[3].outcomes[0].actions[0].owners", "missing"),
    (_with_wrong_type, "areas[4].number", "whole number"),
    (_with_missing_areas, "areas", "missing"),
])
def test_each_refusal_names_its_path_and_changes_nothing(seeded_app, spoil, path, words):
    plan = seed_plan()
    spoil(plan)
    with seeded_app.app_context():
        before = _snapshot()
        with pytest.raises(PlanFileInvalid) as refused:
            import_plan(plan)
        messages = [str(p) for p in refused.value.problems]
        assert any(m.startswith(f"{path}:") and words in m for m in messages), messages
        assert _snapshot() == before


def test_every_problem_is_listed_not_just_the_first():
    plan = seed_plan()
    _with_duplicate_ref(plan)
    _with_empty_text(plan)
    _with_bad_due(plan)
    paths = {p.path for p in validate_plan(plan)}
    assert {"areas[2].outcomes[0].actions[1].ref", "areas[0].outcomes[0].actions[2].text",
            "areas[0].outcomes[0].actions[0].due"} <= paths


def test_malformed_json_reports_line_and_column():
    with pytest.raises(PlanFileInvalid) as refused:
        parse_plan_text('{\n  "title": "x",\n  "areas": [,]\n}')
    assert str(refused.value.problems[0]) == "$: not valid JSON: Expecting value at line 3 column 13"


def test_a_pointer_action_needs_no_owner_or_due():
    assert validate_plan(seed_plan()) == []
    plan = seed_plan()
    _action(plan, 1, 0, 1)["owners"] = []
    assert [str(p) for p in validate_plan(plan)] == [
        "areas[1].outcomes[0].actions[1].owners: must not be empty"]


def test_see_also_is_read_from_the_text_when_not_given():
    plan = seed_plan()
    pointer = _action(plan, 1, 0, 0)
    del pointer["see_also"]
    pointer["text"] = "See actions 1.5-1.12"
    assert [str(p) for p in validate_plan(plan)] == [
        "areas[1].outcomes[0].actions[0].text: points to action 1.10, which is not in the plan",
        "areas[1].outcomes[0].actions[0].text: points to action 1.11, which is not in the plan",
        "areas[1].outcomes[0].actions[0].text: points to action 1.12, which is not in the plan",
    ]


def test_cli_refuses_a_bad_file_with_paths_and_imports_nothing(app, runner, tmp_path):
    plan = seed_plan()
    _with_duplicate_ref(plan)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(plan))
    result = runner.invoke(args=["import-plan", str(bad)])
    assert result.exit_code == 1
    assert "areas[2].outcomes[0].actions[1].ref: duplicate of 2.7" in result.output
    assert "nothing imported" in result.output
    with app.app_context():
        assert _snapshot() == {"Plan": 0, "Area": 0, "Action": 0, "ActionEvent": 0}


def test_cli_imports_a_good_file_once(app, runner, tmp_path):
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(seed_plan()))
    first = runner.invoke(args=["import-plan", str(good)])
    second = runner.invoke(args=["import-plan", str(good)])
    assert first.exit_code == 0 and "actions added: 88" in first.output
    assert second.exit_code == 0 and "Nothing changed" in second.output
