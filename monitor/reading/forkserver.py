# SPDX-License-Identifier: MIT
"""Imported last by the reading workers' fork server (`monitor.reading.workers`), after trafilatura and the
rules: moves every object it holds out of the garbage collector's reach (`gc.freeze`).

Why: a worker forked from the server shares the server's memory until it writes to it, and a
collection writes to every object it visits (its GC header), so each worker would soon hold its own
copy of trafilatura, lxml's Python side and the rules. Frozen objects are never visited: the copies
stay shared, and the whole tree's memory stays near one copy plus what each worker reads.
"""

from __future__ import annotations

import gc

gc.freeze()
