# SPDX-License-Identifier: MIT
"""Start-up: how long the `monitor` command takes before it does any work.

Whole commands, as a user starts them, in paired rounds (each round runs every
command once, in the same order, so a busy moment of the machine weighs on all
of them alike):

- `python -c pass`: the interpreter alone, the floor no command goes under;
- `monitor --help` and `monitor version`: a command that needs nothing of the
  pipeline; the goal is ≤ 0.25 s on a 2-core machine;
- `python -c "import monitor.cli, monitor.pipeline, monitor.serving.daemon, monitor.serving.web"`:
  what every command paid before the CLI imported each stage only when it runs.

Reported: the median and the min–max of each, and each command's median over the
interpreter's (a ratio measured in one run).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from progress import say

GOAL_S = 0.25
EVERYTHING = "import monitor.cli, monitor.pipeline, monitor.serving.daemon, monitor.serving.web"


def commands(monitor: Path) -> dict[str, list[str]]:
    return {
        "python_pass": [sys.executable, "-c", "pass"],
        "monitor_help": [str(monitor), "--help"],
        "monitor_version": [str(monitor), "version"],
        "import_everything": [sys.executable, "-c", EVERYTHING],
    }


def startup(*, rounds: int = 9, work: Path) -> dict[str, object]:
    monitor = Path(sys.executable).with_name("monitor")
    timed: dict[str, list[float]] = {name: [] for name in commands(monitor)}
    for _ in range(rounds):
        for name, argv in commands(monitor).items():
            timed[name].append(_run(argv, cwd=work))
    medians = {name: statistics.median(times) for name, times in timed.items()}
    report: dict[str, object] = {"startup_rounds": rounds}
    for name, times in timed.items():
        report[f"startup_{name}_s"] = {"median": round(medians[name], 3), "min": round(min(times), 3),
                                       "max": round(max(times), 3), "n": len(times)}  # fmt: skip
    for name in ("monitor_help", "monitor_version", "import_everything"):
        report[f"startup_{name}_vs_python"] = round(medians[name] / medians["python_pass"], 2)
    report["startup_goal_s"] = GOAL_S
    report["startup_goal_met"] = max(medians["monitor_help"], medians["monitor_version"]) <= GOAL_S
    say(f"startup: --help {medians['monitor_help']:.3f}s, version {medians['monitor_version']:.3f}s, "
        f"all imports {medians['import_everything']:.3f}s, python {medians['python_pass']:.3f}s (medians)")  # fmt: skip
    return report


def _run(argv: list[str], *, cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started
