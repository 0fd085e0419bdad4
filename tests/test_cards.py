"""The board's cards drawn by `board/views/cards.py` (issue 13, fifth pass): what the Jinja macros drew
before, every person's words escaped in every field, Move controls only for those who may move."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from board.services.board_view import Card, OwnerName
from board.views.board import BoardUi
from board.views.cards import CardDrawing
from tests.pages import page_of

HOSTILE = '<script>alert("x")</script>'
HOSTILE_ATTRIBUTE = '" onmouseover="alert(1)'
# The cards as the macros drew them (recorded from the last commit with the macros, for `_cases()`). When a
# card's markup changes on purpose, record it again from `_drawn_cases()` (inside `test_request_context`)
# and say so in the commit.
BEFORE = Path(__file__).with_name("cards_before.json")


def _card(**fields) -> Card:
    return Card(**{"id": 7, "ref": "2.7", "text": "Audit the front door", "status": "amber", "position": 0,
                   "version": 3, "area_id": 2, "outcome_id": 5, "due_text": "Oct 2023", "due_date": date(2023, 10, 31),
                   "cadence": None, "created_at": datetime(2023, 4, 1, 9), "last_activity_at": None,
                   "last_activity_by": None, "plan_due_text": "Oct 2023", "due_moves": 0, "cadence_start": None,
                   "see_also": None, "parts": None, "closed_how": None, "closed_note": "", "carried_from": None,
                   "update_requested_at": None, "status_changed_at": None, "signed_off_at": None,
                   "owners": [OwnerName(1, "Head of Service Early Help", "HoS EH", "HoS EH")], "note_count": 0, **fields})


def _cases() -> dict[str, Card]:
    """A card for every branch the card and the chip draw."""
    two_owners = [OwnerName(1, "Head of Service Early Help", "HoS EH", "HoS EH"),
                  OwnerName(2, "Service Manager & Lead (SML)", "SM & Lead (SML)", "SML")]
    return {
        "amber, due, one owner": _card(),
        "red, overdue, stale, two owners": _card(status="red", due_date=date(2023, 9, 30), owners=two_owners),
        "cadence from a start": _card(due_date=None, cadence="quarterly", cadence_start=date(2023, 11, 1)),
        "cadence every few weeks": _card(due_date=None, cadence="every-6-weeks", due_text="Every 6 weeks"),
        "due in words only": _card(due_date=None, due_text="By the spring"),
        "no due at all": _card(due_date=None, due_text=""),
        "parts": _card(parts=[{"text": "Draft", "owners": ["HoS EH", "SML"], "due": "Nov 2023"},
                              {"text": "Agree", "owners": [], "due": ""}, {"text": "Publish", "owners": ["SML"], "due": ""},
                              {"text": "Review", "owners": [], "due": "Mar 2024"}]),
        "pointer": _card(see_also=["1.5", "1.6", "1.8"], owners=[], status="red"),
        "green without evidence": _card(status="green", note_count=0),
        "green with notes, updated": _card(status="green", note_count=2, last_activity_at=datetime(2023, 12, 12, 10),
                                           last_activity_by="Sam Lee"),
        "one note, updated long ago": _card(note_count=1, last_activity_at=datetime(2023, 9, 1, 10),
                                            last_activity_by="Sam Lee"),
        "update requested": _card(update_requested_at=datetime(2023, 12, 10, 9)),
        "updated since the request": _card(update_requested_at=datetime(2023, 12, 10, 9),
                                           last_activity_at=datetime(2023, 12, 14, 9), last_activity_by="Sam Lee"),
        "complete late, awaiting sign-off": _card(status="complete", status_changed_at=datetime(2023, 11, 20, 9),
                                                  note_count=1),
        "complete on time, signed off": _card(status="complete", status_changed_at=datetime(2023, 10, 2, 9),
                                              due_date=date(2023, 12, 31), signed_off_at=datetime(2023, 10, 3), note_count=1),
        "carried forward from": _card(carried_from="2022-23 4.1"),
        "closed: carried forward": _card(closed_how="carried_forward", closed_note="2024-25 2.3"),
        "closed: merged": _card(closed_how="merged", closed_note=""),
        "closed: no longer needed": _card(closed_how="no_longer_needed", closed_note="Done by the LA"),
        "due moved twice": _card(due_moves=2, plan_due_text="Sep 2023"),
    }


def _ui(**fields) -> BoardUi:
    return BoardUi(**({"can_move": True, "detail_prefix": "/actions/", "filter_query": "?area=2&q=front",
                      "move_next": "%2F%3Farea%3D2%26q%3Dfront", "board_url": "/?area=2&q=front",
                      "poll_url": "/board/changes", "poll_seconds": 5} | fields))


def _drawn(card: Card, ui: BoardUi, sign_off: bool = True) -> str:
    board = SimpleNamespace(today=date(2023, 12, 15), plan=SimpleNamespace(require_sign_off=sign_off))
    drawing = CardDrawing(board, ui)
    return str(drawing.chip(card) if ui.whole else drawing.card(card))


def _drawn_cases() -> dict[str, str]:
    """Every case drawn for an editor and for a committee's link, on the detailed board and the whole plan."""
    uis = {"editor": _ui(), "share link": _ui(can_move=False, detail_prefix="/share/t0ken/actions/", filter_query="",
                                              move_next="%2Fshare%2Ft0ken%2F", shows_names=False)}
    return {f"{case} | {who} | {view}": _drawn(card, replace(ui, whole=view == "whole"))
            for case, card in _cases().items() for who, ui in uis.items() for view in ("detailed", "whole")}


