"""Replays the requests of a recorded DAV sync (tests/tools/dav_record.py's
log) against the server they were made to, to time the server alone.

    dav_replay.py LOG.jsonl FIRST LAST BASE USER PASSWORD ROUNDS

Sends exchanges FIRST..LAST (1-based, inclusive) of the log in order, as
the client sent them (method, path, headers, body; HTTP Basic with USER and
PASSWORD), over one keep-alive connection to BASE (http://host:port), ROUNDS
times. Every answer must have the status recorded. Prints one line per
round: `replay_ms=<wall> requests=<n> bytes=<response bytes>`. vdirsyncer's
own work (parsing, its status database, writing files) is left out, so this
is the server's share of a sync.
"""

import base64
import http.client
import json
import sys
import time
from urllib.parse import urlsplit

SKIP = {"authorization", "host", "content-length", "connection", "accept-encoding"}


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    log, first, last, base, user, password, rounds = sys.argv[1:]
    entries = [json.loads(line) for line in open(log, encoding="utf-8")]
    entries = entries[int(first) - 1 : int(last)]
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    target = urlsplit(base)
    for _ in range(int(rounds)):
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
        size = 0
        start = time.perf_counter()
        for e in entries:
            headers = {k: v for k, v in e["request_headers"].items() if k.lower() not in SKIP}
            headers["Authorization"] = auth
            # As vdirsyncer asks: compressed answers where the server offers them.
            headers["Accept-Encoding"] = "gzip, deflate"
            body = e["request_body"].get("text", "").encode()
            conn.request(e["method"], e["path"], body=body or None, headers=headers)
            res = conn.getresponse()
            data = res.read()
            size += len(data)
            if res.status != e["status"]:
                sys.exit(f"dav_replay: {e['method']} {e['path']}: {res.status}, recorded {e['status']}")
        wall = time.perf_counter() - start
        conn.close()
        print(f"replay_ms={wall * 1000:.1f} requests={len(entries)} bytes={size}", flush=True)


main()
