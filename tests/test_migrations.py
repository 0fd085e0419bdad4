"""The Alembic migrations build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from models import db
from tests.databases import fresh_database_url


def test_migrations_from_empty_to_head_match_the_models(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": fresh_database_url(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_the_measures_migration_keeps_every_measure_and_value(tmp_path):
    """Measures and quarterly values from before issue 17 survive as measures with periods: a measure with a
    target becomes "higher is better", a value from the plan's import says so in its source note."""
    from sqlalchemy import text

    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": fresh_database_url(tmp_path)})
    with app.app_context():
        upgrade(revision="d19f197e8bce")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO plan (id, title, organisation, period, objective, owner_name, "
                                    "owner_role, header, change_counter, imported_at, updated_at) VALUES (1, 'Plan', "
                                    "'', '', '', '', '', '{}', 0, '2023-09-01', '2023-09-01')"))
            connection.execute(text("INSERT INTO \"user\" (id, email, name, password_hash, role, active, created_at, "
                                    "version) VALUES (1, 'a@example.org', 'Ann Admin', 'x', 'admin', true, "
                                    "'2023-09-01', 1)"))
            connection.execute(text("INSERT INTO kpi_measure (id, plan_id, name, unit, target, position) VALUES "
                                    "(1, 1, 'Children in need', 'count', NULL, 0), "
                                    "(2, 1, 'Compliance measures achieved', 'percent', 90, 1)"))
            connection.execute(text("INSERT INTO kpi_value (id, measure_id, quarter, value, recorded_at, "
                                    "recorded_by_id) VALUES (1, 1, '2023/24 Q1', 2031, '2023-09-01', NULL), "
                                    "(2, 1, '2023/24 Q2', 2100, '2023-10-01', 1), "
                                    "(3, 2, '2023/24 Q2', 84, '2023-10-01', 1)"))
        upgrade()
        with db.engine.connect() as connection:
            measures = connection.execute(text("SELECT id, name, polarity, target, frequency, version "
                                               "FROM kpi_measure ORDER BY id")).all()
            values = connection.execute(text("SELECT id, measure_id, period, value, source_note, corrects_id "
                                             "FROM kpi_value ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(m) for m in measures] == [(1, "Children in need", "context", None, "quarterly", 1),
                                            (2, "Compliance measures achieved", "higher", 90, "quarterly", 1)]
    assert [tuple(v) for v in values] == [(1, 1, "2023/24 Q1", 2031, "As printed in the plan", None),
                                          (2, 1, "2023/24 Q2", 2100, "", None), (3, 2, "2023/24 Q2", 84, "", None)]
