# SPDX-License-Identifier: MIT
"""Stage 1, collecting: the wire (fetch, transport and its two paths: plain, aiohttp_wire), feed parsing,
polling and its schedule.

May import: the shared modules (monitor.config, errors, urls, backoff), storage.
"""
