# SPDX-License-Identifier: MIT
"""The configuration: defaults, the contract's keys, and one-line errors naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import Config, load_config, parse_duration
from monitor.errors import ConfigError

CASES = sorted((Path(__file__).parent / "configs").glob("*.toml"))
CONTRACT_EXAMPLE = """
database = "monitor.db"
interval = "15m"

[[feed]]
url = "https://example.org/rss.xml"
interval = "5m"

[digest]
path = "digest.xml"

[delivery]
retry_initial = "30s"
retry_max = "6h"

[[webhook]]
url = "https://hooks.example.org/monitor"
secret_env = "MONITOR_WEBHOOK_SECRET"

[email]
host = "smtp.example.org"
port = 587
security = "starttls"
username = "monitor"
password_env = "MONITOR_SMTP_PASSWORD"
sender = "monitor@example.org"
recipients = ["analyst@example.org"]

[apprise]
urls = ["slack://a/b/c", "ntfy://topic"]

[server]
listen = "127.0.0.1:8080"
"""


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_a_bad_configuration_is_one_line_naming_file_and_key(case: Path) -> None:
    expected = case.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect:").strip()
    with pytest.raises(ConfigError) as caught:
        load_config(case)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(case)) and expected in message


def test_the_contract_example_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(CONTRACT_EXAMPLE, encoding="utf-8")
    monkeypatch.delenv("MONITOR_DB", raising=False)
    config = load_config(path)
    assert config.interval == 900 and config.feed[0].interval == 300
    assert config.delivery.retry_initial == 30 and config.delivery.retry_max == 6 * 3600
    assert config.database_path == tmp_path / "monitor.db", "relative to the file's directory"
    assert config.digest_path == tmp_path / "digest.xml"
    assert config.email is not None and config.email.security == "starttls"
    assert config.webhook[0].secret_env == "MONITOR_WEBHOOK_SECRET"


def test_monitor_db_overrides_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    assert Config(database=Path("file.db")).database_path == tmp_path / "env.db"


def test_without_a_file_the_defaults_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_DB", raising=False)
    config = load_config(None)
    assert config.source is None and config.feed == [] and config.interval == 900
    assert config.database_path.name == "monitor.db" and "msft-openai-monitor" in str(config.database_path)


def test_monitor_toml_in_the_working_directory_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "monitor.toml").write_text('interval = "1h"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_config(None).interval == 3600


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("15m", 900), ("6h", 21600), ("1d", 86400), ("90", 90), (45, 45)]
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nope.toml: no such configuration file"):
        load_config(tmp_path / "nope.toml")
