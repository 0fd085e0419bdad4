"""A tiny HTTP client for tests and the benchmark that talk to a real server (gunicorn)."""
from __future__ import annotations

import gzip
import http.client
import os
import re
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, log_path: Path, workers: int = 2,
                   secret: str = "test-only-secret-" + "0" * 32, app_spec: str = "app:create_app()",
                   **env) -> subprocess.Popen:
    """gunicorn as production runs it: the project's own gunicorn.conf.py, on a loopback port. It records the
    server's address in the instance folder: keep that beside the log, never in the checkout."""
    environment = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret, HOST="127.0.0.1", PORT=str(port),
                       WEB_CONCURRENCY=str(workers), BOARD_INSTANCE_PATH=str(log_path.parent / "instance"), **env)
    command = [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), app_spec]
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)


def wait_until_ready(proc: subprocess.Popen, port: int, log_path: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{log_path.read_text()}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout_s}s:\n{log_path.read_text()}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(port: int, method: str, path: str, headers: dict | None = None, form: dict | None = None,
            conn: http.client.HTTPConnection | None = None) -> tuple[int, str, http.client.HTTPResponse]:
    own = conn is None  # a connection made here is closed here (gthread workers keep it open)
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    headers = dict(headers or {})
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace"), response
    finally:
        if own:
            conn.close()


# What a browser offers (Chromium adds zstd, which the app does not send).
AS_A_BROWSER = {"Accept-Encoding": "gzip, deflate, br"}


def get_sent(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, str | None]:
    """GET `path` on a connection of its own, offering what a browser offers: the status, the body as sent
    (compressed or not) and its encoding."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", path, headers={**(headers or {}), **AS_A_BROWSER})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Content-Encoding")
    finally:
        conn.close()


def get_as_browser(port: int, path: str, headers: dict | None = None) -> tuple[int, str, str | None]:
    """`get_sent`, with the body decoded as the browser would."""
    import brotli

    status, body, encoding = get_sent(port, path, headers)
    decode = {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}[encoding]
    return status, decode(body).decode("utf-8"), encoding


def sign_in(port: int, email: str, password: str) -> dict:
    """Sign in through the form; the headers that carry the session and the page's CSRF token."""
    status, page, response = request(port, "GET", "/sign-in")
    cookie = next(c for c in response.msg.get_all("Set-Cookie") if c.startswith("session=")).split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    status, _, response = request(port, "POST", "/sign-in", {"Cookie": cookie},
                                  {"email": email, "password": password, "csrf_token": token})
    if status != 303:
        raise RuntimeError(f"sign-in answered {status}")
    session = _session_cookie(response)
    # Signing in starts a new session: the first page after it makes (and sets) its CSRF token.
    _, board, response = request(port, "GET", "/", {"Cookie": session})
    session = _session_cookie(response) or session
    token = re.search(r'"X-CSRFToken": "([^"]+)"', board).group(1)
    return {"Cookie": session, "X-CSRFToken": token}


def _session_cookie(response) -> str | None:
    cookies = [c for c in response.msg.get_all("Set-Cookie") or [] if c.startswith("session=")]
    return cookies[0].split(";")[0] if cookies else None


CARD_VERSIONS = re.compile(r'data-ref="([\d.]+)" data-version="(\d+)"')


def card_versions(html: str) -> dict[str, int]:
    return {ref: int(version) for ref, version in CARD_VERSIONS.findall(html)}
