"""Many people moving cards at once against gunicorn with 4 workers: nothing is lost or made up.

Each client makes a fixed number of moves, so a slow machine takes longer but checks the same thing; time
only caps a hang. `bench/` runs the same load for a time instead.
"""
from __future__ import annotations

import http.client
import os
import random
import signal
import sqlite3
import threading
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Action, ActionEvent, Role, db
from tests.conftest import make_app, on_sqlite
from tests.http_client import (
    card_versions,
    free_port,
    request,
    sign_in,
    start_gunicorn,
    stop,
    wait_until_ready,
)
from tests.plans import seed_plan

pytestmark = pytest.mark.server  # gunicorn with several workers, as production runs it

CLIENTS = 8
MOVES_PER_CLIENT = 24
HANG_S = 120  # only a hang takes this long; no threshold on speed anywhere
STATUSES = ["not_started", "red", "amber", "green", "complete"]
POOL = [f"{area}.{n}" for area in (1, 4, 6, 8) for n in range(1, 4)]  # 12 cards: plenty of collisions
# Every client's first move takes the same card out of Not started with the version all of them read before
# anyone moved: exactly one can win, so both a 200 and a 409 are certain however the threads are scheduled.
OPENING_REF = POOL[0]
OPENING_STATUSES = ["red", "amber", "green", "complete"]
KILL_AFTER = 60  # answers before a worker is killed: well inside the first half of the moves (8 x 12)


@pytest.fixture
def server(tmp_path):
    app = make_app(tmp_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        import_plan(seed_plan())
        for n in range(CLIENTS):
            create_user(f"editor{n}@example.org", f"Editor {n}", Role.EDITOR, "load test password")
        db.session.remove()  # give its connection back before the pool goes
        db.engine.dispose()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    proc = start_gunicorn(url, port, log, workers=4)
    try:
        wait_until_ready(proc, port, log)
        yield app, port, proc
    finally:
        stop(proc)


def _next_move(n: int, made: int, rng: random.Random) -> tuple[str, str, int]:
    """Client n's next (ref, status, position): the opening race first, then random moves in the pool."""
    if made == 0:
        return OPENING_REF, OPENING_STATUSES[n % len(OPENING_STATUSES)], 0
    return rng.choice(POOL), rng.choice(STATUSES), rng.randint(0, 3)


def _client(port, n, results, lock, start, keep_going, halfway=None, on_answer=None):
    """One editor: read the board, wait until every client has, then move cards while `keep_going(made)`.

    With `halfway`, waits for that event after half its moves; `on_answer(total answers)` runs under the lock.
    """
    rng = random.Random(n)
    headers = {**sign_in(port, f"editor{n}@example.org", "load test password"), "HX-Request": "true"}
    _, board, _ = request(port, "GET", "/", headers)
    seen = card_versions(board)  # clients keep acting on what they last saw: stale versions collide
    start.wait(HANG_S)
    made = 0
    while keep_going(made):
        if halfway is not None and made == MOVES_PER_CLIENT // 2:
            halfway.wait(HANG_S)
        ref, status, position = _next_move(n, made, rng)
        made += 1
        # A move to Complete carries its evidence (ignored by any other move).
        form = {"status": status, "position": position, "version": seen[ref], "area": ref.split(".")[0],
                "evidence": f"Load test: {ref} done"}
        try:
            code, html, response = request(port, "POST", f"/actions/{ref}/move", headers, form)
        except (OSError, http.client.HTTPException) as problem:  # a worker killed mid-request: not acknowledged
            with lock:
                results["errors"].append(repr(problem))
            continue
        seen.update(card_versions(html))
        with lock:
            results["codes"][code] += 1
            if made == 1:
                results["opening"][code] += 1
            if halfway is not None and made > MOVES_PER_CLIENT // 2:
                results["answers_after_halfway"] += 1
            if code == 200:  # the version the server says the card now has (a drop in place keeps it)
                results["acknowledged"].append((ref, seen[ref]))
                if "stayed where it was" not in (response.getheader("HX-Trigger-After-Settle") or ""):
                    results["changes"][ref] += 1  # the server says it moved: history must hold it
            if on_answer:
                on_answer(sum(results["codes"].values()))


def _run_load(port, seconds=None, *, halfway=None, on_answer=None) -> dict:
    """CLIENTS editors at once, each making MOVES_PER_CLIENT moves; `seconds` (bench/ only) runs for a time.

    Threads are joined within HANG_S (plus `seconds`): `hung` counts those still running after that.
    """
    results = {"codes": Counter(), "opening": Counter(), "acknowledged": [], "changes": Counter(), "errors": [],
               "crashed": [],
               "answers_after_halfway": 0}
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)
    if seconds is None:
        def keep_going(made):
            return made < MOVES_PER_CLIENT
    else:  # benchmarks may be bounded by time; tests never are
        stop_at = time.monotonic() + seconds

        def keep_going(made):
            return time.monotonic() < stop_at

    def run(n):
        try:
            _client(port, n, results, lock, start, keep_going, halfway, on_answer)
        except Exception:
            start.abort()  # release the others from the start line rather than leave them waiting
            with lock:
                results["crashed"].append(traceback.format_exc())
            raise

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + HANG_S + (seconds or 0)
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    results["hung"] = sum(thread.is_alive() for thread in threads)
    return results


