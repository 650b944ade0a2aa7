# SPDX-License-Identifier: MIT
"""`monitor check` and `monitor baseline` as a user runs them: a real process, real files, a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.httpserver import LocalServer

PAGES = Path(__file__).parent / "pages"
ROFR_ENDED = (
    "<html><head><title>Microsoft et OpenAI signent un nouvel accord</title></head><body><article>"
    "<h1>Microsoft et OpenAI signent un nouvel accord</h1>"
    "<p>Microsoft perd son droit de préemption sur les nouvelles capacités de calcul d’OpenAI, "
    "selon l’accord signé mardi par les deux entreprises.</p>"
    "<p>Les API d’OpenAI restent exclusives à Azure jusqu’en 2032.</p></article></body></html>"
)
CLAIM_KEYS = {"facet", "key", "status", "values", "hedged", "when", "evidence"}
CHANGE_KEYS = {"facet", "key", "kind", "before", "after", "severity", "summary"}


def monitor(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def assert_contract_shape(payload: dict[str, object]) -> None:
    # the contract's fields, and ours beside them (CONTRACT.md: fields may be added, none taken away)
    assert set(payload) == {"source", "published", "lang", "claims", "changes", "signals"}
    for claim in payload["claims"]:  # type: ignore[attr-defined]
        assert set(claim) == CLAIM_KEYS
    for change in payload["changes"]:  # type: ignore[attr-defined]
        assert set(change) == CHANGE_KEYS
        assert change["kind"] in {"new", "changed", "reversed"}
        assert set(change["after"]) == CLAIM_KEYS


def test_check_a_file_prints_the_contract_json(tmp_path: Path) -> None:
    page = tmp_path / "accord.html"
    page.write_text(ROFR_ENDED, encoding="utf-8")
    run = monitor("check", str(page), "--published", "2025-10-29", "--json")
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert_contract_shape(payload)
    assert payload["lang"] == "fr" and payload["published"] == "2025-10-29"
    kinds = {(c["facet"], c["kind"]) for c in payload["changes"]}
    assert ("azure.rofr", "reversed") in kinds
    rofr = next(c for c in payload["changes"] if c["facet"] == "azure.rofr")
    assert rofr["before"]["status"] == "held" and rofr["after"]["status"] == "ended"
    assert rofr["severity"] == "critical"
    assert "droit de préemption" in rofr["after"]["evidence"]
    assert any(c["facet"] == "azure.api_exclusivity" for c in payload["claims"])


def test_check_reads_stdin() -> None:
    text = "Microsoft is bringing Anthropic's Claude models into Microsoft 365 Copilot, the company said on Wednesday."
    run = monitor("check", "-", "--published", "2025-09-24", "--json", stdin=text)
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["source"] == "-"
    assert [(c["facet"], c["key"], c["kind"]) for c in payload["changes"]] == [
        ("microsoft.model_partner", "anthropic", "new")
    ]


def test_check_fetches_a_url_from_a_local_server(local_server: LocalServer) -> None:
    local_server.route("/news/accord.html", ROFR_ENDED, headers={"Content-Type": "text/html; charset=utf-8"})
    run = monitor("check", local_server.url("/news/accord.html"), "--published", "2025-10-29", "--json")
    assert run.returncode == 0, run.stderr
    assert any(c["facet"] == "azure.rofr" for c in json.loads(run.stdout)["changes"])
    assert local_server.requests[0].headers["user-agent"].startswith("msft-openai-monitor")


def test_check_without_json_prints_a_readable_table(tmp_path: Path) -> None:
    page = tmp_path / "accord.html"
    page.write_text(ROFR_ENDED, encoding="utf-8")
    run = monitor("check", str(page), "--published", "2025-10-29")
    assert run.returncode == 0, run.stderr
    assert "Microsoft's right of first refusal on OpenAI compute: held → ended" in " ".join(run.stdout.split())


def test_explain_names_the_rule_the_cues_and_the_verdict(tmp_path: Path) -> None:
    page = tmp_path / "accord.html"
    page.write_text(ROFR_ENDED, encoding="utf-8")
    run = monitor("check", str(page), "--published", "2025-10-29", "--explain")
    assert run.returncode == 0, run.stderr
    out = " ".join(run.stdout.split())
    assert "azure.rofr.toml" in out and "ended:=perdre" in out  # the cue, by its lemma
    assert "azure.rofr/microsoft: reversed" in out


def test_an_off_topic_page_is_an_empty_result_not_an_error(tmp_path: Path) -> None:
    page = tmp_path / "gaming.html"
    page.write_text(
        "<html><body><article><h1>Game Pass price rises</h1><p>Microsoft is raising the price of "
        "Xbox Game Pass Ultimate to $29.99 a month, adding day-one releases to the tier.</p>"
        "<p>Existing subscribers will see the new price at their next billing cycle.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    run = monitor("check", str(page), "--published", "2025-10-01", "--json")
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["claims"] == [] and payload["changes"] == []


def test_a_real_news_page_flags_its_changes() -> None:
    run = monitor("check", str(PAGES / "news_en.html"), "--json")
    assert run.returncode == 0, run.stderr
    payload = json.loads(run.stdout)
    assert payload["published"] == "2025-10-28"  # the page's own date
    assert {(c["facet"], c["kind"]) for c in payload["changes"]} >= {
        ("azure.rofr", "reversed"),
        ("azure.commitment", "changed"),
    }


@pytest.mark.parametrize(
    ("make_source", "message"),
    [
        (lambda tmp: str(tmp / "missing.html"), "missing.html: no such file"),
        (lambda tmp: str(tmp), "is a directory"),
        (lambda tmp: _write(tmp / "image.png", b"\x89PNG\r\n\x1a\n" + bytes(200)), "binary data"),
        (lambda tmp: _write(tmp / "empty.html", b""), "empty input"),
        (lambda tmp: "http://127.0.0.1:9/nothing", "unreachable"),
    ],
    ids=["missing", "directory", "binary", "empty", "unreachable"],
)
def test_bad_input_is_one_line_naming_it(tmp_path: Path, make_source, message: str) -> None:  # type: ignore[no-untyped-def]
    source = make_source(tmp_path)
    run = monitor("check", source, "--json")
    assert run.returncode == 1
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("monitor: error:")


def test_a_bad_published_date_is_refused() -> None:
    run = monitor("check", "-", "--published", "yesterday", stdin="text")
    assert run.returncode == 1 and "--published: 'yesterday' is not a date" in run.stderr


def test_baseline_json_lists_every_facet_with_seed_citations() -> None:
    run = monitor("baseline", "--json")
    assert run.returncode == 0, run.stderr
    claims = json.loads(run.stdout)["claims"]
    assert len({c["facet"] for c in claims}) == 14
    for claim in claims:
        assert claim["citations"] and all(c["seed"].endswith(".txt") and c["sentence"] for c in claim["citations"])


@pytest.mark.parametrize("command", ["check", "baseline"])
def test_every_command_has_help(command: str) -> None:
    run = monitor(command, "--help")
    assert run.returncode == 0 and "--config" in run.stdout


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_version_both_ways() -> None:
    from monitor import __version__

    assert monitor("--version").stdout.strip() == monitor("version").stdout.strip() == __version__


def test_config_before_the_command_counts_as_after_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('interval = "soon"\n', encoding="utf-8")
    for args in (("--config", str(bad), "baseline"), ("baseline", "--config", str(bad))):
        run = monitor(*args)
        assert run.returncode == 1 and run.stderr.startswith(f"monitor: error: {bad}: key 'interval'"), args


@pytest.mark.parametrize("command", [(), ("feeds", "add"), ("feeds", "remove"), ("check",), ("changes",)])
def test_help_names_arguments_as_users_write_them(command: tuple[str, ...]) -> None:
    shown = monitor(*command, "--help").stdout
    assert "{" not in shown and "<" not in shown, shown
    if command[:1] == ("feeds",):
        assert f"monitor feeds {command[1]} [OPTIONS] URL" in shown
