//! What the server serves: one checked snapshot of the data at a time.

use std::sync::Arc;

use arc_swap::ArcSwap;
use nspm_core::Society;

use crate::Pages;

/// One loaded, checked version of the data and everything derived from it.
#[derive(Debug)]
pub struct Snapshot {
    pub society: Society,
    /// The site's files, ready to send.
    pub pages: Pages,
}

impl Snapshot {
    pub fn new(society: Society) -> Snapshot {
        Snapshot {
            society,
            pages: Pages::default(),
        }
    }
}

/// Shared by every request; cloning is cheap.
#[derive(Clone, Debug)]
pub struct AppState {
    current: Arc<ArcSwap<Snapshot>>,
}

impl AppState {
    pub fn new(society: Society) -> AppState {
        AppState {
            current: Arc::new(ArcSwap::from_pointee(Snapshot::new(society))),
        }
    }

    /// The snapshot a request works on from start to end.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Swaps in newly loaded data for every request that starts after this.
    pub fn replace(&self, society: Society) {
        self.current.store(Arc::new(Snapshot::new(society)));
    }
}
