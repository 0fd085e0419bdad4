"""The lost-update check at length: 8 clients move shared cards for 20 s against 4 gunicorn workers.

Same checks as tests/load/test_concurrency.py (every answer 200 or 409, history replays to the board,
versions count every move, columns gapless), run longer and reported as counts.
Usage: `.venv/bin/python bench/lost_updates.py [--seconds 20] [--kill-a-worker]`; with TEST_DATABASE_URL
set (e.g. under scripts/with-postgres.sh) it runs on PostgreSQL.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from board.services.accounts import create_user
from board.services.plan_import import import_plan
from models import Role, db
from tests.conftest import make_app
from tests.http_client import free_port, start_gunicorn, stop, wait_until_ready
from tests.load.test_concurrency import CLIENTS, _assert_history_explains_the_board, _children, _run_load
from tests.plans import seed_plan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kill-a-worker", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lost-updates-") as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            import_plan(seed_plan())
            for n in range(CLIENTS):
                create_user(f"editor{n}@example.org", f"Editor {n}", Role.EDITOR, "load test password")
            db.session.remove()  # give its connection back before the pool goes
            db.engine.dispose()
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        port, log = free_port(), Path(tmp) / "gunicorn.log"
        proc = start_gunicorn(url, port, log, workers=4)
        try:
            wait_until_ready(proc, port, log)
            killer = None
            if args.kill_a_worker:
                def kill():
                    time.sleep(args.seconds / 2)
                    os.kill(_children(proc.pid)[0], signal.SIGKILL)
                killer = threading.Thread(target=kill)
                killer.start()
            started = time.monotonic()
            results = _run_load(port, args.seconds)
            elapsed = time.monotonic() - started
            if killer:
                killer.join()
        finally:
            stop(proc)
        codes = results["codes"]
        print(f"database: {url.split(':', 1)[0]}; {CLIENTS} clients, {elapsed:.0f} s, 4 workers"
              f"{', one worker killed half-way' if args.kill_a_worker else ''}")
        print(f"answers: {dict(sorted(codes.items()))}; connection errors: {len(results['errors'])}; "
              f"{sum(codes.values()) / elapsed:.0f} moves/s")
        unexpected = set(codes) - {200, 409}
        _assert_history_explains_the_board(app)
        print("history replays to the board: yes; versions count every move: yes; columns gapless: yes")
        print("answers other than 200/409: " + (", ".join(map(str, unexpected)) if unexpected else "none"))
        return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
