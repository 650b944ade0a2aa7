# SPDX-License-Identifier: MIT
"""Alert channels against real receivers on 127.0.0.1.

Webhooks go to a LocalServer that verifies every request with the independent
`standardwebhooks` library; e-mail to an aiosmtpd server; Apprise to a
`json://` receiver. Nothing here waits on a clock.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import hashlib
import html as html_module
import json
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from monitor.backoff import retry_after_seconds as retry_after
from monitor.config import AppriseConfig, Config, EmailConfig, WebhookConfig, load_config
from monitor.delivering.channels import (
    CHANNELS,
    Alert,
    AppriseChannel,
    EmailChannel,
    Outcome,
    WebhookChannel,
    build_channels,
)
from monitor.delivering.channels.email import SmtpSettings, settings_of, subject
from monitor.delivering.channels.templates import html_alert, view_of
from monitor.delivering.channels.webhook import channel_name, sign
from monitor.errors import ConfigError
from tests.support.httpserver import LocalServer, RecordedRequest, Response
from tests.support.smtp import Inbox

# Apprise's e-mail plugin imports the stdlib's deprecated `imghdr` (for PGPy) when it loads its plugins,
# which it does on the first URL it parses. Only that warning is ignored.
pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")

FIXTURES = Path(__file__).parent / "channels"
SECRET = "whsec_" + base64.b64encode(b"a 32-byte key for the tests only").decode()
PASSWORD = "pw-Sup3r-s3cret"


def change_alert(alert_id: str = "dlv_1", *, summary: str = "OpenAI adds AWS as a compute provider") -> Alert:
    change = {
        "id": "chg_0123456789abcdef0123",
        "facet": "openai.compute_provider",
        "key": "aws",
        "kind": "new",
        "before": None,
        "after": {
            "facet": "openai.compute_provider",
            "key": "aws",
            "status": "provider",
            "values": {"amount_usd": 3.8e10, "duration_years": 7},
            "hedged": False,
            "when": "2025-11-03",
            "evidence": "OpenAI signed a $38 billion, seven-year deal with AWS.",
        },
        "severity": "high",
        "summary": summary,
        "first_seen": "2025-11-03T12:00:00+00:00",
        "sources": [{"url": "https://news.example.org/aws-deal", "title": "OpenAI turns to AWS", "published": None}],
    }
    return Alert(alert_id, "change.flagged", "test", {"type": "change.flagged", "change": change}, run_id=7)


def feed_alert(alert_id: str = "dlv_feed", event: str = "feed.failing") -> Alert:
    feed = {"url": "https://feeds.example.org/rss.xml", "error": "HTTP 500", "failures": 3}
    return Alert(alert_id, event, "test", {"type": event, "feed": feed}, run_id=7)


def send(channel: Any, alerts: list[Alert]) -> list[Outcome]:
    outcomes: list[Outcome] = asyncio.run(channel.send(alerts))
    assert [o.alert_id for o in outcomes] == [a.id for a in alerts]
    return outcomes


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- webhook ------------------------------------------------------------------------------------------------------


class Receiver:
    """A webhook receiver that verifies each request per Standard Webhooks, then answers `reply`."""

    def __init__(self, reply: Response = (200, {}, b"ok")) -> None:
        self.reply = reply
        self.verified: list[tuple[str, Any]] = []  # (webhook-id, payload)
        self.rejected: list[str] = []

    def __call__(self, request: RecordedRequest) -> Response:
        try:
            payload = Webhook(SECRET).verify(request.body, dict(request.headers))
        except WebhookVerificationError as exc:
            self.rejected.append(str(exc))
            return 401, {}, b"bad signature"
        self.verified.append((request.headers["webhook-id"], payload))
        return self.reply


def webhook_at(server: LocalServer, receiver: Receiver, path: str = "/hook") -> WebhookChannel:
    server.route_handler(path, receiver)
    return WebhookChannel(server.url(path), SECRET)


def test_webhook_delivers_a_signed_compact_json_body(local_server: LocalServer) -> None:
    receiver = Receiver()
    alert = change_alert()
    [outcome] = send(webhook_at(local_server, receiver), [alert])
    assert outcome == Outcome(alert.id, delivered=True)
    assert receiver.rejected == [] and receiver.verified == [(alert.id, alert.payload)]
    request = local_server.requests[0]
    assert request.method == "POST" and request.headers["content-type"] == "application/json"
    assert request.body == json.dumps(alert.payload, separators=(",", ":"), ensure_ascii=False).encode()
    assert request.headers["webhook-timestamp"].isdigit()


def test_webhook_keeps_the_same_id_on_every_retry(local_server: LocalServer) -> None:
    receiver = Receiver()
    channel = webhook_at(local_server, receiver)
    alert = change_alert("dlv_same")
    send(channel, [alert])
    send(channel, [alert])
    assert [webhook_id for webhook_id, _ in receiver.verified] == ["dlv_same", "dlv_same"]


def test_webhook_sends_one_request_per_alert_and_keeps_non_ascii(local_server: LocalServer) -> None:
    receiver = Receiver()
    alerts = [change_alert("dlv_a", summary="Microsoft perd l’exclusivité Azure"), feed_alert()]
    outcomes = send(webhook_at(local_server, receiver), alerts)
    assert all(o.delivered for o in outcomes)
    assert [p for _, p in receiver.verified] == [a.payload for a in alerts]
    assert "l’exclusivité".encode() in local_server.requests[0].body


@pytest.mark.parametrize(
    ("status", "headers", "permanent", "retry_after_s"),
    [
        (503, {"Retry-After": "120"}, False, 120.0),
        (429, {}, False, None),
        (429, {"Retry-After": "7"}, False, 7.0),
        (408, {}, False, None),
        (500, {}, False, None),
        (400, {}, True, None),
        (410, {}, True, None),
        (302, {"Location": "/elsewhere"}, False, None),
    ],
    ids=["503-retry-after", "429", "429-retry-after", "408", "500", "400-permanent", "410-permanent", "302"],
)
def test_webhook_outcome_by_status(
    local_server: LocalServer, status: int, headers: dict[str, str], permanent: bool, retry_after_s: float | None
) -> None:
    receiver = Receiver((status, headers, b"no"))
    [outcome] = send(webhook_at(local_server, receiver), [change_alert()])
    assert not outcome.delivered and outcome.permanent is permanent
    assert outcome.retry_after_s == retry_after_s
    assert outcome.error and f"HTTP {status}" in outcome.error
    assert len(local_server.requests) == 1  # redirects are not followed


def test_webhook_retry_after_as_an_http_date() -> None:
    now = dt.datetime(2025, 11, 3, 12, 0, tzinfo=dt.UTC)
    assert retry_after("Mon, 03 Nov 2025 12:02:00 GMT", now=now) == 120.0
    assert retry_after("Mon, 03 Nov 2025 11:00:00 GMT", now=now) == 0.0
    assert retry_after("soon", now=now) is None
    assert retry_after(None) is None


def test_webhook_connection_refused_is_retried_without_leaking_the_secret() -> None:
    url = f"http://127.0.0.1:{closed_port()}/hooks/T0ABCDEF1234567890xyz?token=tok-s3cret"
    [outcome] = send(WebhookChannel(url, SECRET), [change_alert()])
    assert not outcome.delivered and not outcome.permanent and outcome.error
    assert "ConnectError" in outcome.error
    for secret in (SECRET, SECRET.removeprefix("whsec_"), "tok-s3cret", "T0ABCDEF1234567890xyz"):
        assert secret not in outcome.error


def test_webhook_error_shows_only_scheme_and_host(local_server: LocalServer) -> None:
    path = "/services/T0ABCDEF1234567890xyz"
    local_server.route_handler(path, Receiver((500, {}, b"")))
    channel = WebhookChannel(local_server.url(path) + "?token=tok-s3cret", SECRET)
    [outcome] = send(channel, [change_alert()])
    assert outcome.error == f"HTTP 500 Internal Server Error from {local_server.base_url}/***"
    assert "tok-s3cret" not in channel.name and "T0ABCDEF1234567890xyz" not in channel.name


def test_our_signature_is_the_reference_implementations() -> None:
    body = b'{"type":"change.flagged"}'
    reference = Webhook(SECRET).sign("msg_1", dt.datetime.fromtimestamp(1_700_000_000, dt.UTC), body.decode())
    assert sign(SECRET, "msg_1", 1_700_000_000, body) == reference


def short_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:8]


SLACK = "https://hooks.slack.com/services/T0ABCDEF12/B0ABCDEF12/XXXXXXXXXXXXXXXXXXXXXXXX"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://hooks.example.org/monitor", "webhook:hooks.example.org/monitor"),
        ("https://hooks.example.org:8443/api/v1/monitor/", "webhook:hooks.example.org:8443/api/v1/monitor"),
        (SLACK, "webhook:hooks.slack.com/services/***/***/***#" + short_hash(SLACK)),
        (
            "https://example.org/hook?token=abc",
            "webhook:example.org/hook?***#" + short_hash("https://example.org/hook?token=abc"),
        ),
        (
            "https://user:pw@example.org/hook",
            "webhook:example.org/hook#" + short_hash("https://user:pw@example.org/hook"),
        ),
    ],
    ids=["plain", "port", "token-path", "token-query", "userinfo"],
)
def test_webhook_names_are_stable_and_token_free(url: str, name: str) -> None:
    assert channel_name(url) == name


# -- e-mail -------------------------------------------------------------------------------------------------------


def subject_of(message: EmailMessage) -> str:
    # CPython's folder may break a long Subject right after "Subject:"; its parser then keeps the leading space.
    value = str(message["Subject"])
    assert "\r" not in value and "\n" not in value
    return value.strip()


def email_channel(port: int, **changes: Any) -> EmailChannel:
    config = EmailConfig(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="Monitor <monitor@example.org>",
        recipients=["analyst@example.org", "desk@example.org"],
    )
    return EmailChannel(dataclasses.replace(settings_of(config, {}), **changes))


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


def test_email_sends_one_multipart_message_per_call(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    alerts = [change_alert("dlv_1"), change_alert("dlv_2", summary="Microsoft keeps its Azure API exclusivity")]
    alerts.append(feed_alert())
    outcomes = send(email_channel(port), alerts)
    assert all(o.delivered for o in outcomes)
    [message] = inbox.messages()
    assert inbox.envelopes[0].rcpt_tos == ["analyst@example.org", "desk@example.org"]
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert subject_of(message) == "[monitor] 2 changes, 1 feed alert: OpenAI adds AWS as a compute provider"
    assert message["From"] == "Monitor <monitor@example.org>"
    assert message["To"] == "analyst@example.org, desk@example.org"
    assert message["Date"] and message["Message-ID"].endswith("@example.org>")
    text, html = parts(message)
    for body in (text, html):
        assert "new (high): unknown → provider ($38 billion, 7 years)" in body
        assert "OpenAI signed a $38 billion, seven-year deal with AWS." in body
        assert "Feed failing: https://feeds.example.org/rss.xml" in body
    assert "https://news.example.org/aws-deal" in text
    assert '<a href="https://news.example.org/aws-deal">OpenAI turns to AWS</a>' in html


def test_email_message_id_is_the_same_for_a_retry(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    channel = email_channel(port)
    send(channel, [change_alert("dlv_1"), change_alert("dlv_2")])
    send(channel, [change_alert("dlv_2"), change_alert("dlv_1")])
    first, second = inbox.messages()
    assert first["Message-ID"] == second["Message-ID"]


def test_email_escapes_markup_in_html_only(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    send(email_channel(port), [change_alert(summary="Azure <script>alert(1)</script> deal")])
    text, html = parts(inbox.messages()[0])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Azure <script>alert(1)</script> deal" in text


def test_email_subject_cannot_inject_a_header(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    inbox, port = smtp_server()
    [outcome] = send(email_channel(port), [change_alert(summary="Azure\r\nBcc: evil@x\nX-Evil: 1")])
    assert outcome.delivered
    [message] = inbox.messages()
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert subject_of(message) == "[monitor] 1 change: Azure Bcc: evil@x X-Evil: 1"
    assert inbox.envelopes[0].rcpt_tos == ["analyst@example.org", "desk@example.org"]
    raw_headers = (inbox.envelopes[0].original_content or b"").split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith((b"bcc:", b"x-evil:")) for line in raw_headers.split(b"\r\n"))


def test_subject_is_one_short_line_without_control_characters() -> None:
    line = subject("1 change", "a\x00b\u202ec\t\x0bd" + "x" * 500)
    assert line.startswith("[monitor] 1 change: abc d") and len(line) == 200
    assert all(ch.isprintable() for ch in line)


def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data == (b"monitor", PASSWORD.encode())
    # handled=False: aiosmtpd then answers 535 itself (with the default, it sends nothing and the client times out).
    return AuthResult(success=ok, handled=False)


def login_config(port: int) -> Config:
    email_config = EmailConfig(
        host="127.0.0.1",
        port=port,
        security="none",
        username="monitor",
        password_env="MONITOR_SMTP_PASSWORD",
        sender="monitor@example.org",
        recipients=["analyst@example.org"],
    )
    return Config(email=email_config)


def test_email_logs_in_with_the_password_from_the_environment(
    smtp_server: Callable[..., tuple[Inbox, int]],
) -> None:
    inbox, port = smtp_server(authenticator=authenticator, auth_require_tls=False, auth_required=False)
    [channel] = build_channels(login_config(port), environ={"MONITOR_SMTP_PASSWORD": PASSWORD})
    [outcome] = send(channel, [change_alert()])
    assert outcome.delivered and len(inbox.envelopes) == 1
    assert PASSWORD not in repr(channel) and PASSWORD not in repr(getattr(channel, "settings", None))


def test_email_refused_login_is_retried_and_hides_the_password(
    smtp_server: Callable[..., tuple[Inbox, int]],
) -> None:
    inbox, port = smtp_server(authenticator=authenticator, auth_require_tls=False)
    [channel] = build_channels(login_config(port), environ={"MONITOR_SMTP_PASSWORD": "wrong-" + PASSWORD})
    [outcome] = send(channel, [change_alert()])
    assert not outcome.delivered and not outcome.permanent and outcome.error
    assert "535" in outcome.error and PASSWORD not in outcome.error
    assert inbox.envelopes == []


@pytest.mark.parametrize(
    ("reply", "permanent"),
    [("550 5.1.1 No such user", True), ("451 4.3.0 Try again later", False)],
    ids=["550-permanent", "451-retry"],
)
def test_email_refused_recipients(smtp_server: Callable[..., tuple[Inbox, int]], reply: str, permanent: bool) -> None:
    _, port = smtp_server(Inbox(rcpt_reply=reply))
    outcomes = send(email_channel(port), [change_alert("dlv_1"), feed_alert("dlv_2")])
    assert [(o.delivered, o.permanent) for o in outcomes] == [(False, permanent)] * 2
    assert outcomes[0].error == outcomes[1].error and reply.split()[0] in (outcomes[0].error or "")


def test_email_closed_port_is_retried() -> None:
    [outcome] = send(email_channel(closed_port()), [change_alert()])
    assert not outcome.delivered and not outcome.permanent
    assert outcome.error and "ConnectionRefusedError" in outcome.error


def tls_contexts(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting only the test certificate)."""
    cert, key = certificate
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


