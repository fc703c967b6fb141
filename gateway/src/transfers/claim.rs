//! Exclusive use of an upload: appending, publishing and sweeping each
//! take a [`Claim`] first, since a second writer would interleave bytes at
//! the same offset. A claim is a database lease (`db::lease`), so it holds
//! across every gateway process that shares the database and the blob
//! directory, not only across the tasks of one.

use crate::db::Db;
use crate::db::lease::Held;
use crate::error::AppResult;

/// Exclusive use of an upload until released (or dropped).
pub struct Claim(Held);

impl Claim {
    /// `None`: another request, in this process or another, holds it.
    pub async fn take(db: &Db, id: &str) -> AppResult<Option<Claim>> {
        Ok(Held::take(db, format!("upload:{id}")).await?.map(Claim))
    }

    /// Gives the upload up at once, so the client's next request (which
    /// may follow within milliseconds) finds it free.
    pub async fn release(self) {
        self.0.release().await;
    }
}

/// Releases every claim of a publish, whatever its outcome.
pub async fn release_all(claims: Vec<Claim>) {
    for c in claims {
        c.release().await;
    }
}
