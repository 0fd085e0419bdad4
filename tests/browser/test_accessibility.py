"""axe-core (vendored in tests/browser/vendor) finds no critical or serious problems on key pages."""
from pathlib import Path

import pytest

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text(encoding="utf-8")


def serious_violations(page) -> list[str]:
    # The CSP forbids inline scripts, so axe is added by Playwright through the DevTools protocol.
    page.evaluate(AXE)
    # target-size is WCAG 2.2 AA (targets at least 24 px, or spaced): axe leaves it off unless asked.
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations'],"
                           " rules: {'target-size': {enabled: true}}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


@pytest.mark.parametrize("path", ["/?view=detailed", "/?area=2&overdue=1&q=plans", "/actions/2.7", "/?view=whole",
                                  "/?view=whole&mode=clinic", "/?view=detailed&mode=clinic", "/account",
                                  "/accessibility", "/clinics", "/outcomes", "/publications/"])
def test_pages_have_no_serious_accessibility_problems(editor_page, live_server, path):
    editor_page.goto(live_server + path)
    assert serious_violations(editor_page) == []


def test_detail_panel_over_the_board(viewer_page):
    viewer_page.get_by_role("link", name="Action 2.1", exact=True).click()
    viewer_page.get_by_role("complementary", name="Action detail").get_by_role("heading").first.wait_for()
    assert serious_violations(viewer_page) == []


def test_the_whole_plan_with_a_card_focused_and_a_move_form_open(editor_page, live_server):
    editor_page.goto(live_server + "/?view=whole")
    editor_page.get_by_role("link", name="Action 3.4").focus()
    editor_page.get_by_role("link", name="Update status of 3.4").focus()
    editor_page.keyboard.press("Enter")
    editor_page.get_by_label("New status for 3.4").wait_for()
    assert serious_violations(editor_page) == []


def test_a_phone_screen_with_its_menu_open(browser, live_server):
    from tests.browser.conftest import sign_in_as

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_as(page, live_server, "admin")
    page.get_by_text("Menu", exact=True).click()
    assert serious_violations(page) == []
    context.close()


def test_sign_in_page(page, live_server):
    page.goto(live_server + "/sign-in")
    assert serious_violations(page) == []


def test_the_check_itself_catches_a_planted_problem(viewer_page):
    """Guards the guard: an image without alternative text must be reported."""
    viewer_page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/favicon.svg\">')")
    assert any(v.startswith("image-alt") for v in serious_violations(viewer_page))
