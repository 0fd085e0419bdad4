"""Reading pages the way a person does: parsed HTML and small questions about it.

Tests ask "which cards are in area 2 under Amber?", "what does the flash say?", "what errors does this
form show?" instead of slicing raw HTML, so a change of markup that keeps the meaning keeps the tests.
"""
from __future__ import annotations

import re
from functools import cache

import lxml.html
from lxml.cssselect import CSSSelector
from werkzeug.datastructures import MultiDict

# Elements whose contents a reader never sees as words on the page.
_NOT_WORDS = frozenset({"script", "style", "template"})


@cache
def _selector(css: str) -> CSSSelector:
    return CSSSelector(css, translator="html")


class Node:
    """One element of a parsed page. It answers the few questions tests ask of an element, under the names
    BeautifulSoup gives them (`select`, `get_text`, `has_attr`...): the pages are parsed by lxml, twenty
    times faster, which took a tenth of the suite's time away."""

    __slots__ = ("element",)

    def __init__(self, element) -> None:
        self.element = element

    @property
    def name(self) -> str:
        return self.element.tag

    def select(self, css: str) -> list[Node]:
        """Elements inside this one matching `css`, in page order (this one itself excluded)."""
        return [Node(found) for found in _selector(css)(self.element) if found is not self.element]

    def select_one(self, css: str) -> Node | None:
        found = self.select(css)
        return found[0] if found else None

    def get(self, attribute: str, default=None):
        return self.element.get(attribute, default)

    def __getitem__(self, attribute: str) -> str:
        return self.element.attrib[attribute]

    def has_attr(self, attribute: str) -> bool:
        return attribute in self.element.attrib

    def get_text(self, separator: str = "", strip: bool = False) -> str:
        """The element's words (not those of scripts, styles or comments), as BeautifulSoup joins them."""
        strings = _strings(self.element)
        if strip:
            strings = (string.strip() for string in strings)
            strings = (string for string in strings if string)
        return separator.join(strings)

    def find_parent(self, tag: str) -> Node | None:
        return next((Node(found) for found in self.element.iterancestors(tag)), None)

    def find_next_sibling(self, tag: str) -> Node | None:
        return next((Node(found) for found in self.element.itersiblings(tag)), None)

    def find_id(self, element_id: str) -> Node | None:
        """The element with this id anywhere in the page."""
        found = self.element.getroottree().getroot().xpath("//*[@id=$id]", id=element_id)
        return Node(found[0]) if found else None

    def __str__(self) -> str:
        return lxml.html.tostring(self.element, encoding="unicode", with_tail=False)


def _strings(element):
    if element.text and element.tag not in _NOT_WORDS:
        yield element.text
    for child in element:
        if isinstance(child.tag, str) and child.tag not in _NOT_WORDS:  # comments have a function as tag
            yield from _strings(child)
        if child.tail:
            yield child.tail


def _text(node: Node | None) -> str:
    """Visible words of a node, whitespace collapsed."""
    return " ".join(node.get_text(" ", strip=True).split()) if node is not None else ""


