//! How a request reached the server: over TLS or not (directly, or as a
//! trusted reverse proxy says), and from which peer. The connection loop
//! puts one into every request's extensions; the members' area reads it to
//! decide whether credentials may travel, and the sign-in rate limit keys on
//! the client's address.

use std::net::IpAddr;

/// Inserted by the connection loop into each request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transport {
    /// True when the request came over TLS: the server's own, or a trusted
    /// reverse proxy's (`--behind-proxy`) whose X-Forwarded-Proto says https.
    pub secure: bool,
    /// True when the server terminated TLS itself (HSTS is sent then, and
    /// also when a trusted proxy says https).
    pub own_tls: bool,
    /// The client's address: the peer's, or the one a trusted proxy names
    /// in X-Forwarded-For (its last entry).
    pub client: IpAddr,
    /// True when the peer is a loopback address and no proxy stands between:
    /// the members' area may then be tried out without TLS.
    pub loopback: bool,
}
