"""Hypothesis strategies for plan files: small valid plans, and one thing broken at a time.

A valid plan here is what docs/plan-format.md allows: a few areas, outcomes and actions, texts in odd
Unicode, dues in every form `parse_due` reads, pointer actions, and any of the optional header sections.
"""
from __future__ import annotations

import copy
import json
import re
from datetime import date

from hypothesis import strategies as st

# Characters a council's text might hold and that have broken software before: bidi controls,
# zero-width joiners, combining marks, emoji sequences, look-alike letters, letters that change length
# when upper-cased, markup, template and spreadsheet-formula starts, and the line breaks text may keep.
ODD = ["\t", "\n", "\r", "\u202e", "\u200b", "\u200d", "\ufeff", "\u0301", "\u00a0", "\u2028",
       "😀", "👩\u200d👩\u200d👧", "𝕏", "Е", "’", "ß", "ﬃ", "İ", "ŉ", "\U0010fffd", "\ue000",
       "<", ">", "&", '"', "'", "{{", "}}", "{%", "=", "+", "-", "@", "%s", "\\", "/", ",", "."]
_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff")
_TEXT = st.lists(st.one_of(_CHARACTERS, st.sampled_from(ODD)), min_size=1, max_size=12).map("".join)


def text(max_size: int = 300) -> st.SearchStrategy[str]:
    """Text with something besides spaces in it, now and then (one in ten) exactly as long as allowed."""
    def lengthen(value: str, dice: int) -> str:
        return (value * max_size)[:max_size] if dice == 9 else value

    return st.builds(lengthen, _TEXT, st.integers(0, 9)).filter(
        lambda value: value.strip() and not _SEE.search(value))


_SEE = re.compile(r"\bsee\s+action", re.IGNORECASE)  # a pointer is made on purpose, not by chance
_MONTHS = ["Jan", "February", "mar", "APRIL", "May", "Jun", "July", "Aug", "Sept", "sep", "October",
           "Nov", "Dec", "december"]
_CADENCES = ["Weekly", "fortnightly", "Bi-weekly", "Monthly review", "Quarterly",
             "Quarterly reports to the Improvement and Impact Board from November 2023 (Q2)", "Termly",
             "Termly and annual review", "Annually", "yearly"]


@st.composite
def due(draw) -> str:
    """A due cell in one of the forms parse_due reads."""
    form = draw(st.sampled_from(["month", "two months", "iso", "cadence", "every", "undecided"]))
    year = draw(st.one_of(st.integers(2000, 2099).map(str), st.integers(0, 99).map(lambda y: f"{y:02d}")))
    if form == "month":
        printed = f"{draw(st.sampled_from(_MONTHS))} {year}"
    elif form == "two months":
        printed = f"{draw(st.sampled_from(_MONTHS))}/{draw(st.sampled_from(_MONTHS))} {year}"
    elif form == "iso":
        printed = draw(st.dates(date(1900, 1, 1), date(2199, 12, 31))).isoformat()
    elif form == "cadence":
        printed = draw(st.sampled_from(_CADENCES))
    elif form == "every":
        printed = f"every {draw(st.integers(0, 99))} weeks"
    else:
        printed = draw(st.sampled_from(["TBC", "tbd", "To be confirmed"]))
    return draw(st.sampled_from(["", " "])) + printed + draw(st.sampled_from(["", "  "]))


@st.composite
def _action(draw, ref: str) -> dict:
    # Tidying a role name (NFC) can lengthen it up to three times: keep owners within 300 characters.
    action = {"ref": ref, "text": draw(text(5000)),
              "owners": draw(st.lists(text(100), min_size=1, max_size=3)), "due": draw(due())}
    if draw(st.booleans()):
        action["parts"] = [{"text": draw(text()), "owners": draw(st.lists(text(), max_size=2)),
                            "due": draw(due())} for _ in range(draw(st.integers(1, 2)))]
    return action


