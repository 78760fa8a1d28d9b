#!/usr/bin/env python3
"""Parses an iCalendar file with Python's `icalendar` (the library many
Python calendar tools build on) and prints what it understood as JSON, in the
shape the Rust tests compare with the data:

  {"name": ..., "events": [{"uid", "summary", "start", "end", "location",
   "description", "sequence", "url", "transparent"}]}

Dates print as YYYY-MM-DD, times as YYYY-MM-DDTHH:MM:SSZ in UTC.
Usage: parse_ics.py FILE... (prints an object keyed by file name)
"""
import datetime
import json
import sys

import icalendar


def when(prop):
    if prop is None:
        return None
    value = prop.dt
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise SystemExit(f"floating time {value}")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def text(component, name):
    value = component.get(name)
    return None if value is None else str(value)


def parse(path):
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    events = []
    for event in calendar.walk("VEVENT"):
        events.append({
            "uid": text(event, "UID"),
            "summary": text(event, "SUMMARY"),
            "start": when(event.get("DTSTART")),
            "end": when(event.get("DTEND")),
            "location": text(event, "LOCATION"),
            "description": text(event, "DESCRIPTION"),
            "sequence": int(event.get("SEQUENCE", 0)),
            "url": text(event, "URL"),
            "transparent": text(event, "TRANSP") == "TRANSPARENT",
        })
    # icalendar has no type for RFC 7986's NAME and hands it over raw, so it
    # is decoded here as the TEXT that RFC 7986 says it is.
    name = calendar.get("NAME")
    if name is not None:
        name = icalendar.parser.unescape_backslash(name.to_ical().decode())
    return {"name": name, "events": events}


print(json.dumps({path: parse(path) for path in sys.argv[1:]},
                 ensure_ascii=False, indent=1))
