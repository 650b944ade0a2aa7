# SPDX-License-Identifier: MIT
"""Stage 2, reading: sources and pages to article text, the new articles of a cycle, the reading workers.

May import: collecting, the shared modules, rules, storage.
"""
