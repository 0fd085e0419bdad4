"""The board's cards as HTML: the detailed board's `card` and the whole plan's small `chip`.

The one place their markup is written. They were Jinja macros; at 1,000 cards the macros were about 80%
of a board drawn from nothing (80 us a card: a macro call, some 30 escapes through Jinja's runtime,
attribute lookups through the sandbox-aware `getattr`). Here a card is a few string joins, and only what
comes from the database or from people is escaped, with markupsafe's `escape`, as Jinja's autoescape
did (the same bytes: `&#39;`, `&#34;`). The two forms a card may carry for one request (its move form
back with a problem, the reason to ask for after a move) are still templates
(`partials/move_form.html`, `partials/reason_form.html`), rendered here with the card as `action`.

Templates draw cards through `cards_html` (a column of them, from kept cards where the lane allows) and
`partials/card.html` (one card alone).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from functools import lru_cache
from operator import attrgetter

from flask import render_template
from markupsafe import Markup, escape

from board.clock import ago
from board.services.board_view import Card, is_overdue, is_stale, one_off_stale_days, updated_since_request
from board.services.completion import card_completion, unevidenced
from board.services.due import cadence_label
from board.services.lineage import closed_label
from board.views.board import card_dom_id
from board.views.render_cache import render_cache
from models import Status

STATUS_LABELS = {status.value: status.label for status in Status}
# The whole plan's status codes: a letter as well as the colour (the key is on the page).
STATUS_CODES = {"not_started": "NS", "red": "R", "amber": "A", "green": "G", "complete": "C"}


@lru_cache(maxsize=4096)
def _month_year(day) -> str:
    """'Sep 2023', remembered per date: `strftime` was a tenth of drawing a card, and a plan's cards share
    few due months."""
    return day.strftime("%b %Y") if day else ""


class CardDrawing:
    """What every card drawn for one lane (or one card) shares: the board's day and plan, this request's
    UI (`BoardUi`: may move, URLs, filters, notices) and the stale-days setting, read once."""

    __slots__ = ("fq", "move_next", "names", "plan", "prefix", "shows_names", "stale_days", "today", "ui")

    def __init__(self, board, ui) -> None:
        self.today, self.plan, self.ui = board.today, board.plan, ui
        self.prefix, self.fq, self.move_next = escape(ui.detail_prefix), escape(ui.filter_query), escape(ui.move_next)
        self.shows_names, self.stale_days = ui.shows_names, one_off_stale_days()
        self.names: dict = {}  # each owner role's name, short name and initials, escaped once

    def _owner(self, role) -> tuple:
        found = self.names.get(role)
        if found is None:
            found = self.names[role] = (escape(role.name), escape(role.short_name), escape(role.initials))
        return found

    def carries_form(self, card) -> bool:
        """The card carries a form for this request only: the reason to ask for after its move, or its
        move form back with a problem (such a card is never kept)."""
        ui = self.ui
        return bool((ui.explain_event and ui.explain_event.action_id == card.id)
                    or (ui.open_move_form and ui.open_move_form.action_id == card.id))

    def _marks(self, card):
        """(overdue, stale, fixed, can move, url, the <li>'s opening attributes after its classes)."""
        overdue = is_overdue(card, self.today)
        stale = is_stale(card, self.today, self.stale_days)
        pointer = card.is_pointer
        fixed = pointer or card.closed_how
        can_move = self.ui.can_move and not fixed
        ref = escape(card.ref)
        url = f"{self.prefix}{ref}"  # escaping each part is escaping the whole: no entity spans them
        classes = "".join((" is-overdue" if overdue else "", " is-stale" if stale else "", " fixed" if fixed else "",
                           " pointer" if pointer else ""))
        opening = (f'status-{escape(card.status)}{classes}" id="{escape(card_dom_id(card.ref))}" data-ref="{ref}"'
                   + (f' data-version="{card.version}" data-move-url="{url}/move{self.fq}"' if can_move else "") + ">\n")
        return overdue, stale, can_move, url, ref, opening

    def _tools(self, card, url, ref) -> str:
        ui = self.ui
        if ui.open_move_form and ui.open_move_form.action_id == card.id:
            # The move came back (e.g. Complete asking for its evidence): its form stays open on the card.
            inner = render_template("partials/move_form.html", action=card, form=ui.open_move_form.form,
                                    filter_query=ui.filter_query, ui=ui)
        else:
            inner = (f'  <a class="move-link" href="{url}/move?next={self.move_next}"\n'
                     f'     hx-get="{url}/move{self.fq}" hx-target="closest .card-tools" hx-push-url="false">'
                     f'Update status<span class="visually-hidden"> of {ref}</span></a>\n')
        return f'<div class="card-tools">\n{inner}</div>\n'

    def _reason_form(self, card) -> str:
        ui = self.ui
        if ui.explain_event and ui.explain_event.action_id == card.id:
            return render_template("partials/reason_form.html", action=card, ui=ui)
        return ""

    @staticmethod
    def _request_words(card) -> str:
        """Where its owners' update request stands: "update requested 3 days ago", "updated since the request"."""
        if updated_since_request(card):
            return "updated since the request"
        return f"update requested {escape(ago(card.update_requested_at))}"

    @staticmethod
    def _lineage(card) -> str:
        """Where the action came from (an earlier plan) and how it was closed, if it was."""
        came = f'<p class="lineage-note">Carried forward from {escape(card.carried_from)}</p>' if card.carried_from else ""
        if not card.closed_how:
            return came
        return f'{came}<p class="lineage-note closed-note">{escape(closed_label(card.closed_how, card.closed_note))}</p>'

    @staticmethod
    def _lead(card, first: bool) -> str:
        return " (lead)" if first and len(card.owners) > 1 else ""

    def card(self, card) -> Markup:
        """The detailed board's card."""
        overdue, stale, can_move, url, ref, opening = self._marks(card)
        out = ['<li class="card ', opening, '  <div class="card-top">\n',
               f'    <h4 class="card-ref"><a href="{url}{self.fq}"><span class="visually-hidden">Action </span>{ref}</a></h4>\n',
               '    <p class="card-meta">']
        if card.due_date:
            out.append(f'<span class="due"><span class="visually-hidden">Due </span>{_month_year(card.due_date)}</span>')
        elif card.cadence:
            start = f" from {_month_year(card.cadence_start)}" if card.cadence_start else ""
            out.append(f'<span class="due cadence">{escape(cadence_label(card.cadence))}{start}</span>')
        elif card.due_text:
            out.append(f'<span class="due">Due {escape(card.due_text)}</span>')
        if overdue:
            out.append(' <span class="badge badge-overdue" title="Past its due date and not complete">Overdue</span>')
        if stale:
            out.append(' <span class="badge badge-stale" title="No update recorded within its cadence, or for weeks">Stale</span>')
        if unevidenced(card):
            out.append(' <span class="badge badge-no-evidence" title="Green or Complete, but no evidence note backs it">'
                       'No evidence</span>')
        out.append("</p>\n  </div>\n")
        if card.is_pointer:
            links = ", ".join(f'<a href="{self.prefix}{escape(see)}{self.fq}">{escape(see)}</a>' for see in card.see_also)
            out.append(f'  <p class="card-text">See {links}</p>\n'
                       '  <p class="pointer-note">Not separate work: its status follows theirs.</p>\n')
        elif card.parts:
            out.append(f'  <ol class="card-parts" aria-label="Parts of {ref}">\n')
            out.extend(_part(part) for part in card.parts)
            out.append("  </ol>\n")
        else:
            out.append(f'  <p class="card-text">{escape(card.text)}</p>\n')
        finished, awaiting = card_completion(card, self.plan)
        out.append(f'  <p class="status-in-words">Status: {STATUS_LABELS[card.status]}'
                   f'{", awaiting sign-off" if awaiting else ""}</p>\n')
        if finished or awaiting:
            badge = '<span class="badge badge-sign-off">Complete, awaiting sign-off</span> ' if awaiting else ""
            out.append(f'<p class="completion">{badge}{escape(finished or "")}</p>')
        out.append(self._lineage(card))
        if card.owners:
            out.append('  <ul class="card-owners" aria-label="Owners">')
            for i, role in enumerate(card.owners):
                lead = self._lead(card, i == 0)
                name, short_name, _ = self._owner(role)
                lead_class = ' class="lead"' if lead else ""
                out.append(f'<li title="{name}{lead}"{lead_class}><span aria-hidden="true">'
                           f'{short_name}</span><span class="visually-hidden">{name}{lead}</span></li>')
            out.append("</ul>")
        if card.due_moves:
            out.append(f'  <p class="slippage">was {escape(card.plan_due_text)} · moved {card.due_moves}×</p>\n')
        if card.last_activity_at or can_move or card.note_count or card.update_requested_at:
            out.append('  <div class="card-foot">\n')
            if card.note_count:
                out.append(f'<p class="note-count">{card.note_count} note{"s" if card.note_count != 1 else ""}</p>')
            if card.update_requested_at:
                answered = " answered" if updated_since_request(card) else ""
                out.append(f'<p class="update-request{answered}">{self._request_words(card)}</p>')
            if card.last_activity_at:
                by = f" by {escape(card.last_activity_by)}" if card.last_activity_by and self.shows_names else ""
                out.append(f'<p class="updated">updated {escape(ago(card.last_activity_at))}{by}</p>')
            if can_move:
                out.append(self._tools(card, url, ref))
            out.append("  </div>\n")
        out.append(self._reason_form(card))
        out.append("</li>\n")
        return Markup("".join(out))

    def chip(self, card) -> Markup:
        """The whole plan's small card (its words on hover and focus)."""
        overdue, stale, can_move, url, ref, opening = self._marks(card)
        finished, awaiting = card_completion(card, self.plan)
        no_evidence = unevidenced(card)
        dom_id = escape(card_dom_id(card.ref))
        out = ['<li class="card chip ', opening, '  <p class="chip-top">\n',
               (f'    <a class="card-ref" href="{url}{self.fq}" aria-describedby="{dom_id}-words">'
               f'<span class="visually-hidden">Action </span>{ref}</a>\n'),
               f'    <span class="status-code" aria-hidden="true">{STATUS_CODES[card.status]}</span>']
        if overdue:
            out.append(' <abbr class="mark mark-overdue" title="Overdue: past its due date and not complete">OD</abbr>')
        if stale:
            out.append(' <abbr class="mark mark-stale" title="Stale: no update within its cadence, or for weeks">ST</abbr>')
        if awaiting:
            out.append(' <abbr class="mark mark-sign-off" title="Complete, awaiting the plan owner\'s sign-off">SO</abbr>')
        if no_evidence:
            out.append(' <abbr class="mark mark-no-evidence" title="Green or Complete without evidence">NE</abbr>')
        words = [STATUS_LABELS[card.status], ", awaiting sign-off" if awaiting else "",
                 f", {escape(finished)}" if finished else "", ", overdue" if overdue else "", ", stale" if stale else "",
                 ", no evidence" if no_evidence else "",
                 f", {self._request_words(card)}" if card.update_requested_at else ""]
        out.append(f'  </p>\n  <p class="visually-hidden">Status: {"".join(words)}</p>')
        if card.is_pointer:
            out.append(f'  <p class="chip-owners">See {escape(card.see_also[0])}–{escape(card.see_also[-1])}</p>')
        elif card.owners:
            initials = " · ".join(f'<abbr title="{self._owner(role)[0]}{self._lead(card, i == 0)}">{self._owner(role)[2]}</abbr>'
                                  for i, role in enumerate(card.owners))
            out.append(f'  <p class="chip-owners">{initials}</p>')
        out.append(f'  <p class="chip-text" id="{dom_id}-words" role="tooltip">{ref}: {escape(card.text)}')
        if card.carried_from:
            out.append(f" (carried forward from {escape(card.carried_from)})")
        if card.closed_how:
            out.append(f" ({escape(closed_label(card.closed_how, card.closed_note))})")
        out.append("</p>\n")
        if can_move:
            out.append(self._tools(card, url, ref))
        out.append(self._reason_form(card))
        out.append("</li>\n")
        return Markup("".join(out))


def _part(part: dict) -> str:
    """One part of a card made of parts: its text, then its owners and due in brackets."""
    owners, due = part.get("owners"), part.get("due")
    meta = ""
    if owners or due:
        meta = (f' <span class="part-meta">({escape(", ".join(map(str, owners or ())))}{"; " if owners and due else ""}'
                f'{"" if "due" not in part else escape(due)})</span>')
    return f'<li>{"" if "text" not in part else escape(part["text"])}{meta}</li>'


# A kept card is keyed by every field of its row (`Card`: all of them, so a field added later keys it too).
_LISTS = ("owners", "see_also", "parts")
_PLAIN_FIELDS = attrgetter(*(field.name for field in fields(Card) if field.name not in _LISTS))


def _kept_by(card: Card) -> tuple:
    """The card's whole row as a key: its plain fields, its owners (hashable) and its JSON lists as their
    text. `repr` of the whole card said the same at four times the cost (a dataclass's repr, field by field)."""
    return (_PLAIN_FIELDS(card), tuple(card.owners), repr(card.see_also), repr(card.parts))


def cards_html(kind: str, cards: Iterable, board, ui, card_key: tuple | None = None) -> Markup:
    """A column's cards (`kind` "card" or "chip"), each drawn from the render cache when `card_key` is
    given (a lane drawn for a change: see `views.board._render_board`), kept by its whole row and
    `card_key`; a card carrying a form for this request only is drawn fresh and never kept."""
    drawing = CardDrawing(board, ui)
    draw: Callable = getattr(drawing, kind)
    if card_key is None:
        return Markup("".join([draw(card) for card in cards]))
    cache = render_cache()
    return Markup("".join([draw(card) if drawing.carries_form(card)
                           else cache.html(("card", kind, _kept_by(card), card_key), lambda card=card: draw(card))
                           for card in cards]))


def one_card_html(card, board, ui) -> Markup:
    """One card as its board view shows it (a chip on the whole plan)."""
    drawing = CardDrawing(board, ui)
    return drawing.chip(card) if ui.whole else drawing.card(card)
