"""Pages about the service itself, open to everyone (signed in, on a share link, or neither)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from board.clock import today

about_bp = Blueprint("about", __name__)


@about_bp.get("/accessibility")
def accessibility():
    """The accessibility statement (UK public sector bodies must publish one)."""
    return render_template("about/accessibility.html", contact=current_app.config["BOARD_ACCESSIBILITY_CONTACT"],
                           today=today())
