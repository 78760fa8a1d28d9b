"""Checks a recorded DAV session (dav_record.py's log) against the XML the
RFCs define, with a real XML parser (lxml, entities and DTDs refused).

    dav_xml_check.py LOG.jsonl

For every request body: well-formed XML whose root is the element its
method and RFC name (DAV:propfind, CARDDAV:addressbook-multiget, ...). For
every 207: a Content-Type of XML, a DAV:multistatus root whose children are
DAV:response (and DAV:sync-token for a sync-collection report, RFC 6578),
each response with hrefs that are absolute paths on the server, properly
percent-encoded and inside the collection asked about, and either one
status or propstats that each hold one DAV:prop and one status line of the
form `HTTP/1.1 200 OK`; every property in a namespace; getetag an entity
tag; address-data a vCard and calendar-data an iCalendar object; every
href a multiget asked for answered. Error bodies in XML must be a DAV:error.

Prints a JSON summary (exchanges, methods, reports, statuses, problems) and
exits with status 1 when there is any problem.
"""

import base64
import json
import re
import sys
from collections import Counter
from urllib.parse import unquote, urlsplit

from lxml import etree

DAV = "DAV:"
CARD = "urn:ietf:params:xml:ns:carddav"
CAL = "urn:ietf:params:xml:ns:caldav"

# The root element each method's request body may have.
REQUEST_ROOTS = {
    "PROPFIND": {f"{{{DAV}}}propfind"},
    "PROPPATCH": {f"{{{DAV}}}propertyupdate"},
    "REPORT": {
        f"{{{DAV}}}sync-collection",
        f"{{{DAV}}}expand-property",
        f"{{{DAV}}}principal-property-search",
        f"{{{CARD}}}addressbook-multiget",
        f"{{{CARD}}}addressbook-query",
        f"{{{CAL}}}calendar-multiget",
        f"{{{CAL}}}calendar-query",
        f"{{{CAL}}}free-busy-query",
    },
}
STATUS_LINE = re.compile(r"^HTTP/1\.[01] ([1-5][0-9]{2}) [^\r\n]+$")
ETAG = re.compile(r'^(W/)?"[\x21\x23-\x7e\x80-\xff]*"$')
# What an href may hold: RFC 3986's unreserved, sub-delims, ':', '@', '/'
# and percent-encoded octets.
HREF = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def body(field):
    """A recorded body; the proxy has already undone any content coding."""
    if "base64" in field:
        return base64.b64decode(field["base64"])
    return field["text"].encode("utf-8")


def header(headers, name):
    items = headers.items() if isinstance(headers, dict) else headers
    for k, v in items:
        if k.lower() == name:
            return v
    return ""


def parse(data, where, problems):
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        problems.append(f"{where}: the XML has a DOCTYPE or an entity declaration")
        return None
    try:
        return etree.fromstring(data, PARSER)
    except etree.XMLSyntaxError as e:
        problems.append(f"{where}: not well-formed XML: {e}")
        return None


def check_href(href, request_path, where, problems, inside=True):
    text = (href.text or "").strip()
    if not HREF.match(text):
        problems.append(f"{where}: href {text!r} is not a percent-encoded URI path")
        return text
    parts = urlsplit(text)
    path = parts.path
    if parts.scheme or parts.netloc:
        problems.append(f"{where}: href {text!r} is not an absolute path")
    if not path.startswith("/"):
        problems.append(f"{where}: href {text!r} does not start with /")
    base = unquote(urlsplit(request_path).path)
    if inside and not unquote(path).startswith(base.rstrip("/") + "/") and unquote(path) != base:
        problems.append(f"{where}: href {text!r} is outside {base!r}")
    return unquote(path)


def check_prop(prop, where, problems):
    for p in prop:
        q = etree.QName(p)
        if not q.namespace:
            problems.append(f"{where}: property <{q.localname}> has no namespace")
        if q.namespace == DAV and q.localname == "getetag" and p.text:
            if not ETAG.match(p.text.strip()):
                problems.append(f"{where}: getetag {p.text!r} is not an entity tag")
        if q.namespace == CARD and q.localname == "address-data" and p.text:
            if not p.text.lstrip().startswith("BEGIN:VCARD"):
                problems.append(f"{where}: address-data is not a vCard")
        if q.namespace == CAL and q.localname == "calendar-data" and p.text:
            if not p.text.lstrip().startswith("BEGIN:VCALENDAR"):
                problems.append(f"{where}: calendar-data is not an iCalendar object")


