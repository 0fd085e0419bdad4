"""Committee papers: drafts, frozen publications and corrections, their PDFs, links pinned to them, and
what a committee may see on every share page."""
from datetime import date

import pytest
from sqlalchemy import select

from board.services import evidence, kpis
from board.services.moves import Evidence, move_action
from models import KpiMeasure, Plan, Publication, ShareLink, db
from tests.conftest import action_by_ref, csrf_token, user_for
from tests.pages import page_of
from tests.paper import check_a4_paper, printed_pages
from tests.quarter import AREA_COMMENTARY, INTERNAL_NOTE, NARRATIVE, QUARTER, WITHDRAWN_NOTE

NAMES = ("Admin Person", "Editor Person", "Contributor Person", "Viewer Person")


@pytest.fixture
def seeded_app(quarter_app):
    """Every test here works on the quarter (tests/quarter.py); `client_for` signs in to it."""
    return quarter_app


def _post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client), **data})


def _publish(admin, start=QUARTER[0], end=QUARTER[1], **words) -> str:
    """Draft, write and publish a paper through its pages, as the plan owner does; returns its URL."""
    started = _post(admin, "/publications/drafts", start=start.isoformat(), end=end.isoformat())
    assert started.status_code == 303, started.get_data(as_text=True)
    draft_url = started.headers["Location"]
    version = page_of(admin.get(draft_url)).field_value("version", "form.draft-form")
    saved = _post(admin, draft_url, start=start.isoformat(), end=end.isoformat(), version=version,
                  **{f"area_commentary-{int(number) - 1}": words for number, words in AREA_COMMENTARY.items()},
                  **{**NARRATIVE, **words})
    assert saved.status_code == 303, page_of(saved).form_errors()
    version = page_of(admin.get(draft_url)).field_value("version", ".publish-tools form")
    published = _post(admin, draft_url + "/publish", version=version)
    assert published.status_code == 303
    return published.headers["Location"]


def _paper_text(client, url) -> str:
    return page_of(client.get(url)).text("article.report")


def _change_the_board(app) -> None:
    """What happens on the board after a paper is published: moves, notes, dues, a completion."""
    with app.app_context():
        editor = user_for("editor")
        for ref, status in (("1.2", "red"), ("2.2", "green"), ("3.1", "amber")):
            action = action_by_ref(ref)
            move_action(action, status, 0, action.version, editor)
        done = action_by_ref("4.1")
        move_action(done, "complete", 0, done.version, editor, evidence=Evidence("Done after the paper"))
        evidence.add_note(action_by_ref("2.7"), "A note written after publication", None, editor)
        evidence.change_due(action_by_ref("5.1"), "Jun 2024", "Moved after the paper", editor, date(2023, 1, 1))
        measure = db.session.scalars(select(KpiMeasure).where(KpiMeasure.name == "Compliance measures achieved")).one()
        kpis.record_value(measure, "2023/24 Q3", 91, user_for("admin"), "Compliance report")  # a value after it


def test_a_publication_and_its_pdf_never_change_when_the_board_does(quarter_app, client_for):
    """The paper as published, whatever happens on the board after; its PDF made once and kept."""
    admin = client_for("admin")
    url = _publish(admin)
    assert url == "/publications/1/v1"
    page = page_of(admin.get(url))
    assert page.text("h1") == "Highlight report: 16 September 2023 to 15 December 2023"
    assert page.text(".paper-kind").startswith("Publication 1, version 1: published on 15 December 2023 by "
                                               "Admin Person. A frozen committee paper")
    assert NARRATIVE["decisions"] in page.text("article.report")
    before = page.text("article.report")
    live_before = _paper_text(admin, "/report?from=2023-09-16&to=2023-12-15")

    _change_the_board(quarter_app)

    assert _paper_text(admin, url) == before
    assert _paper_text(admin, "/report?from=2023-09-16&to=2023-12-15") != live_before  # the live one moved on
    # The PDF is first made now, after the changes: it still says what the publication stored.
    response = admin.get(page.link("Download PDF of publication 1, version 1"))
    assert response.mimetype == "application/pdf"
    assert 'filename="highlight-report-1-version-1-2023-12-15.pdf"' in response.headers["Content-Disposition"]
    pages = printed_pages(response.data)
    check_a4_paper(pages, "Publication 1, version 1, published 15 Dec 2023")
    text = " ".join(printed.text for printed in pages)
    standing = page.text("#standing-title + p")
    assert " ".join(standing.split()) in " ".join(text.split())
    assert "A note written after publication" not in text and "Done after the paper" not in text
    assert "91%" not in text and "91%" in _paper_text(admin, "/report?from=2023-09-16&to=2023-12-15")
    with quarter_app.app_context():
        move_action(action_by_ref("6.1"), "red", 0, action_by_ref("6.1").version, user_for("editor"))
    assert admin.get(page.link("Download PDF of publication 1, version 1")).data == response.data  # kept as made