def test_email_starttls(smtp_server: Callable[..., tuple[Inbox, int]], certificate: tuple[Path, Path]) -> None:
    server_context, client_context = tls_contexts(certificate)
    inbox, port = smtp_server(tls_context=server_context, require_starttls=True)
    [outcome] = send(email_channel(port, security="starttls", tls_context=client_context), [change_alert()])
    assert outcome.delivered and inbox.tls == [True]
    # The same server refuses plain text: "none" really skips STARTTLS (530 is final).
    [plain] = send(email_channel(port, security="none"), [change_alert()])
    assert plain.permanent and "530" in (plain.error or "")


def test_email_implicit_tls(smtp_server: Callable[..., tuple[Inbox, int]], certificate: tuple[Path, Path]) -> None:
    server_context, client_context = tls_contexts(certificate)
    inbox, port = smtp_server(ssl_context=server_context)
    [outcome] = send(email_channel(port, security="tls", tls_context=client_context), [change_alert()])
    assert outcome.delivered and len(inbox.envelopes) == 1
    # Certificates are verified: the system's trust store does not know this one.
    [untrusted] = send(email_channel(port, security="tls"), [change_alert()])
    assert not untrusted.delivered and not untrusted.permanent
    assert "CERTIFICATE_VERIFY_FAILED" in (untrusted.error or "")


