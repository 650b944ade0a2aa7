# SPDX-License-Identifier: MIT
"""HTML from templates: one Jinja2 environment, autoescaping everything, templates in `monitor/templates/`.

The status page (`serving.page`), the e-mail (`delivering.channels.templates`)
and the digest's item descriptions (`delivering.digest`) show text from news
articles and feeds: autoescaping makes escaping the default, not a duty of
each line. Two filters and a test serve every template:

- `redact` shows a URL without credentials (`monitor.urls.redact_url`);
- `redact_text` does so for every URL inside a text;
- `is web` (a test) says a URL may become a link: only http(s), never
  `javascript:` or `data:`.

    html = render("page.html", changes=…, feeds=…)
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.urls import redact_url, redact_urls_in

LINK_SCHEMES = frozenset({"http", "https"})


def render(name: str, **context: Any) -> str:
    """The template `name` (in monitor/templates/) filled with `context`, every value escaped."""
    return environment().get_template(name).render(**context)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name is an error, not a blank
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["redact"] = redact_url
    env.filters["redact_text"] = redact_urls_in
    env.tests["web"] = is_web_url
    return env


def is_web_url(url: object) -> bool:
    """Whether `url` may become a link: http or https only."""
    try:
        return isinstance(url, str) and urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES
    except ValueError:  # e.g. an unclosed "[" in the host: not a URL to link to
        return False
