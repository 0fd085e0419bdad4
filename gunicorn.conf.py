"""gunicorn settings used by `make run` (override any with GUNICORN_CMD_ARGS or the environment)."""
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Sync workers: the board's requests are short and database-bound.
workers = int(os.environ.get("WEB_CONCURRENCY", min(8, multiprocessing.cpu_count() * 2 + 1)))
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

