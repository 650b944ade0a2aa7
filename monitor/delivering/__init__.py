# SPDX-License-Identifier: MIT
"""Stage 4, delivering: the outbox's alerts to their channels (e-mail, webhooks, Apprise), and the RSS digest.

May import: judging and the stages before it, the shared modules, rules, storage.
"""