def test_a_correction_is_a_new_version_and_every_version_stays_readable(quarter_app, client_for):
    admin = client_for("admin")
    first = _publish(admin)
    started = _post(admin, "/publications/1/correct")
    assert started.status_code == 303
    draft_url = started.headers["Location"]
    form = page_of(admin.get(draft_url))
    assert form.text("h1") == "Correct publication 1: 16 September 2023 to 15 December 2023"
    assert form.field_value("summary") == NARRATIVE["summary"].strip()  # the narrative, ready to change
    version = form.field_value("version", "form.draft-form")
    unexplained = _post(admin, draft_url + "/publish", version=form.field_value("version", ".publish-tools form"))
    assert unexplained.status_code == 422
    assert page_of(unexplained).form_errors() == [("Say why the publication is corrected: the corrected version "
                                                  "shows it.")]
    saved = _post(admin, draft_url, start="2023-01-01", end="2023-01-31", version=version,
                  **{**NARRATIVE, "decisions": "The committee is asked to note the report."},
                  correction_reason="the decisions asked for the wrong actions")
    assert saved.status_code == 303
    publish_version = page_of(admin.get(draft_url)).field_value("version", ".publish-tools form")
    second = _post(admin, draft_url + "/publish", version=publish_version).headers["Location"]
    assert second == "/publications/1/v2"
    corrected = page_of(admin.get(second))
    assert corrected.text(".correction") == ("Corrected on 15 December 2023 because: the decisions asked for the "
                                             "wrong actions")
    assert corrected.text("h1") == "Highlight report: 16 September 2023 to 15 December 2023"  # period kept
    assert "The committee is asked to note the report." in corrected.text("article.report")
    assert corrected.link("version 1, 15 December 2023") == first
    original = page_of(admin.get(first))
    assert NARRATIVE["decisions"] in original.text("article.report") and original.texts(".correction") == []
    listing = page_of(admin.get("/publications/"))
    assert listing.table_rows(".publications")[1][0] == "Publication 1"
    assert listing.table_rows(".publications")[1][3] == "version 1 · version 2 (corrected 15 Dec 2023)"
    with quarter_app.app_context():
        assert [(row.number, row.version, row.published_by_name) for row in db.session.scalars(
            select(Publication).order_by(Publication.id))] == [(1, 1, "Admin Person"), (1, 2, "Admin Person")]


def test_a_draft_saved_meanwhile_is_a_conflict_and_nothing_typed_is_lost(seeded_app, client_for):
    admin = client_for("admin")
    draft_url = _post(admin, "/publications/drafts", start="2023-10-01", end="2023-12-15").headers["Location"]
    seen = page_of(admin.get(draft_url)).field_value("version", "form.draft-form")
    first = _post(admin, draft_url, start="2023-10-01", end="2023-12-15", version=seen, summary="Their summary")
    assert first.status_code == 303
    late = _post(admin, draft_url, start="2023-10-01", end="2023-12-15", version=seen, summary="My summary")
    page = page_of(late)
    assert late.status_code == 409
    assert "saved this draft at" in page.alerts()[0] and "Their summary" in page.alerts()[0]
    assert page.field_value("summary") == "My summary"
    backwards = _post(admin, draft_url, start="2023-12-15", end="2023-10-01", version=str(int(seen) + 1))
    assert backwards.status_code == 422
    assert page_of(backwards).form_errors() == ["The period ends before it starts."]


def test_only_the_plan_owner_drafts_and_everyone_signed_in_reads(quarter_app, client_for):
    url = _publish(client_for("admin"))
    viewer = client_for("viewer")
    listing = page_of(viewer.get("/publications/"))
    assert listing.link("Publication 1") == "/publications/1" and listing.forms("main") == []
    assert viewer.get(url).status_code == 200
    assert _post(client_for("editor"), "/publications/drafts", start="2023-10-01", end="2023-12-15"
                 ).status_code == 403


