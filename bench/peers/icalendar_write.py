"""Writes the calendar of every meeting with Python's icalendar: the peer of
`nspm export ics --audience public`.

It reads the records nspm lists (`nspm meetings list --format json` and
`nspm society --format json`) and writes one calendar with the properties
nspm writes: the calendar's NAME, X-WR-CALNAME, DESCRIPTION, X-WR-CALDESC,
SOURCE, REFRESH-INTERVAL and X-PUBLISHED-TTL, and on each event UID, DTSTAMP,
SEQUENCE, LAST-MODIFIED, all-day DTSTART and exclusive DTEND (a month or a
year for dates known no closer), SUMMARY, LOCATION, DESCRIPTION, URL and
TRANSP.

Reading the JSON is not timed; writing the file is. The write's wall and CPU
time go to standard error as `write_ms=<wall> write_cpu_ms=<cpu>`, or
are appended to the file that BENCH_WRITE_TIMES names.

Usage: python icalendar_write.py MEETINGS.json SOCIETY.json STAMP OUT.ics
(STAMP is the DTSTAMP, as 2025-12-10T19:32:33Z.)
"""

import datetime as dt
import json
import sys
import time

from icalendar import Calendar, Event, vDuration

import timing

PRODID = "-//Nordic Society for Precision Medicine//nspm//EN"
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]


def utc(text):
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)


def day(text):
    return dt.date.fromisoformat(text)


def event(society, m, stamp):
    e = Event()
    e.add("uid", f"{m['id']}@{society['id']}.nspm")
    e.add("dtstamp", stamp)
    e.add("sequence", m["revision"])
    if m["modified"]:
        e.add("last-modified", utc(m["modified"]))
    summary, notes, transparent = m["title"], [], False
    date, precision = m["date"], m["date_precision"]
    if precision == "day":
        last = day(m["end"]) if m["end"] else day(date)
        e.add("dtstart", day(date))
        e.add("dtend", last + dt.timedelta(days=1))
    elif precision == "month":
        y, mo = (int(x) for x in date.split("-"))
        e.add("dtstart", dt.date(y, mo, 1))
        e.add("dtend", dt.date(y + 1, 1, 1) if mo == 12 else dt.date(y, mo + 1, 1))
        when = f"{MONTHS[mo - 1]} {y}"
        summary += f" (date: {when}, day not known)"
        notes.append(f"Date: {when}. The day is not known, so this entry spans the whole month.")
        transparent = True
    else:
        y = int(date)
        e.add("dtstart", dt.date(y, 1, 1))
        e.add("dtend", dt.date(y + 1, 1, 1))
        summary += f" (date: {y}, month and day not known)"
        notes.append(f"Date: {y}. The month and day are not known, so this entry spans the whole year.")
        transparent = True
    e.add("summary", summary)
    place = [m["venue"]["name"] if m["venue"] else None, m["city"], m["country"]["name"]]
    e.add("location", ", ".join(p for p in place if p))
    if m["summary"]:
        notes.append(m["summary"])
    if notes:
        e.add("description", "\n\n".join(notes))
    if society["base_url"]:
        e.add("url", f"{society['base_url']}meetings/{m['id']}/", parameters={"VALUE": "URI"})
    if transparent:
        e.add("transp", "TRANSPARENT")
    return e


def main():
    meetings_path, society_path, stamp, out_path = sys.argv[1:5]
    with open(meetings_path, encoding="utf-8") as f:
        meetings = json.load(f)
    with open(society_path, encoding="utf-8") as f:
        society = json.load(f)
    stamp = utc(stamp)
    wall, cpu = time.perf_counter(), time.process_time()
    cal = Calendar()
    cal.add("version", "2.0")
    cal.add("prodid", PRODID)
    cal.add("calscale", "GREGORIAN")
    name = f"{society['short_name']} meetings"
    description = f"Meetings of the {society['name']}"
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", description)
    cal.add("x-wr-caldesc", description)
    if society["base_url"]:
        cal.add("source", f"{society['base_url']}calendar.ics", parameters={"VALUE": "URI"})
    cal.add("refresh-interval", vDuration(dt.timedelta(days=1)), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    for m in meetings:
        cal.add_component(event(society, m, stamp))
    with open(out_path, "wb") as out:
        out.write(cal.to_ical())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    timing.report(wall, cpu)


if __name__ == "__main__":
    main()
