"""Operations: SQLite settings, health check, backup and restore, migrations on a populated database."""
import contextlib
import io
import sqlite3

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from app import create_app
from board.services.accounts import create_user
from board.services.evidence import add_note
from board.services.moves import move_action
from models import EvidenceNote, Role, SignInThrottle, db
from tests.conftest import action_by_ref, csrf_token, make_app, on_sqlite, user_for
from tests.pages import page_of
from tests.plans import seed_plan

TWO_MB = 2 * 1024 * 1024


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(seeded_app):
    if not on_sqlite(seeded_app):
        pytest.skip("SQLite settings; this run is on PostgreSQL")
    with seeded_app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == seeded_app.config["DATABASE_LOCK_TIMEOUT_MS"] == 15000


def test_healthz_checks_the_database(seeded_app, tmp_path):
    client = seeded_app.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    broken = create_app({"TESTING": True, "SECRET_KEY": "x",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


def _table_rows(app) -> dict[str, list]:
    with app.app_context():
        names = sorted(inspect(db.engine).get_table_names())
        return {name: sorted((tuple(row) for row in db.session.execute(text(f'SELECT * FROM "{name}"'))), key=repr)
                for name in names}


def test_backup_and_restore_round_trip_every_table(seeded_app, tmp_path):
    with seeded_app.app_context():
        move_action(action_by_ref("2.7"), "amber", 0, 1, user_for("editor"))
        add_note(action_by_ref("2.7"), "Evidence with ‘quotes’ and é", None, user_for("contributor"))
    runner = seeded_app.test_cli_runner()
    backup_file = tmp_path / "board-backup.sqlite3"
    made = runner.invoke(args=["backup", str(backup_file)])
    assert made.exit_code == 0, made.output
    if on_sqlite(seeded_app):
        assert "SQLite online backup" in made.output
        assert sqlite3.connect(backup_file).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    else:
        assert "pg_dump" in made.output and backup_file.read_bytes().startswith(b"PGDMP")
    assert runner.invoke(args=["backup", str(backup_file)]).exit_code == 1  # never overwrites

    fresh = make_app(tmp_path / "fresh")
    with fresh.app_context():
        db.engine.dispose()
        if not on_sqlite(fresh):
            db.drop_all()  # pg_restore brings the schema with the data
    restored = fresh.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert restored.exit_code == 0, restored.output
    assert _table_rows(fresh) == _table_rows(seeded_app)
    again = fresh.test_cli_runner().invoke(args=["restore", str(backup_file)])
    assert again.exit_code == 1 and "restore only into an empty database" in again.output


def _backup_of(app, path):
    made = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert made.exit_code == 0, made.output
    return path


def _refusal(result) -> str:
    """A command that refused: exit status 1 and one line, never a traceback."""
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ")
    return line


def _fill(kind: str) -> None:
    if kind == "a user":
        create_user("someone@example.org", "Someone", Role.VIEWER, "a long enough password")
    else:  # a table no plan or user points at
        db.session.add(SignInThrottle(key="addr:192.0.2.1", failures=1))
        db.session.commit()


@pytest.mark.parametrize("kind", ["a user", "a sign-in throttle row"])
def test_restore_refuses_a_database_that_holds_any_row(seeded_app, tmp_path, kind):
    backup_file = _backup_of(seeded_app, tmp_path / "board-backup")
    target = make_app(tmp_path / "target")
    with target.app_context():
        _fill(kind)
        before = _table_rows(target)
    line = _refusal(target.test_cli_runner().invoke(args=["restore", str(backup_file)]))
    assert "restore only into an empty database" in line
    assert _table_rows(target) == before  # nothing overwritten


def _not_a_backup(tmp_path, case: str, backup_file):
    """A file `restore` must refuse, and the words its one line must say."""
    path = tmp_path / case
    if case == "missing":
        return path, "does not exist"
    if case == "text":
        path.write_text("board,export\n1,2\n")
        return path, "not a "
    if case == "other kind":  # the other database's backup: a pg_dump archive on SQLite, and the reverse
        path.write_bytes(b"PGDMP\x01\x0e" if backup_file.read_bytes().startswith(b"SQLite") else b"SQLite format 3\x00")
        return path, "not a "
    if case == "another SQLite database":
        with contextlib.closing(sqlite3.connect(path)) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
            other.commit()
        return path, "not a "
    damaged = bytearray(backup_file.read_bytes())  # "damaged": the header intact, pages overwritten
    damaged[4096:12288] = b"\xff" * 8192
    path.write_bytes(damaged)
    return path, "integrity check"


@pytest.mark.parametrize("case", ["missing", "text", "other kind", "another SQLite database", "damaged"])
def test_restore_refuses_what_is_not_a_whole_backup_in_one_line(seeded_app, tmp_path, case):
    backup_file = _backup_of(seeded_app, tmp_path / "board-backup")
    sqlite_only = case in ("another SQLite database", "damaged")
    if sqlite_only and not on_sqlite(seeded_app):
        pytest.skip("SQLite files; a pg_dump archive is checked by its header")
    path, words = _not_a_backup(tmp_path, case, backup_file)
    target = make_app(tmp_path / "target")
    line = _refusal(target.test_cli_runner().invoke(args=["restore", str(path)]))
    assert words in line and str(path) in line
    assert all(rows == [] for rows in _table_rows(target).values())


@pytest.mark.parametrize("sent", ["a note of 2 MB", "a 2 MB file"])
def test_a_request_over_1_mb_gets_the_apps_413_page_and_changes_nothing(seeded_app, client_for, sent):
    contributor = client_for("contributor")
    form = {"csrf_token": csrf_token(contributor), "text": "x" * TWO_MB}
    if sent == "a note of 2 MB":
        response = contributor.post("/actions/2.7/notes", data=form)
    else:  # the form's own fields are small; only the whole request is too large
        form = {**form, "text": "Dip sample", "evidence": FileStorage(io.BytesIO(b"\0" * TWO_MB), "audit.pdf")}
        body, length, boundary = stream_encode_multipart(form, use_tempfile=False)  # no file left open
        response = contributor.post("/actions/2.7/notes", input_stream=body, content_length=length,
                                    content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "That was too large to send (the limit is 1 MB)" in page_of(response).text("main")
    with seeded_app.app_context():
        assert db.session.scalars(select(EvidenceNote)).all() == []


def test_every_migration_keeps_every_row(tmp_path):
    """Build the first schema, fill it, upgrade step by step to head: no row is lost."""
    app = make_app(tmp_path / "migrated")
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.session.close()
        upgrade(revision="e5eb68e808d1")  # the first migration: plan, areas, outcomes, actions
        plan_rows = _import_with_core(seed_plan())
        db.session.commit()
        upgrade()
        counts = {table: db.session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
                  for table in ("plan", "area", "outcome", "action", "action_owner", "owner_role")}
        assert counts == plan_rows
        assert db.session.execute(text("SELECT plan_due_text FROM action WHERE ref = '7.1'")).scalar() == "March 24"
        assert db.session.execute(text("SELECT COUNT(*) FROM kpi_measure")).scalar() == 0
        db.session.commit()  # migrations run on their own connection: hold no lock meanwhile
        downgrade(revision="e5eb68e808d1")
        assert db.session.execute(text("SELECT COUNT(*) FROM action")).scalar() == plan_rows["action"]
        db.session.commit()
        upgrade()


def _import_with_core(plan: dict) -> dict[str, int]:
    """Fill the first schema the way the first release's importer did (the models are newer)."""
    from board.services.due import parse_due

    conn = db.session.connection()
    conn.execute(text("INSERT INTO plan (id, title, organisation, period, objective, owner_name, owner_role, "
                      "header, change_counter, imported_at, updated_at) VALUES (1, :t, '', '', '', '', '', '{}', 0, "
                      "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"t": plan["title"]})
    roles: dict[str, int] = {}
    outcome_id = action_id = order = links = 0
    for area in plan["areas"]:
        conn.execute(text("INSERT INTO area (id, plan_id, number, title, overall_effectiveness) "
                          "VALUES (:n, 1, :n, :t, '')"), {"n": area["number"], "t": area["title"]})
        for position, outcome in enumerate(area["outcomes"]):
            outcome_id += 1
            conn.execute(text("INSERT INTO outcome (id, area_id, position, text) VALUES (:i, :a, :p, :t)"),
                         {"i": outcome_id, "a": area["number"], "p": position, "t": outcome["text"]})
            for action in outcome["actions"]:
                action_id += 1
                order += 1
                due = parse_due(action["due"])
                conn.execute(text(
                    "INSERT INTO action (id, plan_id, area_id, outcome_id, ref, plan_order, text, see_also, due_text,"
                    " due_date, cadence, status, position, version, created_at, updated_at) VALUES (:i, 1, :a, :o,"
                    " :r, :po, :t, '[]', :d, :dd, :c, 'not_started', 0, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                    {"i": action_id, "a": area["number"], "o": outcome_id, "r": action["ref"], "po": order,
                     "t": action["text"], "d": due.text, "dd": due.date, "c": due.cadence})
                for owner in action["owners"]:
                    if owner not in roles:
                        roles[owner] = len(roles) + 1
                        conn.execute(text("INSERT INTO owner_role (id, plan_id, name) VALUES (:i, 1, :n)"),
                                     {"i": roles[owner], "n": owner})
                    conn.execute(text("INSERT INTO action_owner (action_id, owner_role_id) VALUES (:a, :r)"),
                                 {"a": action_id, "r": roles[owner]})
                    links += 1
    db.session.commit()
    return {"plan": 1, "area": len(plan["areas"]), "outcome": outcome_id, "action": action_id,
            "action_owner": links, "owner_role": len(roles)}

