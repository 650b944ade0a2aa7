# SPDX-License-Identifier: MIT
"""Stage 3, judging: the baseline, the known state, the diff, recording changes with their alerts, summaries, `check`.

May import: reading, collecting, the shared modules, rules, storage.
"""
