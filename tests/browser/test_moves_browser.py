"""Moving cards in a real browser: drag, keyboard, no JavaScript, conflicts, live refresh, filters."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import drag, sign_in_as


def _column(page, area, status):
    return page.locator(f"#area-{area} ol[data-status={status}]")


def test_drag_to_another_column_persists_and_asks_why(editor_page, live_server):
    page = editor_page
    with page.expect_response(lambda r: r.url.endswith("/actions/1.4/move")) as moved:
        drag(page, page.locator("#card-1-4 .card-text"), _column(page, 1, "amber"))
    assert moved.value.status == 200
    expect(_column(page, 1, "amber").locator("li.card")).to_have_count(1)
    reason = page.get_by_label(re.compile("Why Amber"))
    expect(reason).to_be_focused()
    expect(page.locator("#announcer")).to_have_text("1.4 moved to Amber.")
    reason.fill("Recruitment paused until January")
    page.get_by_role("button", name="Save reason").click()
    expect(page.locator("#announcer")).to_have_text("Reason saved for 1.4.")
    expect(page.get_by_role("link", name="Action 1.4", exact=True)).to_be_focused()
    page.reload()
    expect(_column(page, 1, "amber").locator("#card-1-4")).to_be_visible()
    expect(page.locator("#board-totals")).to_contain_text("1 Amber")
    page.get_by_role("link", name="Action 1.4", exact=True).click()
    expect(page.locator("#detail-panel")).to_contain_text("Recruitment paused until January")


def test_reorder_inside_a_column_persists(editor_page):
    page = editor_page
    cards = _column(page, 8, "not_started").locator("li.card")
    expect(cards).to_have_count(3)
    with page.expect_response(lambda r: r.url.endswith("/actions/8.3/move")):
        drag(page, page.locator("#card-8-3 .card-text"), page.locator("#card-8-1"), target_offset=(40, 4))
    page.reload()
    expect(_column(page, 8, "not_started").locator("li.card").first).to_have_attribute("data-ref", "8.3")


def test_a_card_cannot_be_dropped_into_another_swimlane(editor_page):
    page = editor_page
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/move" in r.url else None)
    drag(page, page.locator("#card-6-4 .card-text"), _column(page, 7, "red"))
    expect(_column(page, 7, "red").locator("li.card")).to_have_count(0)
    expect(page.locator("#area-6 #card-6-4")).to_be_visible()
    # A drop sends its request at once: a request made after it has answered proves none was sent.
    with page.expect_response(lambda r: r.url.endswith("/healthz")):
        page.evaluate("fetch('/healthz')")
    assert requests == []


def test_keyboard_only_move(editor_page):
    page = editor_page
    move = page.get_by_role("link", name="Update status of 3.1", exact=True)
    move.focus()
    page.keyboard.press("Enter")
    status = page.get_by_label("New status for 3.1")
    expect(status).to_be_focused()
    status.select_option("green")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Update status", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("3.1 moved to Green.")
    expect(_column(page, 3, "green").locator("#card-3-1")).to_be_visible()
    expect(page.get_by_label(re.compile("Why Green"))).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past Save reason, to Skip
    page.keyboard.press("Enter")
    expect(page.get_by_label(re.compile("Why Green"))).to_have_count(0)
    page.reload()
    expect(_column(page, 3, "green").locator("#card-3-1")).to_be_visible()


def _move_5_6_without_javascript(page, live_server, status):
    """An editor, JavaScript off, opens 5.6's move form from the area 5 board and sends `status`."""
    sign_in_as(page, live_server, "editor")
    page.goto(live_server + "/?area=5")
    page.get_by_role("link", name="Update status of 5.6", exact=True).click()
    page.get_by_label("New status for 5.6").select_option(status)
    page.get_by_role("button", name="Update status", exact=True).click()
    return page