def check_multistatus(entry, request_root, root, where, problems):
    if root.tag != f"{{{DAV}}}multistatus":
        problems.append(f"{where}: a 207 whose root is {root.tag}, not DAV:multistatus")
        return
    sync = request_root is not None and request_root.tag == f"{{{DAV}}}sync-collection"
    multiget = request_root is not None and etree.QName(request_root).localname.endswith(
        "-multiget"
    )
    depth = header(entry["request_headers"], "depth")
    seen = []
    tokens = 0
    for child in root:
        if child.tag == f"{{{DAV}}}sync-token":
            tokens += 1
            if not (child.text or "").strip():
                problems.append(f"{where}: an empty sync-token")
            continue
        if child.tag == f"{{{DAV}}}responsedescription":
            continue
        if child.tag != f"{{{DAV}}}response":
            problems.append(f"{where}: multistatus holds {child.tag}")
            continue
        hrefs = child.findall(f"{{{DAV}}}href")
        if not hrefs:
            problems.append(f"{where}: a response without href")
        for href in hrefs:
            seen.append(check_href(href, entry["path"], where, problems, inside=not multiget))
        status = child.findall(f"{{{DAV}}}status")
        propstats = child.findall(f"{{{DAV}}}propstat")
        if bool(status) == bool(propstats) and not (sync and status and not propstats):
            problems.append(f"{where}: a response needs one status or propstats, not both or neither")
        if len(status) > 1:
            problems.append(f"{where}: a response with {len(status)} statuses")
        for s in status:
            if not STATUS_LINE.match((s.text or "").strip()):
                problems.append(f"{where}: status {s.text!r} is not an HTTP status line")
        for ps in propstats:
            props = ps.findall(f"{{{DAV}}}prop")
            statuses = ps.findall(f"{{{DAV}}}status")
            if len(props) != 1 or len(statuses) != 1:
                problems.append(f"{where}: a propstat needs one prop and one status")
            for s in statuses:
                if not STATUS_LINE.match((s.text or "").strip()):
                    problems.append(f"{where}: status {s.text!r} is not an HTTP status line")
            for prop in props:
                check_prop(prop, where, problems)
    if sync and tokens != 1:
        problems.append(f"{where}: a sync-collection answer with {tokens} sync-tokens")
    if entry["method"] == "PROPFIND" and depth == "0" and len(seen) != 1:
        problems.append(f"{where}: PROPFIND at depth 0 answered for {len(seen)} hrefs")
    if multiget:
        asked = {
            unquote(urlsplit((h.text or "").strip()).path)
            for h in request_root.findall(f"{{{DAV}}}href")
        }
        missing = asked - set(seen)
        if missing:
            problems.append(f"{where}: the multiget's hrefs {sorted(missing)} are not answered")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    problems = []
    methods = Counter()
    reports = Counter()
    statuses = Counter()
    entries = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
    for n, entry in enumerate(entries, 1):
        method = entry["method"]
        where = f"exchange {n} ({method} {entry['path']})"
        methods[method] += 1
        statuses[str(entry["status"])] += 1
        request_root = None
        sent = body(entry["request_body"])
        if method in REQUEST_ROOTS and sent.strip():
            request_root = parse(sent, where + " request", problems)
            if request_root is not None:
                if request_root.tag not in REQUEST_ROOTS[method]:
                    problems.append(f"{where}: a request body whose root is {request_root.tag}")
                if method == "REPORT":
                    reports[etree.QName(request_root).localname] += 1
        got = body(entry["response_body"])
        kind = header(entry["response_headers"], "content-type").split(";")[0].strip().lower()
        if entry["status"] == 207:
            if entry["reason"] != "Multi-Status":
                problems.append(f"{where}: 207 with the reason {entry['reason']!r}")
            if kind not in ("application/xml", "text/xml"):
                problems.append(f"{where}: a 207 of type {kind!r}")
            root = parse(got, where + " response", problems)
            if root is not None:
                check_multistatus(entry, request_root, root, where, problems)
        elif kind in ("application/xml", "text/xml") and got.strip() and entry["status"] >= 400:
            root = parse(got, where + " response", problems)
            if root is not None and root.tag != f"{{{DAV}}}error":
                problems.append(f"{where}: an error body whose root is {root.tag}")
    print(
        json.dumps(
            {
                "exchanges": len(entries),
                "methods": dict(methods),
                "reports": dict(reports),
                "statuses": dict(statuses),
                "problems": problems,
            },
            indent=1,
        )
    )
    sys.exit(1 if problems else 0)


main()
