"""Bad input at volume: random and oversized values to every form endpoint give a 4xx, never a 500,
and change nothing."""
import random

from sqlalchemy import inspect, select, text

from models import Action, db
from tests.conftest import csrf_token

# Endpoints whose only input is the confirm button (revoke, end a clinic...) are not forms to fuzz.
BUTTONS_ONLY = {"admin.deactivate", "admin.reactivate", "admin.revoke_link", "auth.sign_out",
                "auth.sign_out_everywhere", "admin.reset_password", "admin.sign_out_everywhere",
                "clinics.join", "clinics.end"}
BAD_VALUES = [
    "", " ", "x" * 100_000, "\x00\x01\x02", "<script>alert(1)</script>", "javascript:alert(1)",
    "-1", "1e309", "NaN", "99999999999999999999", "9" * 5000, "2023-02-30", "31/31/2023", "Q9",
    "purple", "' OR 1=1 --", "%00", "\u202e\u0000", "../../etc/passwd", "ⓧ" * 3000,
]
# Free text is valid almost whatever it says: only missing, blank or oversized text is bad input.
FREE_TEXT = {"text", "reason", "name", "label", "chair", "measure-name", "new_due", "password"}
FREE_TEXT_BAD = ["", " ", "x" * 100_000]
FIELDS = ["status", "version", "position", "before", "after", "direction", "area", "text", "link_url",
          "reason", "new_due", "rating", "email", "name", "role", "label", "expires_on", "quarter",
          "held_on", "chair", "areas", "owner_roles", "password", "next",
          "value-measure", "value-quarter", "value-value", "measure-name", "measure-unit", "measure-target"]


def _snapshot():
    tables = [t for t in inspect(db.engine).get_table_names() if t not in ("sign_in_throttle",)]
    counts = {t: db.session.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar() for t in tables}
    cards = db.session.execute(select(Action.ref, Action.status, Action.position, Action.version,
                                      Action.due_text, Action.text)).all()
    return counts, sorted(cards)


def test_random_and_oversized_values_never_500_and_change_nothing(seeded_app, client_for):
    admin = client_for("admin")
    token = csrf_token(admin, "/")
    rules = [r for r in seeded_app.url_map.iter_rules()
             if "POST" in r.methods and r.endpoint not in BUTTONS_ONLY | {"auth.sign_in"}]
    values = {"ref": "2.7", "user_id": 1, "link_id": 999, "event_id": 999, "note_id": 999,
              "outcome_id": 1, "clinic_id": 999, "number": 2, "comment_id": 999}
    with seeded_app.app_context():
        before = _snapshot()
    rng = random.Random(20231215)
    answers = []
    for rule in rules:
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        for attempt in range(25):
            data = {field: rng.choice(FREE_TEXT_BAD if field in FREE_TEXT else BAD_VALUES) for field in FIELDS}
            data["csrf_token"] = token
            if rng.random() < 0.5:  # the KPI page has two forms; try both
                data["value-submit"] = "1"
            headers = {"HX-Request": "true"} if attempt % 2 else {}
            response = admin.post(url, data=data, headers=headers)
            answers.append((rule.endpoint, response.status_code))
            assert response.status_code < 500, (rule.rule, data)
            assert 400 <= response.status_code < 500, (rule.rule, response.status_code, data)
    with seeded_app.app_context():
        db.session.remove()
        assert _snapshot() == before
    assert len({endpoint for endpoint, _ in answers}) == len(rules) >= 10


def test_sign_in_with_garbage_is_refused_plainly(seeded_app):
    visitor = seeded_app.test_client()
    rng = random.Random(7)
    for _ in range(30):
        response = visitor.post("/sign-in", data={"email": rng.choice(BAD_VALUES), "password": rng.choice(BAD_VALUES),
                                                  "csrf_token": csrf_token(visitor)})
        assert response.status_code in (400, 422)  # 400: a NUL character, refused before anything else
    assert visitor.get("/").status_code == 302
