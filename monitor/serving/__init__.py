# SPDX-License-Identifier: MIT
"""The outer shell, serving: the daemon, its HTTP endpoints and page, metrics, systemd, logs.

May import: the pipeline, every stage, the shared modules, rules, storage.
"""
