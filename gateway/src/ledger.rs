//! The mailbox as a sender: its addresses and offer, and the `sends`
//! ledger of R-SEND-2 (one row per accepted message, `recipients` counted).

use postern_shared::sending::{Offer, QUOTA_WINDOW_SECS};
use postern_shared::{ApiError, ErrorCode};

use crate::db::{self, Db, dialect};

/// Who a mailbox sends as, and how much it may send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub mailbox_id: i64,
    pub address: String,
    pub display_name: String,
    pub aliases: Vec<String>,
    pub daily_limit: u32,
}

impl Sender {
    pub fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d)
    }

    pub fn may_send_as(&self, from: &str) -> bool {
        let aliases: Vec<&str> = self.aliases.iter().map(String::as_str).collect();
        postern_shared::sending::sender_allowed(from, &self.address, &aliases)
    }
}

/// The daily limit of an organisation's offer. An unknown offer (a typo in
/// provisioning) gets the smallest mailbox quota rather than none.
pub fn limit_of(offer: &str) -> u32 {
    Offer::parse(offer)
        .unwrap_or_else(|| {
            tracing::warn!(offer, "unknown offer; using the free quota");
            Offer::Free
        })
        .daily_limit()
}

async fn load(db: &Db, row: Option<(i64, String, String, String)>) -> sqlx::Result<Option<Sender>> {
    let Some((mailbox_id, address, display_name, offer)) = row else {
        return Ok(None);
    };
    let aliases: Vec<String> =
        sqlx::query_scalar("SELECT address FROM aliases WHERE mailbox_id = $1 ORDER BY address")
            .bind(mailbox_id)
            .fetch_all(db)
            .await?;
    Ok(Some(Sender {
        mailbox_id,
        address,
        display_name,
        aliases,
        daily_limit: limit_of(&offer),
    }))
}

const SENDER_QUERY: &str = "SELECT m.id, m.address, m.display_name, o.offer
     FROM mailboxes m JOIN organizations o ON o.id = m.organization_id
     WHERE m.deleted_at IS NULL AND ";

pub async fn by_id(db: &Db, mailbox_id: i64) -> sqlx::Result<Option<Sender>> {
    let row = sqlx::query_as(&format!("{SENDER_QUERY} m.id = $1"))
        .bind(mailbox_id)
        .fetch_optional(db)
        .await?;
    load(db, row).await
}

pub async fn by_address(db: &Db, address: &str) -> sqlx::Result<Option<Sender>> {
    let row = sqlx::query_as(&format!("{SENDER_QUERY} m.address = $1"))
        .bind(address.trim().to_ascii_lowercase())
        .fetch_optional(db)
        .await?;
    load(db, row).await
}

/// Sends of the last 24 hours as `(unix seconds, recipients)`.
pub async fn history(db: &Db, mailbox_id: i64, now: i64) -> sqlx::Result<Vec<(i64, u32)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT sent_at, recipients FROM sends WHERE mailbox_id = $1 AND sent_at > $2",
    )
    .bind(mailbox_id)
    .bind(now - QUOTA_WINDOW_SECS)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(t, n)| (t, u32::try_from(n).unwrap_or(u32::MAX)))
        .collect())
}

/// Recipients used in the last 24 hours.
pub async fn used(db: &Db, mailbox_id: i64, now: i64) -> sqlx::Result<u32> {
    Ok(history(db, mailbox_id, now)
        .await?
        .iter()
        .map(|&(_, n)| n)
        .fold(0u32, u32::saturating_add))
}

/// What is recorded with an accepted message.
#[derive(Debug, Clone, Default)]
pub struct SendRecord {
    pub recipients: u32,
    pub size: Option<i64>,
    pub queue_id: Option<String>,
    pub instance: Option<String>,
}

/// Records the send if it fits the quota, in ONE statement after a lock on
/// the mailbox's row, so concurrent submissions — in any gateway process —
/// cannot both pass the check. `false`: over the limit, nothing recorded.
pub async fn record_within_quota(
    db: &Db,
    mailbox_id: i64,
    now: i64,
    limit: u32,
    rec: &SendRecord,
) -> sqlx::Result<bool> {
    let n = i64::from(rec.recipients);
    let mut tx = db.begin().await?;
    if let Some(lock) = dialect::lock_row(db::backend(db), "mailboxes") {
        sqlx::query(&lock)
            .bind(mailbox_id)
            .execute(&mut *tx)
            .await?;
    }
    let done = sqlx::query(
        "INSERT INTO sends (mailbox_id, sent_at, recipients, size, queue_id, instance)
         SELECT $1, $2, $3, $4, $5, $6
         WHERE (SELECT CAST(COALESCE(SUM(recipients), 0) AS BIGINT) FROM sends
                WHERE mailbox_id = $7 AND sent_at > $8) + $9 <= $10",
    )
    .bind(mailbox_id)
    .bind(now)
    .bind(n)
    .bind(rec.size)
    .bind(&rec.queue_id)
    .bind(&rec.instance)
    .bind(mailbox_id)
    .bind(now - QUOTA_WINDOW_SECS)
    .bind(n)
    .bind(i64::from(limit))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// The `quota_exceeded` error for a send of `n` recipients at `now`, or
/// `None` when it fits (R-SEND-2). Read-only.
pub async fn quota_error(
    db: &Db,
    sender: &Sender,
    now: i64,
    n: u32,
) -> sqlx::Result<Option<ApiError>> {
    let history = history(db, sender.mailbox_id, now).await?;
    Ok(
        postern_shared::sending::quota_check(sender.daily_limit, &history, now, n)
            .err()
            .map(|frees_at| quota_exceeded(sender.daily_limit, now, frees_at)),
    )
}

pub fn quota_exceeded(limit: u32, now: i64, frees_at: i64) -> ApiError {
    let wait = (frees_at - now).max(1) as u64;
    ApiError::new(
        ErrorCode::QuotaExceeded,
        format!(
            "The daily sending limit of {limit} recipients has been reached. Sending frees up at {}.",
            postern_shared::format::utc_minutes(frees_at)
        ),
    )
    .retry_after(wait)
    .with(|p| {
        p.free_at = Some(frees_at);
        p.limit = Some(u64::from(limit));
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::testing::TestDb;

    /// Many submissions at once, each on its own connection (on
    /// PostgreSQL as good as separate gateway processes): exactly as many
    /// recipients as the quota allows are recorded, never more.
    #[tokio::test]
    async fn concurrent_sends_never_squeeze_past_the_quota() {
        let t = TestDb::new().await;
        let p = crate::Provisioner::from_db(t.db.clone());
        let org = p.create_organization("Q", "free").await.unwrap();
        let mb = p.create_mailbox(org, "q@q.test", "Q").await.unwrap();
        let (limit, now) = (7u32, 1_000_000);
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let db = t.db.clone();
                tokio::spawn(async move {
                    let rec = SendRecord {
                        recipients: 1,
                        ..SendRecord::default()
                    };
                    record_within_quota(&db, mb, now, limit, &rec).await
                })
            })
            .collect();
        let mut accepted = 0;
        for task in tasks {
            accepted += u32::from(task.await.unwrap().unwrap());
        }
        assert_eq!(accepted, limit);
        assert_eq!(used(&t.db, mb, now).await.unwrap(), limit);
    }
}
