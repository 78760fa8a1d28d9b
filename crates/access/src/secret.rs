//! The secrets that staff hand out, and the hashes that are kept of them.
//!
//! A credential and a feed secret are each 256 bits from the operating
//! system, written in base64url without padding behind a prefix of their
//! own (`nspm_`, `nspmfeed_`), so that a secret scanner recognises one that
//! leaked into a repository or a paste. Only their SHA-256 hashes are kept:
//! a fast hash is right for random tokens of this size, as there is nothing
//! to guess, and the stored hashes give nothing away.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::{Choice, ConstantTimeEq as _};
use zeroize::Zeroizing;

use crate::AccessError;

/// How many random bytes a credential, a feed secret or a session key has.
pub(crate) const SECRET_BYTES: usize = 32;

/// What every credential begins with.
pub(crate) const CREDENTIAL_PREFIX: &str = "nspm_";

/// What every feed secret begins with.
pub(crate) const FEED_PREFIX: &str = "nspmfeed_";

/// `N` bytes from the operating system's random source.
pub(crate) fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, AccessError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    getrandom::fill(bytes.as_mut()).map_err(AccessError::Random)?;
    Ok(bytes)
}

/// Text that must not be shown by accident: its `Debug` says only that it
/// is hidden, it has no `Display`, and its memory is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Hidden(Zeroizing<String>);

