"""What Python's `caldav` client finds on a CalDAV server, as JSON.

    caldav_check.py BASE_URL USER PASSWORD START..END...

USER and PASSWORD `-` send no credential, as anyone may ask.

Starts from nothing but the server's address: the client is pointed at
BASE_URL/.well-known/caldav (RFC 6764) and follows it to the principal, its
calendar home and the calendars there. For each calendar it prints every
event (UID, summary, location, start and end as the ICS says) and, for each
range START..END given (dates, YYYY-MM-DD), the UIDs that a CalDAV
time-range search finds, so a test can check that month- and year-long
spans are found from a day inside them.
"""

import datetime
import json
import sys

import caldav


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


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    base, user, password = sys.argv[1:4]
    ranges = [r.split("..") for r in sys.argv[4:]]
    well_known = base.rstrip("/") + "/.well-known/caldav"
    anonymous = user == "-" and password == "-"
    with caldav.DAVClient(
        url=well_known,
        username=None if anonymous else user,
        password=None if anonymous else password,
        # With a credential, Basic is sent from the first request, as the
        # library offers: a server that answers the public where none was
        # sent (nspm's root does) would otherwise never ask for it.
        auth_type=None if anonymous else "basic",
        ssl_verify_cert=False,
        enable_rfc6764=False,
    ) as client:
        principal = client.principal()
        found = []
        for calendar in principal.calendars():
            events = sorted((event(e) for e in calendar.events()), key=lambda e: e["uid"])
            in_range = {}
            for start, end in ranges:
                spans = calendar.search(
                    start=day(start), end=day(end), event=True, expand=False
                )
                in_range[f"{start}..{end}"] = sorted(event(e)["uid"] for e in spans)
            found.append(
                {
                    "url": str(calendar.url),
                    "name": calendar.get_display_name(),
                    "events": events,
                    "in_range": in_range,
                }
            )
    print(
        json.dumps(
            {"principal": str(principal.url), "calendars": found},
            ensure_ascii=False,
            indent=1,
        )
    )


main()
