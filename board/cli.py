"""Command-line tools for operators: `flask --app app COMMAND`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from board.services.board_view import current_plan
from board.services.plan_file import PlanFileInvalid, load_plan_file
from board.services.plan_import import import_plan


@click.command("import-plan")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def import_plan_command(path: str) -> None:
    """Check a plan file and import it in one transaction (nothing is written if it is refused)."""
    try:
        summary = import_plan(load_plan_file(path))
    except PlanFileInvalid as refused:
        click.echo(f"Refused {path}: {len(refused.problems)} problem(s), nothing imported.", err=True)
        for problem in refused.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    for line in summary.lines():
        click.echo(line)


@click.command("setup-db")
@with_appcontext
def setup_db_command() -> None:
    """Create or upgrade the schema, then import the seed plan if the database has no plan."""
    upgrade()
    if current_plan() is None:
        seed = current_app.config["PLAN_SEED_PATH"]
        summary = import_plan(load_plan_file(seed))
        click.echo(f"Imported the seed plan ({summary.actions_added} actions) from {seed}.")
    else:
        click.echo("Database is up to date; it already holds a plan, so the seed was not imported.")


def init_app(app) -> None:
    app.cli.add_command(import_plan_command)
    app.cli.add_command(setup_db_command)
