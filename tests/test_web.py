# SPDX-License-Identifier: MIT
"""The HTTP side: health, metrics, the digest's validators, the page, and a real server on loopback.

Requests go through `httpx.ASGITransport` (no socket, no thread) against a real
SQLite file; one test runs `serve` on 127.0.0.1 and cancels it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sqlite3
from collections.abc import Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest
from markupsafe import escape  # the page's templates escape with it

from monitor.judging.baseline import build_baseline
from monitor.serving.metrics import Metrics
from monitor.serving.web import WebState, create_app, serve
from rules.engine import Engine
from storage import Store

HOSTILE = '<script>alert(1)</script> "onmouseover=alert(2)'
DIGEST = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title></channel></rss>\n'


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _change(change_id: str, *, summary: str, evidence: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """A change as `monitor.judging.events.change_json` shapes it."""
    after = {
        "facet": "azure.rofr",
        "key": "microsoft",
        "status": "ended",
        "values": values or {},
        "hedged": False,
        "when": "2025-10-29",
        "evidence": evidence,
    }
    before = {**after, "status": "held", "when": "2025-01-22", "evidence": "It keeps a right of first refusal."}
    return {
        "id": change_id,
        "facet": "azure.rofr",
        "key": "microsoft",
        "kind": "reversed",
        "before": before,
        "after": after,
        "severity": "critical",
        "summary": summary,
        "first_seen": "2025-10-29T12:00:00+00:00",
        "hedged": False,
        "sources": [],
    }


def _article(store: Store, url: str, title: str, feed_id: int) -> int:
    article, _ = store.add_article(
        guid=url, url=url, content_hash=url, title=title, published="2025-10-29", lang="en", text="…", feed_id=feed_id
    )
    return article.id


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database with two feeds (one failing), a plain change, a hostile one, and three alerts."""
    path = tmp_path / "m.db"
    with Store.open(path) as store:
        feed, _ = store.add_feed("https://news.example/feed.xml", title="Example news")
        broken, _ = store.add_feed("https://broken.example/rss")
        store.record_poll(broken.id, status=500, error="HTTP 500")
        plain = _article(store, "https://news.example/rofr", "Microsoft gives up its right of first refusal", feed.id)
        store.add_change(
            _change(
                "c-plain",
                summary="Microsoft's right of first refusal: held → ended",
                evidence="Microsoft no longer has a right of first refusal.",
            ),
            article_id=plain,
        )
        hostile = _article(store, "javascript:alert(3)", HOSTILE, feed.id)
        store.add_change(
            _change("c-hostile", summary=HOSTILE, evidence=HOSTILE, values={"names": [HOSTILE]}), article_id=hostile
        )
        store.outbox.add(
            [
                {"id": "a1", "event": "change.flagged", "channel": "email", "change_id": "c-plain", "payload": {}},
                {"id": "a2", "event": "change.flagged", "channel": "webhook", "change_id": "c-plain", "payload": {}},
                {"id": "a3", "event": "change.flagged", "channel": "email", "change_id": "c-hostile", "payload": {}},
            ]
        )
        store.outbox.delivered("a1")
        store.outbox.failed("a3", error="HTTP 400")
    return path


@pytest.fixture
def make_state(database: Path, tmp_path: Path) -> Callable[..., WebState]:
    def make(**overrides: Any) -> WebState:
        options: dict[str, Any] = {
            "database": database,
            "digest": tmp_path / "digest.xml",
            "metrics": Metrics(),
            "health": lambda: (True, "ok"),
        }
        return WebState(**{**options, **overrides})

    return make


