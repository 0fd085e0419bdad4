"""Eight people changing the same few things at once, against gunicorn run with gunicorn.conf.py.

Moves (through htmx and through the no-JavaScript form), reasons, note edits and due changes, each
client acting on what it last saw, so many writes collide. Every write the server acknowledged must be
in the stored history exactly once, and nothing may be stored that was not acknowledged.

Bounded by a count of operations per client; time only caps a hang.
"""
from __future__ import annotations

import itertools
import random
import re
import threading
import traceback
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from board.services import evidence
from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Action, ActionEvent, EventKind, EvidenceNote, Role, db
from tests.conftest import make_app
from tests.http_client import (
    card_versions,
    free_port,
    request,
    sign_in,
    start_gunicorn,
    stop,
    wait_until_ready,
)
from tests.pages import Page
from tests.plans import seed_plan

pytestmark = pytest.mark.server  # gunicorn with several workers, as production runs it

CLIENTS = 8
OPERATIONS_PER_CLIENT = 16
HANG_S = 180
CARDS = ["3.1", "3.2", "3.3", "5.1", "5.2"]        # moves and reasons
DUE_CARDS = ["7.1", "7.2"]                         # due changes
DUES = ["Quarterly", "Monthly", "Termly", "Weekly", "Annual", "TBC", "Dec 2098", "Jan 2099"]  # never in the past
STATUSES = ["red", "amber", "green", "complete", "not_started"]
EXPLAIN = re.compile(r"/moves/(\d+)/reason")


@pytest.fixture
def server(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        import_plan(seed_plan())
        for n in range(CLIENTS):
            create_user(f"lead{n}@example.org", f"Lead {n}", Role.ADMIN, "load test password")
        author = create_user("author@example.org", "Author", Role.CONTRIBUTOR, "load test password")
        notes = [evidence.add_note(db.session.get(Action, db.session.scalars(select(Action.id).where(
            Action.ref == "4.1")).one()), f"Note {n}: first wording", None, author).id for n in range(2)]
        db.session.remove()  # give its connection back before the pool goes
        db.engine.dispose()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    proc = start_gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], port, log, workers=4)
    try:
        wait_until_ready(proc, port, log)
        yield app, port, notes
    finally:
        stop(proc)


class Editor:
    """One person at the board, remembering what they last saw (which is how writes collide)."""

    def __init__(self, n: int, port: int, notes: list[int], acks: dict, lock: threading.Lock):
        self.n, self.port, self.notes, self.acks, self.lock = n, port, notes, acks, lock
        self.rng = random.Random(n)
        self.headers = sign_in(port, f"lead{n}@example.org", "load test password")
        self.htmx = {**self.headers, "HX-Request": "true"}
        self.versions = card_versions(self._get("/", self.headers))
        self.statuses = {ref: "not_started" for ref in CARDS}
        self.waiting_reasons: list[int] = []
        self.serial = itertools.count()

    def _get(self, path, headers):
        return request(self.port, "GET", path, headers)[1]

    def _post(self, path, form, headers):
        code, body, response = request(self.port, "POST", path, headers, form)
        with self.lock:
            self.acks["codes"][code] += 1
        return code, body, response

    def _words(self, what: str) -> str:
        return f"{what} by lead {self.n}, #{next(self.serial)}"

    def move(self, htmx: bool) -> None:
        ref = self.rng.choice(CARDS)
        status = self.rng.choice([s for s in STATUSES if s != self.statuses[ref]])  # a real change of status
        form = {"status": status, "version": self.versions[ref], "area": ref.split(".")[0], "position": 0,
                "evidence": f"Lead {self.n}: {ref} done"}  # a move to Complete carries its evidence
        if not htmx:
            form["from_form"] = "1"
        code, body, response = self._post(f"/actions/{ref}/move", form, self.htmx if htmx else self.headers)
        if code in (200, 303):
            with self.lock:
                self.acks["moves"][ref] += 1
            self.statuses[ref] = status
            explained = EXPLAIN.search(body) if htmx else re.search(r"explain=(\d+)", response.getheader("Location"))
            self.waiting_reasons.append(int(explained.group(1)))
        if code != 200:  # the no-JavaScript answer and a refusal carry no lane: look again
            body = self._get(f"/areas/{ref.split('.')[0]}/lane", self.htmx)
        self.versions.update(card_versions(body))
        for card in Page(body).root.select("li.card[data-ref]"):
            if card["data-ref"] in self.statuses:
                self.statuses[card["data-ref"]] = next(c for c in card["class"].split() if c.startswith("status-"))[7:]

    def reason(self) -> None:
        if not self.waiting_reasons:
            return self.move(htmx=True)
        event_id = self.waiting_reasons.pop(0)
        words = self._words("Reason")
        code, _, _ = self._post(f"/moves/{event_id}/reason", {"reason": words},
                                self.htmx if self.rng.random() < 0.5 else self.headers)
        if code in (200, 303):
            with self.lock:
                self.acks["reasons"].append(words)

    def edit_note(self) -> None:
        note_id = self.rng.choice(self.notes)
        version = Page(self._get(f"/notes/{note_id}/edit", self.htmx)).field_value("version")
        words = self._words("Wording")
        code, _, _ = self._post(f"/notes/{note_id}/edit", {"text": words, "version": version},
                                self.htmx if self.rng.random() < 0.5 else self.headers)
        if code in (200, 303):
            with self.lock:
                self.acks["notes"][note_id].append(words)

    def change_due(self) -> None:
        ref = self.rng.choice(DUE_CARDS)
        seen = Page(self._get(f"/actions/{ref}", self.htmx)).field_value("current_due", within="#due")
        words = self._words("Due reason")
        new_due = self.rng.choice([due for due in DUES if due != seen])
        code, _, _ = self._post(f"/actions/{ref}/due", {"new_due": new_due, "reason": words, "current_due": seen},
                                self.htmx if self.rng.random() < 0.5 else self.headers)
        if code in (200, 303):
            with self.lock:
                self.acks["dues"][ref].append(words)

    def work(self, start: threading.Barrier) -> None:
        start.wait(HANG_S)
        for _ in range(OPERATIONS_PER_CLIENT):
            choice = self.rng.random()
            if choice < 0.2:
                self.move(htmx=True)
            elif choice < 0.4:
                self.move(htmx=False)
            elif choice < 0.55:
                self.reason()
            elif choice < 0.8:
                self.edit_note()
            else:
                self.change_due()


