# SPDX-License-Identifier: MIT
"""A deterministic synthetic news corpus: N feeds × M articles, as a web site on disk.

Why synthetic: the benchmark must run offline, at any size, and the same seed
must give the same bytes so that two runs time the same work. Why this shape:
trafilatura's cost follows the markup, not the article, so pages carry what
real news pages carry around their article — cookie banner, header and nav,
breadcrumbs, share buttons, related and most-read lists, a sidebar, a
newsletter box, reader comments, a footer, inline CSS, scripts and a JSON
state blob — for 5–60 KB in all. Feeds alternate English and French; a share
of the articles (`topical_share`) is about the Microsoft/OpenAI compute
relationship and yields claims, the rest is ordinary news (see `texts`).

Each feed is an RSS 2.0 document listing its articles with a teaser only, so
the pipeline has to fetch every page. Links are written against the
placeholder BASE; the server (`server.py`) replaces it with its own address.

    corpus = generate(Spec(feeds=40, articles=50))
    corpus.write(Path("site"))          # site/feeds/f0001.xml, site/a/f0001/0001-….html
    corpus.feed_urls("http://127.0.0.1:8000")
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import texts

BASE = "http://bench.invalid"  # replaced by the server's own address in every file it serves
# fmt: off
_WORDS = ["grid", "card", "hero", "teaser", "rail", "promo", "media", "byline", "label", "title", "meta", "icon",
          "badge", "list", "item", "link", "wrap", "inner", "outer", "sticky", "modal", "banner", "panel", "tab",
          "menu", "drop", "share", "pager", "thumb", "caption"]
# fmt: on
_YEAR_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Spec:
    """What to generate; `prefix` names the feeds' and pages' files (two corpora can share a server)."""

    feeds: int
    articles: int  # per feed
    topical_share: float = 0.15
    seed: int = 2025
    prefix: str = "f"


@dataclass(frozen=True)
class Site:
    """What every page of one publisher shares: its name, language, menus, styles and scripts."""

    name: str
    lang: str
    sections: tuple[str, ...]
    css: str
    js: str
    footer_links: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    path: str  # the URL path, "/a/f0001/0001-slug.html"
    lang: str
    topic: str  # "topical" or one of texts.GENERIC_TOPICS
    title: str
    published: dt.datetime
    text: str  # the article's paragraphs, one a line: what extraction should find
    html: str


@dataclass(frozen=True)
class Feed:
    path: str  # "/feeds/f0001.xml"
    site: Site
    pages: tuple[Page, ...]
    xml: str


@dataclass
class Corpus:
    spec: Spec
    feeds: list[Feed] = field(default_factory=list)

    @property
    def pages(self) -> list[Page]:
        return [page for feed in self.feeds for page in feed.pages]

    def feed_urls(self, base: str) -> list[str]:
        return [base + feed.path for feed in self.feeds]

    def size_bytes(self) -> int:
        """Pages and feeds as served (UTF-8)."""
        return sum(len(p.html.encode()) for p in self.pages) + sum(len(f.xml.encode()) for f in self.feeds)

    def write(self, root: Path) -> None:
        """Every feed and page as a file under `root`, at its URL path."""
        for feed in self.feeds:
            _write(root, feed.path, feed.xml)
            for page in feed.pages:
                _write(root, page.path, page.html)


def generate(spec: Spec) -> Corpus:
    """The corpus for `spec`: the same spec always gives the same corpus."""
    rng = random.Random(spec.seed)
    total = spec.feeds * spec.articles
    topical = set(rng.sample(range(total), round(total * spec.topical_share)))
    corpus = Corpus(spec)
    for number in range(spec.feeds):
        site = make_site(rng, lang=texts.LANGS[number % 2], number=number)
        name = f"{spec.prefix}{number + 1:04d}"
        pages = [
            make_page(rng, site, path_dir=f"/a/{name}", index=index, topical=number * spec.articles + index in topical)
            for index in range(spec.articles)
        ]
        pages.sort(key=lambda p: p.published, reverse=True)  # a feed lists its newest first
        corpus.feeds.append(Feed(f"/feeds/{name}.xml", site, tuple(pages), feed_xml(rng, site, name, pages)))
    return corpus


# --- sites --------------------------------------------------------------------------------------------


def make_site(rng: random.Random, *, lang: str, number: int) -> Site:
    """A publisher: some inline their CSS and scripts (up to ~15 KB each), some link them."""
    names = ("Daily Ledger", "Tech Wire", "Metro Courier", "Evening Post", "Cloud Report", "Market Watchers")
    names_fr = ("Le Courrier", "La Dépêche Tech", "Le Journal du Cloud", "L'Écho Numérique", "La Gazette", "Le Fil")
    base_name = rng.choice(names if lang == "en" else names_fr)
    sections_en = "World Business Tech Cloud AI Sports Weather Culture Science Opinion Video Podcasts Jobs Deals"
    sections_fr = "Monde Économie Tech Cloud IA Sport Météo Culture Sciences Opinions Vidéos Podcasts Emploi Bons-plans"
    sections = (sections_en if lang == "en" else sections_fr).split()
    return Site(
        name=f"{base_name} {number + 1}",
        lang=lang,
        sections=tuple(rng.sample(sections, rng.randint(6, len(sections)))),
        css=_pseudo_css(rng, rng.choice([0, 2000, 6000, 12000])),
        js=_pseudo_js(rng, rng.choice([0, 1500, 5000, 15000])),
        footer_links=tuple(rng.sample(_FOOTER[lang], rng.randint(5, len(_FOOTER[lang])))),
    )


# fmt: off
_FOOTER = {
    "en": ["About", "Contact", "Careers", "Advertise", "Privacy", "Terms", "Cookies", "Accessibility", "Newsletters",
           "RSS", "Sitemap", "Help"],
    "fr": ["À-propos", "Contact", "Recrutement", "Publicité", "Confidentialité", "CGU", "Cookies", "Accessibilité",
           "Newsletters", "RSS", "Aide"],
}
# fmt: on


def _pseudo_css(rng: random.Random, size: int) -> str:
    rules = []
    while sum(map(len, rules)) < size:
        selector = f".{rng.choice(_WORDS)}-{rng.choice(_WORDS)}{rng.randint(1, 99)}"
        rules.append(
            f"{selector}{{margin:{rng.randint(0, 32)}px {rng.randint(0, 32)}px;padding:{rng.randint(0, 24)}px;"
            f"color:#{rng.randrange(16**6):06x};display:{rng.choice(['flex', 'block', 'grid', 'none'])}}}"
        )
    return "".join(rules)


def _pseudo_js(rng: random.Random, size: int) -> str:
    parts = []
    while sum(map(len, parts)) < size:
        a, b = rng.sample(_WORDS, 2)
        name, offset = f"{a}_{b}{rng.randint(1, 999)}", rng.randint(1, 99)
        parts.append(
            f"function {name}(e,t){{var n=e.{a}||{{}};if(n.{b}){{t.push(n.{b}+{offset})}}"
            f"return document.querySelector('.{a}-{b}')?t:e}}"
        )
    return ";".join(parts)


# --- pages --------------------------------------------------------------------------------------------


def make_page(rng: random.Random, site: Site, *, path_dir: str, index: int, topical: bool) -> Page:
    """One article page: the article's text, and the page around it padded to a 5–60 KB target."""
    topic = "topical" if topical else rng.choice(texts.GENERIC_TOPICS)
    title = texts.title(rng, site.lang, topic)
    published = _YEAR_START + dt.timedelta(seconds=rng.randrange(365 * 86400))
    paragraphs = _paragraphs(rng, site.lang, topic)
    path = f"{path_dir}/{index + 1:04d}-{_slug(title)}.html"
    body = _article_html(rng, site, title, published, paragraphs)
    target = int(min(60_000, max(5_000, rng.lognormvariate(10.0, 0.6))))  # median ~22 KB
    document = _page_html(rng, site, title, published, path, body, target)
    return Page(path, site.lang, topic, title, published, "\n".join(paragraphs), document)