def get(state: WebState, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """One GET through the ASGI transport, in its own event loop."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(state))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(path, headers=headers)

    return asyncio.run(go())


def assert_unavailable(response: httpx.Response, reason_part: str) -> None:
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert reason_part in response.json()["reason"]
    assert "Traceback" not in response.text and "m.db" not in response.text


# /healthz


def test_healthz_ok(make_state: Callable[..., WebState]) -> None:
    response = get(make_state(), "/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_scheduler_down(make_state: Callable[..., WebState]) -> None:
    response = get(make_state(health=lambda: (False, "scheduler not running")), "/healthz")
    assert_unavailable(response, "scheduler not running")


def test_healthz_database_is_a_directory(make_state: Callable[..., WebState], tmp_path: Path) -> None:
    assert_unavailable(get(make_state(database=tmp_path), "/healthz"), "database not writable")


def test_healthz_database_missing_is_not_created(make_state: Callable[..., WebState], tmp_path: Path) -> None:
    missing = tmp_path / "absent.db"
    assert_unavailable(get(make_state(database=missing), "/healthz"), "database not writable")
    assert not missing.exists()


def test_healthz_write_lock_held(make_state: Callable[..., WebState], database: Path) -> None:
    holder = sqlite3.connect(database, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        response = get(make_state(write_timeout_s=0.05), "/healthz")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_unavailable(response, "database is locked")
    assert get(make_state(write_timeout_s=0.05), "/healthz").status_code == 200


def test_unexpected_error_is_a_short_503(make_state: Callable[..., WebState], caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> tuple[bool, str]:
        raise RuntimeError("secret internals")

    response = get(make_state(health=broken), "/healthz")
    assert_unavailable(response, "internal error")
    assert "secret" not in response.text
    assert "secret internals" in caplog.text  # logged, with its traceback, for the operator


# /metrics


def test_metrics(make_state: Callable[..., WebState]) -> None:
    state = make_state()
    state.metrics.poll("200")
    state.metrics.poll("304")
    state.metrics.articles(3)
    state.metrics.change("reversed")
    state.metrics.cycle(1.5)
    state.metrics.up(True)
    response = get(state, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == Metrics.CONTENT_TYPE
    text = response.text
    for name in (
        "monitor_feeds",
        "monitor_feeds_failing",
        "monitor_polls_total",
        "monitor_articles_processed_total",
        "monitor_changes_flagged_total",
        "monitor_alerts",
        "monitor_cycle_duration_seconds",
        "monitor_up",
    ):
        assert f"# TYPE {name} " in text, name
    lines = set(text.splitlines())
    assert {
        "monitor_feeds 2.0",
        "monitor_feeds_failing 1.0",
        'monitor_alerts{state="pending"} 1.0',
        'monitor_alerts{state="delivered"} 1.0',
        'monitor_alerts{state="failed"} 1.0',
        'monitor_polls_total{outcome="200"} 1.0',
        'monitor_polls_total{outcome="error"} 0.0',
        "monitor_articles_processed_total 3.0",
        'monitor_changes_flagged_total{kind="reversed"} 1.0',
        "monitor_cycle_duration_seconds_count 1.0",
        "monitor_up 1.0",
    } <= lines


def test_metrics_database_unreadable(make_state: Callable[..., WebState], tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    assert_unavailable(get(make_state(database=garbage), "/metrics"), "database: file is not a database")
    assert_unavailable(get(make_state(database=tmp_path / "none.db"), "/metrics"), "database not found")


def test_metrics_instances_do_not_collide() -> None:
    first, second = Metrics(), Metrics()
    first.poll("error")
    assert b'monitor_polls_total{outcome="error"} 1.0' in first.render()
    assert b'monitor_polls_total{outcome="error"} 0.0' in second.render()


@pytest.mark.parametrize(("method", "value"), [("poll", "500"), ("change", "confirmed")])
def test_metrics_refuse_unknown_labels(method: str, value: str) -> None:
    with pytest.raises(ValueError, match="unknown"):
        getattr(Metrics(), method)(value)


# /digest.xml


def test_digest_missing(make_state: Callable[..., WebState]) -> None:
    response = get(make_state(), "/digest.xml")
    assert response.status_code == 404
    assert response.text.count("\n") == 1


@pytest.fixture
def digest_state(make_state: Callable[..., WebState], tmp_path: Path) -> WebState:
    state = make_state()
    state.digest.write_bytes(DIGEST)
    os.utime(state.digest, (1_760_000_000, 1_760_000_000))
    return state


def test_digest_served_with_validators(digest_state: WebState) -> None:
    response = get(digest_state, "/digest.xml")
    assert response.status_code == 200
    assert response.content == DIGEST
    assert response.headers["content-type"] == "application/rss+xml"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"] == formatdate(1_760_000_000, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({"If-None-Match": "ETAG"}, 304, id="etag"),
        pytest.param({"If-None-Match": '"other", W/ETAG'}, 304, id="etag-in-list-weak"),
        pytest.param({"If-None-Match": "*"}, 304, id="etag-star"),
        pytest.param({"If-None-Match": '"other"'}, 200, id="etag-other"),
        pytest.param({"If-Modified-Since": formatdate(1_760_000_000, usegmt=True)}, 304, id="since-same"),
        pytest.param({"If-Modified-Since": formatdate(1_760_000_100, usegmt=True)}, 304, id="since-later"),
        pytest.param({"If-Modified-Since": formatdate(1_759_999_999, usegmt=True)}, 200, id="since-older"),
        pytest.param({"If-Modified-Since": "yesterday"}, 200, id="since-garbage"),
        # If-None-Match wins: a changed ETag means changed, whatever the date says
        pytest.param(
            {"If-None-Match": '"other"', "If-Modified-Since": formatdate(1_760_000_100, usegmt=True)},
            200,
            id="etag-over-since",
        ),
    ],
)
def test_digest_conditional(digest_state: WebState, headers: dict[str, str], status: int) -> None:
    etag = get(digest_state, "/digest.xml").headers["etag"]
    headers = {name: value.replace("ETAG", etag) for name, value in headers.items()}
    response = get(digest_state, "/digest.xml", headers)
    assert response.status_code == status
    assert response.headers["etag"] == etag
    assert response.content == (b"" if status == 304 else DIGEST)


def test_digest_etag_follows_content(digest_state: WebState) -> None:
    etag = get(digest_state, "/digest.xml").headers["etag"]
    digest_state.digest.write_bytes(DIGEST.replace(b"<title>t", b"<title>u"))
    os.utime(digest_state.digest, (1_760_000_000, 1_760_000_000))  # same second: only the ETag can tell
    assert get(digest_state, "/digest.xml", {"If-None-Match": etag}).status_code == 200


# the page


@pytest.fixture
def page(make_state: Callable[..., WebState], engine: Engine) -> str:
    response = get(make_state(engine=engine), "/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]
    return response.text


def test_page_shows_changes_newest_first_with_delivery(page: str) -> None:
    assert escape("Microsoft's right of first refusal: held → ended") in page
    assert "<b>held</b>" in page and "<b>ended</b>" in page
    assert "Microsoft no longer has a right of first refusal." in page
    assert '<a href="https://news.example/rofr"' in page
    assert 'email: <span class="delivered">delivered</span>' in page
    assert 'webhook: <span class="pending">pending</span>' in page
    # same first_seen: the id breaks the tie, newest (greatest) first
    assert page.index('id="change-c-plain"') < page.index('id="change-c-hostile"')


def test_the_baseline_has_its_own_page_citing_seeds_by_title_and_date(
    page: str, engine: Engine, make_state: Callable[..., WebState]
) -> None:
    from monitor.judging.baseline import seed_titles

    baseline_page = get(make_state(engine=engine), "/baseline").text
    known = build_baseline(engine).get("azure.rofr", "microsoft")
    assert known is not None
    for citation in known.citations:
        assert escape(seed_titles()[citation.source]) in baseline_page and escape(citation.evidence) in baseline_page
    assert "azure.rofr / microsoft" in baseline_page and '<a href="/baseline">baseline</a>' in page
    assert '<a href="https://broken.example/rss"' in page and "HTTP 500" in page


def test_the_page_opens_on_where_the_relationship_stands(page: str, engine: Engine) -> None:
    from monitor.judging.baseline import seed_titles

    stands = page[page.index("<h2>Where it stands</h2>") : page.index("<h2>Changes</h2>")]
    assert "<b>ended</b>" in stands, "the rejected-or-not ROFR change of the fixture, in force now"
    assert any(escape(title) in stands for title in seed_titles().values()), "baseline rows cite their seed"


def test_the_filters_narrow_the_list_and_survive_paging(make_state: Callable[..., WebState]) -> None:
    state = make_state()
    assert get(state, "/?kind=reversed").text.count('class="change ') == 2
    assert "No change matches these filters." in get(state, "/?kind=new").text
    assert get(state, "/?source=rofr").text.count('class="change ') == 1
    assert get(state, "/?reviewed=yes").text.count('class="change ') == 0
    assert get(state, "/?severity=bogus&reviewed=maybe").status_code == 200


def test_page_escapes_hostile_values(page: str) -> None:
    assert "<script" not in page
    assert '"onmouseover' not in page
    # summary, values before and after, evidence, source title, the chart's tooltip, the state's evidence: as text
    assert page.count(escape(HOSTILE)) == 7
    assert 'href="javascript' not in page
    assert "javascript:alert(3)" in page  # the source still appears, as text


def test_page_without_engine_or_changes(make_state: Callable[..., WebState], tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    Store.open(empty).close()
    response = get(make_state(database=empty), "/")
    assert response.status_code == 200
    assert "No change flagged yet." in response.text and "Where it stands" not in response.text
    assert "No baseline loaded." in get(make_state(database=empty), "/baseline").text


def test_unknown_path(make_state: Callable[..., WebState]) -> None:
    assert get(make_state(), "/nope").status_code == 404
    assert get(make_state(), "/healthz/extra").status_code == 404


# the server


@pytest.fixture
def free_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    yield port


def test_serve_on_loopback_and_cancel(make_state: Callable[..., WebState], free_port: int) -> None:
    app = create_app(make_state())

    async def scenario() -> tuple[int, dict[str, Any], bool]:
        server = asyncio.create_task(serve(app, f"127.0.0.1:{free_port}"))
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port}") as client:
                response = await _first_answer(client, "/healthz")
        finally:
            server.cancel()
            with pytest.raises(asyncio.CancelledError):
                await server
        with socket.socket() as again:  # the port is free again: the socket was closed
            again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            again.bind(("127.0.0.1", free_port))
        return response.status_code, response.json(), server.cancelled()

    assert asyncio.run(asyncio.wait_for(scenario(), 20)) == (200, {"status": "ok"}, True)


def test_serve_port_in_use(make_state: Callable[..., WebState]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port}"):
            asyncio.run(serve(create_app(make_state()), f"127.0.0.1:{port}"))


async def _first_answer(client: httpx.AsyncClient, path: str) -> httpx.Response:
    """GET `path`, retrying while the server is still starting."""
    for _ in range(100):
        try:
            return await client.get(path)
        except httpx.ConnectError:
            await asyncio.sleep(0.05)
    raise AssertionError("the server never answered")


def test_a_trailing_slash_is_not_redirected_to_the_requests_host(make_state: Callable[..., WebState]) -> None:
    answer = get(make_state(), "/digest.xml/", headers={"Host": "evil.example"})
    assert answer.status_code == 404 and "evil.example" not in answer.headers.get("location", "")


def test_a_half_open_connection_is_closed(
    make_state: Callable[..., WebState], free_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that sends half a request head and waits does not hold its connection for ever."""
    import monitor.serving.web

    monkeypatch.setattr(monitor.serving.web, "HEADER_TIMEOUT_S", 0.5)
    app = create_app(make_state())

    async def scenario() -> tuple[bytes, float]:
        server = asyncio.create_task(serve(app, f"127.0.0.1:{free_port}"))
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port}") as client:
                await _first_answer(client, "/healthz")  # the server is up
            reader, writer = await asyncio.open_connection("127.0.0.1", free_port)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head never ends
            await writer.drain()
            started = asyncio.get_running_loop().time()
            data = await asyncio.wait_for(reader.read(100), 10)
            writer.close()
            return data, asyncio.get_running_loop().time() - started
        finally:
            server.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await server

    data, waited = asyncio.run(asyncio.wait_for(scenario(), 30))
    assert data == b"" and waited < 5, (data, waited)