def _run(port, notes) -> dict:
    acks = {"codes": Counter(), "moves": Counter(), "reasons": [], "notes": defaultdict(list),
            "dues": defaultdict(list), "crashed": []}
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def run(n):
        try:
            Editor(n, port, notes, acks, lock).work(start)
        except Exception:
            start.abort()  # release the others from the start line rather than leave them waiting
            with lock:
                acks["crashed"].append(traceback.format_exc())
            raise

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_S)
    acks["hung"] = sum(thread.is_alive() for thread in threads)
    return acks


def test_every_acknowledged_write_is_in_the_history_once_and_nothing_else_is(server):
    app, port, notes = server
    acks = _run(port, notes)
    assert acks["hung"] == 0 and acks["crashed"] == [], acks["crashed"]
    assert set(acks["codes"]) <= {200, 303, 409, 422}, acks["codes"]  # 422: a reason for a move already explained
    assert acks["codes"][409] > 0, acks["codes"]  # writes really collided
    with app.app_context():
        db.session.remove()
        events = db.session.scalars(select(ActionEvent).order_by(ActionEvent.id)).all()
        refs = dict(db.session.execute(select(Action.id, Action.ref)).all())
        # Moves: one status change in the history for each acknowledged move, per card.
        stored_moves = Counter(refs[e.action_id] for e in events if e.kind is EventKind.STATUS)
        assert stored_moves == acks["moves"]
        # Reasons: each acknowledged reason stored once; no reason stored that was not acknowledged.
        stored_reasons = [e.reason for e in events if e.kind is EventKind.REASON]
        assert sorted(stored_reasons) == sorted(acks["reasons"])
        assert len({e.explains_event_id for e in events if e.kind is EventKind.REASON}) == len(stored_reasons)
        # Note edits: every acknowledged wording is the note's or one of its earlier wordings, once.
        for note_id in notes:
            note = db.session.get(EvidenceNote, note_id)
            wordings = [note.text] + [r.text for r in note.revisions]
            assert sorted(wordings) == sorted(acks["notes"][note_id] + [f"Note {notes.index(note_id)}: first wording"])
        # Due changes: one entry per acknowledged change, each starting where the previous one ended.
        for ref in DUE_CARDS:
            action = db.session.scalars(select(Action).where(Action.ref == ref)).one()
            changes = [e for e in events if e.action_id == action.id and e.kind is EventKind.DUE]
            assert sorted(e.reason for e in changes) == sorted(acks["dues"][ref])
            assert action.due_moves == len(changes)
            for before, after in itertools.pairwise(changes):
                assert after.from_value == before.to_value, ref
            assert not changes or changes[-1].to_value == action.due_text
