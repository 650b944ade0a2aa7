# SPDX-License-Identifier: MIT
"""cProfile of a block and of every thread it starts, in CPU time, merged into one `pstats.Stats`.

Why not plain cProfile: it sees only the thread that enabled it, and the
pipeline extracts pages in worker threads (`asyncio.to_thread`), so the
costliest stage would be missing. Threads started while the block runs get a
profiler of their own (through `threading.setprofile`). Why CPU time
(`time.thread_time`): with several threads sharing one GIL, wall-clock
profiles count the time a thread waits for the GIL as time spent in whatever
it was calling; CPU time counts only the work. The event loop's waits on the
network do not show either, which is what a "where does the CPU go" view wants.

    with ThreadProfiler() as profiler:
        asyncio.run(work())                    # its worker threads are joined when run() returns
    profiler.stats().sort_stats("cumulative").print_stats(25)
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import threading
import time
from types import FrameType, TracebackType
from typing import Any


class ThreadProfiler:
    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []

    def __enter__(self) -> ThreadProfiler:
        threading.setprofile(self._start_in_new_thread)
        self._start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.profiles[0].disable()
        threading.setprofile(None)  # type: ignore[arg-type]

    def stats(self) -> pstats.Stats:
        """Every thread's profile, added up (call once the threads have ended)."""
        merged = pstats.Stats(self.profiles[0], stream=sys.stderr)
        for profile in self.profiles[1:]:
            merged.add(profile)
        return merged

    def _start(self) -> None:
        profile = cProfile.Profile(time.thread_time)
        self.profiles.append(profile)
        profile.enable()

    def _start_in_new_thread(self, frame: FrameType, event: str, arg: Any) -> None:
        """The first profile event of a new thread: swap the Python-level hook for a C profiler of its own."""
        sys.setprofile(None)
        self._start()
