"""Paper: the running header and footer of a printed report, and a publication's PDF.

The browser's print and the server's PDF (WeasyPrint, which lays text out with the system's Pango)
follow the same stylesheets: the board's, and a small one per paper whose page margins carry its plan,
period and version (a margin box takes only literal text, and the CSP allows no inline style, so that
stylesheet is served at /print-head.css). Page numbers come from CSS counters in both.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from flask import current_app

MAX_HEAD = 200


def css_string(text: str) -> str:
    """`text` as a double-quoted CSS string: everything but plain letters, digits and spaces escaped."""
    # Six hex digits and a space end each escape, so the character after it is read as itself.
    escaped = "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x} "
                      for ch in " ".join(text.split())[:MAX_HEAD])
    return f'"{escaped}"'


def running_css(head: str, period: str, version: str) -> str:
    """The page margins of a printed report: the plan at the top left, the period at the top right,
    the version at the bottom left and "Page X of Y" at the bottom right."""
    return ("@media print {\n  @page {\n"
            f"    @top-left {{ content: {css_string(head)}; }}\n"
            f"    @top-right {{ content: {css_string(period)}; }}\n"
            f"    @bottom-left {{ content: {css_string(version)}; }}\n"
            "  }\n}\n")


def _local(url: str, static_folder: str) -> tuple[bytes, str]:
    """What the PDF renderer may load: the app's own stylesheets and running head, never the network."""
    parts = urlsplit(url)
    static = Path(static_folder).resolve()
    if parts.path.startswith("/static/") and parts.path.endswith(".css"):
        path = (static / parts.path.removeprefix("/static/")).resolve()
        if path.is_file() and static in path.parents:
            return path.read_bytes(), "text/css"
    if parts.path.endswith("/print-head.css"):
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        return running_css(query.get("head", ""), query.get("period", ""), query.get("version", "")).encode(), \
            "text/css"
    raise ValueError(f"not loaded into a PDF: {url}")


def pdf_of(html: str) -> bytes:
    """The page's HTML as an A4 PDF (the page's own print stylesheets decide the layout)."""
    # Imported when a PDF is first made: WeasyPrint loads Pango, which no other page needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_folder = current_app.static_folder

    class LocalFiles(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime_type = _local(url, static_folder)
            return URLFetcherResponse(url, body, {"Content-Type": f"{mime_type}; charset=utf-8"})

    return HTML(string=html, base_url="http://board.invalid/", url_fetcher=LocalFiles(),
                media_type="print").write_pdf()