def test_move_with_javascript_disabled(no_js_page, live_server):
    page = _move_5_6_without_javascript(no_js_page, live_server, "red")
    expect(page).to_have_url(re.compile(r"/\?area=5&explain=\d+#card-5-6$"))
    expect(page.locator("#flash")).to_contain_text("5.6 moved to Red.")
    expect(_column(page, 5, "red").locator("#card-5-6")).to_be_visible()
    page.get_by_label(re.compile("Why Red")).fill("App supplier delayed")
    page.get_by_role("button", name="Save reason").click()
    expect(page.locator("#flash")).to_contain_text("Reason saved for 5.6.")
    expect(page.locator("li.card")).to_have_count(10)  # still the filtered board


def test_conflict_between_two_people_keeps_the_first_move(browser, live_server):
    first, second = browser.new_context(), browser.new_context()
    alice, bob = first.new_page(), second.new_page()
    sign_in_as(alice, live_server, "editor")
    sign_in_as(bob, live_server, "admin")
    bob.goto(live_server + "/?view=detailed")  # the plan owner lands on the whole plan
    # Bob's board must still show the card as it was: no live refresh reaches him before his drag.
    bob.route("**/board/changes*", lambda route: route.abort())
    with alice.expect_response(lambda r: "/actions/2.7/move" in r.url):
        drag(alice, alice.locator("#card-2-7 .card-text"), _column(alice, 2, "green"))
    with bob.expect_response(lambda r: "/actions/2.7/move" in r.url) as refused:
        drag(bob, bob.locator("#card-2-7 .card-text"), _column(bob, 2, "red"))
    assert refused.value.status == 409
    expect(bob.get_by_role("alert")).to_contain_text(
        re.compile(r"2\.7 was moved to Green by Editor Person at \d\d:\d\d; your move was not applied"))
    expect(_column(bob, 2, "green").locator("#card-2-7")).to_be_visible()
    expect(_column(bob, 2, "red").locator("li.card")).to_have_count(0)
    first.close()
    second.close()


def test_another_board_sees_a_move_within_one_poll(browser, live_server):
    first, second = browser.new_context(), browser.new_context()
    mover, watcher = first.new_page(), second.new_page()
    sign_in_as(mover, live_server, "editor")
    sign_in_as(watcher, live_server, "viewer")
    with mover.expect_response(lambda r: "/actions/9.2/move" in r.url):
        drag(mover, mover.locator("#card-9-2 .card-text"), _column(mover, 9, "green"))
    expect(_column(watcher, 9, "green").locator("#card-9-2")).to_be_visible()
    expect(watcher.locator("#board-totals")).to_contain_text("1 Green")
    first.close()
    second.close()


def test_filters_combine_and_survive_reload(viewer_page, live_server):
    page = viewer_page
    page.get_by_label("Area", exact=True).select_option("2")
    page.get_by_label("Overdue", exact=True).check()
    page.get_by_label("Search").fill("plans")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"area=2.*overdue=1.*q=plans"))
    shown = page.locator("li.card")
    expect(shown).not_to_have_count(0)
    refs = shown.evaluate_all("cards => cards.map(c => c.dataset.ref)")
    assert all(ref.startswith("2.") for ref in refs)
    expect(page.locator("#board-totals")).to_contain_text(f"{len(refs)} of 87 actions shown")
    page.reload()
    expect(page.get_by_label("Area", exact=True)).to_have_value("2")
    expect(page.get_by_label("Overdue", exact=True)).to_be_checked()
    expect(page.locator("li.card")).to_have_count(len(refs))
    page.get_by_role("link", name="Clear all").click()
    expect(page.locator("li.card")).to_have_count(88)