@st.composite
def _header(draw) -> dict:
    """Any of the optional header sections, each present or not."""
    sections = {
        "format": st.just("improvement-plan/1"), "organisation": text(200), "period": text(100),
        "objective": text(5000), "principle": text(5000),
        "plan_owner": st.fixed_dictionaries({}, optional={"name": text(200), "role": text(300)}),
        "pillars": st.lists(st.fixed_dictionaries(
            {"statement": text(5000)},
            optional={"emphasis": st.lists(text(), max_size=2), "how_we_succeed": text(),
                      "impact_kpis": text()}), max_size=3),
        "performance": _performance(),
        "audit": st.fixed_dictionaries({}, optional={"intro": text(), "results": st.lists(
            st.fixed_dictionaries({"text": text()}, optional={
                "percent": st.integers(0, 100) | st.floats(0, 100), "cases": st.integers(0, 10_000_000),
                "grade": text()}), max_size=3)}),
    }
    return {key: draw(value) for key, value in sections.items() if draw(st.booleans())}


@st.composite
def _performance(draw) -> dict:
    performance = draw(st.fixed_dictionaries({}, optional={"intro": text(), "period": st.one_of(
        text(100), st.sampled_from(["Q1 2023/24", "Q4 2024/25"]))}))
    figures = []
    for number in range(draw(st.integers(0, 3))):
        # The words before ", of which" name a KPI measure, one per figure.
        figure = {"value": draw(st.integers(0, 10_000_000) | st.floats(0, 10_000_000)),
                  "label": f"Measure {number} {draw(text(150))}"}
        if draw(st.booleans()):
            figure["of_which"] = {"value": draw(st.integers(0, 10_000_000)), "label": draw(text(200))}
        figures.append(figure)
    if figures or draw(st.booleans()):
        performance["figures"] = figures
    return performance


@st.composite
def valid_plans(draw) -> dict:
    """A small plan that the format allows."""
    plan = {"title": draw(text(300)), **draw(_header())}
    numbers = draw(st.lists(st.integers(1, 999), min_size=1, max_size=3, unique=True))
    plan["areas"] = []
    for number in numbers:
        first = draw(st.integers(0, 20))  # refs need not start at .1
        refs = iter(f"{number}.{first + n}" for n in range(100))
        outcomes = [{"text": draw(text(5000)),
                     "actions": [draw(_action(next(refs))) for _ in range(draw(st.integers(1, 3)))]}
                    for _ in range(draw(st.integers(1, 2)))]
        plan["areas"].append({"number": number, "title": draw(text(300)),
                              "overall_effectiveness": draw(st.just("") | text(5000)), "outcomes": outcomes})
    actions = [a for area in plan["areas"] for o in area["outcomes"] for a in o["actions"]]
    if len(actions) > 1 and draw(st.booleans()):
        _make_pointer(draw, actions)
    owners = sorted({owner for action in actions for owner in action["owners"]})
    if owners and draw(st.booleans()):
        # Tidying a role name (NFC) can lengthen it up to three times: keep it within 300 characters.
        plan["owner_aliases"] = {draw(st.sampled_from(owners)): draw(text(100))}
    return plan


def _make_pointer(draw, actions: list[dict]) -> None:
    """One action becomes a pointer ("See actions ...") with no owner or due of its own."""
    pointer = draw(st.sampled_from(actions))
    others = [a["ref"] for a in actions if a is not pointer]
    targets = draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True))
    pointer.update(owners=[], due="")
    if draw(st.booleans()):
        pointer["see_also"] = targets
    else:
        pointer["text"] = f"See actions {' and '.join(targets)}"


# --- one thing broken at a time -------------------------------------------------------------------
# Each breaker returns the JSON path (as problems name it) of what it broke.

def places(value, path: str = "$"):
    """(path, parent, key) for every value inside `value`: the place to break, and how to reach it."""
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        child_path = _child_path(path, key)
        yield child_path, value, key
        yield from places(child, child_path)


def _child_path(path: str, key) -> str:
    if isinstance(key, int):
        step = f"[{key}]"
    elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        step = f".{key}"
    else:
        step = f"[{json.dumps(key)}]"
    return step.removeprefix(".") if path == "$" else path + step


def _json_type(value) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    return "number" if isinstance(value, (int, float)) else type(value).__name__


