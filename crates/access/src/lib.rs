//! Who may open the society's members' area, and how they prove it.
//!
//! Staff grant a person access ([`Access::grant`]) and get a credential and
//! a feed secret to hand over, once: only their SHA-256 hashes are kept, in
//! the access file `access.ron` beside the data ([`Access::read`],
//! [`Access::to_ron`]). The file lists every grant, revoked ones too as
//! history; a revoked or expired grant never lets anyone in.
//!
//! Three ways in, each checked against the access file as it is now:
//! - machines send HTTP Basic with the person's id and the credential
//!   ([`Access::verify_basic`]);
//! - calendar apps fetch a feed whose address holds the feed secret
//!   ([`Access::verify_feed`]);
//! - browsers sign in once and keep a cookie signed with the session key
//!   `access.key` ([`Session::issue`], [`verify_cookie`]). The cookie names
//!   its grant, so revoking the grant ends the session, and any server that
//!   shares the data directory can check it: nothing is kept in memory.
//!
//! Nothing here prints a secret: credentials, feed secrets, the key and
//! cookies show as `<hidden>` in `Debug` and have no `Display`.

mod file;
mod grant;
mod key;
mod secret;
mod session;

use std::fmt;
use std::io;
use std::path::PathBuf;

pub use grant::{Access, Expiry, Grant, GrantId, Issued, Label, Status};
pub use key::SessionKey;
pub use secret::{Credential, FeedSecret, Sha256Hash};
pub use session::{Cookie, Session, verify_cookie};

/// The access file's name in the data directory.
pub const ACCESS_FILE: &str = "access.ron";

/// The session key's name in the data directory.
pub const KEY_FILE: &str = "access.key";

/// What can go wrong with the access file or the session key.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
    #[error(
        "{} is not a session key: it holds {found} bytes where a key has 32; remove it and a new key is made, which ends every session",
        path.display()
    )]
    MalformedKey { path: PathBuf, found: u64 },
    #[error(
        "{} may be read by other users (mode {mode:03o}); allow its owner alone: chmod 600 {}",
        path.display(),
        path.display()
    )]
    ExposedKey { path: PathBuf, mode: u32 },
    #[error("the operating system gave no random bytes")]
    Random(#[source] getrandom::Error),
}

impl AccessError {
    fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> AccessError {
        let path = path.into();
        move |source| AccessError::Io {
            action,
            path,
            source,
        }
    }
}

/// One problem in the access file, with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file as the user named it, such as `data/access.ron`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The grant's id, when the problem is in a grant whose id could be read.
    pub grant: Option<String>,
    /// The field the problem is in.
    pub field: Option<&'static str>,
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        match (&self.grant, self.field) {
            (Some(grant), Some(field)) => write!(f, "grant \"{grant}\", field `{field}`: ")?,
            (Some(grant), None) => write!(f, "grant \"{grant}\": ")?,
            (None, Some(field)) => write!(f, "grant, field `{field}`: ")?,
            (None, None) => {}
        }
        f.write_str(&self.message)
    }
}

/// Every problem, as one message: a count, then one problem a line.
struct Problems<'p>(&'p [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        let file = self
            .0
            .first()
            .map_or("the access file", |p| p.file.as_str());
        write!(f, "{file} has {n} problem{}", if n == 1 { "" } else { "s" })?;
        for p in self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}
