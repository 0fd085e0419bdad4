"""Property-based fuzzing (Hypothesis) of every POST form, every GET parameter and every URL value.

One field at a time is made bad while the others stay valid, so the check under test is the one the
request reaches (fuzzing every field at once mostly tests the first guard). Whatever the value: never
a 500, and a refused request (4xx) writes nothing.
"""
from __future__ import annotations

import io
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from board.services import (
    account_links,
    api_tokens,
    clinic_minutes,
    digests,
    evidence,
    share_links,
    update_requests,
)
from board.services.board_view import current_plan
from board.services.clinics import start_clinic
from board.services.moves import move_action
from board.services.outbox import Email
from board.services.plan_data import plan_as_data
from board.services.plan_sheet import plan_workbook
from board.services.plan_upload import read_upload
from board.views.plan_import import sign_upload
from models import Action, KpiMeasure, OwnerRole, User, db
from tests.conftest import (
    FUZZ_EXAMPLES,
    PASSWORD,
    _seed,
    built_once,
    csrf_token,
    email_for,
    make_app,
    papers,
    template_for,
)
from tests.databases import copy_database

# Values that have broken web apps: too big for the database, not numbers, control characters (a NUL,
# a CR/LF), very long or odd Unicode, dates that are not dates.
BAD_VALUES = st.one_of(
    st.integers(min_value=2**63, max_value=2**80).map(str),
    st.integers(min_value=-(2**70), max_value=-1).map(str),
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "1e309", "0x10", "9" * 40, "2023-02-30",
                     "9999-12-31", "0001-01-01", "31/12/2023", "\r\nSet-Cookie: x=1", "//evil.example/",
                     "javascript:alert(1)", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\u202e"]),
    st.text(alphabet=st.characters(max_codepoint=31), min_size=1, max_size=5),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=300, max_size=6000),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40),
)
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Tables a refused request may touch: failed sign-ins are counted on purpose.
COUNTED_ON_PURPOSE = {"sign_in_throttle"}


