# SPDX-License-Identifier: MIT
"""One command run as a child process, timed: its CPU (user + system, RUSAGE_CHILDREN: steadier than
wall time on a shared machine) and its wall clock.

    cpu, wall, done = timed_run(["monitor", "changes"], env={**os.environ, "MONITOR_DB": db})
"""

from __future__ import annotations

import resource
import subprocess
import time
from collections.abc import Mapping


def timed_run(argv: list[str], env: Mapping[str, str]) -> tuple[float, float, subprocess.CompletedProcess[bytes]]:
    """(CPU seconds, wall seconds, the finished process with its output) of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=dict(env))
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall, done
