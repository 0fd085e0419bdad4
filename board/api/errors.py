"""Errors of the API, as JSON (a reporting tool reads them; there is no page to show)."""
from __future__ import annotations

from flask import jsonify, make_response, request

PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def api_error(status: int, message: str, headers: dict | None = None):
    response = make_response(jsonify({"error": {"status": status, "message": message}}), status)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
