"""A bad plan file is refused whole, with the JSON path of every problem, and nothing changes."""
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from board.services.plan_file import PlanFileInvalid, load_plan_file, parse_plan_text, validate_plan
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
    assert first.exit_code == 0 and "actions added: 88" in first.output
    assert "Created plan 2023-24." in first.output  # named from its period
    bare = runner.invoke(args=["import-plan", str(good)])  # a second import must say which plan it means
    assert bare.exit_code == 1 and "say which you mean: --plan 2023-24" in bare.output
    second = runner.invoke(args=["import-plan", str(good), "--plan", "2023-24"])
    assert second.exit_code == 0 and "Nothing changed" in second.output


# --- the tester's findings: each refused through the CLI with its path, no traceback, nothing written ---

def _audit_results_a_number(plan):
    plan["audit"]["results"] = 5
    return "audit.results: must be a list"


def _ref_with_a_letter(plan):
    _action(plan, 0, 0, 0)["ref"] = "1.1a"
    return "areas[0].outcomes[0].actions[0].ref: must be a reference like 2.7"


def _malformed_performance_figures(plan):
    plan["performance"]["figures"][0] = {"value": "1179"}
    plan["performance"]["figures"][1]["of_which"] = []
    plan["performance"]["figures"][2] = 190
    return ("performance.figures[0].value: must be a number from 0 to 10,000,000",
            "performance.figures[0].label: missing",
            "performance.figures[1].of_which: must be an object",
            "performance.figures[2]: must be an object")


def _area_number_two_to_the_seventy(plan):
    plan["areas"][0]["number"] = 2**70
    return "areas[0].number: must be a whole number from 1 to 999"


def _nested_ten_thousand_deep(plan):
    plan["objective"] = "DEEP"
    return "$: nested too deeply"


def _nul_in_a_text(plan):
    _action(plan, 2, 1, 0)["text"] = "Audit\x00 the audits"
    return "areas[2].outcomes[1].actions[0].text: contains a control character (U+0000)"


@pytest.mark.parametrize("spoil", [_audit_results_a_number, _ref_with_a_letter, _malformed_performance_figures,
                                   _area_number_two_to_the_seventy, _nested_ten_thousand_deep, _nul_in_a_text])
def test_tester_findings_are_refused_by_the_cli_with_their_path(app, runner, tmp_path, spoil):
    plan = seed_plan()
    expected = spoil(plan)
    text = json.dumps(plan).replace('"DEEP"', "[" * 10_000 + "]" * 10_000)
    bad = tmp_path / "plan.json"
    bad.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-plan", str(bad)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Error" not in result.output
    assert "nothing imported" in result.output
    problems = [line.strip() for line in result.output.splitlines()[1:]]
    for words in [expected] if isinstance(expected, str) else expected:
        assert any(problem.startswith(words) for problem in problems), (words, problems)
    with app.app_context():
        assert _snapshot() == {"Plan": 0, "Area": 0, "Action": 0, "ActionEvent": 0}


@pytest.mark.parametrize("content, message", [
    (b"\xef\xbb\xbf{\"title\": \"x\", \"areas\": [\xff]}", "$: is not UTF-8 text (byte 0xff at byte 29)"),
    (b" " * 5_000_001, "$: the file is larger than 5 MB"),
    (b'{"title": "x", "areas": [' + b"9" * 5000 + b"]}", "$: holds a number with too many digits"),
    (b'{"title": "x", "areas": [1,]}', "$: not valid JSON: Expecting value at line 1 column 28"),
    (b"[" * 10_000 + b"]" * 10_000, "$: nested too deeply"),
    (b'{"title": "x", "areas": ' + b"[" * 25 + b"]" * 25 + b"}", "$: nested too deeply"),
])
def test_a_file_that_cannot_be_read_as_a_plan_is_one_problem_at_the_top(tmp_path, content, message):
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    with pytest.raises(PlanFileInvalid) as refused:
        load_plan_file(path)
    assert len(refused.value.problems) == 1
    assert str(refused.value.problems[0]).startswith(message), refused.value.problems


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(seed_plan()).encode("utf-8"))
    assert load_plan_file(path)["title"] == seed_plan()["title"]


def _set(path: list, value):
    def spoil(plan):
        holder = plan
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = value
    return spoil


@pytest.mark.parametrize("spoil, problem", [
    (_set(["title"], 5), "title: must be text (in quotes), not a number"),
    (_set(["title"], "x" * 301), "title: is longer than 300 characters"),
    (_set(["areas", 4, "number"], "5"),
     "areas[4].number: must be a whole number from 1 to 999, written without quotes, not text '5'"),
    (_set(["areas", 4, "number"], 0), "areas[4].number: must be a whole number from 1 to 999, not 0"),
    (_set(["areas", 4, "number"], True), "areas[4].number: must be a whole number from 1 to 999, not true/false"),
    (_set(["performance", "figures", 1, "value"], float("nan")),
     "performance.figures[1].value: must be a number from 0 to 10,000,000, not NaN"),
    (_set(["performance", "figures", 1, "value"], 10_000_001),
     "performance.figures[1].value: must be a number from 0 to 10,000,000, not 10000001"),
    (_set(["audit", "results", 0, "percent"], 110), "audit.results[0].percent: must be a number from 0 to 100, not 110"),
    (_set(["areas", 0, "outcomes", 0, "actions", 0, "owners"], "Principal Social Worker"),
     "areas[0].outcomes[0].actions[0].owners: must be a list [...], not text"),
    (_set(["areas", 0, "outcomes", 0, "actions", 0, "ownrs"], []),
     'areas[0].outcomes[0].actions[0].ownrs: is not a key an action can have: did you mean "owners"?'),
    (_set(["colour"], "blue"), ("colour: is not a key the plan can have (its keys are format, title, "
                                "organisation, period, objective, plan_owner, principle, pillars, "
                                "performance, audit, owner_aliases, areas)")),
    (_set(["plan_owner"], None), "plan_owner: must be an object {...}, not null"),
    (_set(["areas", 2, "outcomes"], []), "areas[2].outcomes: must not be empty"),
    (_set(["format"], "improvement-plan/2"), "format: must be 'improvement-plan/1', not 'improvement-plan/2'"),
    (_set(["owner_aliases", "Heads of service"], ""), 'owner_aliases["Heads of service"]: must not be empty'),
    (_set(["pillars", 0, "statement"], "Tab\tand new line\n are fine, \x1b is not"),
     "pillars[0].statement: contains a control character (U+001B) at character 29; remove it"),
    (_set(["performance", "figures", 4, "label"], "Children in need"),
     "performance.figures[4].label: names the same measure as performance.figures[1].label"),
    (_set(["areas", 1, "outcomes", 0, "actions", 0, "see_also"], ["1.5", "1.6a"]),
     "areas[1].outcomes[0].actions[0].see_also[1]: must be a reference like 2.7, not '1.6a'"),
])
def test_each_problem_is_told_in_plain_words(spoil, problem):
    plan = seed_plan()
    spoil(plan)
    assert [str(p) for p in validate_plan(plan)] == [problem]


def test_the_seed_and_the_documented_example_pass():
    docs = (Path(__file__).resolve().parent.parent / "docs" / "plan-format.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", docs, re.DOTALL)[1]
    assert validate_plan(json.loads(example)) == []
    assert validate_plan(seed_plan()) == []
