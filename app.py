"""Application factory for the improvement plan board: `gunicorn "app:create_app()"`."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from board.config import Config, instance_folder, local_secret_key, running_a_command, sqlite_url
from board.database import configure_database
from board.security import refuse_weak_secret
from models import db

csrf = CSRFProtect()
migrate = Migrate()
ROOT = Path(__file__).resolve().parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints and CLI commands."""
    app = Flask(__name__, instance_path=instance_folder((config or {}).get("BOARD_INSTANCE_PATH")),
                instance_relative_config=True)
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    local_use = bool(app.config.get("TESTING") or app.config.get("BOARD_ENV") == "development")
    if not app.config.get("SECRET_KEY") and (local_use or running_a_command()):
        # Development makes the local secret; a command typed later in the same checkout reuses it.
        app.config["SECRET_KEY"] = local_secret_key(app.instance_path, create=local_use)
    refuse_weak_secret(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = sqlite_url(app.instance_path)
    app.config.setdefault("PLAN_SEED_PATH", None)
    app.config["PLAN_SEED_PATH"] = app.config["PLAN_SEED_PATH"] or str(ROOT / "seed_plan.json")

    db.init_app(app)
    with app.app_context():
        configure_database(db.engine, app.config["DATABASE_LOCK_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)

    from board import cli, errors, mailer, security, speed, templating
    from board.about.routes import about_bp
    from board.admin.routes import admin_bp
    from board.api.routes import api_bp
    from board.auth.routes import auth_bp
    from board.clinics.routes import clinics_bp
    from board.evidence.routes import evidence_bp
    from board.moves.routes import moves_bp
    from board.notifications.routes import notifications_bp, stop_digest
    from board.plan.routes import plan_bp
    from board.plan_files.routes import plan_files_bp
    from board.plan_urls import PlanPrefix
    from board.plans.routes import plans_bp
    from board.publications.routes import publications_bp
    from board.reports.routes import reports_bp
    from board.share.routes import share_bp
    from board.updates.routes import updates_bp
    from board.views import render_cache, viewer

    security.init_app(app)
    mailer.init_app(app)
    for blueprint in (plan_bp, moves_bp, evidence_bp, reports_bp, publications_bp, clinics_bp, auth_bp, admin_bp,
                      share_bp, about_bp, plans_bp, api_bp, plan_files_bp, updates_bp, notifications_bp):
        app.register_blueprint(blueprint)
    # The API only reads, and only with a bearer token (never a session cookie): no form to forge.
    csrf.exempt(api_bp)
    # A mail program's one-click "Unsubscribe" posts without a form: the signed link is the proof, and the
    # page's own buttons still carry a CSRF token, checked by their form.
    csrf.exempt(stop_digest)
    templating.init_app(app)
    viewer.init_app(app)
    render_cache.init_app(app)
    speed.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    # /plans/<slug>/... serves that plan through the same routes (see board/plan_urls.py).
    app.wsgi_app = PlanPrefix(app.wsgi_app)
    proxies = int(app.config.get("BOARD_TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind nginx: the client's address, scheme and host are those the trusted proxies pass on.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app
