//! How requests reach the server: over its own TLS, or through reverse
//! proxies it trusts. The connection loop asks [`Front::transport`] for each
//! request's [`Transport`].

use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use arc_swap::ArcSwap;
use axum::http::HeaderMap;
use ipnet::IpNet;
use rustls::ServerConfig;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::Transport;

/// The server's own TLS and the proxies it trusts; the default is plain
/// TCP, trusting no one.
#[derive(Debug, Clone, Default)]
pub struct Front {
    /// Terminate TLS with this certificate; `None`: plain TCP.
    pub tls: Option<Tls>,
    /// Peers whose X-Forwarded-Proto and X-Forwarded-For are believed.
    pub proxies: Vec<Proxy>,
}

impl Front {
    /// How one request reached the server, from the TCP peer it came from
    /// and its headers. The forwarding headers count only from a trusted
    /// proxy: anyone else could write them.
    pub fn transport(&self, peer: IpAddr, headers: &HeaderMap) -> Transport {
        // A dual-stack socket names an IPv4 peer as `::ffff:a.b.c.d`, which
        // should match `a.b.c.d` and be loopback when that is.
        let peer = peer.to_canonical();
        let own_tls = self.tls.is_some();
        if self.proxies.iter().any(|p| p.0.contains(&peer)) {
            Transport {
                secure: own_tls || forwarded_https(headers),
                own_tls,
                client: forwarded_for(headers).unwrap_or(peer),
                loopback: false,
            }
        } else {
            Transport {
                secure: own_tls,
                own_tls,
                client: peer,
                loopback: peer.is_loopback(),
            }
        }
    }
}

/// Whether the proxy says the request came to it over https. A proxy that
/// appends to what its client sent puts its own word last, so only the
/// last value counts.
fn forwarded_https(headers: &HeaderMap) -> bool {
    last_value(headers, "x-forwarded-proto").is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The client's address as the proxy names it: the last entry of
/// X-Forwarded-For, which the trusted proxy itself added (the entries
/// before it are what the client claimed). `None` when absent or not an
/// address.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = last_value(headers, "x-forwarded-for")?;
    let addr = last
        .parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))?;
    Some(addr.to_canonical())
}

/// The last comma-separated element of the last `name` header, trimmed.
fn last_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    Some(value.rsplit(',').next()?.trim()).filter(|v| !v.is_empty())
}

/// A reverse proxy's address, or a network of them (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proxy(IpNet);

/// A `--behind-proxy` that is neither an address nor a network.
#[derive(Debug, thiserror::Error)]
#[error("expected an IP address (127.0.0.1, ::1) or a network (10.0.0.0/8)")]
pub struct ProxyError;

impl FromStr for Proxy {
    type Err = ProxyError;

    fn from_str(text: &str) -> Result<Proxy, ProxyError> {
        if let Ok(addr) = text.parse::<IpAddr>() {
            return Ok(Proxy(IpNet::from(addr.to_canonical())));
        }
        // `10.1.2.3/8` means the network it is in, as in most configurations.
        text.parse::<IpNet>()
            .map(|net| Proxy(net.trunc()))
            .map_err(|_| ProxyError)
    }
}

impl std::fmt::Display for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A single address reads as one, without its /32 or /128.
        if self.0.prefix_len() == self.0.max_prefix_len() {
            write!(f, "{}", self.0.addr())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// The server's TLS: a certificate chain and its key, offering HTTP/2 and
/// HTTP/1.1 by ALPN. Clones share one certificate, which
/// [`Tls::replace_pem`] replaces for all of them.
#[derive(Clone)]
pub struct Tls(Arc<ArcSwap<ServerConfig>>);

impl std::fmt::Debug for Tls {
    // The configuration holds the private key: nothing of it is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls")
    }
}

/// Why a certificate or key cannot be used. [`TlsError::part`] says which
/// file is at fault, for the caller to name it.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("no PEM certificate (BEGIN CERTIFICATE) in it")]
    NoCertificate,
    #[error("not a readable PEM certificate chain: {0}")]
    Certificate(pem::Error),
    #[error("no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY) in it")]
    NoKey,
    #[error("not a readable PEM private key: {0}")]
    Key(pem::Error),
    #[error("the private key does not belong to the certificate")]
    Mismatch,
    #[error("the certificate or key cannot be used: {0}")]
    Rejected(rustls::Error),
}

/// Which of the two files a [`TlsError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsPart {
    Certificate,
    Key,
    Both,
}

impl TlsError {
    pub fn part(&self) -> TlsPart {
        match self {
            TlsError::NoCertificate | TlsError::Certificate(_) => TlsPart::Certificate,
            TlsError::NoKey | TlsError::Key(_) => TlsPart::Key,
            TlsError::Mismatch | TlsError::Rejected(_) => TlsPart::Both,
        }
    }
}

