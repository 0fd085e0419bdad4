"""Reading pages the way a person does: parsed HTML and small questions about it.

Tests ask "which cards are in area 2 under Amber?", "what does the flash say?", "what errors does this
form show?" instead of slicing raw HTML, so a change of markup that keeps the meaning keeps the tests.
"""
from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from werkzeug.datastructures import MultiDict


def _text(node) -> str:
    """Visible words of a node, whitespace collapsed."""
    return " ".join(node.get_text(" ", strip=True).split()) if node is not None else ""


def _accessible_name(node: Tag) -> str:
    """aria-labelledby, else aria-label, else alt, else the visible words (a simplified accessible name)."""
    if node.has_attr("aria-labelledby"):
        root = node
        while root.parent is not None:
            root = root.parent
        names = [_text(root.find(id=ref)) for ref in node["aria-labelledby"].split()]
        return " ".join(name for name in names if name)
    if node.has_attr("aria-label"):
        return " ".join(node["aria-label"].split())
    if node.has_attr("alt"):
        return " ".join(node["alt"].split())
    return _text(node)


class Page:
    """A parsed HTML page or partial."""

    def __init__(self, html: str):
        self.html = html
        # lxml: ten times faster than html.parser, which was a third of the suite's time.
        self.soup = BeautifulSoup(html, "lxml")

    # --- the board ---------------------------------------------------------------------------
    def card_refs(self) -> list[str]:
        """Refs of every card shown, in page order."""
        return [card["data-ref"] for card in self.soup.select("li.card[data-ref]")]

    def card(self, ref: str) -> Tag | None:
        return self.soup.select_one(f'li.card[data-ref="{ref}"]')

    def _shown_card(self, ref: str) -> Tag:
        card = self.card(ref)
        if card is None:  # a question about a card the page does not show has no answer
            raise LookupError(f"no card {ref} on this page")
        return card

    def card_text(self, ref: str) -> str:
        """Visible words of one card (the card must be on the page)."""
        return _text(self._shown_card(ref))

    def card_badges(self, ref: str) -> list[str]:
        """The badges one card wears ("Overdue", "Stale"); the card must be on the page."""
        return [_text(node) for node in self._shown_card(ref).select(".badge")]

    def lane(self, area: int) -> Tag | None:
        return self.soup.select_one(f'section.swimlane[data-area="{area}"]')

    def cards_in(self, area: int, status: str) -> list[str]:
        """Refs of the cards in one area's column for `status` (e.g. "amber"), top to bottom.

        The area's lane and that column must be on the page: an empty column answers [], a missing one fails.
        """
        lane = self.lane(area)
        column = lane.select_one(f'ol[data-status="{status}"]') if lane else None
        if column is None:
            raise LookupError(f"no {status} column for area {area} on this page")
        return [card["data-ref"] for card in column.select("li.card")]

    def drop_targets(self) -> list[tuple[str, str]]:
        """The columns a card may be dragged into, as (sortable group, status); none on a read-only board."""
        return [(node["data-sortable"], node.get("data-status", "")) for node in self.soup.select("[data-sortable]")]

    def poll_url(self) -> str | None:
        """Where the board asks whether anything changed."""
        poll = self.soup.select_one("#board-poll[hx-get]")
        return poll["hx-get"] if poll else None

    def lanes(self) -> list[int]:
        return [int(lane["data-area"]) for lane in self.soup.select("section.swimlane[data-area]")]

    def column_headings(self) -> list[str]:
        return [_text(node) for node in self.soup.select(".column-head .status-word")]

    def totals_text(self) -> str:
        return _text(self.soup.select_one("#board-totals"))

    def out_of_band_ids(self) -> list[str]:
        """Ids of the elements an htmx answer swaps in out of band."""
        return [node["id"] for node in self.soup.select("[hx-swap-oob][id]")]

    # --- messages and forms ------------------------------------------------------------------
    def flash_text(self) -> str:
        return _text(self.soup.select_one("#flash"))

    def alerts(self) -> list[str]:
        return [_text(node) for node in self.soup.select('[role="alert"]')]

    def form_errors(self, within: str | None = None) -> list[str]:
        """Inline field errors (not the summary), optionally inside the element matching `within`."""
        root = self.soup.select_one(within) if within else self.soup
        return [_text(node) for node in root.select(".field-error")] if root else []

    def error_summary(self) -> list[str]:
        return [_text(node) for node in self.soup.select(".error-summary li")]

    def field_value(self, name: str, within: str | None = None) -> str | None:
        """What a form field holds as the page shows it (input value, textarea text, selected option)."""
        root = self.soup.select_one(within) if within else self.soup
        field = root.select_one(f'[name="{name}"]') if root else None
        if field is None:
            return None
        if field.name == "textarea":
            return field.get_text().removeprefix("\r").removeprefix("\n")  # browsers drop one leading newline
        if field.name == "select":
            chosen = field.select_one("option[selected]")
            return chosen.get("value") if chosen else None
        return field.get("value")

    def value_labelled(self, label: str) -> str | None:
        """What the field whose label reads `label` holds (e.g. a read-only field to copy)."""
        for node in self.soup.select("label"):
            if _text(node) == label:
                field = self.soup.find(id=node["for"]) if node.has_attr("for") else node.select_one("input")
                return field.get("value") if field is not None else None
        return None

    def definition(self, term: str) -> str | None:
        """The words of the <dd> after the <dt> reading `term` (a fact of an action's detail)."""
        for node in self.soup.select("dt"):
            if _text(node) == term:
                value = node.find_next_sibling("dd")
                return _text(value) if value is not None else None
        return None

    def forms(self, within: str | None = None) -> list[Tag]:
        """The forms of the page, or of the element matching `within` (none when it is not there)."""
        root = self.soup.select_one(within) if within else self.soup
        return root.select("form") if root else []

    def submission(self, button: str) -> tuple[str, MultiDict]:
        """What a browser sends on pressing the button named `button`: its form's action, and every field
        of the form in page order (the first of two fields with one name is the one the server reads)."""
        pressed = next((node for node in self.soup.select("form button, form input[type=submit]")
                        if _accessible_name(node) == button or node.get("value") == button), None)
        if pressed is None:
            raise LookupError(f"no button {button!r} in a form on this page")
        form = pressed.find_parent("form")
        sent = MultiDict()
        for field in form.select("input[name], select[name], textarea[name]"):
            kind = field.get("type", "text")
            if kind in ("submit", "button", "image", "reset") or (kind in ("checkbox", "radio")
                                                                  and not field.has_attr("checked")):
                continue
            if field.name == "select":
                chosen = field.select_one("option[selected]") or field.select_one("option")
                sent.add(field["name"], chosen.get("value", _text(chosen)) if chosen else "")
            elif field.name == "textarea":
                sent.add(field["name"], field.get_text().removeprefix("\n"))
            else:
                sent.add(field["name"], field.get("value", "on" if kind in ("checkbox", "radio") else ""))
        if pressed.has_attr("name"):
            sent.add(pressed["name"], pressed.get("value", ""))
        return form.get("action", ""), sent

    def csrf_token(self) -> str | None:
        field = self.soup.select_one('input[name="csrf_token"]')
        if field is not None:
            return field.get("value")
        body = self.soup.select_one("body[hx-headers]")
        match = re.search(r'"X-CSRFToken": "([^"]+)"', body["hx-headers"]) if body else None
        return match.group(1) if match else None

    # --- anything ----------------------------------------------------------------------------
    def text(self, selector: str | None = None) -> str:
        """Visible words of the page, or of the first element matching `selector`."""
        return _text(self.soup.select_one(selector) if selector else self.soup)

    def texts(self, selector: str) -> list[str]:
        return [_text(node) for node in self.soup.select(selector)]

    def links(self, selector: str = "a[href]") -> list[str]:
        return [node["href"] for node in self.soup.select(selector) if node.has_attr("href")]

    def link(self, name: str) -> str | None:
        """The href of the first link named `name`, as a screen reader names it (aria-label, else its words)."""
        for node in self.soup.select("a[href]"):
            if _accessible_name(node) == name:
                return node["href"]
        return None

    def link_names(self) -> list[str]:
        """The names of every link, as a screen reader reads them."""
        return [_accessible_name(node) for node in self.soup.select("a[href]")]

    def link_text(self, href: str) -> str | None:
        """The visible words of the first link to `href`."""
        node = self.soup.find("a", href=href)
        return _text(node) if node is not None else None

    def image_names(self) -> list[str]:
        """What each picture (img, or an SVG with role="img") says to someone who cannot see it."""
        return [_accessible_name(node) for node in self.soup.select('img, [role="img"]')]

    def scripts(self) -> list[str]:
        """The src of every script the page loads."""
        return [node["src"] for node in self.soup.select("script[src]")]

    def headings(self, level: str = "h1, h2, h3") -> list[str]:
        return [_text(node) for node in self.soup.select(level)]

    def table_rows(self, selector: str = "table") -> list[list[str]]:
        table = self.soup.select_one(selector)
        if table is None:
            return []
        return [[_text(cell) for cell in row.select("th, td")] for row in table.select("tr")]

    def is_full_page(self) -> bool:
        # Read from the text: lxml wraps a partial in <html><body> too.
        return re.match(r"\s*<!doctype html>", self.html, re.IGNORECASE) is not None


def page_of(response) -> Page:
    """Parse a Flask test client response (or HTML text)."""
    return Page(response if isinstance(response, str) else response.get_data(as_text=True))
