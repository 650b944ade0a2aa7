# SPDX-License-Identifier: MIT
"""SQLite storage through sqlite-utils (the feed pipeline issue fills it in)."""
