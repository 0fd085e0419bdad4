"""The board app with one more route: the hello-world floor `board_bench.py` compares with, served by the
same gunicorn, configuration and middleware as every other request it measures."""
from app import create_app


def create():
    app = create_app()
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "Hello, world")
    return app
