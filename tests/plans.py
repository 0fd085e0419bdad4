"""Plan data for tests: the real seed, and generated plans of any size."""
from __future__ import annotations

import copy
import json
from pathlib import Path

SEED_PATH = Path(__file__).resolve().parent.parent / "seed_plan.json"
# The worked example of next year's plan: 2024-25 carrying most of 2023-24's actions forward.
NEXT_YEAR_PATH = Path(__file__).resolve().parent.parent / "docs" / "examples" / "plan-2024-25.json"


def seed_plan() -> dict:
    return json.loads(SEED_PATH.read_text(encoding="utf-8"))


def next_year_plan() -> dict:
    return json.loads(NEXT_YEAR_PATH.read_text(encoding="utf-8"))


def carried_ref(old_ref: str) -> str:
    """The 2024-25 ref of the 2023-24 action `old_ref` in the worked example."""
    for area in next_year_plan()["areas"]:
        for outcome in area["outcomes"]:
            for action in outcome["actions"]:
                if action.get("carried_from", {}).get("ref") == old_ref:
                    return action["ref"]
    raise AssertionError(f"{old_ref} is not carried forward in the example")


def generated_plan(areas: int = 9, actions_per_area: int = 10, outcomes_per_area: int = 3) -> dict:
    """A valid plan with `areas * actions_per_area` actions, shaped like a real one."""
    dues = ["Oct 2023", "Quarterly", "Jan 2024", "TBC", "Weekly", "March 24"]
    plan = {"title": "Generated plan", "objective": "Test", "areas": []}
    for a in range(1, areas + 1):
        outcomes = [{"text": f"Outcome {a}.{o}", "actions": []} for o in range(outcomes_per_area)]
        for n in range(1, actions_per_area + 1):
            outcomes[(n - 1) * outcomes_per_area // actions_per_area]["actions"].append({
                "ref": f"{a}.{n}", "text": f"Action {a}.{n} text", "due": dues[n % len(dues)],
                "owners": [f"Owner role {n % 7}", f"Owner role {(n + 3) % 7}"],
            })
        plan["areas"].append({"number": a, "title": f"Area {a}", "overall_effectiveness": "",
                              "outcomes": outcomes})
    return plan


def edited(plan: dict, **changes) -> dict:
    """A deep copy of `plan` to change in a test without touching the original."""
    copied = copy.deepcopy(plan)
    copied.update(changes)
    return copied
