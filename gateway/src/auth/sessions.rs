//! Server-side sessions: a random id the edge wraps in a signed cookie.
//! The row makes sign-out and expiry real even if a cookie leaks.

use postern_shared::api::{AccountId, AccountSummary};

use crate::db::{self, Db};

/// R-…: a session lasts 12 hours.
pub const SESSION_LIFETIME_SECS: i64 = postern_shared::privacy::SESSION_LIFETIME_SECS;

/// 32 random bytes, lower-hex.
pub fn new_id() -> String {
    let bytes: [u8; 32] = rand::random();
    hex::encode(bytes)
}

/// Only ids of our own shape reach the database.
pub fn looks_valid(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub async fn create(
    db: &Db,
    account: AccountId,
    client_ip: Option<&str>,
    now: i64,
) -> Result<(String, i64), sqlx::Error> {
    let id = new_id();
    let expires_at = now + SESSION_LIFETIME_SECS;
    sqlx::query("INSERT INTO sessions (id, account_id, client_ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(account)
        .bind(client_ip)
        .bind(now)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok((id, expires_at))
}

/// Why a session id does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Active { expires_at: i64 },
    Expired,
    Revoked,
    Unknown,
}

/// Looks a session up and says whether it is usable at `now`.
pub async fn lookup(
    db: &Db,
    id: &str,
    now: i64,
) -> Result<(SessionState, Option<AccountSummary>), sqlx::Error> {
    if !looks_valid(id) {
        return Ok((SessionState::Unknown, None));
    }
    let row: Option<(i64, Option<i64>, i64, String, String)> = sqlx::query_as(
        "SELECT s.expires_at, s.revoked_at, a.id, a.login, a.display_name
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some((expires_at, revoked_at, account_id, login, display_name)) = row else {
        return Ok((SessionState::Unknown, None));
    };
    let account = AccountSummary {
        id: account_id,
        login,
        display_name,
    };
    let state = if revoked_at.is_some() {
        SessionState::Revoked
    } else if expires_at <= now {
        SessionState::Expired
    } else {
        SessionState::Active { expires_at }
    };
    Ok((state, Some(account)))
}

pub async fn revoke(db: &Db, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(db::now())
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