def test_email_settings_default_to_starttls_with_the_system_trust_store() -> None:
    config = EmailConfig(host="smtp.example.org", sender="m@example.org", recipients=["a@example.org"])
    settings = settings_of(config, {})
    assert settings == SmtpSettings("smtp.example.org", 587, "starttls", settings.sender, settings.recipients)
    assert settings.tls_context is None


# -- apprise ------------------------------------------------------------------------------------------------------


def test_apprise_posts_title_and_body(local_server: LocalServer) -> None:
    local_server.route("/notify", "ok")
    port = local_server.base_url.rsplit(":", 1)[1]
    channel = AppriseChannel([f"json://127.0.0.1:{port}/notify"])
    outcomes = send(channel, [change_alert(), feed_alert()])
    assert all(o.delivered for o in outcomes)
    first, second = (json.loads(request.body) for request in local_server.requests)
    assert first["title"] == "OpenAI adds AWS as a compute provider"
    assert "new (high): unknown → provider ($38 billion, 7 years)" in first["message"]
    assert "OpenAI signed a $38 billion" in first["message"] and "https://news.example.org/aws-deal" in first["message"]
    assert first["type"] == "warning"
    assert (
        second["title"] == "Feed failing: https://feeds.example.org/rss.xml" and "error: HTTP 500" in second["message"]
    )


