"""Benchmark the board on SQLite and PostgreSQL, for the 88-card seed and a 1,000-card plan.

For each database and size it builds a fresh database, imports the plan, counts the SQL queries
each request makes (in process, Flask test client), then serves the app with gunicorn (2 workers as
gunicorn.conf.py makes them, 127.0.0.1 only), signs in as an editor and times, at 1 and at 8
concurrent clients:

* GET /                     the whole board
* GET /actions/2.7 (htmx)   a card's detail partial
* GET /board/changes        the live-refresh poll when nothing changed (204)
* POST /actions/<ref>/move  a drop, each client moving its own card between Red and Amber
* the floors, in the same run on the same gunicorn: a small static file through Flask
  (`/static/favicon.svg`) and a hello-world route (`/bench/hello`, added by bench/floor_app.py)

and in process (Flask test client, one worker's own cost): the board cached (asked as this script asks,
without compression, and as a browser asks, offering gzip and brotli) and uncached (the render cache
emptied first: a worker's first board), a move, and the board after a move (the page kept before the
move is no longer valid: the moved card's lane and the page around the kept lanes are drawn again).
It prints medians and the ratios the production issue (13) sets as targets.

The in-process app is set up for garbage collection as a production worker is: gunicorn.conf.py's
`post_worker_init` runs `gc.collect(); gc.freeze()` once the app is loaded, before the first request,
so full collections never walk the app's modules, mappers and templates. `build` does the same at the
same point (the app made and its database filled, no request served yet) and unfreezes when done; it
changes nothing else (thresholds and every later collection are Python's defaults, as in the worker).

Every GET through gunicorn (the floors too) offers gzip and brotli, as a browser does; the bytes column
is the body as sent. (Before the eighth pass it asked for no compression: the board's rows then moved a
144 KB page where a browser gets 15-17 KB.) Latency is wall time per request from this process, each
request on a connection of its own (so it includes the loopback connect). The client shares the
machine's 2 cores with the server: compare databases, sizes and endpoints side by side within one run,
as p50/p99 and ratios, not absolute numbers across machines or days.

Usage: `make bench` (both databases; PostgreSQL via scripts/with-postgres.sh), or
`.venv/bin/python bench/board_bench.py --databases sqlite [--requests N] [--json PATH]`
(PostgreSQL needs TEST_DATABASE_URL pointing at a server it may create databases on).
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.http_client import (
    AS_A_BROWSER,
    card_versions,
    free_port,
    get_sent,
    request,
    sign_in,
    start_gunicorn,
    stop,
    wait_until_ready,
)

CLIENTS = (1, 8)
EMAIL, PASSWORD = "bench@example.org", "bench password 123"
SECRET = "bench-only-secret-" + "0" * 32
FLOOR_STATIC, FLOOR_HELLO = "floor: static file", "floor: hello route"


@dataclass
class Result:
    database: str
    cards: int
    endpoint: str
    clients: int
    requests: int
    p50_ms: float
    p99_ms: float
    req_per_s: float
    bytes: int
    queries: int


def plan_of(size: int) -> dict:
    from tests.plans import generated_plan, seed_plan

    return seed_plan() if size == 88 else generated_plan(areas=20, actions_per_area=size // 20)


def database_url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    if not os.environ.get("TEST_DATABASE_URL"):
        raise SystemExit("PostgreSQL needs TEST_DATABASE_URL: run `make bench`, which starts a throwaway cluster.")
    from tests.databases import fresh_database_url

    return fresh_database_url(tmp)


def _median_ms(send, times: int, before=None) -> float:
    samples = []
    for _ in range(times):
        if before:
            before()
        start = time.perf_counter()
        send()
        samples.append(time.perf_counter() - start)
    return percentile(samples, 0.5) * 1000


def build(url: str, size: int) -> tuple[dict[str, int], dict[str, float]]:
    """Create the schema, import the plan, add the editor; return SQL queries per request, and the
    in-process medians (ms) of the board cached and uncached and of a move."""
    from app import create_app
    from board.services.accounts import create_user
    from board.services.plan_import import import_plan
    from models import Plan, Role, db
    from tests.conftest import count_queries

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "BOARD_ENV": "development"})
    with app.app_context():
        db.create_all()
        import_plan(plan_of(size))
        create_user(EMAIL, "Bench Editor", Role.EDITOR, PASSWORD)
        counter = db.session.scalar(db.select(Plan.change_counter))
        engine = db.engine
    # As a production worker's post_worker_init (gunicorn.conf.py) does once the app is loaded, before
    # its first request: see the module's docstring.
    gc.collect()
    gc.freeze()
    try:
        return _measure(app, engine, counter, count_queries)
    finally:
        gc.unfreeze()


def _measure(app, engine, counter: int, count_queries) -> tuple[dict[str, int], dict[str, float]]:
    """`build`'s counted and timed requests, on the app it made."""
    # Requests run outside any held app context, so each one starts with an empty session, as in gunicorn.
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/sign-in", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    # Signing in starts a new session: its pages carry a new CSRF token.
    token = client.get("/").get_data(as_text=True).split('"X-CSRFToken": "')[1].split('"')[0]
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    requests = {
        "GET /": lambda: client.get("/"),
        "GET /actions/2.7 (htmx)": lambda: client.get("/actions/2.7", headers=htmx),
        "poll, nothing changed": lambda: client.get(f"/board/changes?since={counter}"),
        "POST move (htmx)": lambda: client.post("/actions/3.1/move", headers=htmx,
                                                data={"status": "red", "position": 0, "version": 1, "area": 3}),
    }
    queries = {}
    for name, send in requests.items():
        if name != "POST move (htmx)":  # warm up (a move can be sent once only)
            send()
        with count_queries(engine) as statements:
            assert send().status_code in (200, 204), name
        queries[name] = len(statements)
    from board.views.render_cache import RenderCache

    def forget():
        app.extensions["board_render_cache"] = RenderCache(32_000_000)

    versions = {"n": 1}

    def one_move():
        versions["n"] += 1
        status = "red" if versions["n"] % 2 else "amber"  # 3.1 is Red after the counted move
        answer = client.post("/actions/3.1/move", headers=htmx,
                             data={"status": status, "position": 0, "version": versions["n"], "area": 3})
        assert answer.status_code == 200, answer.status_code

    client.get("/")
    in_process = {"board cached": _median_ms(lambda: client.get("/"), 50),
                  "board cached, compressed": _median_ms(lambda: client.get("/", headers=AS_A_BROWSER), 50),
                  "board uncached": _median_ms(lambda: client.get("/"), 20, before=forget),
                  "move": _median_ms(one_move, 30),
                  # What a person reloading the board meets most: one card moved since the page was kept.
                  "board after a move": _median_ms(lambda: client.get("/"), 20, before=one_move)}
    engine.dispose()
    return queries, in_process


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(port: int, send, total: int, clients: int) -> tuple[list[float], float, int]:
    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

    def one_client(job):
        index, count = job
        latencies, size = [], 0
        state = {}
        for _ in range(count):
            start = time.perf_counter()
            size = send(index, state)
            latencies.append(time.perf_counter() - start)
        return latencies, size

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = list(pool.map(one_client, enumerate(shares)))
    wall = time.perf_counter() - start
    return [lat for lats, _ in outcomes for lat in lats], wall, outcomes[0][1]


