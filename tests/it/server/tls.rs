//! The real `nspm serve` over its own TLS, with a certificate the test
//! makes (a CA and a leaf for localhost, by rcgen): rustls's client, curl
//! and Python's httpx over HTTP/1.1 and HTTP/2, plain HTTP sent to the TLS
//! port, a handshake never finished, unusable certificates; and behind
//! Caddy, where HSTS shows that the request was seen as secure, and only
//! when the proxy is trusted.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;

use super::running::{Client, Running};
use crate::support;

pub(super) const HSTS: &str = "max-age=31536000";

/// A CA the test trusts and a certificate it signed for localhost and
/// 127.0.0.1, as PEM files.
pub(super) struct Pki {
    dir: tempfile::TempDir,
    ca: CertificateDer<'static>,
}

impl Pki {
    pub(super) fn new() -> Pki {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "nspm test CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("cert.pem"), leaf.pem()).unwrap();
        std::fs::write(dir.path().join("key.pem"), key.serialize_pem()).unwrap();
        // A key of its own, which belongs to no certificate here.
        std::fs::write(
            dir.path().join("other-key.pem"),
            KeyPair::generate().unwrap().serialize_pem(),
        )
        .unwrap();
        Pki {
            ca: ca.der().clone(),
            dir,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(super) fn path_str(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// `nspm serve` over TLS with this certificate, and `extra`.
    fn serve(&self, extra: &[&str]) -> Running {
        self.serve_with(&[], extra)
    }

    /// `nspm GLOBAL serve` over TLS with this certificate, and `extra`.
    pub(super) fn serve_with(&self, global: &[&str], extra: &[&str]) -> Running {
        let (cert, key) = (self.path_str("cert.pem"), self.path_str("key.pem"));
        let mut args = vec!["--tls-cert", &cert, "--tls-key", &key];
        args.extend_from_slice(extra);
        Running::start(global, &args)
    }

    /// A rustls client that trusts only the test's CA and offers `alpn`.
    fn connect(&self, addr: SocketAddr, alpn: &[&[u8]]) -> Tls {
        self.try_connect(addr, alpn)
            .expect("the TLS handshake succeeds")
    }

    fn try_connect(&self, addr: SocketAddr, alpn: &[&[u8]]) -> std::io::Result<Tls> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca.clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let name = ServerName::try_from("localhost").unwrap();
        let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let sock = TcpStream::connect(addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut tls = rustls::StreamOwned::new(conn, sock);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        Ok(tls)
    }
}

type Tls = rustls::StreamOwned<rustls::ClientConnection, TcpStream>;

/// One HTTP/1.1 GET over `tls`, the connection closed after it; the head
/// and the body.
fn get_over(tls: &mut Tls, path: &str) -> (String, Vec<u8>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    match tls.read_to_end(&mut raw) {
        Ok(_) => {}
        // hyper closes without close_notify after `Connection: close`.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {}
        Err(e) => panic!("reading the response: {e}"),
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole response head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    (head, raw[split + 4..].to_vec())
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The committee page as the plain server sends it: the bytes every TLS
/// client must receive too.
fn committee_page() -> Vec<u8> {
    let plain = Running::start(&[], &[]);
    let reply = plain.get("/committee/");
    assert_eq!(reply.status, 200);
    // Not secure, so no HSTS: over plain HTTP it would mean nothing.
    assert_eq!(reply.header("strict-transport-security"), None);
    reply.body
}

#[test]
fn the_site_is_served_over_tls_with_hsts_and_alpn() {
    let pki = Pki::new();
    let server = pki.serve(&[]);
    let page = committee_page();
    for (alpn, expected) in [
        (&[&b"http/1.1"[..]][..], Some(&b"http/1.1"[..])),
        (&[&b"h2"[..], &b"http/1.1"[..]][..], Some(&b"h2"[..])),
        // A client that offers no ALPN still gets the site, in HTTP/1.1.
        (&[][..], None),
    ] {
        let tls = pki.connect(server.addr, alpn);
        assert_eq!(tls.conn.alpn_protocol(), expected, "{alpn:?}");
    }
    let mut tls = pki.connect(server.addr, &[b"http/1.1"]);
    let (head, body) = get_over(&mut tls, "/committee/");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert_eq!(header(&head, "strict-transport-security"), Some(HSTS));
    assert_eq!(body, page);
    // Every response over TLS has it, errors too.
    let mut tls = pki.connect(server.addr, &[b"http/1.1"]);
    let (head, _) = get_over(&mut tls, "/no-such-page");
    assert!(head.starts_with("HTTP/1.1 404 "), "{head}");
    assert_eq!(header(&head, "strict-transport-security"), Some(HSTS));
}

#[test]
fn plain_http_to_the_tls_port_is_told_to_use_https_and_the_server_goes_on() {
    let pki = Pki::new();
    let server = pki.serve(&[]);
    for _ in 0..3 {
        let mut client = Client::connect(server.addr);
        let reply = client.get("/committee/").expect("an answer in plain HTTP");
        assert_eq!(reply.status, 400);
        assert!(reply.text().contains("https://"), "{}", reply.text());
        assert!(client.closed_within(Duration::from_secs(5)).is_some());
    }
    let tls = pki.connect(server.addr, &[b"h2", b"http/1.1"]);
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"h2"[..]));
    let mut tls2 = pki.connect(server.addr, &[b"http/1.1"]);
    let (head, _) = get_over(&mut tls2, "/healthz");
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    // The h2 connection was fine all along; closing it is the client's.
    let _ = tls.sock.shutdown(std::net::Shutdown::Both);
}

#[test]
fn a_client_that_never_finishes_the_handshake_is_dropped() {
    let pki = Pki::new();
    let server = pki.serve(&["--header-timeout", "1"]);
    let start = Instant::now();
    let mut silent = Client::connect(server.addr);
    // The start of a TLS record that announces a ClientHello, then nothing.
    let mut partial = Client::connect(server.addr);
    partial
        .stream()
        .write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
        .unwrap();
    // While they stall, others are served.
    let mut tls = pki.connect(server.addr, &[b"http/1.1"]);
    assert!(
        get_over(&mut tls, "/healthz")
            .0
            .starts_with("HTTP/1.1 200 ")
    );
    for (name, client) in [
        ("no bytes", &mut silent),
        ("part of a ClientHello", &mut partial),
    ] {
        client
            .closed_within(Duration::from_secs(8))
            .unwrap_or_else(|| panic!("{name}: still open after {:?}", start.elapsed()));
    }
}

#[test]
fn sighup_puts_a_renewed_certificate_in_use_and_keeps_the_old_one_if_unusable() {
    let old = Pki::new();
    let mut server = old.serve(&[]);
    let renewed = Pki::new();
    // A renewal hook writes the key first: in between, the pair does not
    // match, and a SIGHUP then keeps the certificate in use.
    std::fs::copy(renewed.path("key.pem"), old.path("key.pem")).unwrap();
    server.signal(rustix::process::Signal::HUP);
    let refused = server.wait_for_log("the certificate in use stays", Duration::from_secs(30));
    assert!(
        refused.contains(&format!(
            "cannot use the TLS certificate {} and key {}",
            old.path("cert.pem").display(),
            old.path("key.pem").display()
        )),
        "{refused}"
    );
    let mut tls = old.connect(server.addr, &[b"http/1.1"]);
    assert!(
        get_over(&mut tls, "/healthz")
            .0
            .starts_with("HTTP/1.1 200 ")
    );
    assert!(renewed.try_connect(server.addr, &[b"http/1.1"]).is_err());

    std::fs::copy(renewed.path("cert.pem"), old.path("cert.pem")).unwrap();
    server.signal(rustix::process::Signal::HUP);
    server.wait_for_log("SIGHUP: TLS certificate reloaded", Duration::from_secs(30));
    let tls = renewed.connect(server.addr, &[b"h2", b"http/1.1"]);
    assert_eq!(tls.conn.alpn_protocol(), Some(&b"h2"[..]));
    let mut tls = renewed.connect(server.addr, &[b"http/1.1"]);
    let (head, _) = get_over(&mut tls, "/healthz");
    assert_eq!(header(&head, "strict-transport-security"), Some(HSTS));
    // The old CA's certificate is no longer what the server shows.
    assert!(old.try_connect(server.addr, &[b"http/1.1"]).is_err());
    assert!(server.is_running());
}

#[test]
fn an_unusable_certificate_or_key_is_named_and_nothing_listens() {
    let pki = Pki::new();
    let missing = pki.path_str("missing.pem");
    let (cert, key, other) = (
        pki.path_str("cert.pem"),
        pki.path_str("key.pem"),
        pki.path_str("other-key.pem"),
    );
    for (args, message) in [
        (
            [&missing, &key],
            format!("nspm: error: cannot read the TLS certificate {missing}: "),
        ),
        (
            [&cert, &missing],
            format!("nspm: error: cannot read the TLS key {missing}: "),
        ),
        (
            [&key, &key],
            format!("nspm: error: cannot use the TLS certificate {key}: no PEM certificate"),
        ),
        (
            [&cert, &cert],
            format!("nspm: error: cannot use the TLS key {cert}: no PEM private key"),
        ),
        (
            [&cert, &other],
            format!(
                "nspm: error: cannot use the TLS certificate {cert} and key {other}: \
                 the private key does not belong to the certificate"
            ),
        ),
    ] {
        let out = support::nspm()
            .args(["serve", "--addr", "127.0.0.1:0", "--tls-cert"])
            .arg(args[0])
            .arg("--tls-key")
            .arg(args[1])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with(&message), "{args:?}: {stderr}");
        assert!(!stderr.contains("serving"), "{args:?}: {stderr}");
    }
    // One without the other is a usage error.
    let out = support::nspm()
        .args(["serve", "--tls-cert", &cert])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}

#[test]
fn forwarding_headers_count_only_from_a_trusted_proxy() {
    // The test's own requests come from 127.0.0.1: trusted by the first
    // server, not by the second.
    let trusting = Running::start(&[], &["--behind-proxy", "127.0.0.1"]);
    let other = Running::start(&[], &["--behind-proxy", "192.0.2.1/32"]);
    let spoofed = "GET /committee/ HTTP/1.1\r\nHost: localhost\r\n\
                   X-Forwarded-Proto: https\r\nX-Forwarded-For: 192.0.2.9\r\n\r\n";
    for (server, hsts) in [(&trusting, Some(HSTS)), (&other, None)] {
        let mut client = Client::connect(server.addr);
        client.stream().write_all(spoofed.as_bytes()).unwrap();
        let reply = client.read_reply().unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("strict-transport-security"), hsts);
        // Without the header, the trusted proxy's request was plain HTTP.
        let reply = server.get("/committee/");
        assert_eq!(reply.header("strict-transport-security"), None);
    }
    // A proxy that says http is believed too.
    let mut client = Client::connect(trusting.addr);
    client
        .stream()
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: http\r\n\r\n")
        .unwrap();
    assert_eq!(
        client
            .read_reply()
            .unwrap()
            .header("strict-transport-security"),
        None
    );
}

/// Runs `program` with `args`, failing the test with its stderr if it
/// fails; its stdout.
fn run(program: &Path, args: &[&str]) -> String {
    support::tool_stdout(Command::new(program).args(args))
}

/// Fetches `url` with curl in HTTP `version` trusting `ca`: the protocol
/// curl negotiated, the response head and the body.
fn curl(url: &str, ca: &Path, version: &str, port: u16) -> (String, String, Vec<u8>) {
    curl_with(url, ca, version, port, &[])
}

/// [`curl`] with more of curl's arguments (a method, headers, a form, a
/// cookie jar); a status of 400 or more fails the test.
pub(super) fn curl_with(
    url: &str,
    ca: &Path,
    version: &str,
    port: u16,
    extra: &[&str],
) -> (String, String, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let (head, body) = (dir.path().join("head"), dir.path().join("body"));
    let resolve = format!("localhost:{port}:127.0.0.1");
    let flag = if version == "2" {
        "--http2"
    } else {
        "--http1.1"
    };
    let mut args = vec![
        "--silent",
        "--show-error",
        "--fail",
        flag,
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve,
        "--dump-header",
        head.to_str().unwrap(),
        "--output",
        body.to_str().unwrap(),
        "--write-out",
        "%{http_version}",
    ];
    args.extend_from_slice(extra);
    args.push(url);
    let negotiated = run(Path::new("curl"), &args);
    (
        negotiated,
        std::fs::read_to_string(head).unwrap(),
        std::fs::read(body).unwrap(),
    )
}

#[test]
fn curl_and_httpx_get_the_site_over_http2_and_http11() {
    if !support::external_tests("the test with curl and httpx") {
        return;
    }
    let pki = Pki::new();
    let server = pki.serve(&[]);
    let page = committee_page();
    let port = server.addr.port();
    let url = format!("https://localhost:{port}/committee/");
    for version in ["2", "1.1"] {
        let (negotiated, head, body) = curl(&url, &pki.path("ca.pem"), version, port);
        assert_eq!(negotiated, version, "curl");
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("strict-transport-security: {HSTS}\r\n")),
            "curl {version}: {head}"
        );
        assert_eq!(body, page, "curl {version}");

