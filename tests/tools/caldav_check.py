"""What Python's `caldav` client finds on a CalDAV server, as JSON.

    caldav_check.py [--ca CA_FILE] [--calendar] BASE_URL USER PASSWORD START..END...

USER and PASSWORD `-` send no credential, as anyone may ask.

Starts from nothing but the server's address: the client is pointed at
BASE_URL/.well-known/caldav (RFC 6764) and follows it to the principal, its
calendar home and the calendars there. With `--calendar`, BASE_URL is one
calendar's own URL, read without any discovery, as a calendar app
subscribed to it would. With `--ca`, BASE_URL is https and the server's
certificate must be signed by that CA. For each calendar it prints every
event (UID, summary, location, start and end as the ICS says) and, for each
range START..END given (dates, YYYY-MM-DD), the UIDs that a CalDAV
time-range search finds, so a test can check that month- and year-long
spans are found from a day inside them. When the server refuses (401 or
403), it prints `{"refused": "..."}` and exits with status 3.
"""

import datetime
import json
import sys

import caldav
from caldav.lib.error import AuthorizationError


def day(value):
    return datetime.datetime.strptime(value, "%Y-%m-%d").replace(
        tzinfo=datetime.timezone.utc
    )


def text(value):
    """A DTSTART or DTEND as iCalendar writes it: 20150501 or 20150501T100000Z."""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def event(obj):
    vevent = obj.icalendar_component
    end = vevent.get("DTEND")
    return {
        "uid": str(vevent["UID"]),
        "summary": str(vevent.get("SUMMARY", "")),
        "location": str(vevent.get("LOCATION", "")),
        "start": text(vevent["DTSTART"].dt),
        "end": text(end.dt) if end is not None else None,
    }


def calendar_json(calendar, ranges):
    events = sorted((event(e) for e in calendar.events()), key=lambda e: e["uid"])
    in_range = {}
    for start, end in ranges:
        spans = calendar.search(start=day(start), end=day(end), event=True, expand=False)
        in_range[f"{start}..{end}"] = sorted(event(e)["uid"] for e in spans)
    return {
        "url": str(calendar.url),
        "name": calendar.get_display_name(),
        "events": events,
        "in_range": in_range,
    }


def main():
    args = sys.argv[1:]
    ca = None
    one_calendar = False
    while args and args[0].startswith("--"):
        flag = args.pop(0)
        if flag == "--ca" and args:
            ca = args.pop(0)
        elif flag == "--calendar":
            one_calendar = True
        else:
            sys.exit(__doc__)
    if len(args) < 3:
        sys.exit(__doc__)
    base, user, password = args[:3]
    ranges = [r.split("..") for r in args[3:]]
    anonymous = user == "-" and password == "-"
    url = base if one_calendar else base.rstrip("/") + "/.well-known/caldav"
    try:
        with caldav.DAVClient(
            url=url,
            username=None if anonymous else user,
            password=None if anonymous else password,
            # The credential is sent once the server asks for it (a 401
            # with a Basic challenge), as the library does by default.
            ssl_verify_cert=ca if ca else False,
            enable_rfc6764=False,
        ) as client:
            if one_calendar:
                principal = None
                found = [calendar_json(client.calendar(url=url), ranges)]
            else:
                principal = client.principal()
                found = [calendar_json(c, ranges) for c in principal.calendars()]
    except AuthorizationError as e:
        print(json.dumps({"refused": str(e)}))
        sys.exit(3)
    print(
        json.dumps(
            {"principal": str(principal.url) if principal else None, "calendars": found},
            ensure_ascii=False,
            indent=1,
        )
    )


main()
