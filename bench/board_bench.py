"""Benchmark the board's page-serving speed at two plan sizes.

What it measures
----------------
For each plan size (the real 88-card seed, and a generated 880-card plan) it builds a fresh
SQLite database in a temporary directory, imports the plan, and serves the app with gunicorn
(2 sync workers, 127.0.0.1 only). After a warm-up it times, from this process:

* ``GET /`` (the whole board), one client sending requests one after another;
* ``GET /`` again, 8 client threads (each with its own connection) sharing the same total;
* ``GET /actions/2.7`` with ``HX-Request: true`` (the card-detail partial), one client.

Each request's latency is wall time (``time.perf_counter``) from sending it to reading the
whole body; gunicorn's sync workers close the connection after each response, so it includes
the TCP connect on loopback. req/s is requests divided by the wall time of the whole run.

How to read it
--------------
The numbers are medians of one run on a shared 2-core machine, with the client on the same
machine as the server. Compare sizes side by side in one run (how the board scales from 88 to
880 cards), not absolute numbers across machines or days. The load average printed at the
start says how busy the machine was.

Usage: ``.venv/bin/python bench/board_bench.py [--requests N] [--json PATH]``
"""
from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARMUP_REQUESTS = 20
CONCURRENT_CLIENTS = 8
MAX_REQUESTS = 2000
STARTUP_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 30
DETAIL_PATH = "/actions/2.7"
HTMX_HEADERS = {"HX-Request": "true"}
SECRET_KEY = "bench-only-secret-" + "0" * 32
BENCH_EMAIL = "bench@example.org"
BENCH_PASSWORD = "bench password 123"


@dataclass
class Result:
    cards: int
    endpoint: str
    clients: int
    requests: int
    median_ms: float
    p95_ms: float
    req_per_s: float
    response_bytes: int


# --- plans and database ---------------------------------------------------------------------

def seed_plan() -> dict:
    with open(ROOT / "seed_plan.json", encoding="utf-8") as f:
        return json.load(f)


def large_plan() -> dict:
    from tests.plans import generated_plan

    return generated_plan(areas=22, actions_per_area=40)


def count_cards(plan: dict) -> int:
    return sum(len(o["actions"]) for area in plan["areas"] for o in area["outcomes"])


def build_database(db_path: Path, plan: dict) -> str:
    """Create the schema in a new SQLite file and import `plan`; return the database URL."""
    from app import create_app
    from board.services.accounts import create_user
    from board.services.plan_import import import_plan
    from models import Role, db

    url = f"sqlite:///{db_path}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
    with app.app_context():
        db.create_all()
        import_plan(plan)
        # An editor sees the board with its move controls and may move cards.
        create_user(BENCH_EMAIL, "Bench Editor", Role.EDITOR, BENCH_PASSWORD)
        db.engine.dispose()
    return url


