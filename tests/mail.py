"""A real SMTP server inside the tests (aiosmtpd), and questions about the emails it received."""
from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"]+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """Every message the server accepted, as the recipients' mail programs would read it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        with self._lock:
            self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default)))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to `address` (the envelope's recipient, what the server really delivers)."""
        with self._lock:
            return [message for recipients, message in self.received if address in recipients]

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(address for recipients, _ in self.received for address in recipients)


class SmtpServer:
    """aiosmtpd on a loopback port; `stop()` and `start()` take it down and bring it back on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    """The links of the plain-text part, in order."""
    return LINK.findall(text_of(message))
