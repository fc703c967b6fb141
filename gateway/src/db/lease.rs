//! Leases: exclusive, expiring hold on a named piece of work, shared by
//! every gateway process on the database (table `leases`). One statement
//! takes a lease when it is free or lapsed — concurrent takers serialise on
//! the row, so exactly one wins — and a holder that dies simply stops
//! renewing. Used by the background sweepers (one gateway sweeps at a time)
//! and by upload claims (one request writes an upload at a time, whichever
//! gateway it reached).

use std::sync::OnceLock;
use std::time::Duration;

use super::{Db, now};

/// This process's holder name for its sweepers: random per start.
pub fn process_holder() -> &'static str {
    static HOLDER: OnceLock<String> = OnceLock::new();
    HOLDER.get_or_init(|| {
        // A restart in place (SIGUSR2, `server.rs`) is the same process:
        // it keeps the leases it held, or its sweeps would wait out their
        // TTL (two hours) before running again.
        std::env::var(RESTART_HOLDER_VAR)
            .ok()
            .filter(|h| h.starts_with(&format!("gw-{}-", std::process::id())))
            .unwrap_or_else(|| format!("gw-{}-{}", std::process::id(), random_hex(8)))
    })
}

/// Set by a restart in place for the process it becomes; only a holder of
/// this very pid is taken from it.
pub const RESTART_HOLDER_VAR: &str = "POSTERN_RESTART_LEASE_HOLDER";

pub fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// Takes (or, for the same `holder`, renews) `name` until `now + ttl`.
/// `false`: someone else holds it.
pub async fn take(db: &Db, name: &str, holder: &str, ttl: i64, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder",
    )
    .bind(name)
    .bind(holder)
    .bind(now + ttl)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives `name` up, if `holder` still holds it.
pub async fn release(db: &Db, name: &str, holder: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(db)
        .await?;
    Ok(())
}

/// Forgets leases that lapsed over an hour ago (holders that died; a
/// released lease is deleted at once). Run by a sweeper.
pub async fn forget_lapsed(db: &Db, now: i64) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM leases WHERE expires_at < $1")
        .bind(now - 3600)
        .execute(db)
        .await?
        .rows_affected())
}

/// Is it this process's turn to run the periodic job `name` (run every
/// `every`)? The first gateway to ask keeps the job while it lives (each
/// run renews it for two periods); when it stops, another takes over
/// within two periods. Jobs thus never run twice at once.
pub async fn my_turn(db: &Db, name: &str, every: Duration) -> sqlx::Result<bool> {
    let ttl = 2 * every.as_secs().max(1) as i64;
    take(db, name, process_holder(), ttl, now()).await
}

/// A lease held for as long as this value lives: renewed in the
/// background every third of its lifetime, released by [`Held::release`]
/// (or, as a fallback, when dropped).
pub struct Held {
    db: Db,
    name: String,
    holder: String,
    renewer: tokio::task::JoinHandle<()>,
    released: bool,
}

/// Lifetime of a held lease: a holder that vanished frees it this soon.
pub const HELD_TTL: i64 = 60;

impl Held {
    /// Takes `name` with a holder of its own (so even this process cannot
    /// take it twice). `None`: held elsewhere.
    pub async fn take(db: &Db, name: String) -> sqlx::Result<Option<Held>> {
        let holder = random_hex(12);
        if !take(db, &name, &holder, HELD_TTL, now()).await? {
            return Ok(None);
        }
        let renewer = {
            let (db, name, holder) = (db.clone(), name.clone(), holder.clone());
            tokio::spawn(async move {
                let every = Duration::from_secs((HELD_TTL / 3) as u64);
                loop {
                    tokio::time::sleep(every).await;
                    if let Err(e) = take(&db, &name, &holder, HELD_TTL, now()).await {
                        tracing::warn!(lease = %name, error = %e, "could not renew a lease");
                    }
                }
            })
        };
        Ok(Some(Held {
            db: db.clone(),
            name,
            holder,
            renewer,
            released: false,
        }))
    }

    pub async fn release(mut self) {
        self.renewer.abort();
        self.released = true;
        if let Err(e) = release(&self.db, &self.name, &self.holder).await {
            tracing::warn!(lease = %self.name, error = %e, "could not release a lease; it lapses");
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.renewer.abort();
        if self.released {
            return;
        }
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            let (db, name, holder) = (self.db.clone(), self.name.clone(), self.holder.clone());
            rt.spawn(async move {
                let _ = release(&db, &name, &holder).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::TestDb;

    #[tokio::test]
    async fn one_holder_at_a_time_until_it_lapses_or_is_released() {
        let t = TestDb::new().await;
        let db = &t.db;
        assert!(take(db, "sweep", "a", 60, 1000).await.unwrap());
        assert!(
            !take(db, "sweep", "b", 60, 1001).await.unwrap(),
            "held by a"
        );
        assert!(take(db, "sweep", "a", 60, 1030).await.unwrap(), "a renews");
        assert!(
            !take(db, "sweep", "b", 60, 1089).await.unwrap(),
            "renewed until 1090"
        );
        assert!(
            take(db, "sweep", "b", 60, 1090).await.unwrap(),
            "lapsed: b takes over"
        );
        release(db, "sweep", "a").await.unwrap();
        assert!(
            !take(db, "sweep", "a", 60, 1091).await.unwrap(),
            "a no longer releases b's"
        );
        release(db, "sweep", "b").await.unwrap();
        assert!(take(db, "sweep", "c", 60, 1092).await.unwrap());
        // Lapsed an hour ago: forgotten; still held: kept.
        assert_eq!(forget_lapsed(db, 1152 + 3600).await.unwrap(), 0);
        assert_eq!(forget_lapsed(db, 1153 + 3600).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn concurrent_takers_elect_exactly_one() {
        let t = TestDb::new().await;
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let db = t.db.clone();
                tokio::spawn(async move { take(&db, "race", &format!("h{i}"), 60, 5).await })
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.unwrap().unwrap());
        }
        assert_eq!(winners, 1);
    }

    #[tokio::test]
    async fn a_held_lease_excludes_even_its_own_process_until_released() {
        let t = TestDb::new().await;
        let first = Held::take(&t.db, "upload:x".into())
            .await
            .unwrap()
            .expect("free");
        assert!(
            Held::take(&t.db, "upload:x".into())
                .await
                .unwrap()
                .is_none()
        );
        first.release().await;
        let again = Held::take(&t.db, "upload:x".into()).await.unwrap();
        assert!(again.is_some(), "free again once released");
    }
}