impl Tls {
    /// The TLS configuration for a PEM certificate chain (the server's
    /// certificate first, then the intermediates) and its PEM private key
    /// (PKCS#8, PKCS#1 or SEC1). The caller reads the files.
    pub fn from_pem(chain: &[u8], key: &[u8]) -> Result<Tls, TlsError> {
        Ok(Tls(Arc::new(ArcSwap::from_pointee(config(chain, key)?))))
    }

    /// Puts a renewed certificate and key in use for the connections that
    /// follow (those open keep theirs); on an error the old one stays.
    pub fn replace_pem(&self, chain: &[u8], key: &[u8]) -> Result<(), TlsError> {
        self.0.store(Arc::new(config(chain, key)?));
        Ok(())
    }

    /// The acceptor for one new connection, with the certificate in use.
    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.0.load_full())
    }
}

/// See [`Tls::from_pem`].
fn config(chain: &[u8], key: &[u8]) -> Result<ServerConfig, TlsError> {
    let certs = CertificateDer::pem_slice_iter(chain)
        .collect::<Result<Vec<_>, _>>()
        .map_err(TlsError::Certificate)?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate);
    }
    let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| match e {
        pem::Error::NoItemsFound => TlsError::NoKey,
        e => TlsError::Key(e),
    })?;
    // ring rather than the process-wide default, which would panic
    // should another crate ever enable a second provider.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Rejected)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::Mismatch,
            e => TlsError::Rejected(e),
        })?;
    // hyper-util's auto builder serves whichever the client picks.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::{Front, Proxy};
    use axum::http::HeaderMap;
    use std::net::IpAddr;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().unwrap());
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn proxies_are_addresses_or_networks() {
        for (text, shown) in [
            ("127.0.0.1", "127.0.0.1"),
            ("::1", "::1"),
            ("10.1.2.3/8", "10.0.0.0/8"),
            ("fd00::/8", "fd00::/8"),
            ("::ffff:192.0.2.1", "192.0.2.1"),
        ] {
            assert_eq!(text.parse::<Proxy>().unwrap().to_string(), shown, "{text}");
        }
        for text in ["", "localhost", "10.0.0.0/33", "1.2.3.4:80", "10.0.0.0/"] {
            assert!(text.parse::<Proxy>().is_err(), "{text}");
        }
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let front = Front {
            tls: None,
            proxies: vec!["127.0.0.1".parse().unwrap(), "10.0.0.0/8".parse().unwrap()],
        };
        let forwarded = headers(&[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-for", "198.51.100.7, 203.0.113.9"),
        ]);
        for peer in ["127.0.0.1", "10.9.8.7", "::ffff:127.0.0.1"] {
            let t = front.transport(ip(peer), &forwarded);
            assert!(t.secure, "{peer}");
            assert!(!t.own_tls && !t.loopback, "{peer}");
            assert_eq!(t.client, ip("203.0.113.9"), "{peer}");
        }
        // Anyone else's claims are ignored.
        for peer in ["192.0.2.1", "127.0.0.2", "::1"] {
            let t = front.transport(ip(peer), &forwarded);
            assert!(!t.secure, "{peer}");
            assert_eq!(t.client, ip(peer), "{peer}");
            assert_eq!(t.loopback, ip(peer).is_loopback(), "{peer}");
        }
        // From a proxy: only its own, last, word on the scheme; a client
        // it cannot name is the proxy itself.
        for (pairs, secure, client) in [
            (
                &[("x-forwarded-proto", "https, http")][..],
                false,
                "127.0.0.1",
            ),
            (
                &[("x-forwarded-proto", "http, HTTPS")][..],
                true,
                "127.0.0.1",
            ),
            (
                &[
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-proto", "http"),
                ][..],
                false,
                "127.0.0.1",
            ),
            (
                &[("x-forwarded-for", "not an address")][..],
                false,
                "127.0.0.1",
            ),
            (
                &[("x-forwarded-for", "198.51.100.7:4711")][..],
                false,
                "198.51.100.7",
            ),
            (
                &[("x-forwarded-for", "2001:db8::1")][..],
                false,
                "2001:db8::1",
            ),
            (&[("x-forwarded-for", "1.2.3.4,")][..], false, "127.0.0.1"),
        ] {
            let t = front.transport(ip("127.0.0.1"), &headers(pairs));
            assert_eq!((t.secure, t.client), (secure, ip(client)), "{pairs:?}");
        }
    }

    #[test]
    fn plain_tcp_trusts_no_header() {
        let front = Front::default();
        let t = front.transport(
            ip("127.0.0.1"),
            &headers(&[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-for", "192.0.2.1"),
            ]),
        );
        assert_eq!(
            t,
            crate::Transport {
                secure: false,
                own_tls: false,
                client: ip("127.0.0.1"),
                loopback: true,
            }
        );
    }
}