def test_apprise_failure_is_retried_without_the_url(local_server: LocalServer) -> None:
    local_server.route("/notify", "broken", status=500)
    port = local_server.base_url.rsplit(":", 1)[1]
    channel = AppriseChannel([f"json://bot:tok-s3cret@127.0.0.1:{port}/notify"])
    [outcome] = send(channel, [change_alert()])
    assert not outcome.delivered and not outcome.permanent
    assert outcome.error == "apprise: notification failed (json)"
    assert "tok-s3cret" not in repr(channel) and "tok-s3cret" not in channel.name


def test_apprise_unreachable_service_is_retried() -> None:
    [outcome] = send(AppriseChannel([f"json://127.0.0.1:{closed_port()}/notify"]), [feed_alert()])
    assert not outcome.delivered and not outcome.permanent


# -- building channels from the configuration ---------------------------------------------------------------------


def test_channels_are_registered_and_documented() -> None:
    assert set(CHANNELS) == {"webhook", "email", "apprise"}
    for kind, cls in CHANNELS.items():
        doc = cls.__doc__ or ""
        assert doc.startswith(f"`[{kind}]`") or doc.startswith(f"`[[{kind}]]`")
        assert "Delivered" in doc and "Retried" in doc


def test_build_channels_from_a_configuration_file() -> None:
    config = load_config(FIXTURES / "monitor.toml")
    environ = {"MONITOR_WEBHOOK_SECRET": SECRET, "MONITOR_SMTP_PASSWORD": PASSWORD}
    channels = build_channels(config, environ=environ)
    assert [(c.kind, c.name) for c in channels] == [
        ("webhook", "webhook:hooks.example.org/monitor"),
        ("webhook", "webhook:hooks.slack.com/services/***/***/***#" + short_hash(SLACK)),
        ("email", "email"),
        ("apprise", "apprise"),
    ]
    for channel in channels:
        for secret in (SECRET, PASSWORD, "XXXXXXXXXXXXXXXXXXXXXXXX", "ntfy-s3cret", "tgram-s3cret"):
            assert secret not in channel.name and secret not in repr(channel)


