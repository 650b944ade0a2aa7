# SPDX-License-Identifier: MIT
"""Docs are tests: the README's commands are CI's, every facet and command is documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from rules.loader import load_rules

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
RULES_README = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
FACETS = sorted(load_rules().facets.values(), key=lambda r: r.facet)


def setup_commands() -> list[str]:
    """The README's set-up commands: the shell lines under 'Set up'."""
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_the_readme_has_exactly_two_setup_commands() -> None:
    commands = setup_commands()
    assert len(commands) == 2, commands
    assert "monitor run --once" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup_commands()[1] in ci


@pytest.mark.parametrize("rule", FACETS, ids=[r.facet for r in FACETS])
def test_every_facet_is_described_and_documented(rule) -> None:  # type: ignore[no-untyped-def]
    assert rule.description and rule.label
    assert f"`{rule.facet}`" in RULES_README


def test_the_fourteen_contract_facets_exist() -> None:
    contract = {
        "azure.exclusivity", "azure.rofr", "azure.api_exclusivity", "azure.commitment", "microsoft.ip_rights",
        "microsoft.stake", "openai.compute_provider", "stargate", "openai.chip", "microsoft.chip",
        "microsoft.model", "microsoft.model_partner", "openai.revenue", "relationship.rivalry",
    }  # fmt: skip
    assert contract <= {r.facet for r in FACETS}


COMMANDS = [
    "check",
    "baseline",
    "run",
    "daemon",
    "changes",
    "changes accept",
    "changes export-cases",
    "signals",
    "signals dismiss",
    "signals promote",
    "state",
    "alerts",
    "digest",
    "daemons",
    "feeds add",
    "feeds list",
    "feeds remove",
    "demo",
]


@pytest.mark.parametrize("command", COMMANDS + ["version"])
def test_every_command_has_help_text_and_a_readme_section(command: str) -> None:
    run = subprocess.run([sys.executable, "-m", "monitor", *command.split(), "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and len(run.stdout) > 100
    assert f"monitor {command}" in README or command == "version"


def test_the_engine_docstring_states_the_evaluation_order() -> None:
    import rules.engine

    assert "Evaluation order" in (rules.engine.__doc__ or "")


def test_every_alert_channel_is_documented() -> None:
    from monitor.delivering.channels import CHANNELS

    for kind, cls in CHANNELS.items():
        doc = cls.__doc__ or ""
        assert len(doc) > 300, f"{kind}: its docstring is its user documentation"
        assert kind in README.lower()
