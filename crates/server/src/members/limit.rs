//! Failed sign-ins counted per client address, so that guessing credentials
//! from one address soon meets 429, while members elsewhere are served as
//! ever: only failures count, and only against the address they came from.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Failures an address may have in one window before it is refused.
pub(crate) const FAILURES: u32 = 10;

/// How long a window lasts: ten failures a minute.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// The most addresses tracked at once, so that a flood from many addresses
/// cannot grow the table without bound (about 64 bytes each).
const MAX_TRACKED: usize = 65_536;

/// Failures per address in their current window.
#[derive(Debug)]
pub(crate) struct Limiter {
    table: Mutex<HashMap<IpAddr, Window>>,
    /// What `blocking_until` counts from.
    epoch: Instant,
    /// When the last window in which some address reached its limit ends,
    /// in nanoseconds from `epoch`. Until then no address can be refused,
    /// and every member's request is let through without taking the lock,
    /// which all of them would otherwise take in turn, on every core.
    blocking_until: AtomicU64,
}

impl Default for Limiter {
    fn default() -> Limiter {
        Limiter {
            table: Mutex::default(),
            epoch: Instant::now(),
            blocking_until: AtomicU64::new(0),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    failures: u32,
}

impl Limiter {
    /// How long `client` must wait before its next attempt is looked at,
    /// or None when it may try now.
    pub(crate) fn blocked(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        // No address has reached its limit in a window that is still on.
        if self.nanos(now) >= self.blocking_until.load(Ordering::Acquire) {
            return None;
        }
        let table = self.lock();
        let w = table.get(&key(client))?;
        let ends = w.start + WINDOW;
        (w.failures >= FAILURES && now < ends).then(|| ends - now)
    }

    /// Counts a failed attempt from `client`.
    pub(crate) fn fail(&self, client: IpAddr, now: Instant) {
        let mut table = self.lock();
        if table.len() >= MAX_TRACKED && !table.contains_key(&key(client)) {
            // Windows that have ended are forgotten first; if none has, the
            // oldest goes, which lets its address start afresh soonest.
            table.retain(|_, w| now < w.start + WINDOW);
            if table.len() >= MAX_TRACKED
                && let Some(oldest) = table.iter().min_by_key(|(_, w)| w.start).map(|(k, _)| *k)
            {
                table.remove(&oldest);
            }
        }
        let w = table.entry(key(client)).or_insert(Window {
            start: now,
            failures: 0,
        });
        if now >= w.start + WINDOW {
            *w = Window {
                start: now,
                failures: 0,
            };
        }
        w.failures = w.failures.saturating_add(1);
        if w.failures >= FAILURES {
            let ends = self.nanos(w.start + WINDOW);
            self.blocking_until.fetch_max(ends, Ordering::AcqRel);
        }
    }

    /// A moment in nanoseconds from `epoch` (none before it: every moment
    /// the server passes in comes later).
    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Window>> {
        // The table holds counts only; one left by a panicking thread is
        // still sound.
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// The address a client is counted by: an IPv6 client by its /64, since
/// one subscriber is usually given a whole /64 and could otherwise change
/// address at every attempt.
fn key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => {
            let mut bytes = v6.octets();
            bytes[8..].fill(0);
            IpAddr::from(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_its_failures_and_others_are_not() {
        let l = Limiter::default();
        let now = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..FAILURES {
            assert_eq!(l.blocked(a, now), None);
            l.fail(a, now);
        }
        assert!(l.blocked(a, now).is_some_and(|d| d <= WINDOW));
        assert_eq!(l.blocked(b, now), None);
        // A new window starts afresh.
        assert_eq!(l.blocked(a, now + WINDOW), None);
    }

    #[test]
    fn each_address_is_refused_for_its_own_window_however_windows_overlap() {
        let l = Limiter::default();
        let start = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let later = start + WINDOW / 2;
        for _ in 0..FAILURES {
            l.fail(a, start);
            l.fail(b, later);
        }
        // A failure short of the limit, counted after both, changes nothing.
        let c: IpAddr = "192.0.2.3".parse().unwrap();
        l.fail(c, later);
        assert!(l.blocked(a, later).is_some());
        assert!(l.blocked(b, later).is_some());
        assert_eq!(l.blocked(c, later), None);
        let after_a = start + WINDOW;
        assert_eq!(l.blocked(a, after_a), None);
        assert!(l.blocked(b, after_a).is_some());
        assert_eq!(l.blocked(b, later + WINDOW), None);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let l = Limiter::default();
        let now = Instant::now();
        for i in 0..FAILURES {
            l.fail(format!("2001:db8::{i:x}").parse().unwrap(), now);
        }
        assert!(l.blocked("2001:db8::ffff".parse().unwrap(), now).is_some());
        assert_eq!(l.blocked("2001:db8:0:1::1".parse().unwrap(), now), None);
    }

    #[test]
    fn the_table_stays_bounded() {
        let l = Limiter::default();
        let now = Instant::now();
        for i in 0..(MAX_TRACKED as u32 + 1000) {
            l.fail(IpAddr::from(i.to_be_bytes()), now);
        }
        assert!(l.len() <= MAX_TRACKED, "{}", l.len());
    }
}
