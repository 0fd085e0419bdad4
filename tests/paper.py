"""Printed pages read back with pypdf, the way a committee clerk would check a paper: how many pages,
what each says in its margins, how full each is, and what its last line of content is."""
from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PdfReader

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
# The report's @page margins (static/css/board.css): the running head and foot sit inside them.
TOP_MARGIN, BOTTOM_MARGIN = 15 * MM, 14 * MM
HEADING_SIZE = 9.5  # the smallest heading's size in print (h3); body text and tables are smaller


@dataclass
class PrintedLine:
    y: float          # from the page's foot, in points
    size: float       # the text's size as printed, in points
    text: str


@dataclass
class PrintedPage:
    width: float
    height: float
    lines: list[PrintedLine]

    @property
    def text(self) -> str:
        return " ".join(line.text for line in sorted(self.lines, key=lambda line: -line.y))

    def _content(self) -> list[PrintedLine]:
        """The lines between the running head and the running foot."""
        return [line for line in self.lines if BOTTOM_MARGIN < line.y < self.height - TOP_MARGIN]

    @property
    def margins_text(self) -> str:
        content = {id(line) for line in self._content()}
        return " ".join(line.text for line in self.lines if id(line) not in content)

    @property
    def fill(self) -> float:
        """How much of the page's height its content takes (0 to 1)."""
        content = self._content()
        if not content:
            return 0.0
        top = self.height - TOP_MARGIN
        return (top - min(line.y for line in content)) / (top - BOTTOM_MARGIN)

    @property
    def last_line(self) -> PrintedLine | None:
        content = self._content()
        return min(content, key=lambda line: line.y) if content else None


def printed_pages(pdf: bytes) -> list[PrintedPage]:
    """Every page of a PDF with its lines of text placed on it (text drawn inside charts is left out:
    it carries its own transforms, and a chart is not a line of the paper)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        lines: list[PrintedLine] = []

        def visit(text, cm, tm, _font, size, lines=lines):
            _a, b, _c, d, _e, f = cm
            scale = size * tm[3] * d
            if text.strip() and scale > 0:
                lines.append(PrintedLine(b * tm[4] + d * tm[5] + f, round(scale, 2), text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(PrintedPage(float(page.mediabox.width), float(page.mediabox.height), lines))
    return pages


def check_a4_paper(pages: list[PrintedPage], version_words: str) -> None:
    """The 88-action quarter's report on at most six A4 pages, each but the last at least 40% full and
    ending on no heading, each with its running head and foot (`version_words` at the bottom left)."""
    assert 1 < len(pages) <= 6, len(pages)
    for number, printed in enumerate(pages, start=1):
        assert (round(printed.width), round(printed.height)) == (round(A4[0]), round(A4[1]))
        margins = " ".join(printed.margins_text.split())
        assert "Early Help and Children's Social Care Improvement and Impact Plan" in margins, margins
        assert "Highlight report, 16 Sep 2023 to 15 Dec 2023" in margins, margins
        assert version_words in margins, margins
        assert f"Page {number} of {len(pages)}" in margins, margins
        if number < len(pages):
            assert printed.fill >= 0.4, (number, printed.fill)
            assert printed.last_line.size < HEADING_SIZE, (number, printed.last_line)  # no heading at a foot
    # Table headers repeat on the page a table runs onto: the register's heads are on its last page.
    assert "Action Start End Direction Due at the end" in " ".join(pages[-1].text.split())