        let python = support::root().join(".tools/venv/bin/python");
        let script = support::root().join("tests/tools/https_get.py");
        let out = run(
            &python,
            &[
                script.to_str().unwrap(),
                &url,
                &pki.path_str("ca.pem"),
                version,
            ],
        );
        let got: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(got["http_version"], format!("HTTP/{version}"), "httpx");
        assert_eq!(got["status"], 200, "httpx {version}");
        assert_eq!(got["hsts"], HSTS, "httpx {version}");
        assert_eq!(
            got["body"].as_str().unwrap().as_bytes(),
            page,
            "httpx {version}"
        );
    }
}

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free loopback port, for a program that cannot be told to pick one.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's Caddy on a free port of localhost, terminating TLS with a
/// certificate from its own CA (`tls internal`) and proxying to `upstream`.
pub(super) struct Caddy {
    /// Caddy's root certificate, for clients to trust.
    pub(super) root: PathBuf,
    pub(super) port: u16,
    _process: Killed,
    _dir: tempfile::TempDir,
}

impl Caddy {
    pub(super) fn start(upstream: SocketAddr) -> Caddy {
        let dir = tempfile::tempdir().unwrap();
        let (port, http_port) = (free_port(), free_port());
        let storage = dir.path().join("caddy");
        // The admin endpoint is off, and nothing is installed in the
        // system's trust.
        let caddyfile = format!(
            "{{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n\tauto_https disable_redirects\n\
             \thttp_port {http_port}\n\tstorage file_system {storage}\n}}\n\n\
             https://localhost:{port} {{\n\ttls internal\n\treverse_proxy {upstream}\n}}\n",
            storage = storage.display(),
        );
        let config = dir.path().join("Caddyfile");
        std::fs::write(&config, caddyfile).unwrap();
        let caddy = Command::new("caddy")
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(&config)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("caddy runs (run tests/tools/install)");
        let mut caddy = Killed(caddy);
        let root = storage.join("pki/authorities/local/root.crt");
        // Caddy makes its CA and certificate, then listens: wait for both.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if root.exists() && TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if let Ok(Some(status)) = caddy.0.try_wait() {
                let mut err = String::new();
                caddy
                    .0
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("caddy exited ({status}):\n{err}");
            }
            assert!(Instant::now() < deadline, "caddy did not start in time");
            std::thread::sleep(Duration::from_millis(100));
        }
        Caddy {
            root,
            port,
            _process: caddy,
            _dir: dir,
        }
    }
}

#[test]
fn behind_caddy_a_request_over_https_is_seen_as_secure() {
    if !support::external_tests("Caddy") {
        return;
    }
    let server = Running::start(&[], &["--behind-proxy", "127.0.0.1"]);
    let page = committee_page();
    let caddy = Caddy::start(server.addr);
    let (root, port) = (caddy.root.as_path(), caddy.port);
    let url = format!("https://localhost:{port}/committee/");
    for version in ["2", "1.1"] {
        let (negotiated, head, body) = curl(&url, root, version, port);
        assert_eq!(negotiated, version);
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("strict-transport-security: {HSTS}\r\n")),
            "through caddy, HTTP/{version}: {head}"
        );
        assert_eq!(body, page);
    }
    // Straight to nspm, past Caddy, the request is plain HTTP again.
    let direct = server.get("/committee/");
    assert_eq!(direct.header("strict-transport-security"), None);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("trusting X-Forwarded-Proto and X-Forwarded-For from 127.0.0.1")),
        "{:?}",
        server.log()
    );
}
