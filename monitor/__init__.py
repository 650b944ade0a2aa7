# SPDX-License-Identifier: MIT
"""A change-monitoring news service for the Microsoft-OpenAI compute relationship."""

__version__ = "0.1.0"
