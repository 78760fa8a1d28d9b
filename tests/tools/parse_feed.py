"""Reads Atom feeds with feedparser, as many feed readers do, and prints
what it found in each as JSON: {file: {feed: {...}, entries: [...]}}.
Fails when feedparser calls a feed ill-formed (its `bozo` flag)."""

import json
import sys

import feedparser


def entry(e):
    return {
        "id": e.get("id"),
        "title": e.get("title"),
        "updated": e.get("updated"),
        "published": e.get("published"),
        "link": e.get("link"),
        "content_type": e["content"][0]["type"] if e.get("content") else None,
        "content": e["content"][0]["value"] if e.get("content") else None,
    }


out = {}
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        parsed = feedparser.parse(f.read())
    if parsed.bozo:
        sys.exit(f"{path}: feedparser finds the feed ill-formed: {parsed.bozo_exception}")
    feed = parsed.feed
    out[path] = {
        "version": parsed.version,
        "feed": {
            "id": feed.get("id"),
            "title": feed.get("title"),
            "updated": feed.get("updated"),
            "author": feed.get("author_detail", {}).get("name"),
            "email": feed.get("author_detail", {}).get("email"),
            "link": feed.get("link"),
        },
        "entries": [entry(e) for e in parsed.entries],
    }
print(json.dumps(out))
