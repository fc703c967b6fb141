//! Exclusive use of an upload inside this process: appending, publishing
//! and sweeping each take a [`Claim`] first, since a second writer would
//! interleave bytes at the same offset.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

/// Uploads being written to or published right now (in this process): a
/// second writer would interleave bytes at the same offset.
fn busy() -> &'static Mutex<HashSet<String>> {
    static BUSY: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    BUSY.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Exclusive use of an upload until dropped.
pub struct Claim(String);

impl Claim {
    pub fn take(id: &str) -> Option<Claim> {
        let mut set = busy().lock().unwrap_or_else(|p| p.into_inner());
        set.insert(id.to_string()).then(|| Claim(id.to_string()))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        busy()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}
