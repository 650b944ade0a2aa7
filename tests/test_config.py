# SPDX-License-Identifier: MIT
"""The configuration: defaults, the contract's keys, and one-line errors naming the file and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.config import Config, load_config, parse_duration, parse_listen
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


def test_a_postgresql_url_is_kept_as_written_and_the_digest_goes_to_the_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('database = "postgresql://monitor:s3cret@db.example:5432/watch?sslmode=require"\n')
    config = load_config(path)
    assert config.database_url == "postgresql://monitor:s3cret@db.example:5432/watch?sslmode=require"
    assert config.database_label == "postgresql://monitor:***@db.example:5432/watch?sslmode=require"
    assert config.prepare_database() == config.database_url
    assert config.digest_path.name == "watch.digest.xml" and "msft-openai-monitor" in str(config.digest_path)
    monkeypatch.setenv("MONITOR_DB", "postgres://other@db.example/monitor")
    assert config.database_url == "postgres://other@db.example/monitor"
    monkeypatch.setenv("MONITOR_DB", str(tmp_path / "env.db"))
    assert config.database_url is None and config.database_path == tmp_path / "env.db"


def test_each_instance_of_the_template_unit_names_itself_and_its_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text('[daemon]\nid = "from-file"\n[server]\nlisten = "127.0.0.1:8080"\nreview_token_env = "T"\n')
    assert load_config(path).daemon.id == "from-file"
    monkeypatch.setenv("MONITOR_DAEMON_ID", "host:2")
    monkeypatch.setenv("MONITOR_LISTEN", "127.0.0.1:8082")
    config = load_config(path)
    assert config.daemon.id == "host:2" and config.server is not None
    assert (config.server.listen, config.server.review_token_env) == ("127.0.0.1:8082", "T")
    monkeypatch.setenv("MONITOR_LISTEN", "8082")
    with pytest.raises(ConfigError, match=r"^MONITOR_LISTEN: listen address '8082': expected host:port"):
        load_config(path)


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


@pytest.mark.parametrize(
    ("listen", "expected"),
    [("127.0.0.1:8080", ("127.0.0.1", 8080)), ("[::1]:9", ("::1", 9)), (":8080", ("0.0.0.0", 8080)),
     ("localhost:0", ("localhost", 0)), (" [fe80::1%eth0]:80 ", ("fe80::1%eth0", 80))],
)  # fmt: skip
def test_listen_addresses(listen: str, expected: tuple[str, int]) -> None:
    assert parse_listen(listen) == expected


@pytest.mark.parametrize(
    ("listen", "why"),
    [("8080", "host:port"), ("host:", "host:port"), ("host:http", "host:port"), ("host:70000", "port from 0 to 65535"),
     ("::1:8080", "in brackets"), ("[::1:8080", "ends with ']'"), ("a b:80", "not a host name"), ("", "host:port")],
)  # fmt: skip
def test_a_bad_listen_address_is_refused_when_the_configuration_loads(listen: str, why: str, tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(f'[server]\nlisten = "{listen}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{re.escape(str(path))}: key 'server.listen': .*{re.escape(why)}"):
        load_config(path)


def test_a_missing_database_directory_is_an_error_that_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "monitor.toml"
    path.write_text(f'database = "{tmp_path}/typo/dir/x.db"\n', encoding="utf-8")
    config = load_config(path)
    with pytest.raises(
        ConfigError, match=rf"monitor.toml: key 'database': directory {tmp_path}/typo/dir does not exist"
    ):
        config.prepare_database()
    assert not (tmp_path / "typo").exists()


def test_the_default_data_directory_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("MONITOR_DB", raising=False)
    assert Config().prepare_database() == tmp_path / "data" / "msft-openai-monitor" / "monitor.db"
    assert (tmp_path / "data" / "msft-openai-monitor").is_dir()


def test_the_digest_sits_beside_its_database_and_links_somewhere_real(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_DB", raising=False)
    one, two = Config(database=tmp_path / "a" / "one.db"), Config(database=tmp_path / "b" / "two.db")
    assert (one.digest_path, two.digest_path) == (tmp_path / "a" / "one.digest.xml", tmp_path / "b" / "two.digest.xml")
    assert one.digest_link == (tmp_path / "a" / "one.digest.xml").as_uri(), "without a server: the file itself"
    served = Config(database=tmp_path / "x.db", server={"listen": "0.0.0.0:8089"})
    assert served.digest_link == "http://127.0.0.1:8089/", "the daemon's page"
    assert Config(server={"listen": "[::]:80"}).digest_link == "http://[::1]:80/"
    chosen = Config(digest={"link": "https://news.example.org/"}, server={"listen": "127.0.0.1:1"})
    assert chosen.digest_link == "https://news.example.org/"
