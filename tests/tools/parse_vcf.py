#!/usr/bin/env python3
"""Parses a vCard file with Python's `vobject` and prints each card as JSON,
in the shape the Rust tests compare with the data:

  [{"version", "kind", "uid", "fn", "family", "given", "org", "title",
    "roles", "country", "emails", "tels", "urls", "photo"}]

`photo` is the card's PHOTO as base64: 3.0's inline binary as vobject
decodes it, encoded again; 4.0's data: URI without its prefix.

`kind` is "org" for KIND:org (4.0) or X-ABShowAs:COMPANY (3.0), else
"individual". Usage: parse_vcf.py FILE... (prints an object keyed by file
name)
"""
import base64
import io
import json
import sys

import vobject


def values(card, name):
    return [line.value for line in card.contents.get(name, [])]


def one(card, name):
    found = values(card, name)
    if len(found) > 1:
        raise SystemExit(f"{name} appears {len(found)} times in a card")
    return found[0] if found else None


def raw_photos(text):
    """Each card's PHOTO value as vobject's content-line reader reads it,
    before its vCard decoding: vobject follows vCard 3.0's rules, decoding
    an inline binary PHOTO (ENCODING=b) itself but taking 4.0's data: URI
    for text, which it cuts at the comma."""
    photos = []
    for line, _ in vobject.base.getLogicalLines(io.StringIO(text)):
        content = vobject.base.textLineToContentLine(line)
        if content.name.upper() == "BEGIN":
            photos.append(None)
        elif content.name.upper() == "PHOTO":
            photos[-1] = content.value
    return photos


def photo(card, raw):
    value = one(card, "photo")
    if value is None:
        return None
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return raw.split(",", 1)[1] if raw.startswith("data:") else raw


def parse(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    cards = []
    raws = raw_photos(text)
    for card, raw in zip(vobject.readComponents(text), raws, strict=True):
        if card.name != "VCARD":
            raise SystemExit(f"unexpected component {card.name}")
        kind = (one(card, "kind") or "individual").lower()
        if (one(card, "x-abshowas") or "").upper() == "COMPANY":
            kind = "org"
        n = one(card, "n")
        org = one(card, "org")
        adr = one(card, "adr")
        cards.append({
            "version": one(card, "version"),
            "kind": kind,
            "uid": one(card, "uid"),
            "fn": one(card, "fn"),
            "family": n.family if n else None,
            "given": n.given if n else None,
            "org": org[0] if org else None,
            "title": one(card, "title"),
            "roles": values(card, "role"),
            "country": adr.country if adr else None,
            "emails": values(card, "email"),
            "tels": values(card, "tel"),
            "urls": values(card, "url"),
            "photo": photo(card, raw),
        })
    return cards


print(json.dumps({path: parse(path) for path in sys.argv[1:]},
                 ensure_ascii=False, indent=1))
