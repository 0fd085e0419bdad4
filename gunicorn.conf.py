"""gunicorn settings used by `make run` (override any with GUNICORN_CMD_ARGS or the environment)."""
import multiprocessing
import os
import socket

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(8, multiprocessing.cpu_count() * 2 + 1)))
# Threaded workers keep a browser's connection open between requests (sync workers close it after each):
# a page's static files and its polls skip a new connection each. Measured in docs/performance.md.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Restart workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Refuse to start, in one line, without a secret fit to sign sessions (each worker would refuse too,
    with a traceback)."""
    from board.config import Config
    from board.security import secret_key_problem

    problem = secret_key_problem(Config.SECRET_KEY, Config.BOARD_ENV)
    if problem:
        raise RuntimeError(problem)  # gunicorn prints it as one "Error: ..." line and exits with 1


def when_ready(server):
    """Record in the instance folder where this server answers, so `flask --app app share-link create`
    prints links to it: BOARD_BASE_URL when set (the address people use), else the address it listens on."""
    from board.config import instance_folder, record_server_url

    url = os.environ.get("BOARD_BASE_URL") or _listening_url(server)
    if url:
        try:
            record_server_url(instance_folder(), url.rstrip("/"))
        except OSError as problem:  # a convenience for the command line: never a reason not to serve
            server.log.warning("Could not record the server's address for the command line: %s", problem)


def _listening_url(server):
    """The first TCP address gunicorn listens on, as a URL (a wildcard address is reached on loopback)."""
    for listener in server.LISTENERS:
        if listener.sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = listener.sock.getsockname()[:2]
            host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
            host = f"[{host}]" if ":" in host else host
            return f"{'https' if server.cfg.is_ssl else 'http'}://{host}:{port}"
    return None
