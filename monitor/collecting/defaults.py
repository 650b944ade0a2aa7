# SPDX-License-Identifier: MIT
"""The feeds watched when neither the configuration nor `monitor feeds add` names any.

Official newsrooms first, then the press that covers cloud and AI deals, in
English and French. They seed an empty database once; `monitor feeds list`
shows them and `monitor feeds remove URL` drops one.
"""

from __future__ import annotations

DEFAULT_FEEDS: tuple[tuple[str, str], ...] = (
    # official newsrooms
    ("https://blogs.microsoft.com/feed/", "Official Microsoft Blog"),
    ("https://news.microsoft.com/source/feed/", "Microsoft Source"),
    ("https://openai.com/news/rss.xml", "OpenAI News"),
    ("https://www.oracle.com/news/rss/", "Oracle News"),
    ("https://blogs.nvidia.com/feed/", "NVIDIA Blog"),
    # English-language press
    ("https://techcrunch.com/category/artificial-intelligence/feed/", "TechCrunch AI"),
    ("https://www.theverge.com/rss/ai-artificial-intelligence/index.xml", "The Verge AI"),
    ("https://feeds.arstechnica.com/arstechnica/technology-lab", "Ars Technica"),
    ("https://www.datacenterdynamics.com/en/rss/", "DatacenterDynamics"),
    ("https://www.cnbc.com/id/19854910/device/rss/rss.html", "CNBC Technology"),
    # French-language press
    ("https://www.lemagit.fr/rss/ContentSyndication.xml", "LeMagIT"),
    ("https://www.lemondeinformatique.fr/flux-rss/thematique/toutes-les-actualites/rss.xml", "Le Monde Informatique"),
    ("https://www.usine-digitale.fr/rss", "L'Usine Digitale"),
    ("https://www.zdnet.fr/feeds/rss/actualites/", "ZDNet France"),
)
