"""`/plans/<slug>/...`: every page of every plan, from one set of routes.

A request for `/plans/2023-24/actions/1.4` is served as `/actions/1.4` with the prefix moved into
SCRIPT_NAME (where a WSGI app mounted under a path keeps it) and the slug noted for
`plan_for_request()`. So the routes never change, and every URL a page builds with `url_for` keeps
its plan's prefix: links, forms, htmx requests and redirects stay inside the plan. `/` serves the live
plan. Paths that are not a slug (`/plans`, `/plans/template.xlsx`) pass through untouched.
"""
from __future__ import annotations

import re

from board.services.plans import SLUG_PATTERN
from board.views.viewer import PLAN_SLUG_KEY

_PLAN_PATH = re.compile(rf"^/plans/({SLUG_PATTERN})(/.*)?$")


class PlanPrefix:
    """WSGI middleware: move `/plans/<slug>` from the path into SCRIPT_NAME."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        match = _PLAN_PATH.match(environ.get("PATH_INFO", ""))
        if match:
            slug, rest = match.group(1), match.group(2) or "/"
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "").rstrip("/") + f"/plans/{slug}"
            environ["PATH_INFO"] = rest
            environ[PLAN_SLUG_KEY] = slug
        return self.app(environ, start_response)


def plan_prefix(slug: str) -> str:
    """The path that names a plan (what `PlanPrefix` moves into SCRIPT_NAME): links that must keep
    pointing at one plan, whichever is live later (emails), start with it."""
    return f"/plans/{slug}"
