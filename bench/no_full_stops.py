# SPDX-License-Identifier: MIT
"""The engine on text without full stops (issue 13's speed goal: 200 KB in ≤ 0.3 s), English and French.

The texts are tests/test_linear_time.py's. Each size is timed best of `--repeat` runs in one
process; `--rounds` repeats that, and the figure is the median of the rounds' bests with their
min–max (bench/spread.py). `--profile` prints cProfile's top functions for the 200 KB texts instead.

    .venv/bin/python bench/no_full_stops.py                  # 50, 100, 200 KB; 3 rounds of best of 3
    .venv/bin/python bench/no_full_stops.py --sizes 200 --rounds 1
    .venv/bin/python bench/no_full_stops.py --profile
    PYTHONHASHSEED=0 valgrind --tool=callgrind --collect-atstart=no --toggle-collect=sys_call_tracing \
        .venv/bin/python bench/no_full_stops.py --callgrind fr     # instructions of one 200 KB extract

`--callgrind LANG` warms the engine up on the 200 KB text, then extracts it once more inside
`sys.call_tracing`, which nothing else calls: callgrind, told to count only there, counts that one
extract ("Collected" in its summary), whatever the machine's load.

To compare two versions of the code, run this file from each checkout in turn (alternating, so a
busy moment of the shared machine weighs on both): it imports `rules` from the checkout it sits in.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from spread import spread  # noqa: E402
from test_linear_time import ENGINE, TEXTS  # noqa: E402

LANGUAGES = {"en": "claims without full stops", "fr": "claims in French without full stops"}


def best_time(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        ENGINE.extract(text, published="2025-06-01")
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,100,200", help="sizes in KB, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="runs per round; the best counts")
    parser.add_argument("--profile", action="store_true", help="cProfile the 200 KB texts instead")
    parser.add_argument("--callgrind", choices=sorted(LANGUAGES), help="one 200 KB extract for callgrind to count")
    args = parser.parse_args()
    if args.callgrind:
        text = TEXTS[LANGUAGES[args.callgrind]](200_000)
        ENGINE.extract(text, published="2025-06-01")  # warm the lexicons' caches
        sys.call_tracing(functools.partial(ENGINE.extract, text, published="2025-06-01"), ())
        return
    if args.profile:
        for lang, name in LANGUAGES.items():
            text = TEXTS[name](200_000)
            ENGINE.extract(text, published="2025-06-01")  # warm the lexicons' caches
            profiler = cProfile.Profile()
            profiler.runcall(ENGINE.extract, text, published="2025-06-01")
            print(f"--- {lang}: {name}, 200 KB", file=sys.stderr)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(20)
        return
    sizes = [int(s) * 1000 for s in args.sizes.split(",")]
    texts = {(lang, size): TEXTS[name](size) for lang, name in LANGUAGES.items() for size in sizes}
    for text in texts.values():  # warm up: the first run fills caches
        ENGINE.extract(text, published="2025-06-01")
    rounds: dict[tuple[str, int], list[float]] = {key: [] for key in texts}
    for _ in range(args.rounds):
        for key, text in texts.items():
            rounds[key].append(best_time(text, args.repeat))
    report = {f"{lang}_{size // 1000}kb": spread(times) for (lang, size), times in rounds.items()}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