# --- the server -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_url: str, port: int, log_path: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=db_url, SECRET_KEY=SECRET_KEY)
    command = [str(ROOT / ".venv/bin/gunicorn"), "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "app:create_app()"]
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_ready(proc: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if get(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "/sign-in")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {STARTUP_TIMEOUT_S}s:\n{log_path.read_text()}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- the client -----------------------------------------------------------------------------

def sign_in(port: int) -> dict:
    """Sign in through the form as an editor; return the headers that carry the session."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    conn.request("GET", "/sign-in")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    conn.request("POST", "/sign-in", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 303:
        raise RuntimeError(f"sign-in answered {response.status}")
    session = next(c for c in response.msg.get_all("Set-Cookie") if c.startswith("session="))
    return {"Cookie": session.split(";", 1)[0]}


def get(conn: http.client.HTTPConnection, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def csrf_header(port: int, session: dict) -> dict:
    """The CSRF token the board page hands to htmx, as the header htmx sends."""
    _status, body = get(http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S), "/", session)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', body.decode()).group(1)
    return {"X-CSRFToken": token}


def plan_counter(port: int, headers: dict) -> int:
    _status, body = get(http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S), "/", headers)
    return int(re.search(r"since=(\d+)", body.decode()).group(1))


def timed_moves(port: int, ref: str, count: int, headers: dict) -> tuple[list, int]:
    """Move one card back and forth between Red and Amber, as a drop does (htmx POST)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    area = ref.split(".")[0]
    latencies, size = [], 0
    card_version = re.compile(rf'data-ref="{re.escape(ref)}" data-version="(\d+)"')
    _status, card = get(conn, f"/actions/{ref}/card", {**headers, **HTMX_HEADERS})
    version = int(card_version.search(card.decode()).group(1))  # where an earlier run left it
    try:
        for n in range(count):
            body = urllib.parse.urlencode({"status": "red" if n % 2 == 0 else "amber", "position": 0,
                                           "version": version, "area": area})
            start = time.perf_counter()
            conn.request("POST", f"/actions/{ref}/move", body=body, headers={
                **headers, **HTMX_HEADERS, "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            page = response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != 200:
                raise RuntimeError(f"move {ref} answered {response.status}")
            version, size = int(card_version.search(page.decode()).group(1)), len(page)
    finally:
        conn.close()
    return latencies, size


def measure_moves(cards: int, port: int, total: int, clients: int, headers: dict) -> Result:
    """Each client moves its own card (areas 1..clients), so moves never conflict with each other."""
    refs = [f"{area}.1" for area in range(1, clients + 1)]
    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = list(pool.map(lambda job: timed_moves(port, job[0], job[1], headers), zip(refs, shares)))
    wall = time.perf_counter() - start
    latencies = [latency for lats, _ in outcomes for latency in lats]
    return Result(cards=cards, endpoint="POST move (htmx)", clients=clients, requests=len(latencies),
                  median_ms=statistics.median(latencies) * 1000, p95_ms=p95(latencies) * 1000,
                  req_per_s=len(latencies) / wall, response_bytes=outcomes[0][1])


def timed_requests(port: int, path: str, count: int, headers: dict | None = None,
                   expect: int = 200) -> tuple[list, int]:
    """Send `count` requests on one connection; return latencies (s) and the response size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    latencies, size = [], 0
    try:
        for _ in range(count):
            start = time.perf_counter()
            status, body = get(conn, path, headers)
            latencies.append(time.perf_counter() - start)
            if status != expect:
                raise RuntimeError(f"GET {path} answered {status}")
            size = len(body)
    finally:
        conn.close()
    return latencies, size


def run(port: int, path: str, total: int, clients: int, headers: dict | None = None,
        expect: int = 200) -> tuple:
    """Send `total` requests split over `clients` threads; return latencies, wall time, size."""
    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        outcomes = list(pool.map(lambda n: timed_requests(port, path, n, headers, expect), shares))
    wall = time.perf_counter() - start
    latencies = [latency for lats, _ in outcomes for latency in lats]
    return latencies, wall, outcomes[0][1]


def p95(values: list) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(cards: int, port: int, path: str, total: int, clients: int,
            headers: dict | None = None, label: str | None = None, expect: int = 200) -> Result:
    latencies, wall, size = run(port, path, total, clients, headers, expect)
    return Result(cards=cards, endpoint=label or path, clients=clients, requests=len(latencies),
                  median_ms=statistics.median(latencies) * 1000, p95_ms=p95(latencies) * 1000,
                  req_per_s=len(latencies) / wall, response_bytes=size)


# --- one plan size --------------------------------------------------------------------------

def bench_plan(plan: dict, requests: int) -> list[Result]:
    cards = count_cards(plan)
    with tempfile.TemporaryDirectory(prefix="board-bench-") as tmp:
        tmp_path = Path(tmp)
        db_url = build_database(tmp_path / "board.sqlite3", plan)
        port = free_port()
        log_path = tmp_path / "gunicorn.log"
        proc = start_server(db_url, port, log_path)
        try:
            wait_until_ready(proc, port, log_path)
            session = sign_in(port)
            detail_headers = {**session, **HTMX_HEADERS}
            timed_requests(port, "/", WARMUP_REQUESTS, session)
            timed_requests(port, DETAIL_PATH, WARMUP_REQUESTS, detail_headers)
            results = [
                measure(cards, port, "/", requests, 1, session),
                measure(cards, port, "/", requests, CONCURRENT_CLIENTS, session),
                measure(cards, port, DETAIL_PATH, requests, 1, detail_headers, f"{DETAIL_PATH} (htmx)"),
            ]
            writer = {**session, **csrf_header(port, session)}
            results += [measure_moves(cards, port, requests, clients, writer)
                        for clients in (1, CONCURRENT_CLIENTS)]
            # Nothing moves now: every poll is the cheap "nothing changed" answer.
            poll = f"/board/changes?since={plan_counter(port, session)}"
            results += [measure(cards, port, poll, requests, clients, session, "poll (204)", expect=204)
                        for clients in (1, CONCURRENT_CLIENTS)]
            return results
        finally:
            stop_server(proc)


# --- output ---------------------------------------------------------------------------------

# (heading, Result field, format); the heading is padded to the formatted value's width.
COLUMNS = [
    ("cards", "cards", "{:>5}"),
    ("endpoint", "endpoint", "{:<20}"),
    ("clients", "clients", "{:>7}"),
    ("requests", "requests", "{:>8}"),
    ("median ms", "median_ms", "{:>9.1f}"),
    ("p95 ms", "p95_ms", "{:>8.1f}"),
    ("req/s", "req_per_s", "{:>8.1f}"),
    ("response bytes", "response_bytes", "{:>14}"),
]


def print_table(results: list[Result]) -> None:
    print("  ".join(fmt.replace(".1f", "").format(heading) for heading, _, fmt in COLUMNS))
    for result in results:
        row = asdict(result)
        print("  ".join(fmt.format(row[field]) for _, field, fmt in COLUMNS))


def machine_note() -> dict:
    load = os.getloadavg()
    note = {"cpu_count": os.cpu_count(), "loadavg": [round(x, 2) for x in load]}
    print(f"# {note['cpu_count']} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          "(1/5/15 min); medians of one run: compare sizes side by side, not absolute numbers")
    return note


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200,
                        help=f"requests per measurement (1-{MAX_REQUESTS}, default 200)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here as JSON")
    args = parser.parse_args(argv)
    if not 1 <= args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be between 1 and {MAX_REQUESTS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    note = machine_note()
    results = []
    for plan in (seed_plan(), large_plan()):
        results.extend(bench_plan(plan, args.requests))
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps({"machine": note, "results": [asdict(r) for r in results]},
                                        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
