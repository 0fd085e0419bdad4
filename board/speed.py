"""Responses at the speed of a static file: fingerprinted static URLs, compression, conditional GETs.

- `asset_url` links a static file as `/static/css/board.css?v=<digest of its bytes>`: such a URL
  never changes meaning, so it is cached for a year (`immutable`); a new deploy links new digests.
- Flask-Compress sends brotli or gzip to clients that accept them; the compressed bytes of a body
  are kept by the body's digest (the same body always compresses the same), so a cached board is not
  compressed again on each request.
- Pages that opt in (`conditional(response)`) get an ETag: the digest of what they send, so an
  `If-None-Match` holding it is answered 304 only when the body would be byte for byte the same.
- A page kept with parts of its own for each request (the board: its CSRF token, its clock) is sent
  gzipped by `gzip_spliced`: the kept parts compressed once, only the small ones per request.
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache
from pathlib import Path
from threading import Lock

import brotli
from cachetools import LRUCache
from flask import current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress

compress = Compress()
YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _file_digest(path: str, version: tuple[float, int]) -> str:
    """The digest of the file at `path` as it is at `version` (its modification time and size: part of
    the cache's key, so an edited file is read again)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def static_digest(filename: str) -> str | None:
    """A short digest of a static file's bytes (read once per version of the file), None if missing."""
    path = Path(current_app.static_folder, filename)
    try:
        stat = path.stat()
        return _file_digest(str(path), (stat.st_mtime, stat.st_size))
    except OSError:
        return None


def conditional(response):
    """Give `response` an ETag from its body and answer 304 when the request already holds it.

    Left out of the digest: this request's CSRF token (signed with the time, so new every second; the
    one the browser kept stays valid for the session). The board page, whose clock is left out too, is
    `conditional_parts`."""
    body = response.get_data()
    volatiles = [text.encode() for text in (g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")),)
                 if text]
    digest, skipped = _digest_without(body, volatiles)
    if not skipped:
        # Nothing volatile: the same body is sent again, so its compressed bytes are worth keeping. (A
        # page with a clock or a token differs every second: compressing it once is all it gets.)
        g.body_digest = digest
    response.set_etag(digest[:32])
    response.vary.add("Cookie")
    return response.make_conditional(request)


def conditional_parts(response, shell: tuple[bytes, ...], body_digest: bytes, volatile: bool):
    """`conditional` for a page made of a small shell rendered per request around a kept body whose
    digest was computed when it was kept: the ETag digests the shell (this request's CSRF token left
    out) and the body's digest, so a 304 is given only when both are the same. `volatile`: the body
    has a part left out of its digest (a clock), so its compressed bytes are not worth keeping."""
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    digest = hashlib.sha256(b"%d:" % len(shell))
    skipped = volatile
    for part in shell:
        part_digest, part_skipped = _digest_without(part, [token.encode()] if token else [])
        digest.update(part_digest.encode())
        skipped = skipped or part_skipped
    digest.update(body_digest)
    digest = digest.hexdigest()
    if not skipped:
        g.body_digest = digest
    response.set_etag(digest[:32])
    response.vary.add("Cookie")
    return response.make_conditional(request)


def _digest_without(body: bytes, volatiles: list[bytes]) -> tuple[str, bool]:
    """The digest of `body` with every occurrence of each of `volatiles` left out (read in place: a
    1,000-card board is a megabyte, not copied once per volatile), and whether any was found."""
    spans = []
    for volatile in volatiles:
        at = body.find(volatile)
        while at != -1:
            spans.append((at, at + len(volatile)))
            at = body.find(volatile, at + len(volatile))
    digest, view, start = hashlib.sha256(), memoryview(body), 0
    for begin, end in sorted(spans):
        if begin >= start:  # (never overlapping in practice: a clock and a token)
            digest.update(view[start:begin])
            start = end
    digest.update(view[start:])
    return digest.hexdigest(), bool(spans)


class GzipPart:
    """Bytes sent gzipped again and again: deflated once, at zlib's best, from a fresh compressor, so
    they can be spliced between parts deflated per request (`gzip_spliced`)."""

    __slots__ = ("_deflated", "raw")

    def __init__(self, raw: bytes) -> None:
        self.raw, self._deflated = raw, None

    @property
    def deflated(self) -> bytes:
        if self._deflated is None:  # (two threads at once would both write the same bytes)
            self._deflated = _deflate(self.raw, 9)
        return self._deflated


def _deflate(data: bytes, level: int, final: bool = False) -> bytes:
    """`data` as raw deflate blocks from a fresh compressor, ending on a byte boundary after a full flush
    (nothing after it refers back into it), or, `final`, ending the stream."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS


def gzip_spliced(parts: list) -> bytes:
    """One gzip stream of `parts` in order: bytes (deflated here, at zlib's usual level) and `GzipPart`s
    (deflated once). Each part's blocks start from a fresh compressor on a byte boundary, as a single
    compressor's do after a full flush, so any gzip reader reads the whole as one stream; the CRC is
    taken over every part's raw bytes (fast: several gigabytes a second)."""
    crc, size, out = 0, 0, [_GZIP_HEADER]
    for part in parts:
        raw = part.raw if isinstance(part, GzipPart) else part
        if not raw:
            continue
        crc, size = zlib.crc32(raw, crc), size + len(raw)
        out.append(part.deflated if isinstance(part, GzipPart) else _deflate(part, 6))
    out.append(_deflate(b"", 6, final=True))
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def accepts_gzip() -> bool:
    return bool(request.accept_encodings["gzip"])


class _CompressedBodies:
    """Flask-Compress's cache backend: compressed bytes by algorithm and body digest, bounded in bytes.
    Responses without a digest (nothing to key them by) are compressed each time and not kept."""

    def __init__(self, max_bytes: int = 16_000_000) -> None:
        self._items: LRUCache = LRUCache(max_bytes, getsizeof=len)
        self._lock = Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._items.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            with self._lock:
                self._items[key] = value


def _compress_key(_request) -> str:
    return g.get("body_digest", "")


def _static_file(filename: str):
    """Flask's static view, with the file read into memory (the files are small): a body, not a stream,
    so it is compressed once per version and kept (a compressed stream would be compressed on every
    request and, wrapped, never close its file). A fingerprinted URL is cached for a year."""
    response = current_app.send_static_file(filename)
    if response.status_code != 200:
        return response
    response.direct_passthrough = False
    response.get_data()  # buffered; the file is closed with the response
    version = request.args.get("v")
    if version and version == static_digest(filename):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        g.body_digest = f"{filename};{version}"
        if "br" in request.headers.get("Accept-Encoding", "") and response.mimetype in _COMPRESSIBLE:
            # Compressed once per version, so at brotli's best (slow, but once): a first visit is
            # smaller than Flask-Compress's per-request level gives.
            response.set_data(_best_brotli(filename, version))
            response.headers["Content-Encoding"] = "br"
            response.vary.add("Accept-Encoding")
            etag, weak = response.get_etag()
            if etag:
                response.set_etag(f"{etag}:br", weak)
    return response


_COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "image/svg+xml"}


@lru_cache(maxsize=64)
def _best_brotli(filename: str, version: str) -> bytes:
    return brotli.compress(Path(current_app.static_folder, filename).read_bytes(), quality=11)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a static file never varies by cookie: Flask-Login looks at the
    session after every request, which would add `Vary: Cookie`, and a browser would then fetch every
    fingerprinted file again once signing in changes the cookie."""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if request.endpoint == "static":
            response.vary.discard("cookie")  # lower case: werkzeug compares the header list with it as given


def init_app(app) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_CACHE_BACKEND", _CompressedBodies)
    app.config.setdefault("COMPRESS_CACHE_KEY", _compress_key)
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript", "application/javascript",
                                                 "text/csv", "image/svg+xml", "application/json"])
    compress.init_app(app)
    app.session_interface = SessionInterface()
    if app.has_static_folder:
        app.view_functions["static"] = _static_file
