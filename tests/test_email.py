"""The outbox: messages reach a real SMTP server with both parts; without a server they go to instance/outbox/;
a broken server never fails a page, and `send-mail` sends what waited, with a growing wait between tries."""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from board import clock
from board.services import outbox
from board.services.outbox import Email
from models import OutboxMessage, db
from tests.conftest import answered, copy_database, csrf_token, make_app, signed_in
from tests.mail import SmtpServer, html_of, links_in, text_of

EMAIL = Email("Your actions this week", "Plain words: https://board.example/actions/2.7",
              "<p>Plain <a href=\"https://board.example/actions/2.7\">words</a></p>", {"X-Board": "digest"})


def test_a_message_reaches_the_smtp_server_with_a_plain_text_and_an_html_part(mail_app, smtp):
    with mail_app.app_context():
        outbox.queue("lead@example.org", EMAIL, kind="digest")
        db.session.commit()
        done = outbox.deliver()
        message = db.session.scalars(select(OutboxMessage)).one()
        assert (done.sent, message.attempts) == (1, 1) and message.sent_at is not None
    [received] = smtp.inbox.to("lead@example.org")
    assert received["Subject"] == "Your actions this week"
    assert received["From"] == "Board <board@example.org>" and received["X-Board"] == "digest"
    assert text_of(received).strip() == "Plain words: https://board.example/actions/2.7"
    assert 'href="https://board.example/actions/2.7"' in html_of(received)
    assert links_in(received) == ["https://board.example/actions/2.7"]


def test_without_a_mail_server_messages_are_written_to_instance_outbox_and_logged(seeded_app):
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger("board.mail").addHandler(handler)
    try:
        with seeded_app.app_context():
            outbox.queue("lead@example.org", EMAIL, kind="digest")
            db.session.commit()
            assert outbox.deliver().sent == 1
    finally:
        logging.getLogger("board.mail").removeHandler(handler)
    [written] = list((Path(seeded_app.instance_path) / "outbox").iterdir())
    content = written.read_text(encoding="utf-8")
    assert "Subject: Your actions this week" in content and "To: lead@example.org" in content
    assert "text/plain" in content and "text/html" in content
    assert any("lead@example.org" in line and "outbox" in line for line in lines), lines


def test_with_the_smtp_server_down_the_page_answers_the_message_waits_and_send_mail_sends_it(tmp_path,
                                                                                            seeded_template):
    server = SmtpServer()  # not started: nothing listens on its port
    app = make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(seeded_template, tmp_path),
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    admin = signed_in(app, "admin")
    invited = answered(admin.post("/admin/users", data={
        "email": "new.lead@example.org", "name": "New Lead", "role": "contributor", "invite": "1",
        "csrf_token": csrf_token(admin)}))
    assert invited.status_code == 201
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage)).one()
        assert (waiting.to_address, waiting.sent_at, waiting.attempts) == ("new.lead@example.org", None, 1)
        assert "ConnectionRefusedError" in waiting.last_error
    failed = app.test_cli_runner().invoke(args=["send-mail"])
    assert failed.exit_code == 1 and "1 failed and will be tried again" in failed.output
    server.start()
    try:
        # A failed try waits before the next; after the mail server is fixed, --now sends at once.
        sent = app.test_cli_runner().invoke(args=["send-mail", "--now"])
        assert sent.exit_code == 0, sent.output
        assert "Sent 1 message(s) over SMTP" in sent.output
        [received] = server.inbox.to("new.lead@example.org")
        assert received["Subject"].startswith("You are invited to the improvement plan board")
        assert any("/set-password/" in link for link in links_in(received))
    finally:
        server.stop()
    with app.app_context():
        delivered = db.session.scalars(select(OutboxMessage)).one()
        assert delivered.sent_at is not None and delivered.attempts == 3
        assert "set-password" not in delivered.text_body  # a sent password link is not kept


def test_the_wait_grows_after_each_failure_and_a_message_is_given_up_after_twenty_tries(tmp_path, seeded_template):
    assert [outbox.retry_wait(n).total_seconds() / 60 for n in range(1, 10)] == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    down = SmtpServer()
    app = make_app(tmp_path, schema=False, SQLALCHEMY_DATABASE_URI=copy_database(seeded_template, tmp_path),
                   MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
    with app.app_context():
        message = outbox.queue("lead@example.org", EMAIL, kind="digest")
        db.session.commit()
        outbox.deliver()
        outbox.deliver()  # the second try at once: the first failure waits for nothing
        assert message.attempts == 2 and message.next_attempt_at > clock.now() + timedelta(seconds=50)
        assert outbox.deliver().failed == 0  # still waiting: not tried
        message.attempts = outbox.MAX_ATTEMPTS - 1
        db.session.commit()
        done = outbox.deliver(ignore_waits=True)
        assert (done.given_up, message.gave_up_at is not None, outbox.waiting_count()) == (1, True, 0)


def test_a_message_being_sent_by_one_sender_is_not_sent_by_another(mail_app, smtp):
    with mail_app.app_context():
        message = outbox.queue("lead@example.org", EMAIL, kind="digest")
        db.session.commit()
        # Another sender (the web worker, or cron) has claimed it and is sending it now.
        message.next_attempt_at = clock.now() + outbox.CLAIM
        db.session.commit()
        assert outbox.deliver().sent == 0
    assert smtp.inbox.to("lead@example.org") == []
