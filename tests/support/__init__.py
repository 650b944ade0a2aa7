# SPDX-License-Identifier: MIT
"""Helpers shared by the tests: a real local HTTP server, never the public internet."""
