"""A recording proxy for one DAV client's session.

    dav_record.py UPSTREAM LOG.jsonl

Listens on a free loopback port, prints `listening on PORT` once it does,
and forwards every request to UPSTREAM (http://host:port) as it came,
writing each exchange to LOG.jsonl as one JSON line: the method, the path,
the request's headers (the Authorization header's value left out) and
body, and the response's status, reason, headers
and body, decoded from its content coding (bodies as text, or base64 when
they are not UTF-8). It runs until
it is killed. dav_xml_check.py reads the log.
"""

import base64
import gzip
import http.client
import http.server
import json
import sys
import threading
import zlib
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


def body_field(data):
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode()}


def decoded(data, encoding):
    """The body as the server meant it, before its content coding, so that
    the log can be searched; clients here ask for gzip or deflate only."""
    encoding = (encoding or "").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding in ("", "identity"):
        return data
    raise ValueError(f"a content coding this proxy cannot read: {encoding}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    upstream = urlsplit(sys.argv[1])
    log = open(sys.argv[2], "a", encoding="utf-8")
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            conn.request(self.command, self.path, body=body, headers=headers)
            res = conn.getresponse()
            data = b"" if self.command == "HEAD" else res.read()
            conn.close()
            self.send_response_only(res.status, res.reason)
            for name, value in res.getheaders():
                if name.lower() not in HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            if self.command == "HEAD":
                self.send_header("Content-Length", res.getheader("Content-Length", "0"))
            else:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if data:
                self.wfile.write(data)
            # The credential stays out of the log, as it does of the server's.
            logged = {
                k: ("<redacted>" if k.lower() == "authorization" else v)
                for k, v in self.headers.items()
            }
            entry = {
                "method": self.command,
                "path": self.path,
                "request_headers": logged,
                "request_body": body_field(body),
                "status": res.status,
                "reason": res.reason,
                "response_headers": res.getheaders(),
                "response_encoding": res.getheader("Content-Encoding"),
                "response_body": body_field(decoded(data, res.getheader("Content-Encoding"))),
            }
            with lock:
                log.write(json.dumps(entry, ensure_ascii=False) + "\n")
                log.flush()

        def __getattr__(self, name):
            # Every method a DAV client may send (PROPFIND, REPORT, ...) is
            # forwarded alike.
            if name.startswith("do_"):
                return self.forward
            raise AttributeError(name)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


main()