def _snapshot():
    tables = [t for t in inspect(db.engine).get_table_names() if t not in COUNTED_ON_PURPOSE]
    # Every table's row count in one statement (one per table was a third of each fuzzed request).
    row = db.session.execute(text("SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables))).one()
    counts = dict(zip(tables, row))
    cards = db.session.execute(select(Action.ref, Action.status, Action.position, Action.version,
                                      Action.due_text, Action.due_moves, Action.text)).all()
    users = db.session.execute(select(User.email, User.role, User.active, User.version, User.password_hash)).all()
    return counts, sorted(cards), sorted(users)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """The seed plan and the things the forms act on, built once per session: (database URL, their ids)."""
    return built_once(tmp_path_factory, "fuzz-world", lambda: (_seed(), _build_world())[1])


@pytest.fixture
def seeded_app(request, tmp_path, world_template):
    """Here every test's seeded app (a copy of its own) also holds the world."""
    return make_app(tmp_path, schema=False,
                    SQLALCHEMY_DATABASE_URI=copy_database(template_for(request, world_template[0]), tmp_path))


@pytest.fixture
def world(world_template):
    return world_template[1]


def _build_world() -> dict:
    """Things the forms act on: a move, a note, a comment, a clinic, a link, a KPI, a draft..."""
    editor, author = (db.session.scalars(select(User).where(User.email == email_for(r))).one()
                      for r in ("editor", "contributor"))
    action = db.session.scalars(select(Action).where(Action.ref == "2.7")).one()
    moved = move_action(action, "amber", 0, action.version, editor).event
    note = evidence.add_note(action, "Dip sample of 20 plans", None, author)
    comment = evidence.add_impact_comment(action.outcome, "Plans reviewed sooner", "emerging", author)
    clinic = start_clinic(current_plan(), date(2023, 12, 15), editor, "", [], editor)
    clinic_note = clinic_minutes.add_note(clinic, "Re-audit agreed", editor)
    arising = clinic_minutes.raise_arising(clinic, "Re-audit 20 plans", None, "Head of QA", date(2024, 1, 19),
                                           editor)
    link, token = share_links.create_link(current_plan(), "Committee", None)
    api_token, _secret = api_tokens.create_token(current_plan(), "Power BI", None)
    measure_id = db.session.scalars(select(KpiMeasure.id).where(KpiMeasure.name == "Children in need")).one()
    upload = read_upload(plan_workbook(plan_as_data(current_plan())), "plan.xlsx", current_plan())
    viewer = db.session.scalars(select(User).where(User.email == email_for("viewer"))).one()
    author.owner_roles = list(db.session.get(Action, action.id).owners)
    asked = update_requests.ask_for_updates(current_plan(), [db.session.get(Action, action.id)], date(2023, 12, 22),
                                            "Please update", editor, update_requests.AskScope(),
                                            date(2023, 12, 15), lambda *_: Email("Update", "text", "<p>html</p>"))
    reset_tokens = []
    account_links.send_reset(email_for("viewer"), lambda _user, token, *_: reset_tokens.append(token)
                             or Email("Reset", "text", "<p>html</p>"))
    draft = papers()  # publications 1 and 2 ("number" is both an area and a publication), and a draft
    return {
        # Tokens for the routes whose <token> is not a share link's.
        "url_ids": {"updates.give_by_link": {"token": update_requests.link_token(asked.request.links[0])},
                    "auth.set_password": {"token": reset_tokens[0]},
                    "notifications.stop_digest": {"token": digests.opt_out_token(viewer)}},
        "ids": {"ref": "2.7", "number": 2, "event_id": moved.id, "note_id": note.id, "comment_id": comment.id,
                "outcome_id": action.outcome_id, "clinic_id": clinic.id, "link_id": link.id,
                "user_id": viewer.id, "token": token, "clinic_note_id": clinic_note.id,
                "arising_id": arising.id, "measure_id": measure_id, "plan_slug": current_plan().slug,
                "resource": "actions", "token_id": api_token.id, "draft_id": draft.id, "version": 1},
        "draft_version": draft.version,
        "editor_id": editor.id,
        "role_id": db.session.scalars(select(OwnerRole.id).limit(1)).one(),
        "area_id": action.area_id,
        "action_version": db.session.get(Action, action.id).version,
        "viewer_version": viewer.version,
        "upload_token": sign_upload(upload.file_name, upload.given, current_plan()),
    }


def _forms(world) -> dict[str, dict]:
    """Each POST endpoint with a valid form for it (before the fuzzed field is made bad)."""
    return {
        "auth.account": {"current": PASSWORD, "new": "plum orchard lantern 42", "confirm": "plum orchard lantern 42"},
        "admin.users": {"email": "new.person@example.org", "name": "New Person", "role": "viewer",
                        "owner_roles": str(world["role_id"])},
        "admin.change_role": {"role": "contributor", "version": str(world["viewer_version"])},
        "admin.change_owner_roles": {"owner_roles": str(world["role_id"]), "version": str(world["viewer_version"])},
        "admin.deactivate": {"version": str(world["viewer_version"])},
        "admin.reactivate": {"version": str(world["viewer_version"])},
        "admin.links": {"label": "Scrutiny panel", "expires_on": "2024-01-31", "publication": "2", "show_names": "1"},
        "admin.plan_settings": {"require_sign_off": "1"},
        "moves.move": {"status": "complete", "version": str(world["action_version"]), "area": "2", "position": "0",
                       "before": "2.8", "after": "", "direction": "", "next": "/?area=2", "from_form": "1",
                       "evidence": "Audit signed off", "evidence_link": "https://docs.example/audit.pdf"},
        "moves.reason": {"reason": "QA schedule slipped", "next": "/?area=2"},
        "evidence.add_note": {"text": "Evidence of impact", "link_url": "https://docs.example/qa.pdf", "internal": "1"},
        "evidence.sign_off": {"version": str(world["action_version"])},
        "publications.start": {"start": "2023-09-16", "end": "2023-12-15"},
        "publications.draft": {"start": "2023-09-16", "end": "2023-12-15", "summary": "On track", "achievements": "",
                               "concerns": "Recruitment", "decisions": "Note the report",
                               "area_commentary-0": "Area one", "correction_reason": "",
                               "version": str(world["draft_version"])},
        "publications.publish": {"version": str(world["draft_version"])},
        "evidence.edit_note": {"text": "Better wording", "link_url": "", "version": "1"},
        "evidence.withdraw_note": {"reason": "Wrong card", "version": "1"},
        "evidence.change_due": {"new_due": "Feb 2024", "reason": "Capacity", "current_due": "Nov 2023"},
        "evidence.add_comment": {"text": "Fewer repeat plans", "rating": "clear", "next": "/outcomes"},
        "evidence.edit_comment": {"text": "Fewer repeat plans", "rating": "clear", "version": "1"},
        "evidence.withdraw_comment": {"reason": "Duplicate", "version": "1"},
        "clinics.index": {"held_on": "2023-12-15", "chair": str(world["editor_id"]), "attendees": "Ann", "areas": "2"},
        "clinics.add_note": {"text": "Agreed to re-audit 20 plans in January"},
        "clinics.correct_note": {"text": "Agreed to re-audit 30 plans in January"},
        "clinics.add_arising": {"what": "Re-audit plans", "owner": str(world["editor_id"]), "owner_name": "",
                                "due_on": "2024-01-19"},
        "clinics.correct_arising": {"what": "Re-audit 30 plans", "owner": "", "owner_name": "Head of QA",
                                    "due_on": "2024-01-26"},
        "clinics.arising_outcome": {"outcome": "done", "due_on": "", "note": "Done before Christmas"},
        "reports.add_measure": {"measure-name": "Supervision on time", "measure-unit": "percent",
                                "measure-polarity": "higher", "measure-target": "95", "measure-tolerance": "5",
                                "measure-frequency": "monthly", "measure-source": "Audit",
                                "measure-owner_roles": str(world["role_id"]), "measure-areas": str(world["area_id"]),
                                "measure-outcomes": str(world["ids"]["outcome_id"])},
        "reports.change_measure": {"name": "Children in need", "unit": "count", "polarity": "context", "target": "",
                                   "tolerance": "", "frequency": "quarterly", "source": "CIN census",
                                   "owner_roles": str(world["role_id"]), "areas": str(world["area_id"]),
                                   "outcomes": str(world["ids"]["outcome_id"]), "version": "1"},
        "reports.record_value": {"period": "2023/24 Q2", "value": "2100", "source_note": "CIN census",
                                 "replaces": "", "reason": ""},
        "admin.tokens": {"label": "Power BI", "expires_on": "2024-01-31"},
        "auth.sign_in": {"email": email_for("viewer"), "password": "not the password"},
        "updates.ask": {"reply_by": "2023-12-22", "message": "Please update before the clinic", "refs": "2.7 2.8"},
        "updates.give": _update_form(world),
        "updates.give_by_link": _update_form(world),
        "auth.forgot_password": {"email": email_for("viewer")},
        "auth.set_password": {"new": "plum orchard lantern 42", "confirm": "plum orchard lantern 42"},
        "notifications.preferences": {"weekly_digest": "y"},
        "notifications.stop_digest": {"wanted": "off"},
        "plans.lineage_view": {"refs": "9.5", "how": "no_longer_needed", "note": "Done by another team"},
        # A callable is called for each request (a file is read once).
        "plan_files.upload": {"file": lambda: (io.BytesIO(b"Ref,Action\n"), "plan.csv"), "into": "new",
                              "slug": "2024-25"},
        "plan_files.confirm": {"upload": world["upload_token"]},
    }


def _update_form(world) -> dict:
    return {"status": "green", "current_status": "amber", "version": str(world["action_version"]),
            "status_reason": "Audit done", "note": "20 plans reviewed", "link_url": "https://docs.example/qa.pdf",
            "new_due": "Feb 2024", "due_reason": "Capacity", "current_due": "Nov 2023"}


# Buttons whose only input is the CSRF token, and signing yourself out (the rest of the run needs you).
NOT_FORMS = {"auth.sign_out", "auth.sign_out_everywhere", "admin.reset_password", "admin.sign_out_everywhere",
             "admin.revoke_link", "admin.revoke_token", "clinics.join", "clinics.end", "auth.new_link", "plans.make_live",
             "plans.archive", "plans.reopen", "publications.discard", "publications.correct"}


def test_every_post_form_is_fuzzed(seeded_app, world):
    posts = {rule.endpoint for rule in seeded_app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts - NOT_FORMS == set(_forms(world)), "add the new form to _forms()"


def _rule(app, endpoint):
    return next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)


@pytest.mark.parametrize("endpoint", sorted(
    ["auth.account", "admin.users", "admin.change_role", "admin.change_owner_roles", "admin.deactivate",
     "admin.reactivate", "admin.links", "moves.move", "moves.reason", "evidence.add_note", "evidence.edit_note",
     "evidence.withdraw_note", "evidence.change_due", "evidence.add_comment", "evidence.edit_comment",
     "evidence.withdraw_comment", "clinics.index", "clinics.add_note", "clinics.correct_note",
     "clinics.add_arising", "clinics.correct_arising", "clinics.arising_outcome", "reports.add_measure",
     "reports.change_measure", "reports.record_value", "admin.tokens", "auth.sign_in", "plans.lineage_view",
     "plan_files.upload", "plan_files.confirm", "updates.ask", "updates.give", "updates.give_by_link",
     "auth.forgot_password", "auth.set_password", "notifications.preferences", "notifications.stop_digest",
     "evidence.sign_off", "admin.plan_settings", "publications.start", "publications.draft", "publications.publish"]))
def test_one_bad_field_never_500s_and_a_refusal_writes_nothing(seeded_app, client_for, world, endpoint):
    signed_out = endpoint in ("auth.sign_in", "auth.forgot_password", "auth.set_password", "updates.give_by_link")
    client = seeded_app.test_client() if signed_out else client_for("admin")
    token = csrf_token(client, "/sign-in" if signed_out else "/")
    rule = _rule(seeded_app, endpoint)
    ids = {**world["ids"], **world["url_ids"].get(endpoint, {})}
    url = rule.build({name: ids[name] for name in rule.arguments})[1]
    form = _forms(world)[endpoint]

    @FUZZ
    @given(field=st.sampled_from(sorted(form)), value=BAD_VALUES, htmx=st.booleans())
    def check(field, value, htmx):
        with seeded_app.app_context():
            before = _snapshot()
        data = {name: sent() if callable(sent) else sent for name, sent in {**form, field: value}.items()}
        response = client.post(url, data={**data, "csrf_token": token}, headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, (endpoint, field, value)
        if 400 <= response.status_code < 500:
            with seeded_app.app_context():
                assert _snapshot() == before, (endpoint, field, value, response.status_code)

    check()


GET_PAGES = {
    "/": ["area", "owner", "status", "due", "overdue", "stale", "mine", "q", "explain"],
    "/board/changes": ["since", "area", "q"],
    "/activity": ["area", "user", "kind", "since", "page"],
    "/report": ["from", "to"],
    "/print-head.css": ["head", "period", "version"],
    "/export.csv": ["area", "owner", "status", "due", "q"],
    "/actions/2.7": ["area", "q"],
    "/areas/2/lane": ["area", "status"],
    "/kpis": ["area"],
    "/kpis/2": ["correct"],
    "/update-requests/new": ["area", "owner", "status", "due", "overdue", "stale", "mine", "q"],
}


@pytest.mark.parametrize("path", sorted(GET_PAGES))
def test_every_get_parameter_is_fuzzed(client_for, path):
    client = client_for("editor")

    @FUZZ
    @given(name=st.sampled_from(GET_PAGES[path]), value=BAD_VALUES, htmx=st.booleans())
    def check(name, value, htmx):
        response = client.get(f"{path}?{name}={quote(value, safe='')}", headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, (path, name, value)

    check()


def test_share_page_parameters_are_fuzzed(seeded_app, world):
    visitor = seeded_app.test_client()
    token = world["ids"]["token"]

    @FUZZ
    @given(path=st.sampled_from(["/", "/changes", "/report", "/outcomes"]),
           name=st.sampled_from(["area", "status", "since", "from", "to", "explain", "q"]), value=BAD_VALUES)
    def check(path, name, value):
        response = visitor.get(f"/share/{token}{path}?{name}={quote(value, safe='')}")
        assert response.status_code < 500 and "Set-Cookie" not in response.headers, (path, name, value)

    check()


URL_VALUES = st.one_of(BAD_VALUES.filter(lambda v: v.strip() not in ("", ".", "..")),
                       st.integers(min_value=0, max_value=2**80).map(str))


def test_every_url_value_is_fuzzed(seeded_app, client_for, world):
    client = client_for("admin")
    rules = [rule for rule in seeded_app.url_map.iter_rules() if rule.arguments and rule.endpoint != "static"]
    token = csrf_token(client)

    @FUZZ
    @given(rule=st.sampled_from(rules), value=URL_VALUES, post=st.booleans())
    def check(rule, value, post):
        argument = min(rule.arguments)
        values = {name: world["ids"][name] for name in rule.arguments}
        path = rule.build(values)[1].replace(quote(str(values[argument]), safe=""), quote(value, safe=""), 1)
        if post and "POST" in rule.methods:
            response = client.post(path, data={"csrf_token": token})
        else:
            response = client.get(path)
        assert response.status_code < 500, (rule.rule, value)

    check()
