"""Error pages in the app's own layout (on a share link they carry no forms or tokens)."""
from __future__ import annotations

from flask import current_app, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import ServiceUnavailable

from board.api.errors import api_error, is_api_request
from board.database import is_busy
from models import db

BUSY_MESSAGE = ("The board was too busy to save that just now, so nothing was changed. "
                "Wait a moment and try again.")
RETRY_AFTER_SECONDS = 2


def init_app(app) -> None:
    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(410)
    def error_page(error):
        if is_api_request():  # a reporting tool reads JSON; a 405 keeps its Allow header
            allow = {k: v for k, v in error.get_headers() if k == "Allow"}
            return api_error(error.code, error.description, allow)
        return render_template("error.html", error=error), error.code

    @app.errorhandler(413)
    def too_large(error):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        size = f" (the limit is {limit / (1024 * 1024):g} MB)" if limit else ""
        error.description = (f"That was too large to send{size}, so nothing was changed. "
                             "Go back and send less: a shorter text, or a link to the document.")
        return render_template("error.html", error=error), 413

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """Many writes at once on a busy machine: say so (503, try again) rather than fail with a 500."""
        db.session.rollback()
        if not is_busy(error):
            raise error
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        if is_api_request():
            return api_error(503, BUSY_MESSAGE, headers)
        busy = ServiceUnavailable(BUSY_MESSAGE)
        return render_template("error.html", error=busy), 503, headers

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        error.description = ("This form had expired or did not come from this site, so nothing was "
                             "changed. Go back, reload the page and try again.")
        return render_template("error.html", error=error), 400