def test_a_card_is_drawn_as_the_macros_drew_it(seeded_app):
    before = json.loads(BEFORE.read_text())
    with seeded_app.test_request_context("/"):
        now = _drawn_cases()
    assert now.keys() == before.keys()
    for case, html in now.items():
        assert html == before[case], case


@pytest.mark.parametrize("whole", [False, True])
@pytest.mark.parametrize("payload", [HOSTILE, HOSTILE_ATTRIBUTE])
def test_every_field_a_card_shows_is_escaped(seeded_app, payload, whole):
    owner = OwnerName(3, payload, payload, payload)
    cards = [
        _card(ref="2.7", text=payload, due_date=None, due_text=payload, owners=[owner], last_activity_at=datetime(2023, 12, 1),
              last_activity_by=payload, carried_from=payload, closed_how="no_longer_needed", closed_note=payload,
              due_moves=1, plan_due_text=payload, status="complete", status_changed_at=datetime(2023, 12, 1), note_count=1),
        _card(ref="2.8", parts=[{"text": payload, "owners": [payload], "due": payload}]),
        _card(ref="2.9", see_also=[payload, "1.2"], owners=[]),
    ]
    with seeded_app.test_request_context("/"):
        for ui in (_ui(whole=whole), _ui(whole=whole, filter_query=payload, move_next=payload, detail_prefix=payload)):
            html = "".join(_drawn(card, ui) for card in cards)
            page = page_of(html)
            assert page.root.select("script, [onmouseover]") == []
            assert payload in page.text()  # shown as the words typed
            if not whole:
                assert payload in page.card_text("2.8") and payload in page.card_text("2.9")


@pytest.mark.parametrize("whole", [False, True])
def test_only_a_person_who_may_move_gets_move_controls_and_never_on_a_fixed_card(seeded_app, whole):
    movable, pointer, closed = _card(), _card(ref="2.8", see_also=["1.5"], owners=[]), \
        _card(ref="2.9", closed_how="merged", closed_note="2.1")
    with seeded_app.test_request_context("/"):
        for can_move in (True, False):
            page = page_of("".join(_drawn(card, _ui(can_move=can_move, whole=whole)) for card in (movable, pointer, closed)))
            assert ("Update status of 2.7" in page.link_names()) is can_move
            assert page.card("2.7").has_attr("data-move-url") is can_move
            for fixed in ("2.8", "2.9"):
                assert f"Update status of {fixed}" not in page.link_names()
                assert not page.card(fixed).has_attr("data-move-url")
