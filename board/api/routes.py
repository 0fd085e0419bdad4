"""The read-only API for reporting tools (Power BI, Excel): `GET /api/v1/...` with `Authorization: Bearer TOKEN`.

Exempt from CSRF only because nothing here writes and nothing here reads a session cookie: every request
names its token, which admins create and revoke (`api-token` commands, Admin > API tokens). Every
collection belongs to one plan, named by its slug (`/api/v1/plans/2023-24/actions`): the token's own.
The API lives at /api/v1 only, never under a plan's address (`/plans/<slug>/...`). Each collection
answers JSON (paginated, with links) or, with `.csv`, the same rows as CSV for Excel and Power BI's
"From Web".
"""
from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, url_for
from sqlalchemy import select

from board.api.errors import api_error
from board.api.forms import ApiPageForm
from board.clock import now, today
from board.services import api_tokens
from board.services.api_data import DEFAULT_PER_PAGE, FIELDS, PLAN_COLLECTIONS, csv_cell, fetch, iso
from board.services.exports import csv_text
from board.views.viewer import PLAN_SLUG_KEY
from models import Plan, db

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")
COLLECTION = "<any({}):resource>".format(", ".join(f'"{name}"' for name in PLAN_COLLECTIONS))
NO_TOKEN = "Send an API token: Authorization: Bearer TOKEN (an admin creates one under Admin > API tokens)."


@api_bp.before_request
def _token_required():
    """Every answer needs an active token in the Authorization header; a session cookie counts for nothing."""
    if request.environ.get(PLAN_SLUG_KEY):
        return api_error(404, "The API is at /api/v1/plans/<slug>/..., not under a plan's pages.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = api_tokens.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        message = NO_TOKEN if not token else "That API token is not valid: it is unknown, revoked or expired."
        return api_error(401, message, {"WWW-Authenticate": 'Bearer realm="api"'})
    g.api_token = found
    return None


@api_bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _plan(slug: str) -> Plan | None:
    """The plan named `slug`, if the token may read it (a token reads its own plan only)."""
    return db.session.scalars(select(Plan).where(Plan.slug == slug, Plan.id == g.api_token.plan_id)).first()


def _answer(name: str, plan: Plan, as_csv: bool):
    query = ApiPageForm.from_query()
    if query.errors:
        return api_error(400, " ".join(query.problems()))
    page = query.cleaned("page") or 1
    per_page = query.cleaned("per_page") or (None if as_csv and query.cleaned("page") is None else DEFAULT_PER_PAGE)
    found = fetch(name, plan, today(), page, per_page)
    links = _links(found, as_csv)
    if as_csv:
        rows = ([csv_cell(row[field]) for field in FIELDS[name]] for row in found.rows)
        response = Response(csv_text(list(FIELDS[name]), rows), mimetype="text/csv")
        response.headers["X-Total-Count"] = str(found.total)
    else:
        response = jsonify({"data": found.rows, "links": links, "meta": {
            "resource": name, "plan_id": plan.id, "plan_slug": plan.slug, "page": found.page, "per_page": found.per_page,
            "pages": found.pages, "total": found.total, "generated_at": iso(now())}})
    link = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items()
                     if url and rel in ("next", "prev", "first", "last"))
    if link:
        response.headers["Link"] = link
    return response


def _links(found, as_csv: bool) -> dict:
    """URLs of this page and its neighbours, in the same format."""
    def to(page: int | None) -> str | None:
        if page is None:
            return None
        values = dict(request.view_args or {})
        if found.per_page:
            values.update(page=page, per_page=found.per_page)
        return url_for(request.endpoint, _external=True, **values)

    paged = found.per_page is not None
    return {"self": to(found.page), "first": to(1) if paged else None, "last": to(found.pages) if paged else None,
            "prev": to(found.page - 1) if paged and found.page > 1 else None,
            "next": to(found.page + 1) if paged and found.page < found.pages else None}


@api_bp.get("/plans")
def plans():
    """The plans this token reads (its own)."""
    return _answer("plans", db.session.get(Plan, g.api_token.plan_id), as_csv=False)


@api_bp.get("/plans.csv")
def plans_csv():
    return _answer("plans", db.session.get(Plan, g.api_token.plan_id), as_csv=True)


@api_bp.get(f"/plans/<plan_slug>/{COLLECTION}")
def collection(plan_slug: str, resource: str):
    """One plan's rows of a collection, as JSON."""
    plan = _plan(plan_slug)
    return _answer(resource, plan, as_csv=False) if plan else api_error(404, "There is no such plan for this token.")


@api_bp.get(f"/plans/<plan_slug>/{COLLECTION}.csv")
def collection_csv(plan_slug: str, resource: str):
    """The same rows as CSV (UTF-8 with a byte-order mark, for Excel and Power BI)."""
    plan = _plan(plan_slug)
    return _answer(resource, plan, as_csv=True) if plan else api_error(404, "There is no such plan for this token.")
