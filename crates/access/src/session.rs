//! Sessions for browsers: a cookie that names its grant, signed with the
//! session key.
//!
//! The cookie holds the grant's id and when the session began and ends,
//! in plain text, and an HMAC-SHA256 of them: `v1.GRANT.ISSUED.EXPIRES.MAC`,
//! times in seconds since 1970, the MAC in base64url. Nothing about a
//! session is kept anywhere else, so any server holding the key can check
//! it, and every check also asks the access file whether the grant is still
//! active: revoking it ends its sessions at once.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use nspm_core::Timestamp;
use sha2::Sha256;

use crate::grant::{Access, Grant, GrantId};
use crate::key::SessionKey;
use crate::secret::Hidden;

/// What the cookie's format is called, first in every cookie, so that a
/// later format can tell its cookies from these.
const VERSION: &str = "v1";

/// No cookie of ours is longer; a longer value is not read at all.
const MAX_LEN: usize = 128;

/// A session as its cookie states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub grant: GrantId,
    pub issued: Timestamp,
    pub expires: Timestamp,
}

/// A signed session cookie's value, and when it ends.
#[derive(Clone, PartialEq, Eq)]
pub struct Cookie {
    value: Hidden,
    pub expires: Timestamp,
}

impl Cookie {
    /// The cookie's value, for the `Set-Cookie` header.
    pub fn expose(&self) -> &str {
        self.value.expose()
    }

    /// Seconds from `now` until the session ends, for `Max-Age`.
    pub fn max_age(&self, now: Timestamp) -> u64 {
        u64::try_from(self.expires.unix() - now.unix()).unwrap_or(0)
    }
}

impl fmt::Debug for Cookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cookie")
            .field("value", &self.value)
            .field("expires", &self.expires)
            .finish()
    }
}

impl Session {
    /// Opens a session for a grant at `now`, lasting `lifetime` but never
    /// past the grant's own expiry.
    pub fn issue(key: &SessionKey, grant: &Grant, now: Timestamp, lifetime: Duration) -> Cookie {
        let secs = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        let mut expires = now.unix().saturating_add(secs);
        if let Some(e) = grant.expires {
            expires = expires.min(e.ends().unix());
        }
        let payload = format!("{VERSION}.{}.{}.{expires}", grant.id, now.unix());
        let mac = URL_SAFE_NO_PAD.encode(sign(key, &payload).finalize().as_bytes());
        Cookie {
            value: Hidden::new(format!("{payload}.{mac}")),
            expires: Timestamp::from_unix(expires),
        }
    }

    /// The session a cookie states, when its signature is right and it has
    /// not ended. Whether its grant is still active is for the caller to
    /// ask ([`verify_cookie`] does).
    pub fn read(key: &SessionKey, value: &str, now: Timestamp) -> Option<Session> {
        if value.len() > MAX_LEN {
            return None;
        }
        let (payload, mac) = value.rsplit_once('.')?;
        let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
        // The signature is checked first, in constant time, so that nothing
        // else of a forged cookie is ever looked at.
        sign(key, payload).verify_slice(&mac).ok()?;
        let mut parts = payload.split('.');
        let (Some(VERSION), Some(grant), Some(issued), Some(expires), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let session = Session {
            grant: GrantId::parse(grant).ok()?,
            issued: Timestamp::from_unix(seconds(issued)?),
            expires: Timestamp::from_unix(seconds(expires)?),
        };
        (now < session.expires).then_some(session)
    }
}

/// The grant a session cookie stands for, when the cookie is ours, has not
/// ended, and its grant is active in `access` now. Anything else, from a
/// tampered cookie to a revoked grant, is `None`.
pub fn verify_cookie<'a>(
    key: &SessionKey,
    value: &str,
    access: &'a Access,
    now: Timestamp,
) -> Option<&'a Grant> {
    let session = Session::read(key, value, now)?;
    access.active(session.grant.as_str(), now)
}

fn sign(key: &SessionKey, payload: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this never fails.
    let mut mac = <Hmac<Sha256>>::new_from_slice(key.bytes()).expect("HMAC takes any key length");
    mac.update(payload.as_bytes());
    mac
}