def _links(app, *, names=False):
    """A live-board link and one pinned to publication 1, made with the CLI as an operator would."""
    runner = app.test_cli_runner()
    live = runner.invoke(args=["share-link", "create", "--label", "Scrutiny, live"] + (["--names"] if names else []))
    pinned = runner.invoke(args=["share-link", "create", "--label", "Scrutiny, December", "--publication", "1"]
                           + (["--names"] if names else []))
    assert live.exit_code == pinned.exit_code == 0, pinned.output
    return (live.output.strip().split("/share/")[1].strip("/"), pinned.output.strip().split("/share/")[1].strip("/"))


def test_a_pinned_link_shows_its_publication_and_says_which(quarter_app, client_for):
    admin = client_for("admin")
    url = _publish(admin)
    live, pinned = _links(quarter_app)
    runner = quarter_app.test_cli_runner()
    assert runner.invoke(args=["share-link", "create", "--label", "X", "--publication", "9"]).exit_code == 1
    listing = runner.invoke(args=["share-link", "list"]).output
    assert "\tScrutiny, December\t" in listing and "publication 1, roles" in listing
    committee = quarter_app.test_client()
    page = page_of(committee.get(f"/share/{pinned}/"))
    assert page.text(".read-only-note") == ("Read-only view for Scrutiny, December: this link shows one publication "
                                            "as it was published, not the live board.")
    signed_in = page_of(admin.get(url))
    assert page.text(".paper-kind") == signed_in.text(".paper-kind").replace("by Admin Person", "by Plan owner")
    assert page.text("#standing-title + p") == signed_in.text("#standing-title + p")
    assert page.table_rows(".register") == signed_in.table_rows(".register")
    assert page.forms() == [] and "csrf" not in page.text()
    then = page_of(committee.get(page.link("The board as it was on 15 December 2023")))
    assert then.text("h1") == "The board as it was at the end of 15 December 2023"
    assert "2.7" in then.texts(".card-ref")
    assert committee.get(f"/share/{pinned}/actions/2.7").status_code == 404  # the live board is not on this link
    assert committee.get(f"/share/{pinned}/outcomes").status_code == 404
    live_page = page_of(committee.get(f"/share/{live}/"))
    assert live_page.text(".read-only-note").endswith("this link shows the live board, which changes as the plan "
                                                      "changes.")
    assert committee.get(f"/share/{live}/v1").status_code == 404


def test_the_admin_form_pins_a_link_and_may_show_names(quarter_app, client_for):
    admin = client_for("admin")
    _publish(admin)
    form = page_of(admin.get("/admin/links"))
    assert form.field_value("publication") == "0"
    created = _post(admin, "/admin/links", label="Panel", publication="1", show_names="y", expires_on="")
    assert created.status_code == 201
    token = page_of(created).value_labelled("Read-only link").split("/share/")[1].strip("/")
    row = next(row for row in page_of(created).table_rows() if row[0] == "Panel")
    assert row[2:4] == ["Publication 1", "By name"]
    assert "by Admin Person" in page_of(quarter_app.test_client().get(f"/share/{token}/")).text(".paper-kind")
    with quarter_app.app_context():
        link = db.session.scalars(select(ShareLink).where(ShareLink.label == "Panel")).one()
        assert (link.publication.number, link.show_names) == (1, True)


def _share_pages(app, live: str, pinned: str) -> dict[str, str]:
    with app.app_context():
        outcome_id = action_by_ref("2.7").outcome_id
    return {path: path.format(live=live, pinned=pinned, outcome=outcome_id) for path in (
        "/share/{live}/", "/share/{live}/?view=whole", "/share/{live}/actions/2.7", "/share/{live}/outcomes",
        "/share/{live}/outcomes/{outcome}", "/share/{live}/report?from=2023-09-16&to=2023-12-15",
        "/share/{pinned}/", "/share/{pinned}/v1", "/share/{pinned}/v1/board")}