def test_the_page_shows_fifty_changes_a_page_newest_first(tmp_path: Path, make_state: Callable[..., WebState]) -> None:
    with Store.open(tmp_path / "paged.db") as store:
        feed, _ = store.add_feed("https://news.example/feed.xml")
        for n in range(120):
            article_id = _article(store, f"https://news.example/{n}", f"story {n}", feed.id)
            seen = f"2025-10-01T00:{n // 60:02d}:{n % 60:02d}+00:00"
            row = {**_change(f"c-{n:03d}", summary=f"change number {n:03d}", evidence="e"), "first_seen": seen}
            store.add_change(row, article_id=article_id)
    state = make_state(database=tmp_path / "paged.db")
    first, third = get(state, "/").text, get(state, "/?page=3").text
    assert "120 change(s) flagged" in first and "Page 1 of 3" in first and 'href="?page=2">older' in first
    assert first.count('class="change ') == 50 and "change number 119" in first and 'id="change-c-069"' not in first
    assert third.count('class="change ') == 20 and "change number 000" in third and 'href="?page=2">newer' in third
    assert get(state, "/?page=bogus").status_code == 200


def test_the_timeline_has_a_lane_per_facet_and_a_mark_per_change_at_its_date(
    tmp_path: Path, make_state: Callable[..., WebState]
) -> None:
    from monitor.serving.timeline import timeline

    with Store.open(tmp_path / "chart.db") as store:
        feed, _ = store.add_feed("https://news.example/feed.xml")
        for n, (facet, when) in enumerate([("azure.rofr", "2025-10-28"), ("stargate", "2025-01-21"),
                                           ("azure.rofr", "2025-03-01")]):  # fmt: skip
            article_id = _article(store, f"https://news.example/{n}", f"story {n}", feed.id)
            row = _change(f"m-{n}", summary=f"mark {n}", evidence="e")
            row = {**row, "facet": facet, "after": {**row["after"], "facet": facet, "when": when}}
            store.add_change(row, article_id=article_id)
        chart = timeline(store.changes())
    assert chart is not None and [lane.label for lane in chart.lanes][0].startswith("Microsoft's right of first")
    x = {mark.id: mark.x for mark in chart.marks}
    assert x["m-1"] < x["m-2"] < x["m-0"], "placed at the claim's date, not at one poll time"
    assert {mark.y for mark in chart.marks if mark.id != "m-1"} == {chart.lanes[0].y}
    page = get(make_state(database=tmp_path / "chart.db"), "/").text
    assert page.count('<circle class="mark ') == 3 and 'href="#change-m-0"' in page


