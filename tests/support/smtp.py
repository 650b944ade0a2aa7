# SPDX-License-Identifier: MIT
"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, storing every message it receives.

inbox, port = smtp_server()              # the fixture (see tests/conftest.py)
... send to 127.0.0.1:port ...
message = inbox.envelopes[0].original_content
"""

from __future__ import annotations

import asyncio
import email
import email.policy
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class LoopbackController(Controller):
    """aiosmtpd's Controller on an ephemeral port.

    With port=0 the stock Controller pokes port 0 to start its server and fails;
    read the port the server got first.
    """

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Inbox:
    """An aiosmtpd handler that stores each message; `rcpt_reply` refuses recipients when set."""

    def __init__(self, rcpt_reply: str | None = None) -> None:
        self.rcpt_reply = rcpt_reply
        self.envelopes: list[Envelope] = []
        self.tls: list[bool] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        self.tls.append(session.ssl is not None)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [parse(envelope.original_content or b"") for envelope in self.envelopes]


def serve_smtp() -> Iterator[Callable[..., tuple[Inbox, int]]]:
    """Start aiosmtpd servers on 127.0.0.1: `start(handler, **smtp_options)` -> (handler, port)."""
    controllers: list[Controller] = []

    def start(inbox: Inbox | None = None, **options: Any) -> tuple[Inbox, int]:
        inbox = inbox or Inbox()
        controller = LoopbackController(inbox, hostname="127.0.0.1", port=0, server_hostname="localhost", **options)
        controller.start()
        controllers.append(controller)
        return inbox, controller.port

    yield start
    for controller in controllers:
        controller.stop()


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message