OTHER_TYPES = [5, 2.5, "text", True, None, [], {}, ["x"], {"x": 1}]


@st.composite
def with_wrong_type(draw, plan: dict) -> str:
    path, parent, key = draw(st.sampled_from(list(places(plan))))
    parent[key] = draw(st.sampled_from([v for v in OTHER_TYPES if _json_type(v) != _json_type(parent[key])]))
    return path


@st.composite
def with_bad_ref(draw, plan: dict) -> str:
    path, action = draw(st.sampled_from(_actions(plan)))
    action["ref"] = draw(st.sampled_from(["1.1a", "1", "1.", ".1", "1.1.1", " 1.1", "1.1 ", "1,1", "A.1",
                                          "١.١", "", "1. 1", "2.7\n", "1.1-1.2", "x" * 30]))
    return f"{path}.ref"


@st.composite
def with_number_out_of_range(draw, plan: dict) -> str:
    figures = [(f"performance.figures[{i}]", figure)
               for i, figure in enumerate(plan.get("performance", {}).get("figures", []))]
    choices = [(f"areas[{i}]", area, "number", [0, -1, 1000, 2**70, -(2**70), 10**30])
               for i, area in enumerate(plan["areas"])]
    choices += [(path, figure, "value", [-1, -0.5, 10_000_001, 2**70, float("nan"), float("inf")])
                for path, figure in figures]
    path, holder, key, values = draw(st.sampled_from(choices))
    holder[key] = draw(st.sampled_from(values))
    return f"{path}.{key}"


@st.composite
def with_control_character(draw, plan: dict) -> str:
    texts = [(path, parent, key) for path, parent, key in places(plan) if isinstance(parent[key], str)]
    path, parent, key = draw(st.sampled_from(texts))
    character = draw(st.sampled_from(["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\ud800",
                                      "\uffff"]))
    at = draw(st.integers(0, len(parent[key])))
    parent[key] = parent[key][:at] + character + parent[key][at:]
    return path


REQUIRED = {"$": ["title", "areas"], "area": ["number", "title", "overall_effectiveness", "outcomes"],
            "outcome": ["text", "actions"], "action": ["ref", "text", "owners", "due"]}


@st.composite
def with_missing_key(draw, plan: dict) -> str:
    holders = [("$", plan, REQUIRED["$"])]
    for a, area in enumerate(plan["areas"]):
        holders.append((f"areas[{a}]", area, REQUIRED["area"]))
        for o, outcome in enumerate(area["outcomes"]):
            holders.append((f"areas[{a}].outcomes[{o}]", outcome, REQUIRED["outcome"]))
    holders += [(path, action, REQUIRED["action"]) for path, action in _actions(plan)]
    path, holder, keys = draw(st.sampled_from(holders))
    key = draw(st.sampled_from(keys))
    del holder[key]
    return key if path == "$" else f"{path}.{key}"


@st.composite
def with_unknown_key(draw, plan: dict) -> str:
    objects = [("$", plan)] + [(path, parent[key]) for path, parent, key in places(plan)
                               if isinstance(parent[key], dict) and not path.endswith("owner_aliases")]
    path, holder = draw(st.sampled_from(objects))
    key = draw(st.sampled_from(["ownrs", "tittle", "notes", "Due", "ref ", "see also"]))
    holder[key] = "x"
    return _child_path(path, key)


BREAKERS = [with_wrong_type, with_bad_ref, with_number_out_of_range, with_control_character,
            with_missing_key, with_unknown_key]


@st.composite
def broken_plans(draw, breaker) -> tuple[dict, str]:
    """(plan, path): a valid plan with one thing broken by `breaker`, and the path of the broken place."""
    plan = copy.deepcopy(draw(valid_plans()))
    return plan, draw(breaker(plan))


def _actions(plan: dict) -> list[tuple[str, dict]]:
    return [(f"areas[{a}].outcomes[{o}].actions[{x}]", action)
            for a, area in enumerate(plan["areas"]) for o, outcome in enumerate(area["outcomes"])
            for x, action in enumerate(outcome["actions"])]
