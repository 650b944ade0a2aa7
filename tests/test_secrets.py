# SPDX-License-Identifier: MIT
"""Credentials are used on the wire and shown nowhere.

One marker string is the password and the token of every place a secret can go
— the feed URLs (user:password@ and ?apikey=), the article URLs (user:password@
and ?token=), a webhook URL and the webhook's signing secret, an Apprise URL,
the SMTP password —
then the service runs as a user runs it: a cycle with a failing feed, alerts
delivered to one receiver and refused by another, every CLI command, and the
daemon with its endpoints, logging at DEBUG. The marker must appear in none of
what it printed, served, wrote or sent.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from monitor.urls import redact_url, redact_urls_in
from tests.support.httpserver import LocalServer, RecordedRequest
from tests.support.smtp import Inbox
from tests.test_daemon import Running, free_port
from tests.test_pipeline import DEV

MARKER = "Zq7xSECRETmarker"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(f"{MARKER}-signing-key".encode()).decode()
HIDDEN = (MARKER, WEBHOOK_SECRET.removeprefix("whsec_"))


SECRET_ENV = {"MONITOR_SMTP_PASSWORD": MARKER}


def monitor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONITOR_LOG_LEVEL": "DEBUG", "MONITOR_DB": "", **SECRET_ENV}
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=180,
                          env=env, cwd=cwd)  # fmt: skip


def with_credentials(url: str, query: str) -> str:
    return url.replace("http://", f"http://reader:{MARKER}@", 1) + f"?{query}={MARKER}"


def serve(server: LocalServer) -> list[RecordedRequest]:
    """The dev corpus behind credentials, a feed that fails, two webhook receivers; the requests they got."""
    base = server.base_url.replace("http://", f"http://reader:{MARKER}@", 1)
    feed = (DEV / "feed.xml").read_text(encoding="utf-8")
    feed = re.sub(r"\{BASE\}(/[\w-]+\.html)", rf"{base}\1?token={MARKER}", feed).replace("{BASE}", base)
    server.route("/feed.xml", feed.encode(), headers={"Content-Type": "application/rss+xml"})
    for page in DEV.glob("*.html"):
        server.route(f"/{page.name}", page.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
    server.route("/down.xml", b"", status=500)
    server.route("/hook", b"")
    server.route("/refusing-hook", b"no", status=400)
    server.route("/apprise", b"")
    return server.requests


def authenticator(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    return AuthResult(success=isinstance(data, LoginPassword) and data == (b"monitor", MARKER.encode()), handled=False)


def write_config(tmp_path: Path, server: LocalServer, *, port: int, smtp_port: int) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'database = "monitor.db"\ninterval = "1h"\n'
        f'[[feed]]\nurl = "{with_credentials(server.url("/feed.xml"), "apikey")}"\n'
        f'[[feed]]\nurl = "{with_credentials(server.url("/down.xml"), "apikey")}"\n'
        f'[[webhook]]\nurl = "{server.url("/hook")}?token={MARKER}"\nsecret = "{WEBHOOK_SECRET}"\n'
        f'[[webhook]]\nurl = "{server.url("/refusing-hook").replace("http://", f"http://hook:{MARKER}@")}"\n'
        f'secret = "{WEBHOOK_SECRET}"\n'
        f'[apprise]\nurls = ["{server.url("/apprise").replace("http://", f"json://bot:{MARKER}@")}"]\n'
        f'[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nusername = "monitor"\n'
        f'password_env = "MONITOR_SMTP_PASSWORD"\nsender = "monitor@example.org"\nrecipients = ["a@example.org"]\n'
        f'[delivery]\nretry_initial = "0s"\nretry_max = "0s"\nfeed_failing_after = 1\n'
        f'[server]\nlisten = "127.0.0.1:{port}"\n[daemon]\ntick = "0.2"\ndeliver_every = "0.5"\nlog_level = "DEBUG"\n',
        encoding="utf-8",
    )
    return config


def assert_hidden(where: str, text: str) -> None:
    for secret in HIDDEN:
        assert secret not in text, f"{where} shows a secret: …{text[max(0, text.find(secret) - 200) :][:400]}…"


@pytest.mark.slow
def test_no_output_shows_a_credential(
    local_server: LocalServer, tmp_path: Path, smtp_server: Callable[..., tuple[Inbox, int]]
) -> None:
    received = serve(local_server)
    inbox, smtp_port = smtp_server(authenticator=authenticator, auth_require_tls=False, auth_required=False)
    port = free_port()
    config = write_config(tmp_path, local_server, port=port, smtp_port=smtp_port)

    cycle = monitor("run", "--once", "--config", str(config), cwd=tmp_path)
    assert cycle.returncode == 0, cycle.stderr
    assert "1 failed" in cycle.stdout and "changes flagged" in cycle.stdout
    outputs = {"run --once": cycle.stdout + cycle.stderr}
    for command in (["feeds", "list"], ["feeds", "list", "--json"], ["alerts", "--all"], ["alerts", "--all", "--json"],
                    ["changes"], ["changes", "--json"], ["digest"]):  # fmt: skip
        run = monitor(*command, "--config", str(config), cwd=tmp_path)
        assert run.returncode == 0, (command, run.stderr)
        outputs[" ".join(command)] = run.stdout + run.stderr
    alerts = json.loads(monitor("alerts", "--all", "--json", "--config", str(config), cwd=tmp_path).stdout)
    statuses = {alert["status"] for alert in alerts["alerts"]}
    assert {"delivered", "failed"} <= statuses, "one receiver took alerts, the other refused them"
    assert any(alert["event"] == "feed.failing" for alert in alerts["alerts"])
    bad = monitor("feeds", "add", f"ftp://user:{MARKER}@example.org/?token={MARKER}", "--config", str(config),
                  cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 1
    outputs["feeds add (refused)"] = bad.stdout + bad.stderr

    assert inbox.envelopes, "the e-mail went out, logged in with the secret password"
    daemon = Running(config, port, env={"MONITOR_DB": "", **SECRET_ENV})
    try:
        daemon.wait_until(lambda: daemon.get("/healthz").status_code in (200, 503))
        for path in ("/", "/metrics", "/digest.xml", "/healthz"):
            outputs[f"GET {path}"] = daemon.get(path).text
    finally:
        daemon.stop()
        daemon.log_file.close()
    outputs["daemon log"] = daemon.log.read_text(encoding="utf-8")
    outputs["digest file"] = (tmp_path / "monitor.digest.xml").read_text(encoding="utf-8")
    outputs["e-mails"] = "\n".join((e.original_content or b"").decode("utf-8", "replace") for e in inbox.envelopes)
    outputs["sent to receivers"] = "\n".join(
        request.body.decode("utf-8", "replace")
        for request in received
        if "hook" in request.path or "apprise" in request.path
    )

    assert "***@127.0.0.1" in outputs["feeds list --json"], "the feed is shown, its credentials are not"
    for where, text in outputs.items():
        assert_hidden(where, text)


@pytest.mark.parametrize(
    ("url", "shown"),
    [("https://bob:hunter2@feeds.example.org/rss?apikey=abc&lang=fr#token=x",
      "https://***@feeds.example.org/rss?apikey=***&lang=fr#token=***"),
     ("https://example.org/a?b=c&page=2", "https://example.org/a?b=c&page=2"),
     ("https://x.example/?X-Amz-Signature=abc&X-Amz-Date=1&my_api_key=2",
      "https://x.example/?X-Amz-Signature=***&X-Amz-Date=1&my_api_key=***"),
     ("https://token@hooks.example/p", "https://***@hooks.example/p"),
     ("http://[::1:80/x?token=1", "http://[::1:80/***")],
)  # fmt: skip
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_urls_in_text_are_redacted_and_the_sentence_kept() -> None:
    text = "redirected to https://u:p@h.example/x?sig=abc, then failed (see http://ok.example/)."
    assert (
        redact_urls_in(text) == "redirected to https://***@h.example/x?sig=***, then failed (see http://ok.example/)."
    )
