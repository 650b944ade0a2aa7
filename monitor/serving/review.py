# SPDX-License-Identifier: MIT
"""Reviewing a change from the page: who may, and the form's proof that it came from the page.

The page is not authenticated, so a review (a write) is allowed only where
the daemon listens on loopback — only this machine reaches it — or with the
review token of the configuration (`[server] review_token_env`), typed in the
form. Every form also carries a token derived from a secret the daemon draws
at start and the change's id: another site cannot forge a review through the
analyst's browser (it cannot read the page to learn the token).

    gate = ReviewGate.for_listen("127.0.0.1:8080", token=None)
    gate.form_token("chg_…"), gate.allows(form)
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from monitor.config import parse_listen

VERDICTS = {"accept": "accepted", "reject": "rejected"}


@dataclass(frozen=True)
class ReviewGate:
    """Whether reviews are allowed from the page, and how a form proves itself."""

    token: str | None  # the review token a form must carry; None: none needed (loopback)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @classmethod
    def for_listen(cls, listen: str, *, token: str | None) -> ReviewGate | None:
        """The gate for a daemon on `listen`: open on loopback, behind `token` elsewhere, else none at all."""
        if token:
            return cls(token=token)
        return cls(token=None) if is_loopback(parse_listen(listen)[0]) else None

    def form_token(self, change_id: str) -> str:
        return hmac.new(self.secret, change_id.encode(), hashlib.sha256).hexdigest()

    def refusal(self, change_id: str, form: Mapping[str, str]) -> str | None:
        """Why the form may not review `change_id`, or None when it may."""
        if not hmac.compare_digest(form.get("form_token", ""), self.form_token(change_id)):
            return "the form did not come from this page"
        if self.token is not None and not hmac.compare_digest(form.get("token", ""), self.token):
            return "wrong review token"
        if form.get("verdict") not in VERDICTS:
            return "the verdict is accept or reject"
        if form["verdict"] == "reject" and not form.get("why", "").strip():
            return "say why the change is rejected"
        return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
