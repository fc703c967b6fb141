//! Server-side sessions: a random id the edge wraps in a signed cookie.
//! The row makes sign-out and expiry real even if a cookie leaks.

use postern_shared::account::{OpenSession, browser_name};
use postern_shared::api::{AccountId, AccountSummary};
use sha2::{Digest, Sha256};

use crate::db::{self, Db};

/// R-…: a session lasts 12 hours.
pub const SESSION_LIFETIME_SECS: i64 = postern_shared::privacy::SESSION_LIFETIME_SECS;

/// "Last seen" is written when it is older than this: a use of a session
/// costs a database write at most once per five minutes, not per request.
pub const LAST_SEEN_EVERY_SECS: i64 = 5 * 60;

/// The longest user agent kept.
pub const MAX_USER_AGENT: usize = 256;

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

/// The handle the sessions list shows for a session: 16 bytes of the
/// SHA-256 of its id, so the list never carries the secret id itself.
pub fn handle(id: &str) -> String {
    hex::encode(&Sha256::digest(format!("postern-session|{id}").as_bytes())[..16])
}

/// A user agent as it is kept: trimmed, at most [`MAX_USER_AGENT`] bytes
/// (on a character boundary), no control characters.
pub fn clean_user_agent(ua: Option<&str>) -> Option<String> {
    let ua = ua?.trim();
    let mut out = String::new();
    for c in ua.chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > MAX_USER_AGENT {
            break;
        }
        out.push(c);
    }
    (!out.is_empty()).then_some(out)
}

pub async fn create(
    db: &Db,
    account: AccountId,
    client_ip: Option<&str>,
    user_agent: Option<&str>,
    now: i64,
) -> Result<(String, i64), sqlx::Error> {
    let id = new_id();
    let expires_at = now + SESSION_LIFETIME_SECS;
    sqlx::query(
        "INSERT INTO sessions (id, account_id, client_ip, created_at, expires_at, last_seen_at, last_seen_ip, user_agent)
         VALUES ($1, $2, $3, $4, $5, $4, $3, $6)",
    )
    .bind(&id)
    .bind(account)
    .bind(client_ip)
    .bind(now)
    .bind(expires_at)
    .bind(clean_user_agent(user_agent))
    .execute(db)
    .await?;
    Ok((id, expires_at))
}

/// Writes "last seen" (time and address) when the stored one is older than
/// [`LAST_SEEN_EVERY_SECS`]; `seen` is the stored time.
pub async fn touch(
    db: &Db,
    id: &str,
    seen: Option<i64>,
    client_ip: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    if seen.is_some_and(|t| now - t < LAST_SEEN_EVERY_SECS) {
        return Ok(());
    }
    match client_ip {
        Some(ip) => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1, last_seen_ip = $2 WHERE id = $3")
                .bind(now)
                .bind(ip)
                .bind(id)
                .execute(db)
                .await?
        }
        None => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id)
                .execute(db)
                .await?
        }
    };
    Ok(())
}

/// The account's open sessions, newest first; `current` is the caller's id.
pub async fn list(
    db: &Db,
    account: AccountId,
    current: &str,
    now: i64,
) -> Result<Vec<OpenSession>, sqlx::Error> {
    type Row = (
        String,
        i64,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, created_at, last_seen_at, client_ip, last_seen_ip, user_agent FROM sessions
         WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2
         ORDER BY created_at DESC, id",
    )
    .bind(account)
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, created_at, seen, ip, seen_ip, ua)| OpenSession {
            current: id == current,
            id: handle(&id),
            created_at,
            last_seen_at: seen.unwrap_or(created_at),
            client_ip: seen_ip.or(ip),
            browser: ua.as_deref().and_then(browser_name),
        })
        .collect())
}

/// Ends the account's session whose [`handle`] is `handle`; `false` when
/// there is no such open session.
pub async fn end_by_handle(
    db: &Db,
    account: AccountId,
    handle_: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM sessions WHERE account_id = $1 AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(account)
    .bind(now)
    .fetch_all(db)
    .await?;
    let Some(id) = ids.into_iter().find(|id| handle(id) == handle_) else {
        return Ok(false);
    };
    revoke(db, &id).await?;
    Ok(true)
}

/// Ends every open session of the account but `keep`; how many ended.
pub async fn end_others(
    db: &Db,
    account: AccountId,
    keep: &str,
    now: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE sessions SET revoked_at = $1
         WHERE account_id = $2 AND id <> $3 AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(account)
    .bind(keep)
    .execute(db)
    .await?
    .rows_affected())
}

/// Why a session id does not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// `last_seen_at`: the stored "last seen" (see [`touch`]).
    Active {
        expires_at: i64,
        last_seen_at: Option<i64>,
    },
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
    type Row = (
        i64,
        Option<i64>,
        Option<i64>,
        i64,
        String,
        String,
        Option<String>,
    );
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.expires_at, s.revoked_at, s.last_seen_at, a.id, a.login, a.display_name, a.locale
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some((expires_at, revoked_at, last_seen_at, account_id, login, display_name, locale)) = row
    else {
        return Ok((SessionState::Unknown, None));
    };
    let account = AccountSummary {
        id: account_id,
        login,
        display_name,
        locale,
    };
    let state = if revoked_at.is_some() {
        SessionState::Revoked
    } else if expires_at <= now {
        SessionState::Expired
    } else {
        SessionState::Active {
            expires_at,
            last_seen_at,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_not_the_id_and_differ_per_session() {
        let a = new_id();
        let b = new_id();
        assert_eq!(handle(&a).len(), 32);
        assert_ne!(handle(&a), handle(&b));
        assert!(!a.contains(&handle(&a)));
    }

    #[test]
    fn user_agents_are_trimmed_and_bounded() {
        assert_eq!(
            clean_user_agent(Some("  Firefox\n ")).as_deref(),
            Some("Firefox")
        );
        assert_eq!(clean_user_agent(Some("")), None);
        assert_eq!(clean_user_agent(None), None);
        let long = "é".repeat(300);
        let kept = clean_user_agent(Some(&long)).unwrap();
        assert!(kept.len() <= MAX_USER_AGENT && kept.chars().all(|c| c == 'é'));
    }
}