def _paragraphs(rng: random.Random, lang: str, topic: str) -> list[str]:
    """The article's paragraphs; a topical one mixes the relationship with general tech news."""
    count = rng.randint(5, 18)
    if topic != "topical":
        return [texts.paragraph(rng, lang, topic) for _ in range(count)]
    topical = set([0] + rng.sample(range(1, count), rng.randint(1, min(3, count - 1))))
    return [texts.paragraph(rng, lang, "topical" if i in topical else "tech") for i in range(count)]


def _article_html(rng: random.Random, site: Site, title: str, published: dt.datetime, paragraphs: list[str]) -> str:
    author = rng.choice(["Dana Whitfield", "Marcus Lee", "Priya Raman", "Claire Dubois", "Julien Moreau"])
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="byline">By {author} &middot; <time datetime="{published:%Y-%m-%dT%H:%M:%S}Z">'
        f"{published:%d/%m/%Y %H:%M}</time></p>",
    ]
    for number, text in enumerate(paragraphs):
        if number and number % 4 == 0:
            parts.append(f"<h2>{html.escape(text.split('. ')[0][:60])}</h2>")
        if number == 2:
            parts.append(f'<figure><img src="/img/{rng.randrange(10**6)}.jpg" alt=""><figcaption>'
                         f"{html.escape(site.name)} / Photo</figcaption></figure>")  # fmt: skip
        parts.append(f"<p>{html.escape(text)}</p>")
    share = "".join(f'<a class="share-{n}" href="#">{n}</a>' for n in ("X", "LinkedIn", "Facebook", "Email"))
    return "\n".join(parts) + f'\n<div class="share">Share: {share}</div>'