def bench(kind: str, size: int, total: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        url = database_url(kind, Path(tmp))
        queries, in_process = build(url, size)
        port, log = free_port(), Path(tmp) / "gunicorn.log"
        proc = start_gunicorn(url, port, log, workers=2, secret=SECRET, app_spec="bench.floor_app:create()",
                              BOARD_ENV="development")
        try:
            wait_until_ready(proc, port, log)
            headers = sign_in(port, EMAIL, PASSWORD)
            htmx = {**headers, "HX-Request": "true"}
            _, board, _ = request(port, "GET", "/", headers)
            counter = int(board.split("since=")[1].split('"')[0])
            versions = card_versions(board)

            def get(path, expect, extra=htmx):
                def send(index, state):
                    code, body, _ = get_sent(port, path, extra)
                    assert code == expect, (path, code)
                    return len(body)
                return send

            def move(index, state):
                ref = f"{index + 1}.2"  # each client its own card, so moves never conflict
                state.setdefault("version", versions[ref])
                state["n"] = state.get("n", 0) + 1
                form = {"status": "red" if state["n"] % 2 else "amber", "position": 0,
                        "version": state["version"], "area": index + 1}
                code, body, _ = request(port, "POST", f"/actions/{ref}/move", htmx, form)
                assert code == 200, (ref, code)
                state["version"] = card_versions(body)[ref]
                return len(body.encode())

            static = re.search(r'href="(/static/favicon.svg[^"]*)"', board).group(1)
            endpoints = [(FLOOR_STATIC, get(static, 200, {})), (FLOOR_HELLO, get("/bench/hello", 200, {})),
                         ("GET /", get("/", 200, headers)), ("GET /actions/2.7 (htmx)", get("/actions/2.7", 200)),
                         ("POST move (htmx)", move)]
            results = []
            for name, send in endpoints:
                for clients in CLIENTS:
                    versions.update(card_versions(request(port, "GET", "/", headers)[1]))
                    timed(port, send, 10, clients)  # warm up
                    versions.update(card_versions(request(port, "GET", "/", headers)[1]))
                    latencies, wall, body_bytes = timed(port, send, total, clients)
                    results.append(_result(kind, body_bytes, name, clients, latencies, wall, queries.get(name, 0)))
            counter = int(request(port, "GET", "/", headers)[1].split("since=")[1].split('"')[0])
            poll = get(f"/board/changes?since={counter}", 204, headers)
            for clients in CLIENTS:
                latencies, wall, _ = timed(port, poll, total, clients)
                results.append(_result(kind, 0, "poll, nothing changed", clients, latencies, wall,
                                       queries["poll, nothing changed"]))
            for result in results:
                result.cards = size
            results += [Result(kind, size, f"in process: {name}", 1, 0, ms, ms, 0, 0, 0)
                        for name, ms in in_process.items()]
            return results
        except Exception:
            stop(proc)  # a request failed: what the server said is the clue, and goes with the folder
            print(f"--- the end of gunicorn's log ({kind}, {size} cards) ---\n" + log.read_text()[-6000:], file=sys.stderr)
            raise
        finally:
            stop(proc)


def _result(kind, body_bytes, name, clients, latencies, wall, queries) -> Result:
    return Result(kind, 0, name, clients, len(latencies), percentile(latencies, 0.5) * 1000,
                  percentile(latencies, 0.99) * 1000, len(latencies) / wall, body_bytes, queries)


def print_table(results: list[Result]) -> None:
    print(f"{'database':<10} {'cards':>5}  {'endpoint':<38} {'clients':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'req/s':>7} {'bytes':>8} {'queries':>7}")
    for r in results:
        print(f"{r.database:<10} {r.cards:>5}  {r.endpoint:<38} {r.clients:>7} {r.p50_ms:>7.1f} {r.p99_ms:>7.1f} "
              f"{r.req_per_s:>7.0f} {r.bytes:>8} {r.queries:>7}")


def check_targets(results: list[Result]) -> list[str]:
    """Issue 13's targets, each as a ratio to a floor measured in the same run (or an in-process p50)."""
    lines = []
    for database in sorted({r.database for r in results}):
        def row(endpoint, cards, clients=1, database=database):
            return next((r for r in results if (r.database, r.endpoint, r.cards, r.clients)
                         == (database, endpoint, cards, clients)), None)

        def say(text, value, limit, better_high=False, database=database):
            met = value >= limit if better_high else value <= limit
            lines.append(f"{database}: {text}: {value:.2f} (target {'>=' if better_high else '<='} {limit:g}): "
                         f"{'met' if met else 'MISSED'}")

        board, static = row("GET /", 88, 8), row(FLOOR_STATIC, 88, 8)
        if board and static:
            say("board req/s at 8 clients / static file req/s", board.req_per_s / static.req_per_s, 0.5, True)
        poll, hello = row("poll, nothing changed", 88), row(FLOOR_HELLO, 88)
        if poll and hello:
            say("poll p50 / hello-world p50 (1 client)", poll.p50_ms / hello.p50_ms, 1.5)
        for cards, name, limit in ((88, "board cached", 2), (1000, "board uncached", 15),
                                   (1000, "board cached", 3), (88, "move", 5), (1000, "move", 5)):
            found = row(f"in process: {name}", cards)
            if found:
                say(f"{name} p50 in process, {cards} cards (ms)", found.p50_ms, limit)
        counts = {(r.endpoint, r.cards): r.queries for r in results if r.database == database and r.queries}
        same = all(counts[(e, 88)] == counts[(e, c)] for e, c in counts if (e, 88) in counts)
        lines.append(f"{database}: queries per request the same for every plan size: {'yes' if same else 'NO'}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per measurement (10-2000)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="88,1000")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    total = max(10, min(2000, args.requests))
    print(f"# {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{total} requests a row; p50/p99 of one run")
    results = []
    for kind in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            results += bench(kind.strip(), size, total)
    print_table(results)
    for line in check_targets(results):
        print(line)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
