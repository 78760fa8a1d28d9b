//! Connections to the real binary: idle HTTP/2 connections are closed as
//! idle HTTP/1.1 ones are, more connections than the descriptor limit
//! allows are refused at once while visitors are still answered, SIGTERM
//! closes idle connections at once and finishes the busy ones, and an
//! HTTP/1.1 request names its host exactly once.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rustix::process::Signal;

use super::running::{Client, Launch, Reply, Running};

/// A runtime for the HTTP/2 client, which is async; its connections are
/// driven on its own threads while the test waits on the main one.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// One HTTP/2 connection, with prior knowledge, as browsers speak it after
/// choosing HTTP/2 during the TLS handshake.
#[derive(Debug)]
struct H2 {
    send: h2::client::SendRequest<Bytes>,
    /// Drives the connection; it ends when the server closes the connection.
    driver: tokio::task::JoinHandle<Result<(), h2::Error>>,
}

impl H2 {
    /// Connects, offering a flow-control window of `window` bytes for each
    /// stream: the server may not send more of a body until the client
    /// has read it.
    async fn connect(addr: SocketAddr, window: u32) -> Result<H2, String> {
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let (send, conn) = h2::client::Builder::new()
            .initial_window_size(window)
            .handshake(tcp)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        Ok(H2 {
            send,
            driver: tokio::spawn(conn),
        })
    }

    /// Sends a GET for `path` with `headers` and returns the response with
    /// its body unread.
    async fn request(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Result<axum::http::Response<h2::RecvStream>, String> {
        let mut req = axum::http::Request::get(format!("http://localhost{path}"));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut send = self
            .send
            .clone()
            .ready()
            .await
            .map_err(|e| format!("ready: {e}"))?;
        let (response, _) = send
            .send_request(req.body(()).unwrap(), true)
            .map_err(|e| format!("send: {e}"))?;
        response.await.map_err(|e| format!("response: {e}"))
    }

    /// Sends a GET and reads the whole response: its status and body.
    async fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>), String> {
        let res = self.request(path, &[]).await?;
        let status = res.status().as_u16();
        Ok((status, read_body(res.into_body()).await?))
    }

    /// Waits up to `limit` for the server to close the connection: `None`
    /// while it stays open, else how it ended (`Ok` after a GOAWAY that
    /// reports no error).
    async fn closed_within(&mut self, limit: Duration) -> Option<Result<(), String>> {
        let ended = tokio::time::timeout(limit, &mut self.driver).await.ok()?;
        Some(ended.unwrap().map_err(|e| e.to_string()))
    }
}