def _moves_in_history(app) -> Counter:
    with app.app_context():
        db.session.remove()
        return Counter(db.session.scalars(select(Action.ref).join(ActionEvent, ActionEvent.action_id == Action.id)
                                          .where(ActionEvent.kind.in_(["status", "reorder"]))))


def _assert_history_explains_the_board(app):
    """Replaying every status change gives each card's status; versions count every move;
    positions in each column are 0..n-1."""
    with app.app_context():
        db.session.remove()
        events = defaultdict(list)
        for event in db.session.scalars(select(ActionEvent).where(ActionEvent.kind.in_(["status", "reorder"]))
                                        .order_by(ActionEvent.id)):
            events[event.action_id].append(event)
        columns = defaultdict(list)
        for action in db.session.scalars(select(Action)):
            replayed = "not_started"
            for event in events[action.id]:
                if event.kind == "status":
                    assert event.from_value == replayed, f"{action.ref}: a move started from a state it was not in"
                    replayed = event.to_value
            assert replayed == action.status, action.ref
            assert action.version == 1 + len(events[action.id]), action.ref
            columns[(action.area_id, action.status)].append(action.position)
        for key, positions in columns.items():
            assert sorted(positions) == list(range(len(positions))), key


def test_concurrent_moves_end_applied_or_409_and_history_replays_to_the_board(server):
    app, port, _ = server
    results = _run_load(port)
    assert results["hung"] == 0 and results["crashed"] == [], results["crashed"]
    codes = results["codes"]
    assert set(codes) <= {200, 409}, codes
    assert sum(codes.values()) == CLIENTS * MOVES_PER_CLIENT, codes  # every move was answered
    assert results["errors"] == []
    # The same card, the same version: one winner. Both outcomes really happened, whatever the scheduling.
    assert results["opening"] == {200: 1, 409: CLIENTS - 1}
    # One for one: each move the server said it made is in the history, and nothing else is.
    assert _moves_in_history(app) == results["changes"]
    _assert_history_explains_the_board(app)


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (gunicorn's workers), read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _dead(pid: int) -> bool:
    """True once `pid` has exited (gone, or a zombie its parent has not reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def test_a_worker_killed_mid_load_loses_no_acknowledged_move(server):
    app, port, proc = server
    enough_answers, killed = threading.Event(), threading.Event()
    victims: list[int] = []

    def kill_a_worker():
        try:
            if enough_answers.wait(HANG_S):
                victims.append(_children(proc.pid)[0])
                os.kill(victims[0], signal.SIGKILL)
        finally:
            killed.set()  # the clients' second halves run after the kill

    watcher = threading.Thread(target=kill_a_worker, daemon=True)
    watcher.start()
    results = _run_load(port, halfway=killed,
                        on_answer=lambda answers: answers >= KILL_AFTER and enough_answers.set())
    watcher.join(timeout=HANG_S)
    assert results["hung"] == 0 and results["crashed"] == [], results["crashed"]
    assert victims and _dead(victims[0]), "no worker was killed"
    assert set(results["codes"]) <= {200, 409}, results["codes"]
    # Every move was answered or failed with the killed worker; moves went on being answered after it.
    assert sum(results["codes"].values()) + len(results["errors"]) == CLIENTS * MOVES_PER_CLIENT
    assert results["answers_after_halfway"] > 0
    if on_sqlite(app):  # PostgreSQL checks its constraints on every write
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with app.app_context():
        db.session.remove()
        versions = dict(db.session.execute(select(Action.ref, Action.version)).all())
    for ref, version_after in results["acknowledged"]:
        assert versions[ref] >= version_after, f"acknowledged move on {ref} is missing"
    stored = _moves_in_history(app)  # a move whose answer the kill lost may be stored, unacknowledged
    assert all(stored[ref] >= made for ref, made in results["changes"].items()), (stored, results["changes"])
    _assert_history_explains_the_board(app)
    assert request(port, "GET", "/healthz")[0] == 200  # gunicorn replaced the worker