def post(state: WebState, path: str, form: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(state))
        async with httpx.AsyncClient(transport=transport, base_url="http://evil.example") as client:
            return await client.post(path, data=form)

    return asyncio.run(go())


def test_a_change_is_reviewed_from_the_page_on_loopback(make_state: Callable[..., WebState], database: Path) -> None:
    from monitor.serving.review import ReviewGate

    gate = ReviewGate.for_listen("127.0.0.1:8080", token=None)
    assert gate is not None and ReviewGate.for_listen("0.0.0.0:8080", token=None) is None, "no writes on a network"
    state = make_state(review=gate)
    page = get(state, "/").text
    assert 'action="/changes/c-plain/review"' in page and f'value="{gate.form_token("c-plain")}"' in page
    forged = post(state, "/changes/c-plain/review", {"verdict": "reject", "why": "x", "form_token": "guess"})
    assert forged.status_code == 403 and "did not come from this page" in forged.text
    no_why = post(state, "/changes/c-plain/review", {"verdict": "reject", "form_token": gate.form_token("c-plain")})
    assert no_why.status_code == 403
    done = post(
        state,
        "/changes/c-plain/review",
        {"verdict": "reject", "why": "misread", "form_token": gate.form_token("c-plain")},
    )
    assert done.status_code == 303 and done.headers["location"] == "/#change-c-plain", "never the request's host"
    with Store.open(database) as store:
        change = store.change("c-plain")
        assert change is not None and (change.review, change.review_note) == ("rejected", "misread")
    assert "<b>rejected</b>: misread" in get(state, "/").text
    assert post(make_state(), "/changes/c-plain/review", {"verdict": "accept"}).status_code == 403, "read-only page"
    missing = post(state, "/changes/nope/review", {"verdict": "accept", "form_token": gate.form_token("nope")})
    assert missing.status_code == 404