def test_build_channels_with_nothing_configured() -> None:
    assert build_channels(Config(), environ={}) == []


def hook(**keys: Any) -> Config:
    return Config(webhook=[WebhookConfig(url="https://hooks.example.org/a", secret=SECRET), WebhookConfig(**keys)])


@pytest.mark.parametrize(
    ("config", "environ", "message"),
    [
        (
            hook(url="https://x.example.org/", secret_env="MONITOR_WEBHOOK_SECRET"),
            {},
            "webhook[2]: secret_env MONITOR_WEBHOOK_SECRET is not set",
        ),
        (hook(url="https://x.example.org/"), {}, "webhook[2]: no secret (set secret or secret_env)"),
        (
            hook(url="https://x.example.org/", secret="whsec_not base64!"),
            {},
            "webhook[2]: secret is not a Standard Webhooks secret (whsec_ + base64)",
        ),
        (
            hook(url="https://hooks.example.org/a", secret=SECRET),
            {},
            "webhook[2]: url repeats webhook[1]",
        ),
        (
            login_config(587),
            {},
            "email: password_env MONITOR_SMTP_PASSWORD is not set",
        ),
        (
            Config(email=EmailConfig(host="h", sender="not an address", recipients=["a@example.org"])),
            {},
            "email.sender: not an e-mail address: 'not an address'",
        ),
        (
            Config(apprise=AppriseConfig(urls=["json://127.0.0.1/x", "nonsense://tok-s3cret"])),
            {},
            "apprise.urls[2]: not an Apprise URL Apprise knows (nonsense://…)",
        ),
    ],
    ids=["secret-env-unset", "no-secret", "bad-secret", "duplicate", "password-env-unset", "bad-sender", "bad-apprise"],
)
def test_build_channels_refuses_a_bad_configuration(config: Config, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build_channels(config, environ=environ)
    assert str(caught.value) == message


# -- what the alerts say ------------------------------------------------------------------------------------------


def test_views_of_feed_events_and_unknown_events() -> None:
    recovered = view_of(feed_alert(event="feed.recovered"))
    assert recovered.title == "Feed recovered: https://feeds.example.org/rss.xml" and recovered.level == "success"
    assert recovered.details == ("error: HTTP 500", "failures: 3")
    other = view_of(Alert("dlv_x", "digest.ready", "test", {"type": "digest.ready", "n": 2}, run_id=None))
    assert other.title == "Alert: digest.ready" and '"n": 2' in other.details[0]


def test_only_web_links_become_anchors() -> None:
    alert = change_alert()
    change = dict(alert.payload["change"], sources=[{"url": "javascript:alert(1)", "title": "click"}])
    html = html_alert(view_of(dataclasses.replace(alert, payload={"type": "change.flagged", "change": change})))
    assert "<a " not in html and "click (javascript:alert(1))" in html


def test_a_malformed_payload_still_renders() -> None:
    alert = Alert("dlv_m", "change.flagged", "test", {"type": "change.flagged", "change": {"after": "?"}}, None)
    view = view_of(alert)
    assert view.title == "Change flagged" and view.transition == " (): unknown → unknown"


def test_email_shows_the_changes_on_a_timeline_table(smtp_server: Callable[..., tuple[Inbox, int]]) -> None:
    """E-mail clients strip SVG: the page's lanes and marks come as a table, a mark in the month it happened."""
    inbox, port = smtp_server()
    later = change_alert("dlv_2", summary="Microsoft's right of first refusal: held → ended")
    change = later.payload["change"]
    change.update(
        facet="azure.rofr",
        key="microsoft",
        kind="reversed",
        severity="critical",
        happened_at="2026-02-10",
        sources=[{"url": "javascript:alert(1)", "title": "x", "published": None}],
    )
    send(email_channel(port), [change_alert("dlv_1"), later, feed_alert()])
    text, html = parts(inbox.messages()[0])
    table = html[html.index("<table") : html.index("</table>")]
    assert "<svg" not in html and "Nov 2025</th>" in table and "Feb 2026</th>" in table
    rows = {html_module.unescape(row.split("</td>")[0].rsplit(">", 1)[-1]): row for row in table.split("<tr>")[2:]}
    assert set(rows) == {"OpenAI compute from …", "Microsoft's right of first refusal on OpenAI compute"}
    cells = [cell for cell in rows["OpenAI compute from …"].split("<td")[2:]]
    assert len(cells) == 4 and "&#9679;" in cells[0] and all("&#9679;" not in c for c in cells[1:])
    assert 'href="https://news.example.org/aws-deal"' in cells[0] and "#1565c0" in cells[0]
    reversal = rows["Microsoft's right of first refusal on OpenAI compute"].split("<td")[2:]
    assert "&#9679;" in reversal[3] and "#c2185b" in reversal[3] and "font-size:18px" in reversal[3]
    assert "javascript:" not in table, "a mark links only to a web source"
    assert "<table" not in text
