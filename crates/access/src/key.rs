//! The key that signs session cookies: `access.key` beside the access file,
//! 32 random bytes that only their owner may read.
//!
//! Every server that shares the data directory uses the same key, so a
//! cookie one of them signed is good at all of them, and after a restart.
//! Removing the file ends every session: the next key signs none of the old
//! cookies.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::secret::{SECRET_BYTES, hex, random};
use crate::{AccessError, KEY_FILE};

/// The secret that signs and checks session cookies.
#[derive(Clone)]
pub struct SessionKey(Zeroizing<[u8; SECRET_BYTES]>);

impl SessionKey {
    /// A new random key, kept nowhere.
    pub fn generate() -> Result<SessionKey, AccessError> {
        random().map(SessionKey)
    }

    /// The key in a data directory, made there first if there is none yet.
    /// Several servers starting at once agree on one key: the first to
    /// make it wins, and the others read it.
    pub fn load_or_create(dir: &Path) -> Result<SessionKey, AccessError> {
        if let Some(key) = SessionKey::load(dir)? {
            return Ok(key);
        }
        create(dir)?;
        let path = dir.join(KEY_FILE);
        SessionKey::load(dir)?.ok_or_else(|| AccessError::Io {
            action: "read",
            path,
            source: std::io::ErrorKind::NotFound.into(),
        })
    }

    /// The key in a data directory, or None when there is none yet. A key
    /// file that others may read, or that is not 32 bytes, is an error.
    pub fn load(dir: &Path) -> Result<Option<SessionKey>, AccessError> {
        let path = dir.join(KEY_FILE);
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(AccessError::io("open", path)(e)),
        };
        let meta = file
            .metadata()
            .map_err(AccessError::io("read the metadata of", &path))?;
        check_mode(&path, &meta)?;
        if meta.len() != SECRET_BYTES as u64 {
            return Err(AccessError::MalformedKey {
                path,
                found: meta.len(),
            });
        }
        let mut key = Zeroizing::new([0u8; SECRET_BYTES]);
        file.read_exact(key.as_mut())
            .map_err(AccessError::io("read", &path))?;
        Ok(Some(SessionKey(key)))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(<hidden>)")
    }
}

/// A key file must be its owner's alone, as ssh asks of private keys.
#[cfg(unix)]
fn check_mode(path: &Path, meta: &fs::Metadata) -> Result<(), AccessError> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(AccessError::ExposedKey {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_path: &Path, _meta: &fs::Metadata) -> Result<(), AccessError> {
    Ok(())
}

/// Makes the key file unless another process makes it first. The key is
/// written whole to a temporary file of mode 0600, flushed, then linked to
/// its name: a link never replaces a file, so of two servers starting at
/// once one makes the key and the other finds it, and no reader ever sees a
/// key half written.
fn create(dir: &Path) -> Result<(), AccessError> {
    let path = dir.join(KEY_FILE);
    let key = random::<SECRET_BYTES>()?;
    // The name marks it as a leftover for the store to clear (a writer
    // killed half-way), and the random part keeps two threads apart.
    let tag = random::<4>()?;
    let temp: PathBuf = dir.join(format!(
        ".{KEY_FILE}.nspm-tmp.{}-{}",
        std::process::id(),
        hex(tag.as_ref())
    ));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(&temp)
        .map_err(AccessError::io("create", &temp))?;
    let linked = file
        .write_all(key.as_ref())
        .and_then(|()| file.sync_all())
        .map_err(AccessError::io("write", &temp))
        .and_then(|()| match fs::hard_link(&temp, &path) {
            Ok(()) => Ok(()),
            // Another server made it first; its key is the one.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(AccessError::io("create", &path)(e)),
        });
    let _ = fs::remove_file(&temp);
    linked?;
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(AccessError::io("flush", dir))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(SessionKey::load(dir.path()).unwrap().is_none());
        let made = SessionKey::load_or_create(dir.path()).unwrap();
        let again = SessionKey::load_or_create(dir.path()).unwrap();
        assert_eq!(made.bytes(), again.bytes());
        let path = dir.path().join(KEY_FILE);
        assert_eq!(fs::read(&path).unwrap(), made.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Nothing else is left in the directory.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [KEY_FILE]);
    }

    #[test]
    fn servers_starting_at_once_agree_on_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let keys: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| SessionKey::load_or_create(dir.path()).unwrap()))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap().bytes().to_vec())
                .collect()
        });
        assert!(keys.windows(2).all(|w| w[0] == w[1]));
    }

    #[test]
    fn a_malformed_or_exposed_key_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        options.open(&path).unwrap().write_all(b"short").unwrap();
        let err = SessionKey::load_or_create(dir.path()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} is not a session key: it holds 5 bytes where a key has 32; remove it and a new key is made, which ends every session",
                path.display()
            )
        );
        // The malformed key is left as it was, for staff to look at.
        assert_eq!(fs::read(&path).unwrap(), b"short");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::write(&path, [7u8; 32]).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let err = SessionKey::load(dir.path()).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "{0} may be read by other users (mode 644); allow its owner alone: chmod 600 {0}",
                    path.display()
                )
            );
        }
    }

    #[test]
    fn debug_shows_no_key() {
        let key = SessionKey::generate().unwrap();
        let shown = format!("{key:?} {key:#?}");
        assert_eq!(shown, "SessionKey(<hidden>) SessionKey(<hidden>)");
    }
}