/// Reads a body to its end, handing the window back as it goes.
async fn read_body(mut body: h2::RecvStream) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = body.data().await {
        let chunk = chunk.map_err(|e| format!("body: {e}"))?;
        let _ = body.flow_control().release_capacity(chunk.len());
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// An HTTP/2 client that makes one request and then goes quiet: it never
/// acknowledges the server's settings nor answers its pings, as a client
/// that has hung does not, or one that means to hold connections open.
/// It is written out by hand since a client library always answers.
#[derive(Debug)]
struct Quiet {
    stream: TcpStream,
}

impl Quiet {
    /// Connects, sends `GET path` and reads the response to its end:
    /// returns the connection and the status, or the error that ended it.
    fn get(addr: SocketAddr, path: &str) -> std::io::Result<(Quiet, u16)> {
        let mut stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        // HPACK: :method GET, :scheme http, :authority localhost (a
        // literal with the name from the static table), :path as a literal.
        let mut block = vec![0x82, 0x86, 0x41, 9];
        block.extend_from_slice(b"localhost");
        block.extend_from_slice(&[0x04, u8::try_from(path.len()).unwrap()]);
        block.extend_from_slice(path.as_bytes());
        let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
        out.extend_from_slice(&frame(SETTINGS, 0, 0, &[]));
        out.extend_from_slice(&frame(HEADERS, END_STREAM | END_HEADERS, 1, &block));
        stream.write_all(&out)?;
        let mut status = 0;
        loop {
            let mut head = [0; 9];
            stream.read_exact(&mut head)?;
            let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
            let (kind, flags) = (head[3], head[4]);
            let id = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
            let mut payload = vec![0; len];
            stream.read_exact(&mut payload)?;
            if id != 1 {
                continue;
            }
            if kind == HEADERS {
                // The static table's statuses, as HPACK indexes them.
                status = match payload.first() {
                    Some(0x88) => 200,
                    Some(0x8b) => 304,
                    Some(0x8c) => 400,
                    Some(0x8d) => 404,
                    Some(0x8e) => 500,
                    _ => 1,
                };
            }
            if (kind == HEADERS || kind == DATA) && flags & END_STREAM != 0 {
                return Ok((Quiet { stream }, status));
            }
        }
    }

    /// Waits up to `limit` for the server to close the connection, taking
    /// what it sends meanwhile (the client still answers nothing).
    fn closed_within(&mut self, limit: Duration) -> bool {
        self.stream.set_read_timeout(Some(limit)).unwrap();
        let mut rest = Vec::new();
        match self.stream.read_to_end(&mut rest) {
            Ok(_) => true,
            Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const SETTINGS: u8 = 0x4;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;

/// An HTTP/2 frame: a 9-byte head, then the payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut out = vec![len[1], len[2], len[3], kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The committee page: larger than the 1 KiB window the tests' slow
/// readers offer, so that its stream stays open until they read it.
const LARGE: &str = "/committee/";
/// The window of a client that reads slowly.
const SLOW: u32 = 1024;
/// The window of a client that reads at once (HTTP/2's default).
const FAST: u32 = 65_535;

#[test]
fn idle_http2_connections_are_closed_and_busy_ones_are_not() {
    let server = Running::start(&[], &["--header-timeout", "1"]);
    let expected = server.get(LARGE).body;
    assert!(expected.len() > 4 * SLOW as usize, "{}", expected.len());
    let mut quiet: Vec<Quiet> = (0..3)
        .map(|_| {
            let (conn, status) = Quiet::get(server.addr, "/").unwrap();
            assert_eq!(status, 200);
            conn
        })
        .collect();
    let rt = runtime();
    rt.block_on(async {
        let mut idle = Vec::new();
        for _ in 0..3 {
            let mut conn = H2::connect(server.addr, FAST).await.unwrap();
            assert_eq!(conn.get("/").await.unwrap().0, 200);
            idle.push(conn);
        }
        // A stream whose reader is slow stays open as long as it is not
        // read, however long that is.
        let mut busy = H2::connect(server.addr, SLOW).await.unwrap();
        let response = busy.request(LARGE, &[]).await.unwrap();
        assert_eq!(response.status(), 200);

        for conn in &mut idle {
            let ended = conn
                .closed_within(Duration::from_secs(30))
                .await
                .expect("an idle HTTP/2 connection is closed");
            ended.expect("the server closes it with a GOAWAY that reports no error");
        }
        for conn in &mut quiet {
            assert!(
                conn.closed_within(Duration::from_secs(30)),
                "an idle HTTP/2 connection that went quiet is still open"
            );
        }
        // The busy one has been open as long as the idle ones and is still
        // served to the end.
        let body = read_body(response.into_body()).await.unwrap();
        assert_eq!(body, expected);
        // Then it is idle, and closed in its turn.
        busy.closed_within(Duration::from_secs(30))
            .await
            .expect("the connection is closed once its stream is done")
            .unwrap();
    });
}

#[test]
fn more_idle_http2_connections_than_descriptors_leave_visitors_answered() {
    // A soft limit of 64 descriptors and a hard one of 128: the server
    // raises the first to the second, and refuses connections beyond what
    // that allows rather than running out of descriptors.
    const SOFT: u64 = 64;
    const HARD: u64 = 128;
    const HELD: usize = 160;
    let server = Running::launch(
        Launch {
            descriptors: Some((SOFT, HARD)),
            ..Launch::default()
        },
        &[],
        &["--header-timeout", "5"],
    );
    let started = Instant::now();
    let mut held = Vec::new();
    let mut refused = 0;
    for i in 0..HELD {
        match Quiet::get(server.addr, "/healthz") {
            Ok((conn, status)) => {
                assert_eq!(status, 200);
                held.push(conn);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!(
                    "connection {i} was neither answered nor refused in 30 s, with {} held",
                    held.len()
                )
            }
            Err(_) => refused += 1,
        }
    }
    assert!(
        held.len() as u64 > SOFT,
        "only {} of {HELD} answered: the soft limit was not raised",
        held.len()
    );
    assert!(refused > 0, "all {HELD} answered under a limit of {HARD}");

    // While the idle connections are held, a new visitor is answered, as
    // soon as the idle ones are closed if not before.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match Client::connect(server.addr).get("/healthz") {
            Ok(reply) if reply.status == 200 => break,
            _ => {}
        }
        assert!(
            Instant::now() < deadline,
            "no answer in 60 s while {} idle HTTP/2 connections are held:\n{}",
            held.len(),
            server.log().join("\n")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for conn in &mut held {
        assert!(
            conn.closed_within(Duration::from_secs(30)),
            "the server closes idle HTTP/2 connections"
        );
    }
    runtime().block_on(async {
        let mut visitor = H2::connect(server.addr, FAST).await.unwrap();
        assert_eq!(visitor.get("/").await.unwrap().0, 200);
    });

    // Refusals are logged, but not one line each.
    let log = server.log();
    let warnings = log
        .iter()
        .filter(|l| l.contains("too many connections"))
        .count();
    assert!(warnings >= 1, "{log:#?}");
    // Refusals also met the visitor until the idle connections closed.
    let elapsed = started.elapsed();
    assert!(
        warnings as u64 <= 1 + elapsed.as_secs() / 10,
        "{warnings} lines for {refused} refusals or more in {elapsed:?}"
    );
}

#[test]
fn sigterm_closes_idle_connections_at_once_and_finishes_busy_ones() {
    // Idle connections would be closed after two minutes and the drain
    // would give up after two minutes: everything below happens long
    // before, so it is the signal that does it.
    let mut server = Running::start(&[], &["--header-timeout", "120", "--drain-timeout", "120"]);
    let expected = server.get(LARGE).body;
    let mut idle_h1 = Client::connect(server.addr);
    assert_eq!(idle_h1.get("/").unwrap().status, 200);
    let (mut quiet, status) = Quiet::get(server.addr, "/").unwrap();
    assert_eq!(status, 200);
    let rt = runtime();
    let addr = server.addr;
    let (mut idle_h2, mut busy, response) = rt.block_on(async {
        let mut idle = H2::connect(addr, FAST).await.unwrap();
        assert_eq!(idle.get("/").await.unwrap().0, 200);
        let mut busy = H2::connect(addr, SLOW).await.unwrap();
        let response = busy.request(LARGE, &[]).await.unwrap();
        (idle, busy, response)
    });

    server.signal(Signal::TERM);
    server.wait_for_log("shutting down", Duration::from_secs(30));
    assert!(
        idle_h1.closed_within(Duration::from_secs(30)).is_some(),
        "the idle HTTP/1.1 connection is still open:\n{}",
        server.log().join("\n")
    );
    rt.block_on(idle_h2.closed_within(Duration::from_secs(30)))
        .expect("the idle HTTP/2 connection is closed")
        .expect("with a GOAWAY that reports no error");
    assert!(
        quiet.closed_within(Duration::from_secs(30)),
        "the HTTP/2 connection that went quiet is still open"
    );
    assert!(server.is_running(), "{:#?}", server.log());

    let body = rt.block_on(read_body(response.into_body())).unwrap();
    assert_eq!(body, expected);
    let status = server.wait(Duration::from_secs(30));
    assert_eq!(status.code(), Some(0), "{:#?}", server.log());
    assert!(
        rt.block_on(busy.closed_within(Duration::from_secs(30)))
            .is_some()
    );
}

/// Sends `request` as it is on a connection of its own and reads the
/// reply; `what` names the case when that fails.
fn send_raw(addr: SocketAddr, what: &str, request: &str) -> (Client, Reply) {
    let mut client = Client::connect(addr);
    client.stream().write_all(request.as_bytes()).unwrap();
    let reply = client
        .read_reply()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    (client, reply)
}

#[test]
fn an_http11_request_names_its_host_exactly_once() {
    let server = Running::start(&[], &[]);
    for (what, request) in [
        ("no Host", "GET / HTTP/1.1\r\n\r\n"),
        ("no Host, to the API", "GET /api/people HTTP/1.1\r\n\r\n"),
        (
            "two Host lines",
            "GET / HTTP/1.1\r\nHost: localhost\r\nHost: localhost\r\n\r\n",
        ),
        (
            "two different hosts",
            "GET / HTTP/1.1\r\nHost: localhost\r\nHost: example.org\r\n\r\n",
        ),
        (
            "two hosts in HTTP/1.0",
            "GET / HTTP/1.0\r\nHost: localhost\r\nHost: example.org\r\n\r\n",
        ),
        ("an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n"),
        (
            "a space in Host",
            "GET / HTTP/1.1\r\nHost: local host\r\n\r\n",
        ),
        (
            "user information in Host",
            "GET / HTTP/1.1\r\nHost: user@localhost\r\n\r\n",
        ),
        (
            "a path in Host",
            "GET / HTTP/1.1\r\nHost: localhost/x\r\n\r\n",
        ),
    ] {
        let (mut client, reply) = send_raw(server.addr, what, request);
        assert_eq!(reply.status, 400, "{what}: {}", reply.text());
        assert!(reply.text().contains("Host"), "{what}: {}", reply.text());
        assert_eq!(reply.header("connection"), Some("close"), "{what}");
        assert!(
            client.closed_within(Duration::from_secs(10)).is_some(),
            "{what}: still open"
        );
    }
    for (what, request) in [
        ("one Host", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        ("a port", "GET / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"),
        (
            "an IPv6 address",
            "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
        ),
        (
            "the absolute form",
            "GET http://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
        ),
        ("HTTP/1.0, where Host is optional", "GET / HTTP/1.0\r\n\r\n"),
    ] {
        let (_, reply) = send_raw(server.addr, what, request);
        assert_eq!(reply.status, 200, "{what}: {}", reply.text());
    }

    // HTTP/2 names the host in the :authority pseudo-header; a Host header
    // is allowed beside it, but not two.
    runtime().block_on(async {
        let mut conn = H2::connect(server.addr, FAST).await.unwrap();
        assert_eq!(conn.get("/").await.unwrap().0, 200);
        let one = conn.request("/", &[("host", "localhost")]).await.unwrap();
        assert_eq!(one.status(), 200);
        let two = conn
            .request("/", &[("host", "localhost"), ("host", "example.org")])
            .await
            .unwrap();
        assert_eq!(two.status(), 400);
        // The connection serves on: a 400 closes only HTTP/1 connections.
        assert_eq!(conn.get("/healthz").await.unwrap().0, 200);
    });
}
