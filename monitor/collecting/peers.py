# SPDX-License-Identifier: MIT
"""What the two wires under `Fetcher` share (`monitor.collecting.transport`): the names of the request and
response extensions they read and set, and the refusal of a non-public address."""

from __future__ import annotations

import httpx

__all__ = ["PEER_EXTENSION", "PUBLIC_ONLY_EXTENSION", "NonPublicAddress"]

PEER_EXTENSION = "monitor.peer_address"  # on a response: the IP address its connection went to
PUBLIC_ONLY_EXTENSION = "monitor.public_only"  # on a request: connect to public addresses only


class NonPublicAddress(httpx.ConnectError):
    """A public-only request refused before connecting: the address it would have connected to is not public."""

    def __init__(self, address: str, *, request: httpx.Request) -> None:
        super().__init__(f"refused to connect to a non-public address ({address})", request=request)
        self.address = address
