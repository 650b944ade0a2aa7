# SPDX-License-Identifier: MIT
"""Claim rules (declarative TOML files) and the engine that applies them."""