impl Hidden {
    pub(crate) fn new(text: String) -> Hidden {
        Hidden(Zeroizing::new(text))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

/// A new random token: the prefix, then 256 random bits in base64url.
fn token(prefix: &str) -> Result<Hidden, AccessError> {
    let bytes = random::<SECRET_BYTES>()?;
    let mut text = String::with_capacity(prefix.len() + 43);
    text.push_str(prefix);
    URL_SAFE_NO_PAD.encode_string(bytes.as_ref(), &mut text);
    Ok(Hidden::new(text))
}

/// A secret shown once, when granted, and kept only as its hash: a type of
/// its own for each use, made with its prefix.
macro_rules! secret {
    ($(#[$doc:meta])* $name:ident, $prefix:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct $name(Hidden);

        impl $name {
            pub(crate) fn generate() -> Result<$name, AccessError> {
                token($prefix).map($name)
            }

            /// The secret's text, to show to staff the one time it is made.
            pub fn expose(&self) -> &str {
                self.0.expose()
            }

            pub fn sha256(&self) -> Sha256Hash {
                Sha256Hash::of(self.expose())
            }
        }
    };
}

secret!(
    /// What a person signs in with: the password of HTTP Basic, and what the
    /// sign-in form takes. Shown once, when granted.
    Credential,
    CREDENTIAL_PREFIX
);

secret!(
    /// The secret in a member's calendar feed address, for calendar apps that
    /// cannot sign in. Shown once, when granted.
    FeedSecret,
    FEED_PREFIX
);

impl FeedSecret {
    /// The feed's path on the server: `/members/feeds/SECRET/calendar.ics`.
    pub fn path(&self) -> String {
        feed_path(self.expose())
    }

    /// The address calendar apps subscribe to: `webcal://` on the site's
    /// host when its base URL is known, else the path alone.
    pub fn url(&self, base_url: Option<&str>) -> String {
        let host = base_url.and_then(|b| {
            b.strip_prefix("https://")
                .or_else(|| b.strip_prefix("http://"))
        });
        match host {
            Some(host) => format!("webcal://{}{}", host.trim_end_matches('/'), self.path()),
            None => self.path(),
        }
    }
}

/// The path of the calendar feed for a feed secret, as the server routes it.
pub(crate) fn feed_path(secret: &str) -> String {
    format!("/members/feeds/{secret}/calendar.ics")
}

/// The SHA-256 hash of a secret, which is all the access file keeps of it.
/// Equal hashes are found in constant time ([`PartialEq`] compares every
/// byte whatever the first difference), so that no comparison, not even
/// one inside a hash map's lookup, tells how close a presented secret came.
#[derive(Clone, Copy)]
pub struct Sha256Hash([u8; 32]);

impl PartialEq for Sha256Hash {
    fn eq(&self, other: &Sha256Hash) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Sha256Hash {}

// Written out rather than derived, since equality is: a derived `Hash`
// beside a hand-written `PartialEq` could drift from it.
impl std::hash::Hash for Sha256Hash {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl Sha256Hash {
    /// The hash of a secret's text, whatever the text is.
    pub fn of(text: &str) -> Sha256Hash {
        Sha256Hash(Sha256::digest(text.as_bytes()).into())
    }

    /// Reads 64 lower-case hexadecimal digits.
    pub(crate) fn parse_hex(text: &str) -> Result<Sha256Hash, String> {
        let bytes = text.as_bytes();
        let digit = |b: u8| match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 32];
        if bytes.len() != 64 {
            return Err(format!(
                "expected a SHA-256 hash as 64 lower-case hexadecimal digits, found {} characters",
                text.chars().count()
            ));
        }
        for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            match (digit(pair[0]), digit(pair[1])) {
                (Some(hi), Some(lo)) => *byte = (hi << 4) | lo,
                _ => {
                    return Err(
                        "expected a SHA-256 hash as 64 lower-case hexadecimal digits (0-9, a-f)"
                            .to_string(),
                    );
                }
            }
        }
        Ok(Sha256Hash(out))
    }

    /// The hash as 64 lower-case hexadecimal digits, as the file keeps it.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Compares in time that does not depend on where the hashes differ.
    pub(crate) fn ct_eq(&self, other: &Sha256Hash) -> Choice {
        bytes_ct_eq(&self.0, &other.0)
    }
}

/// Whether two byte strings are equal, in time that depends on their
/// lengths alone, never on where they differ. They are compared eight bytes
/// at a time: subtle's comparison of slices takes a step (and an optimisation
/// barrier) per byte, which was a measurable part of a members' request.
pub(crate) fn bytes_ct_eq(a: &[u8], b: &[u8]) -> Choice {
    if a.len() != b.len() {
        return Choice::from(0);
    }
    let word = |c: &[u8]| {
        let mut w = [0u8; 8];
        w[..c.len()].copy_from_slice(c);
        u64::from_le_bytes(w)
    };
    a.chunks(8)
        .zip(b.chunks(8))
        .fold(Choice::from(1), |same, (x, y)| {
            same & word(x).ct_eq(&word(y))
        })
}

impl fmt::Debug for Sha256Hash {
    // A hash gives nothing of its secret away, but it has no business in a
    // log either, where it would only invite matching one against another.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256Hash(<hidden>)")
    }
}

/// Lower-case hexadecimal digits of some bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_strings_are_equal_only_when_every_byte_and_the_length_are() {
        for len in 0..20 {
            let a: Vec<u8> = (0..len).map(|i| i as u8 + 1).collect();
            assert!(bool::from(bytes_ct_eq(&a, &a.clone())), "length {len}");
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 0x80;
                assert!(!bool::from(bytes_ct_eq(&a, &b)), "length {len}, byte {at}");
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!bool::from(bytes_ct_eq(&a, &longer)), "length {len}");
        }
    }

    #[test]
    fn tokens_carry_their_prefix_and_256_random_bits() {
        let a = Credential::generate().unwrap();
        let b = Credential::generate().unwrap();
        assert_ne!(a, b);
        let body = a.expose().strip_prefix(CREDENTIAL_PREFIX).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), 32);
        let feed = FeedSecret::generate().unwrap();
        let body = feed.expose().strip_prefix(FEED_PREFIX).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(body).unwrap().len(), 32);
        // Safe in a URL path as it is.
        assert!(
            feed.expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        );
    }

    #[test]
    fn hashes_round_trip_through_hex() {
        // SHA-256 of "abc", from FIPS 180-2.
        let h = Sha256Hash::of("abc");
        let text = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(h.to_hex(), text);
        assert_eq!(Sha256Hash::parse_hex(text).unwrap(), h);
        assert!(Sha256Hash::parse_hex(&text.to_uppercase()).is_err());
        assert!(Sha256Hash::parse_hex(&text[1..]).is_err());
        assert!(Sha256Hash::parse_hex(&format!("{}g", &text[1..])).is_err());
        // A multi-byte character where a digit pair should be is refused,
        // not split.
        assert!(Sha256Hash::parse_hex(&format!("{}é", &text[2..])).is_err());
    }

    #[test]
    fn feed_urls_use_webcal_on_the_sites_host() {
        let feed = FeedSecret::generate().unwrap();
        let secret = feed.expose();
        assert_eq!(feed.path(), format!("/members/feeds/{secret}/calendar.ics"));
        assert_eq!(feed.url(None), feed.path());
        assert_eq!(
            feed.url(Some("https://nspm.example.org/")),
            format!("webcal://nspm.example.org/members/feeds/{secret}/calendar.ics")
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let c = Credential::generate().unwrap();
        let f = FeedSecret::generate().unwrap();
        for shown in [
            format!("{c:?}"),
            format!("{c:#?}"),
            format!("{f:?}"),
            format!("{:?}", c.sha256()),
        ] {
            assert!(!shown.contains(c.expose()), "{shown}");
            assert!(!shown.contains(CREDENTIAL_PREFIX), "{shown}");
            assert!(!shown.contains(f.expose()), "{shown}");
            assert!(!shown.contains(&c.sha256().to_hex()), "{shown}");
        }
    }
}
