#!/usr/bin/env python3
"""Fetches one URL over HTTPS with httpx (HTTP/1.1, or HTTP/2 by ALPN when
asked), trusting only the given CA, and prints what came back as JSON:

  {"http_version": "HTTP/2", "status": 200, "hsts": "max-age=...", "body": "..."}

Usage: https_get.py URL CA_FILE {1.1|2}
"""
import json
import ssl
import sys

import httpx


def main():
    url, ca, version = sys.argv[1:4]
    context = ssl.create_default_context(cafile=ca)
    with httpx.Client(verify=context, http1=version == "1.1", http2=version == "2") as client:
        response = client.get(url)
    print(json.dumps({
        "http_version": response.http_version,
        "status": response.status_code,
        "hsts": response.headers.get("strict-transport-security"),
        "body": response.text,
    }))


if __name__ == "__main__":
    main()
