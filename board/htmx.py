"""One place that decides between an htmx partial and a full page, and tells the page what happened."""
from __future__ import annotations

import json

from flask import make_response, render_template, request


def is_htmx_request() -> bool:
    """True for an htmx request that swaps a fragment (a history restore wants the whole page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render_page_or_partial(page: str, partial: str, status: int = 200, **context):
    """Render `partial` for htmx, else `page` (which includes the same partial)."""
    template = partial if is_htmx_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def announce(response, message: str, focus: str | None = None):
    """Say what happened in the page's live region, and which element to focus, once htmx settles."""
    detail = {"message": message, "target": "body"}
    if focus:
        detail["focus"] = focus
    response.headers["HX-Trigger-After-Settle"] = json.dumps({"board-announce": detail})
    return response
