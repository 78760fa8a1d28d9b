//! The real binary on a loopback port: what the socket limits do, graceful
//! shutdown on either signal, the request log (and a log pipe whose reader
//! has gone), and a taken address.

use std::io::Write;
use std::time::{Duration, Instant};

use rustix::process::Signal;

use super::running::{Client, Launch, Running};
use crate::support;

#[test]
fn oversized_headers_get_431_and_too_many_headers_too() {
    let server = Running::start(&[], &[]);
    // One header larger than the 16 KiB that request line and headers may
    // take together. hyper answers 431 and closes the connection.
    let mut client = Client::connect(server.addr);
    let big = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(nspm_server::MAX_HEADERS + 1024)
    );
    client.stream().write_all(big.as_bytes()).unwrap();
    let reply = client.read_reply().expect("hyper answers before closing");
    assert_eq!(reply.status, 431);
    assert!(client.closed_within(Duration::from_secs(5)).is_some());

    // hyper also caps the number of headers at 100, whatever their size.
    let mut client = Client::connect(server.addr);
    let mut many = String::from("GET / HTTP/1.1\r\nHost: localhost\r\n");
    for i in 0..150 {
        many.push_str(&format!("X-H{i}: {i}\r\n"));
    }
    many.push_str("\r\n");
    client.stream().write_all(many.as_bytes()).unwrap();
    assert_eq!(client.read_reply().unwrap().status, 431);

    // Headers just under the limit are fine.
    let mut client = Client::connect(server.addr);
    let fits = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(nspm_server::MAX_HEADERS - 1024)
    );
    client.stream().write_all(fits.as_bytes()).unwrap();
    assert_eq!(client.read_reply().unwrap().status, 200);
    // A long target within those 16 KiB reaches the app, which refuses it
    // with its own headers.
    let long = server.get(&format!("/{}", "a".repeat(nspm_server::MAX_URI)));
    assert_eq!(long.status, 414);
    assert_eq!(long.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn slow_and_silent_clients_are_dropped_after_the_header_timeout() {
    let server = Running::start(&[], &["--header-timeout", "1"]);
    let start = Instant::now();
    // Half a request line, then nothing.
    let mut half = Client::connect(server.addr);
    half.stream().write_all(b"GET /commi").unwrap();
    // A connection that never sends a byte: hyper has not yet seen whether
    // it is HTTP/1 or HTTP/2, which the server times out itself.
    let mut silent = Client::connect(server.addr);
    // The preface of HTTP/2 cut short leaves hyper in the same place.
    let mut preface = Client::connect(server.addr);
    preface.stream().write_all(b"PRI * HTTP/2.0").unwrap();

    // While they stall, others are served.
    assert_eq!(server.get("/committee/").status, 200);

    for (name, client) in [
        ("half a request line", &mut half),
        ("no bytes", &mut silent),
        ("part of the HTTP/2 preface", &mut preface),
    ] {
        let sent = client
            .closed_within(Duration::from_secs(8))
            .unwrap_or_else(|| panic!("{name}: still open after {:?}", start.elapsed()));
        // hyper sends nothing to a client that times out; it just closes.
        assert_eq!(String::from_utf8_lossy(&sent), "", "{name}");
    }
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(5),
        "closed after {waited:?}"
    );
    // A client that keeps a connection open between requests is also
    // dropped once the timeout passes without the next request.
    let mut idle = Client::connect(server.addr);
    assert_eq!(idle.get("/").unwrap().status, 200);
    assert!(idle.closed_within(Duration::from_secs(5)).is_some());
}

/// Starts a server, leaves a request half sent, sends `signal`, then
/// finishes the request: it is answered in full, the server takes no new
/// connections, and exits 0 once the request is done.
fn finishes_the_request_in_flight_on(signal: Signal) {
    let mut server = Running::start(&[], &[]);
    let expected = server.get("/committee/");
    assert_eq!(expected.status, 200);

    let mut in_flight = Client::connect(server.addr);
    in_flight
        .stream()
        .write_all(b"GET /committee/ HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();
    // Connections are accepted in order, so once a later one is answered
    // the server has taken the first; the pause lets it read the bytes.
    assert_eq!(server.get("/healthz").status, 200);
    std::thread::sleep(Duration::from_millis(200));

    server.signal(signal);
    server.wait_for_log("shutting down", Duration::from_secs(10));
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpStream::connect(server.addr).is_ok() {
        assert!(
            Instant::now() < deadline,
            "still accepting connections after the signal"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // It waits for the request it has begun to read.
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.is_running(), "{:#?}", server.log());
    in_flight.stream().write_all(b"\r\n").unwrap();
    let reply = in_flight
        .read_reply()
        .expect("the request in flight is answered");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, expected.body);
    assert_eq!(reply.header("connection"), Some("close"));

    let status = server.wait(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{:?}", server.log());
    let log = server.log();
    assert!(
        log.last().is_some_and(|l| l.ends_with("stopped")),
        "{log:#?}"
    );
}

#[test]
fn sigterm_stops_gracefully() {
    finishes_the_request_in_flight_on(Signal::TERM);
}

#[test]
fn sigint_stops_gracefully() {
    finishes_the_request_in_flight_on(Signal::INT);
}

#[test]
fn every_request_is_logged_on_one_line() {
    let mut server = Running::start(&[], &[]);
    let paths = [
        "/",
        "/committee/",
        "/api/people?country=NO",
        "/nowhere",
        "/committee",
    ];
    let mut client = Client::connect(server.addr);
    for path in paths {
        client.get(path).unwrap();
    }
    server.signal(Signal::TERM);
    server.wait(Duration::from_secs(10));
    let requests: Vec<String> = server
        .log()
        .into_iter()
        .filter(|l| l.contains(" request "))
        .collect();
    assert_eq!(requests.len(), paths.len(), "{requests:#?}");
    for ((line, path), status) in requests.iter().zip(paths).zip([200, 200, 200, 404, 308]) {
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.contains("method=GET"), "{line}");
        assert!(line.contains(&format!("target={path} ")), "{line}");
        assert!(line.contains(&format!("status={status} ")), "{line}");
        assert!(line.contains("micros="), "{line}");
    }
}

#[test]
fn a_closed_log_pipe_does_not_stop_the_site() {
    // As with `nspm serve 2>&1 | head`, or a log collector that restarts:
    // every line after the one that names the port meets a closed pipe.
    let mut server = Running::launch(
        Launch {
            close_log: true,
            ..Launch::default()
        },
        &[],
        &[],
    );
    let paths = [
        ("/", 200),
        ("/committee/", 200),
        ("/api/people?country=NO", 200),
        ("/nowhere", 404),
    ];
    // Half the requests on connections of their own, half on one that
    // stays open.
    let mut kept = Client::connect(server.addr);
    for i in 0..1000 {
        let (path, status) = paths[i % paths.len()];
        let reply = if i % 2 == 0 {
            Client::connect(server.addr).get(path)
        } else {
            kept.get(path)
        };
        let reply = reply.unwrap_or_else(|e| panic!("request {i}, GET {path}: {e}"));
        assert_eq!(reply.status, status, "request {i}, GET {path}");
    }
    assert_eq!(server.get("/healthz").text(), "ok\n");
    // It still stops as it should, though it cannot say so.
    server.signal(Signal::TERM);
    assert_eq!(server.wait(Duration::from_secs(30)).code(), Some(0));
}

#[test]
fn a_taken_address_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let out = support::nspm()
        .args(["serve", "--addr", &addr.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "nspm: error: cannot listen on {addr}: Address already in use"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("serving"), "{stderr}");
}
