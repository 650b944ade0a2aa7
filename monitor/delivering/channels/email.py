# SPDX-License-Identifier: MIT
"""E-mail: one message per cycle, text and HTML, over SMTP.

smtplib blocks, so each delivery runs in a worker thread (`asyncio.to_thread`)
and the event loop stays free for the next cycle's fetches.

    channel = EmailChannel(settings)
    outcomes = await channel.send(alerts_of_one_cycle)
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email.utils
import hashlib
import logging
import os
import smtplib
import socket
import ssl
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage

from monitor.config import Config, EmailConfig
from monitor.delivering.channels.base import Alert, Channel, Outcome, failed, one_line, scrub
from monitor.delivering.channels.templates import counts, html_message, text_message, view_of
from monitor.errors import ConfigError

logger = logging.getLogger(__name__)

TIMEOUT_S = 30.0
SUBJECT_LIMIT = 200


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: `[email]` with the password resolved from the environment."""

    host: str
    port: int
    security: str  # none | starttls | tls
    sender: Address
    recipients: tuple[Address, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    # Certificates to trust for starttls/tls; None means the system's (tests pass a self-signed one).
    tls_context: ssl.SSLContext | None = field(default=None, repr=False, compare=False)
    timeout: float = TIMEOUT_S


class EmailChannel(Channel):
    """`[email]`: one e-mail for the alerts of one cycle, over SMTP.

    Reads `host`, `port` (587), `security` (`none`, `starttls` — the default —
    or `tls` for implicit TLS, usually port 465), `sender`, `recipients`, and
    for login `username` with `password_env`, the name of the environment
    variable holding the password (the password is never read from the file).
    TLS certificates are verified against the system's trust store.

    Sends one multipart message (plain text and HTML) for all the alerts given —
    the outbox gives one cycle's worth — with the subject
    `[monitor] 3 changes: <first change's summary>`. Each change shows its
    summary, before → after, the evidence sentence and its sources with links;
    feed-health alerts (feed failing / recovered) follow. Every value in the HTML
    is escaped, and the subject is one line, so an article cannot add markup or
    headers. The Message-ID is derived from the alert ids: a retry of the same
    alerts carries the same Message-ID, which lets mail clients fold duplicates.

    Delivered: the server accepted the message for at least one recipient
    (refused recipients are logged). Retried: the server cannot be reached,
    the connection or TLS fails, a 4xx reply, or a failed login (fix the
    password and pending alerts still go out). Failed for good: a 5xx reply
    such as every recipient refused. All alerts of the message share its outcome.
    """

    kind = "email"
    batched = True  # one message per cycle, however many alerts it carries

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.name = "email"

    @classmethod
    def from_config(cls, config: Config, *, environ: Mapping[str, str] = os.environ) -> list[Channel]:
        if config.email is None:
            return []
        return [cls(settings_of(config.email, environ))]

    async def send(self, alerts: list[Alert]) -> list[Outcome]:
        if not alerts:
            return []
        try:
            message = build_message(alerts, self.settings)
        except (ValueError, TypeError, HeaderParseError) as exc:  # the email package refused a value
            return [failed(alert, f"email: cannot build the message ({type(exc).__name__}: {exc})") for alert in alerts]
        # One message, one fate: every alert in it gets the outcome of the delivery.
        result = await asyncio.to_thread(self._deliver, message)
        return [dataclasses.replace(result, alert_id=alert.id) for alert in alerts]

    def _deliver(self, message: EmailMessage) -> Outcome:
        """The outcome of sending `message` (with an empty alert_id, filled in per alert by the caller)."""
        settings = self.settings
        where = f"{settings.host}:{settings.port}"
        try:
            with CONNECT[settings.security](settings) as smtp:
                if settings.username:
                    smtp.login(settings.username, settings.password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPException as exc:
            permanent, error = classify(exc)
            error = one_line(scrub(f"email via {where}: {error}", settings.password))
            logger.info("email failed channel=%s %s", self.name, error)
            return Outcome("", delivered=False, permanent=permanent, error=error)
        except OSError as exc:  # refused, unreachable, timeout, TLS handshake or certificate
            error = one_line(scrub(f"email via {where}: {type(exc).__name__}: {exc}", settings.password))
            logger.info("email failed channel=%s %s", self.name, error)
            return Outcome("", delivered=False, error=error)
        if refused:
            logger.warning("email: recipients refused channel=%s %s", self.name, ", ".join(sorted(refused)))
        return Outcome("", delivered=True)


def settings_of(config: EmailConfig, environ: Mapping[str, str]) -> SmtpSettings:
    """`[email]` checked, with the password from `password_env`; ConfigError naming the key."""
    password = None
    if config.password_env:
        password = environ.get(config.password_env)
        if not password:
            raise ConfigError(f"email: password_env {config.password_env} is not set")
        if not config.username:
            raise ConfigError("email: password_env is set but username is missing")
    elif config.username:
        raise ConfigError("email: username is set but password_env is missing")
    return SmtpSettings(
        host=config.host,
        port=config.port,
        security=config.security,
        sender=_address(config.sender, "email.sender"),
        recipients=tuple(_address(r, f"email.recipients[{i}]") for i, r in enumerate(config.recipients, start=1)),
        username=config.username,
        password=password,
    )


def _address(value: str, key: str) -> Address:
    name, addr_spec = email.utils.parseaddr(value)
    try:
        address = Address(display_name=name, addr_spec=addr_spec)
    except (ValueError, HeaderParseError):
        address = None
    if address is None or not address.domain:
        raise ConfigError(f"{key}: not an e-mail address: {one_line(value)!r}")
    return address


def build_message(alerts: list[Alert], settings: SmtpSettings) -> EmailMessage:
    """The message for `alerts`: headers, a text part and an HTML alternative."""
    views = [view_of(alert) for alert in alerts]
    run_id = alerts[0].run_id
    message = EmailMessage()
    message["Subject"] = subject(counts(views), views[0].title)
    message["From"] = settings.sender
    message["To"] = settings.recipients
    message["Date"] = email.utils.format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = message_id(alerts, settings.sender.domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    # Quoted-printable keeps the source readable and needs no 8BITMIME from the server (the default may pick base64).
    message.set_content(text_message(views, run_id=run_id), cte="quoted-printable")
    message.add_alternative(html_message(views, run_id=run_id), subtype="html", cte="quoted-printable")
    return message


def subject(counted: str, first_title: str) -> str:
    """`[monitor] <counts>: <first title>` on one line, without control characters.

    >>> subject("1 change", "Azure\\r\\nBcc: evil@x")
    '[monitor] 1 change: Azure Bcc: evil@x'
    """
    line = " ".join(f"[monitor] {counted}: {first_title}".split())
    # Whitespace is collapsed above; what remains of Cc/Cf (NUL, escapes, bidi overrides) has no place in a subject.
    line = "".join(ch for ch in line if unicodedata.category(ch)[0] != "C")
    return line if len(line) <= SUBJECT_LIMIT else line[: SUBJECT_LIMIT - 1] + "…"


def message_id(alerts: list[Alert], domain: str) -> str:
    """A Message-ID that is the same for the same alerts (make_msgid would also look up the FQDN)."""
    digest = hashlib.sha256("\n".join(sorted(alert.id for alert in alerts)).encode()).hexdigest()[:32]
    return f"<{digest}@{domain or 'msft-openai-monitor'}>"


def classify(exc: smtplib.SMTPException) -> tuple[bool, str]:
    """(permanent?, one-line error) for an SMTP failure: 5xx replies are final, the rest transient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        listed = "; ".join(f"{rcpt} ({code} {_reply(text)})" for rcpt, (code, text) in exc.recipients.items())
        return all(500 <= code < 600 for code in codes), f"recipients refused: {listed}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False, f"login refused ({exc.smtp_code} {_reply(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600, f"{type(exc).__name__} ({exc.smtp_code} {_reply(exc.smtp_error)})"
    return False, f"{type(exc).__name__}: {exc}"


def _reply(text: bytes | str) -> str:
    return one_line(text.decode("utf-8", "replace") if isinstance(text, bytes) else text, limit=200)


# -- connections, by `security` ------------------------------------------------------------------------------------


def _plain(settings: SmtpSettings) -> smtplib.SMTP:
    return smtplib.SMTP(settings.host, settings.port, local_hostname=_helo_name(), timeout=settings.timeout)


def _starttls(settings: SmtpSettings) -> smtplib.SMTP:
    smtp = _plain(settings)
    try:
        smtp.starttls(context=settings.tls_context or ssl.create_default_context())
    except BaseException:
        smtp.close()
        raise
    return smtp


def _tls(settings: SmtpSettings) -> smtplib.SMTP:
    context = settings.tls_context or ssl.create_default_context()
    return smtplib.SMTP_SSL(
        settings.host, settings.port, local_hostname=_helo_name(), timeout=settings.timeout, context=context
    )


def _helo_name() -> str:
    # smtplib's default, socket.getfqdn(), may wait on DNS; the host name alone does not.
    return socket.gethostname() or "localhost"


CONNECT: dict[str, Callable[[SmtpSettings], smtplib.SMTP]] = {"none": _plain, "starttls": _starttls, "tls": _tls}
