# SPDX-License-Identifier: MIT
"""The five seed documents and their manifest: the baseline of the relationship.

The files ship inside the package so that an installed wheel builds the same
baseline as a checkout. `SEEDS_DIR` is where they are.
"""

from __future__ import annotations

from pathlib import Path

SEEDS_DIR = Path(__file__).parent
MANIFEST = SEEDS_DIR / "manifest.toml"