/// Seconds since 1970 as the cookie writes them: digits only.
fn seconds(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 18 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grant::Expiry;
    use nspm_core::Id;

    const HOUR: Duration = Duration::from_secs(3600);

    fn t(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn access_with_one_grant(expires: Option<&str>) -> Access {
        let mut access = Access::default();
        access
            .grant(
                "kari-stefansson".parse::<Id>().unwrap(),
                t("2025-06-01T12:00:00Z"),
                expires.map(|e| Expiry::parse(e).unwrap()),
                None,
            )
            .unwrap();
        access
    }

    /// A new key, an access file of one grant that `expires`, and a cookie
    /// for it issued at `now` to last `lifetime`.
    fn issued(
        expires: Option<&str>,
        now: Timestamp,
        lifetime: Duration,
    ) -> (SessionKey, Access, Cookie) {
        let key = SessionKey::generate().unwrap();
        let access = access_with_one_grant(expires);
        let cookie = Session::issue(&key, &access.grants()[0], now, lifetime);
        (key, access, cookie)
    }

    #[test]
    fn a_cookie_round_trips_until_it_ends() {
        let now = t("2025-06-02T08:00:00Z");
        let (key, access, cookie) = issued(None, now, 8 * HOUR);
        let grant = &access.grants()[0];
        assert_eq!(cookie.expires, t("2025-06-02T16:00:00Z"));
        assert_eq!(cookie.max_age(now), 8 * 3600);
        let value = cookie.expose();
        assert!(value.starts_with(&format!("v1.{}.", grant.id)), "{value}");
        // Only characters a cookie value may hold, unquoted.
        assert!(
            value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        );
        let found = verify_cookie(&key, value, &access, now).unwrap();
        assert_eq!(found.id, grant.id);
        let session = Session::read(&key, value, now).unwrap();
        assert_eq!(session.issued, now);
        let last = t("2025-06-02T15:59:59Z");
        assert!(verify_cookie(&key, value, &access, last).is_some());
        let end = t("2025-06-02T16:00:00Z");
        assert!(verify_cookie(&key, value, &access, end).is_none());
    }

    #[test]
    fn a_session_ends_when_its_grant_does() {
        let now = t("2025-06-02T20:00:00Z");
        let (key, access, cookie) = issued(Some("2025-06-02"), now, 8 * HOUR);
        assert_eq!(cookie.expires, t("2025-06-03T00:00:00Z"));
        let value = cookie.expose();
        assert!(verify_cookie(&key, value, &access, t("2025-06-02T23:59:59Z")).is_some());
        assert!(verify_cookie(&key, value, &access, t("2025-06-03T00:00:00Z")).is_none());
    }

    #[test]
    fn revoking_the_grant_ends_its_sessions() {
        let now = t("2025-06-02T08:00:00Z");
        let (key, mut access, cookie) = issued(None, now, 8 * HOUR);
        let grant = access.grants()[0].clone();
        assert!(verify_cookie(&key, cookie.expose(), &access, now).is_some());
        // As a server sees it: the access file read anew after the revoke.
        access.revoke(&grant.id, now);
        let reread = Access::parse("access.ron", &access.to_ron()).unwrap();
        assert!(verify_cookie(&key, cookie.expose(), &reread, now).is_none());
        // The cookie itself is still well signed: the grant is what ended.
        assert!(Session::read(&key, cookie.expose(), now).is_some());
        // A grant no longer in the file at all ends it too.
        assert!(verify_cookie(&key, cookie.expose(), &Access::default(), now).is_none());
    }

    #[test]
    fn tampered_truncated_and_foreign_cookies_are_invalid() {
        let now = t("2025-06-02T08:00:00Z");
        let (key, access, cookie) = issued(None, now, HOUR);
        let grant = &access.grants()[0];
        let value = cookie.expose().to_string();
        let later = t("2025-06-02T08:30:00Z");
        assert!(verify_cookie(&key, &value, &access, later).is_some());

        // A later expiry, the same signature.
        let (payload, mac) = value.rsplit_once('.').unwrap();
        let (head, _) = payload.rsplit_once('.').unwrap();
        let stretched = format!("{head}.{}.{mac}", now.unix() + 1_000_000);
        // Another key's cookie for the same grant.
        let foreign = Session::issue(&SessionKey::generate().unwrap(), grant, now, HOUR);
        let mut cases = vec![
            stretched,
            foreign.expose().to_string(),
            String::new(),
            ".".to_string(),
            "v1".to_string(),
            format!("{payload}."),
            format!("{payload}.!!!!"),
            format!("x{value}"),
            format!("{value}x"),
            format!("{value}.{mac}"),
            "a".repeat(10_000),
            "v1.é.1.2.é".to_string(),
        ];
        // Every shorter prefix, and every single byte changed.
        cases.extend((0..value.len()).map(|n| value[..n].to_string()));
        for i in 0..value.len() {
            let mut bytes = value.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            cases.push(String::from_utf8(bytes).unwrap());
        }
        for case in &cases {
            if case == &value {
                continue;
            }
            assert!(
                verify_cookie(&key, case, &access, later).is_none(),
                "{case:?} was let in"
            );
        }
    }

    #[test]
    fn debug_shows_no_cookie() {
        let (_, _, cookie) = issued(None, t("2025-06-02T08:00:00Z"), HOUR);
        let shown = format!("{cookie:?} {cookie:#?}");
        let (_, mac) = cookie.expose().rsplit_once('.').unwrap();
        assert!(!shown.contains(mac), "{shown}");
        assert!(shown.contains("<hidden>"), "{shown}");
    }
}