def test_off_loopback_a_review_needs_the_token(make_state: Callable[..., WebState]) -> None:
    from monitor.serving.review import ReviewGate

    gate = ReviewGate.for_listen("0.0.0.0:8080", token="s3cret-review")
    assert gate is not None
    state = make_state(review=gate)
    assert 'name="token"' in get(state, "/").text
    form = {"verdict": "accept", "form_token": gate.form_token("c-plain")}
    assert post(state, "/changes/c-plain/review", form).status_code == 403
    assert post(state, "/changes/c-plain/review", {**form, "token": "s3cret-review"}).status_code == 303


# /api


def test_the_json_api_lists_changes_signals_and_the_state_as_the_command_line_does(
    make_state: Callable[..., WebState], database: Path, engine: Engine
) -> None:
    with Store.open(database) as store:
        article = _article(store, "https://news.example/later", "Later", store.feeds()[0].id)
        later = {**_change("c-later", summary="later", evidence="e"), "after": {
            **_change("c", summary="", evidence="e")["after"], "when": "2025-12-01"}}  # fmt: skip
        store.add_change(later, article_id=article)
        store.signals.add({"id": "sig_1", "sentence": "Microsoft amended <b>it</b>.", "lang": "en", "parties": [],
                           "terms": [], "verbs": [], "happened_at": "2025-12-02"}, article_id=article)  # fmt: skip
        store.review_change("c-plain", "rejected", note="misread")
    state = make_state(engine=engine)
    listed = get(state, "/api/changes")
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
    body = listed.json()
    assert [c["id"] for c in body["changes"]][0] == "c-later", "newest first by when it happened"
    assert (body["total"], body["page"], body["pages"]) == (3, 1, 1)
    plain = next(c for c in body["changes"] if c["id"] == "c-plain")
    assert plain["review"]["verdict"] == "rejected" and plain["delivery"] == {
        "email": "delivered",
        "webhook": "withdrawn",
    }
    assert plain["happened_at"] == "2025-10-29"
    assert [c["id"] for c in get(state, "/api/changes?reviewed=yes").json()["changes"]] == ["c-plain"]
    signals = get(state, "/api/signals").json()["signals"]
    assert [(s["id"], s["sentence"], s["severity"]) for s in signals] == [
        ("sig_1", "Microsoft amended <b>it</b>.", "low")
    ]
    assert get(state, "/api/signals?status=dismissed").json() == {"signals": []}
    standing = get(state, "/api/state").json()
    from monitor.judging.state import known_state
    from monitor.judging.state import standing as standing_rows

    with Store.open(database) as store:
        changes = store.changes()
        expected = [row.to_json() for row in standing_rows(known_state(engine, store, changes=changes), changes)]
    assert standing == {"as_of": None, "state": expected}, "what `monitor state --json` prints"
    rofr = next(row for row in standing["state"] if row["facet"] == "azure.rofr")
    assert rofr["last_change"]["id"] == "c-later", "the newest change that stands; the rejected one is passed over"
    assert get(make_state(), "/api/state").status_code == 503