def _accessible_name(node: Node) -> str:
    """aria-labelledby, else aria-label, else alt, else the visible words (a simplified accessible name)."""
    if node.has_attr("aria-labelledby"):
        names = [_text(node.find_id(ref)) for ref in node["aria-labelledby"].split()]
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
        # A partial is parsed as a page too: libxml2 puts it in <html><body>.
        self.root = Node(lxml.html.document_fromstring(html) if html.strip() else lxml.html.Element("html"))

    # --- the board ---------------------------------------------------------------------------
    def card_refs(self) -> list[str]:
        """Refs of every card shown, in page order."""
        return [card["data-ref"] for card in self.root.select("li.card[data-ref]")]

    def card(self, ref: str) -> Node | None:
        return self.root.select_one(f'li.card[data-ref="{ref}"]')

    def _shown_card(self, ref: str) -> Node:
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

    def lane(self, area: int) -> Node | None:
        return self.root.select_one(f'section.swimlane[data-area="{area}"]')

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
        return [(node["data-sortable"], node.get("data-status", "")) for node in self.root.select("[data-sortable]")]

    def poll_url(self) -> str | None:
        """Where the board asks whether anything changed."""
        poll = self.root.select_one("#board-poll[hx-get]")
        return poll["hx-get"] if poll else None

    def lanes(self) -> list[int]:
        return [int(lane["data-area"]) for lane in self.root.select("section.swimlane[data-area]")]

    def column_headings(self) -> list[str]:
        return [_text(node) for node in self.root.select(".column-head .status-word")]

    def totals_text(self) -> str:
        return _text(self.root.select_one("#board-totals"))

    def totals(self) -> dict[str, int]:
        """The board's counts by what they count: {"Red": 12, "overdue": 3, ...}."""
        counts = (_text(node).split(" ", 1) for node in self.root.select("#board-totals .total"))
        return {label: int(number) for number, label in counts}

    def out_of_band_ids(self) -> list[str]:
        """Ids of the elements an htmx answer swaps in out of band."""
        return [node["id"] for node in self.root.select("[hx-swap-oob][id]")]

    # --- messages and forms ------------------------------------------------------------------
    def flash_text(self) -> str:
        return _text(self.root.select_one("#flash"))

    def alerts(self) -> list[str]:
        return [_text(node) for node in self.root.select('[role="alert"]')]

    def form_errors(self, within: str | None = None) -> list[str]:
        """Inline field errors (not the summary), optionally inside the element matching `within`."""
        root = self.root.select_one(within) if within else self.root
        return [_text(node) for node in root.select(".field-error")] if root else []

    def error_summary(self) -> list[str]:
        return [_text(node) for node in self.root.select(".error-summary li")]

    def field_value(self, name: str, within: str | None = None) -> str | None:
        """What a form field holds as the page shows it (input value, textarea text, selected option)."""
        root = self.root.select_one(within) if within else self.root
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
        for node in self.root.select("label"):
            if _text(node) == label:
                field = self.root.find_id(node["for"]) if node.has_attr("for") else node.select_one("input")
                return field.get("value") if field is not None else None
        return None

    def definition(self, term: str) -> str | None:
        """The words of the <dd> after the <dt> reading `term` (a fact of an action's detail)."""
        for node in self.root.select("dt"):
            if _text(node) == term:
                value = node.find_next_sibling("dd")
                return _text(value) if value is not None else None
        return None

    def forms(self, within: str | None = None) -> list[Node]:
        """The forms of the page, or of the element matching `within` (none when it is not there)."""
        root = self.root.select_one(within) if within else self.root
        return root.select("form") if root else []

    def submission(self, button: str) -> tuple[str, MultiDict]:
        """What a browser sends on pressing the button named `button`: its form's action, and every field
        of the form in page order (the first of two fields with one name is the one the server reads)."""
        pressed = next((node for node in self.root.select("form button, form input[type=submit]")
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
        field = self.root.select_one('input[name="csrf_token"]')
        if field is not None:
            return field.get("value")
        body = self.root.select_one("body[hx-headers]")
        match = re.search(r'"X-CSRFToken": "([^"]+)"', body["hx-headers"]) if body else None
        return match.group(1) if match else None

    # --- anything ----------------------------------------------------------------------------
    def text(self, selector: str | None = None) -> str:
        """Visible words of the page, or of the first element matching `selector`."""
        return _text(self.root.select_one(selector) if selector else self.root)

    def texts(self, selector: str) -> list[str]:
        return [_text(node) for node in self.root.select(selector)]

    def links(self, selector: str = "a[href]") -> list[str]:
        return [node["href"] for node in self.root.select(selector) if node.has_attr("href")]

    def link(self, name: str) -> str | None:
        """The href of the first link named `name`, as a screen reader names it (aria-label, else its words)."""
        for node in self.root.select("a[href]"):
            if _accessible_name(node) == name:
                return node["href"]
        return None

    def link_names(self) -> list[str]:
        """The names of every link, as a screen reader reads them."""
        return [_accessible_name(node) for node in self.root.select("a[href]")]

    def link_text(self, href: str) -> str | None:
        """The visible words of the first link to `href`."""
        return next((_text(node) for node in self.root.select("a[href]") if node["href"] == href), None)

    def image_names(self) -> list[str]:
        """What each picture (img, or an SVG with role="img") says to someone who cannot see it."""
        return [_accessible_name(node) for node in self.root.select('img, [role="img"]')]

    def scripts(self) -> list[str]:
        """The src of every script the page loads."""
        return [node["src"] for node in self.root.select("script[src]")]

    def headings(self, level: str = "h1, h2, h3") -> list[str]:
        return [_text(node) for node in self.root.select(level)]

    def table_rows(self, selector: str = "table") -> list[list[str]]:
        table = self.root.select_one(selector)
        if table is None:
            return []
        return [[_text(cell) for cell in row.select("th, td")] for row in table.select("tr")]

    def is_full_page(self) -> bool:
        # Read from the text: lxml wraps a partial in <html><body> too.
        return re.match(r"\s*<!doctype html>", self.html, re.IGNORECASE) is not None


def page_of(response) -> Page:
    """Parse a Flask test client response (or HTML text)."""
    return Page(response if isinstance(response, str) else response.get_data(as_text=True))