def test_a_lane_with_an_open_form_waits_and_says_so_while_the_others_stay_live(browser, live_server):
    first, second = browser.new_context(), browser.new_context()
    typing, mover = first.new_page(), second.new_page()
    sign_in_as(typing, live_server, "editor")
    sign_in_as(mover, live_server, "admin")
    mover.goto(live_server + "/?view=detailed")  # the plan owner lands on the whole plan
    live = typing.locator("#live-status")
    expect(live).to_contain_text("Live, updated")
    # A status change in area 4 asks why: the reason form stays open while the others work.
    typing.get_by_role("link", name="Update status of 4.2", exact=True).click()
    typing.get_by_label("New status for 4.2").select_option("amber")
    typing.get_by_role("button", name="Update status", exact=True).click()
    reason = typing.get_by_label(re.compile("Why Amber"))
    expect(reason).to_be_focused()
    reason.press_sequentially("Waiting for")
    # A move in another area reaches this board at once...
    with mover.expect_response(lambda r: "/actions/5.6/move" in r.url):
        drag(mover, mover.locator("#card-5-6 .card-text"), _column(mover, 5, "red"))
    expect(_column(typing, 5, "red").locator("#card-5-6")).to_be_visible()
    # ...a move in this area waits for the reason, and the board says so.
    with mover.expect_response(lambda r: "/actions/4.5/move" in r.url):
        drag(mover, mover.locator("#card-4-5 .card-text"), _column(mover, 4, "red"))
    expect(live).to_contain_text("1 change waiting")
    expect(reason).to_be_focused()
    expect(reason).to_have_value("Waiting for")
    expect(_column(typing, 4, "red").locator("li.card")).to_have_count(0)
    reason.press_sequentially(" the new manager")
    typing.get_by_role("button", name="Save reason").click()
    expect(_column(typing, 4, "red").locator("#card-4-5")).to_be_visible()
    expect(live).to_contain_text("Live, updated")
    # A refresh leaves the focused card focused.
    typing.get_by_role("link", name="Action 4.3", exact=True).focus()
    expect(typing.get_by_role("link", name="Action 4.3", exact=True)).to_be_focused()
    with mover.expect_response(lambda r: "/actions/4.6/move" in r.url):
        drag(mover, mover.locator("#card-4-6 .card-text"), _column(mover, 4, "green"))
    expect(_column(typing, 4, "green").locator("#card-4-6")).to_be_visible()
    expect(typing.get_by_role("link", name="Action 4.3", exact=True)).to_be_focused()
    first.close()
    second.close()


def test_a_drop_on_complete_asks_for_its_evidence_then_completes(editor_page):
    page = editor_page
    with page.expect_response(lambda r: r.url.endswith("/actions/1.4/move")) as asked:
        drag(page, page.locator("#card-1-4 .card-text"), _column(page, 1, "complete"))
    assert asked.value.status == 422
    evidence = page.get_by_label("What shows it is done?")
    expect(evidence).to_be_focused()
    expect(page.locator("#announcer")).to_have_text(re.compile("Complete means evidenced: say what shows 1.4 is done"))
    expect(_column(page, 1, "complete").locator("li.card")).to_have_count(0)  # nothing applied yet
    evidence.fill("Practice standards agreed at the improvement board")
    page.get_by_label("Link to the evidence (optional)").fill("https://docs.example/standards.pdf")
    page.get_by_role("button", name="Update status", exact=True).click()
    expect(page.locator("#announcer")).to_have_text("1.4 moved to Complete.")
    expect(_column(page, 1, "complete").locator("#card-1-4")).to_be_visible()
    page.get_by_role("link", name="Action 1.4", exact=True).click()
    expect(page.locator("#notes")).to_contain_text("Practice standards agreed at the improvement board")


def test_the_move_form_shows_the_evidence_fields_when_complete_is_chosen(editor_page):
    page = editor_page
    page.get_by_role("link", name="Update status of 3.1", exact=True).click()
    evidence = page.get_by_label("What shows it is done?")
    expect(evidence).to_be_hidden()
    page.get_by_label("New status for 3.1").select_option("complete")
    expect(evidence).to_be_visible()
    page.get_by_label("New status for 3.1").select_option("amber")
    expect(evidence).to_be_hidden()


def test_complete_with_its_evidence_without_javascript(no_js_page, live_server):
    page = _move_5_6_without_javascript(no_js_page, live_server, "complete")  # no evidence yet: asked for it
    expect(page.get_by_role("alert").first).to_contain_text("Complete means evidenced")
    page.get_by_label("What shows it is done?").fill("App live for every care leaver")
    page.get_by_role("button", name="Update status", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("5.6 moved to Complete.")
    expect(_column(page, 5, "complete").locator("#card-5-6")).to_be_visible()
