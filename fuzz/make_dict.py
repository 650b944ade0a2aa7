# SPDX-License-Identifier: MIT
"""Write fuzz/pipeline.dict: a libFuzzer dictionary of what the parsers and the rules react to.

    .venv/bin/python fuzz/make_dict.py

Entity aliases, cue and trigger words (from rules/vocab and rules/facets), value words and feed
or page markup: the mutator splices them into inputs, so a mutation reaches the engine's rules
far sooner than byte flips would.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
MARKUP = [
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>", "<rss version=\"2.0\">", "<channel>", "</channel>", "<item>",
    "</item>", "<title>", "</title>", "<link>", "<guid>", "<pubDate>", "<description>", "<content:encoded>",
    "<![CDATA[", "]]>", "<feed xmlns=\"http://www.w3.org/2005/Atom\">", "<entry>", "<content type=\"html\">",
    "<updated>", "<published>", "<html>", "<head>", "<body>", "<article>", "<p>", "</p>", "<h1>", "<br>",
    "<meta charset=\"windows-1252\">", "<meta property=\"article:published_time\" content=\"2025-10-28\">",
    "&amp;", "&#8217;", "&nbsp;", "\u00a0", "\u202f", "\u2009", "\u2019", "\u00ab ", " \u00bb", "\u2014", "\ufeff",
]  # fmt: skip
VALUES = [
    "$", "US$", "\u20ac", "%", " billion", " milliards de dollars", " GW", " GPUs", " depuis ", " through ",
    " until ", " since ", " years ago", " il y a ", " today", " aujourd'hui", " in March 2024", " 2019",
    " 1,500", " 15 000", " 9,7", "Q3 ", "No. ", " up from ", " bringing the total to ",
]  # fmt: skip


def _words(phrase: str) -> list[str]:
    text = re.sub(r"[()|?*]|~\d?", " ", phrase)
    return [text.strip()] + text.split()


def main() -> None:
    entries: set[str] = set(MARKUP) | set(VALUES)
    entities = tomllib.loads((RULES / "vocab" / "entities.toml").read_text(encoding="utf-8"))
    cues = tomllib.loads((RULES / "vocab" / "cues.toml").read_text(encoding="utf-8"))
    for table in entities.values():
        for alias in table["aliases"]:
            entries.update(_words(alias))
    for table in cues.values():
        for phrase in table["phrases"]:
            entries.update(_words(phrase))
    for path in sorted((RULES / "facets").glob("*.toml")):
        for phrase in tomllib.loads(path.read_text(encoding="utf-8"))["triggers"]:
            entries.update(_words(phrase))
    lines = []
    for entry in sorted(e for e in entries if e.strip() and len(e.encode()) <= 64):
        escaped = "".join(
            chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\x{b:02X}" for b in entry.encode("utf-8")
        )
        lines.append(f'"{escaped}"')
    (Path(__file__).parent / "pipeline.dict").write_text("\n".join(lines) + "\n", encoding="ascii")
    print(f"{len(lines)} entries")


if __name__ == "__main__":
    main()
