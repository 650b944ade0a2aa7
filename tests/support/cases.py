# SPDX-License-Identifier: MIT
"""Reading a cases file the way ../shared/corpus/build.py reads it (its parse_cases and parse_triples,
copied so that the tests run without ../shared): what `monitor changes export-cases` writes must read back."""

from __future__ import annotations

from typing import Any


def parse_triples(text: str) -> list[dict[str, str]]:
    out = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        facet, key, kind = (x.strip() for x in part.split("/"))
        out.append({"facet": facet, "key": key, "kind": kind})
    return out


def parse_cases(text: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for block in ("\n" + text).split("\n=== ")[1:]:
        head, _, rest = block.partition("\n")
        meta: dict[str, Any] = dict((k.strip(), v.strip()) for k, v in (f.split(":", 1) for f in head.split(" | ")))
        fields, _, body = rest.partition("\n---\n")
        for line in fields.strip().splitlines():
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip()
        meta["paragraphs"] = [p.strip().replace("\n", " ") for p in body.strip().split("\n\n") if p.strip()]
        cases.append(meta)
    return cases