def _page_html(
    rng: random.Random, site: Site, title: str, published: dt.datetime, path: str, body: str, target: int
) -> str:
    head = _head(site, title, published, path)
    nav = "".join(f'<li><a href="/{s.lower()}">{html.escape(s)}</a></li>' for s in site.sections)
    top = (
        f'<body><div class="cookie-banner" role="dialog">{_COOKIE[site.lang]} <button>OK</button></div>'
        f'<header><a class="logo" href="/">{html.escape(site.name)}</a><nav><ul>{nav}</ul></nav>'
        f'<form class="search"><input name="q"></form></header>'
        f'<div class="breadcrumbs"><a href="/">Home</a> › <a href="/{site.sections[0].lower()}">{site.sections[0]}</a>'
        "</div>"
    )
    side = _link_list(rng, site, "Most read" if site.lang == "en" else "Les plus lus", rng.randint(5, 10))
    related = _link_list(rng, site, "Related" if site.lang == "en" else "À lire aussi", rng.randint(4, 12))
    comments = _comments(rng) if rng.random() < 0.3 else ""
    footer = "".join(f'<a href="/{link.lower()}">{link}</a> ' for link in site.footer_links)
    page = (
        f'{head}{top}<main><article class="story">{body}</article><section class="related">{related}</section>'
        f'{comments}</main><aside class="sidebar">{side}<div class="ad">Advertisement</div>'
        f'<div class="newsletter">{_NEWSLETTER[site.lang]}<input type="email"><button>OK</button></div></aside>'
        f"<footer><p>&copy; 2025 {html.escape(site.name)}</p><nav>{footer}</nav></footer>"
    )
    tail = f"<script>{site.js}</script>" if site.js else '<script src="/static/app.js" defer></script>'
    room = target - len(page) - len(tail) - 40
    state = f"<script>window.__STATE__={_state_blob(rng, room)}</script>" if room > 0 else ""
    return f"{page}{state}{tail}</body></html>\n"