def test_no_share_page_shows_withdrawn_or_internal_notes_or_names(quarter_app, client_for):
    _publish(client_for("admin"))
    live, pinned = _links(quarter_app)
    signed_in = page_of(client_for("editor").get("/?view=detailed")).text()  # lanes rendered (and kept) with names
    assert "by Editor Person" in signed_in
    committee = quarter_app.test_client()
    for path in _share_pages(quarter_app, live, pinned).values():
        response = committee.get(path)
        assert response.status_code == 200, path
        text = page_of(response).text()
        for hidden in (INTERNAL_NOTE, WITHDRAWN_NOTE, "Added to the wrong card", *NAMES):
            assert hidden not in text, (path, hidden)
        assert "Glossary: terms and short forms" in page_of(response).headings(), path
        assert "HoS EH&P" in text, path  # the owners' short forms are explained
    # People by the role they hold: the editor who completed 1.6 and wrote its evidence.
    detail = page_of(committee.get(f"/share/{live}/actions/1.6"))
    assert detail.text("#notes .who") == "Performance clinic team member"
    assert "Performance clinic team member" in detail.texts(".timeline .who")
    pdf = " ".join(page.text for page in printed_pages(committee.get(f"/share/{pinned}/v1.pdf").data))
    for hidden in (INTERNAL_NOTE, WITHDRAWN_NOTE, *NAMES):
        assert hidden not in pdf
    assert "by Plan owner" in pdf


def test_a_link_opened_to_names_shows_them_but_never_hidden_notes(quarter_app, client_for):
    _publish(client_for("admin"))
    live, pinned = _links(quarter_app, names=True)
    committee = quarter_app.test_client()
    detail = page_of(committee.get(f"/share/{live}/actions/2.7")).text()
    assert "Contributor Person" in detail and INTERNAL_NOTE not in detail and WITHDRAWN_NOTE not in detail
    assert "by Admin Person" in page_of(committee.get(f"/share/{pinned}/")).text(".paper-kind")


def test_each_plan_has_its_own_papers_and_an_archived_plans_stay_readable_but_fixed(quarter_app, client_for):
    """Publications belong to their plan: next year's plan starts with none, last year's stay readable,
    pinned links keep working, and nothing is drafted, published or signed off in an archived plan."""
    from board.services.plan_file import load_plan_file
    from board.services.plan_import import import_plan
    from tests.plans import NEXT_YEAR_PATH

    admin = client_for("admin")
    _publish(admin)
    _, pinned = _links(quarter_app)
    with quarter_app.app_context():
        import_plan(load_plan_file(NEXT_YEAR_PATH), new_slug="2024-25")  # 2023-24 is archived
    assert page_of(admin.get("/publications/")).table_rows(".publications")[1] == ["Nothing has been published yet."]
    assert admin.get("/publications/1").status_code == 404  # the live plan, 2024-25, has no publication 1
    old = page_of(admin.get("/plans/2023-24/publications/1/v1"))
    assert old.text("h1") == "Highlight report: 16 September 2023 to 15 December 2023"
    assert old.link("Download PDF of publication 1, version 1") == "/plans/2023-24/publications/1/v1.pdf"
    assert "Correct this publication" not in old.text("main")  # an archived plan's paper is not corrected
    committee = page_of(quarter_app.test_client().get(f"/share/{pinned}/"))
    assert committee.text("h1") == old.text("h1")
    for path, data in (("/plans/2023-24/publications/drafts", {"start": "2023-12-01", "end": "2023-12-15"}),
                       ("/plans/2023-24/publications/1/correct", {}), ("/plans/2023-24/admin/plan",
                                                                        {"require_sign_off": "y"}),
                       ("/plans/2023-24/actions/1.6/sign-off", {"version": "2"})):
        refused = _post(admin, path, **data)
        assert refused.status_code == 403, path
        assert "The 2023-24 plan is archived" in refused.get_data(as_text=True)
    assert page_of(admin.get("/plans/2023-24/publications/")).forms("main") == []
    runner = quarter_app.test_cli_runner()
    made = runner.invoke(args=["share-link", "create", "--label", "X", "--plan", "2024-25", "--publication", "1"])
    assert made.exit_code == 1 and "The 2024-25 plan has no publication 1" in made.output
    with quarter_app.app_context():
        old_plan = db.session.scalars(select(Plan).where(Plan.slug == "2023-24")).one()
        assert [(row.plan_id, row.number) for row in db.session.scalars(select(Publication))] == [(old_plan.id, 1)]
