"""Many people moving cards at once against gunicorn with 4 workers: nothing is lost or made up.

Bounded runs (a few seconds); `bench/` runs the same for longer.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import threading
import time
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

CLIENTS = 8
STATUSES = ["not_started", "red", "amber", "green", "complete"]
POOL = [f"{area}.{n}" for area in (1, 4, 6, 8) for n in range(1, 4)]  # 12 cards: plenty of collisions


@pytest.fixture
def server(tmp_path):
    app = make_app(tmp_path)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        import_plan(seed_plan())
        for n in range(CLIENTS):
            create_user(f"editor{n}@example.org", f"Editor {n}", Role.EDITOR, "load test password")
        db.engine.dispose()
    port = free_port()
    log = tmp_path / "gunicorn.log"
    proc = start_gunicorn(url, port, log, workers=4)
    try:
        wait_until_ready(proc, port, log)
        yield app, port, proc
    finally:
        stop(proc)


def _client(port, n, stop_at, results, lock):
    rng = random.Random(n)
    headers = {**sign_in(port, f"editor{n}@example.org", "load test password"), "HX-Request": "true"}
    _, board, _ = request(port, "GET", "/", headers)
    seen = card_versions(board)
    while time.monotonic() < stop_at:
        ref = rng.choice(POOL)
        status = rng.choice(STATUSES)
        form = {"status": status, "position": rng.randint(0, 3), "version": seen[ref], "area": ref.split(".")[0]}
        try:
            code, html, _ = request(port, "POST", f"/actions/{ref}/move", headers, form)
        except OSError as problem:  # a worker killed mid-request: not acknowledged
            with lock:
                results["errors"].append(repr(problem))
            continue
        seen.update(card_versions(html))
        with lock:
            results["codes"][code] += 1
            if code == 200:  # the version the server says the card now has (a drop in place keeps it)
                results["acknowledged"].append((ref, seen[ref]))


def _run_load(port, seconds, during=None):
    results = {"codes": Counter(), "acknowledged": [], "errors": []}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, n, stop_at, results, lock)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    if during:
        during()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return results


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
    results = _run_load(port, seconds=4)
    codes = results["codes"]
    assert set(codes) <= {200, 409}, codes
    assert codes[200] > 20 and codes[409] > 0, codes  # both outcomes really happened
    assert results["errors"] == []
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


def test_a_worker_killed_mid_load_loses_no_acknowledged_move(server):
    app, port, proc = server

    def kill_a_worker():
        time.sleep(1.5)
        os.kill(_children(proc.pid)[0], signal.SIGKILL)

    results = _run_load(port, seconds=4, during=kill_a_worker)
    assert set(results["codes"]) <= {200, 409}, results["codes"]
    if on_sqlite(app):  # PostgreSQL checks its constraints on every write
        path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with app.app_context():
        db.session.remove()
        versions = dict(db.session.execute(select(Action.ref, Action.version)).all())
    for ref, version_after in results["acknowledged"]:
        assert versions[ref] >= version_after, f"acknowledged move on {ref} is missing"
    _assert_history_explains_the_board(app)
    assert request(port, "GET", "/healthz")[0] == 200  # gunicorn replaced the worker