def _head(site: Site, title: str, published: dt.datetime, path: str) -> str:
    style = f"<style>{site.css}</style>" if site.css else '<link rel="stylesheet" href="/static/site.css">'
    escaped = html.escape(title)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": published.isoformat(), "publisher": {"@type": "Organization",
                     "name": site.name}}, ensure_ascii=False)  # fmt: skip
    return (
        f'<!DOCTYPE html>\n<html lang="{site.lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escaped} | '
        f'{html.escape(site.name)}</title><meta property="og:title" content="{escaped}">'
        f'<meta property="og:type" content="article"><meta property="og:url" content="{BASE}{path}">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        f'<link rel="canonical" href="{BASE}{path}">{style}'
        f'<script type="application/ld+json">{ld}</script>'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script></head>"
    )


_COOKIE = {
    "en": "We use cookies to improve your experience and to measure our audience. Accept all or manage choices.",
    "fr": "Nous utilisons des cookies pour améliorer votre expérience et mesurer notre audience. Tout accepter ?",
}
_NEWSLETTER = {"en": "Get the morning briefing in your inbox.", "fr": "Recevez la lettre du matin."}


def _link_list(rng: random.Random, site: Site, heading: str, count: int) -> str:
    topics = texts.GENERIC_TOPICS
    items = "".join(
        f'<li><a href="/{rng.choice(site.sections).lower()}/{rng.randrange(10**6)}">'
        f"{html.escape(texts.title(rng, site.lang, rng.choice(topics)))}</a></li>"
        for _ in range(count)
    )
    return f"<h3>{heading}</h3><ul>{items}</ul>"


def _comments(rng: random.Random) -> str:
    remarks = ["first!", "Interesting, but I'll believe it when I see it.", "Source?", "Great piece, thanks.",
               "This will not age well.", "Who pays for all this?"]  # fmt: skip
    items = "".join(
        f'<div class="comment"><b>user{rng.randrange(9999)}</b>: {rng.choice(remarks)}</div>'
        for _ in range(rng.randint(2, 8))
    )
    return f'<section class="comments"><h3>Comments</h3>{items}</section>'


def _state_blob(rng: random.Random, size: int) -> str:
    """A framework's serialized state, as news sites inline it: ids, flags, teaser stubs."""
    items = []
    length = 2
    while length < size:
        item = json.dumps({"id": rng.randrange(10**9), "slot": rng.choice(_WORDS), "w": rng.randint(100, 1600),
                           "flags": rng.sample(_WORDS, 3), "ttl": rng.randint(60, 3600)})  # fmt: skip
        items.append(item)
        length += len(item) + 1
    return "[" + ",".join(items) + "]"


# --- feeds --------------------------------------------------------------------------------------------


def feed_xml(rng: random.Random, site: Site, name: str, pages: list[Page]) -> str:
    """RSS 2.0 listing `pages` with a teaser each (never the full text: every page must be fetched)."""
    items = []
    for page in pages:
        link = html.escape(BASE + page.path)
        items.append(
            f"<item><title>{html.escape(page.title)}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid><pubDate>{email.utils.format_datetime(page.published)}</pubDate>'
            f"<category>{html.escape(site.sections[0])}</category>"
            f"<description>{html.escape(texts.teaser(rng, site.lang, page.topic))}</description></item>"
        )
    built = max((p.published for p in pages), default=_YEAR_START)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(site.name)}</title><link>{BASE}/</link>"
        f"<description>{html.escape(site.name)}: latest news</description><language>{site.lang}</language>"
        f"<lastBuildDate>{email.utils.format_datetime(built)}</lastBuildDate>"
        f"<generator>bench/corpus.py {name}</generator>{''.join(items)}</channel></rss>\n"
    )


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower())[:6]) or "article"


def _write(root: Path, url_path: str, text: str) -> None:
    target = root / url_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
