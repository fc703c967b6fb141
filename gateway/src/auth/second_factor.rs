//! Two-factor sign-in (R-ID-1): the pending sign-in between the password
//! and the code, checking a code (TOTP or recovery code) for an account,
//! and making recovery codes. No code, secret or token is ever logged.

use postern_shared::ErrorCode;
use postern_shared::account::{RECOVERY_CODES, looks_like_totp};
use postern_shared::api::{AccountId, AccountSummary, GatewaySession};
use sha2::{Digest, Sha256};

use super::totp::{self, SecretKey};
use super::{sessions, throttle};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// How long the code may follow the password.
pub const CHALLENGE_SECS: i64 = 5 * 60;

/// A pending sign-in: a 256-bit token for the browser, its SHA-256 in
/// `login_challenges` (found by an index lookup, never compared byte by
/// byte). Older challenges of the account are dropped.
pub async fn create_challenge(
    db: &Db,
    account: AccountId,
    client_ip: Option<&str>,
    user_agent: Option<&str>,
    now: i64,
) -> Result<String, sqlx::Error> {
    let token = sessions::new_id();
    sqlx::query("DELETE FROM login_challenges WHERE account_id = $1 OR expires_at <= $2")
        .bind(account)
        .bind(now)
        .execute(db)
        .await?;
    sqlx::query(
        "INSERT INTO login_challenges (token_sha256, account_id, client_ip, user_agent, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sha256_hex(&token))
    .bind(account)
    .bind(client_ip)
    .bind(sessions::clean_user_agent(user_agent))
    .bind(now)
    .bind(now + CHALLENGE_SECS)
    .execute(db)
    .await?;
    Ok(token)
}

/// The second step: a usable challenge, the throttle, then the code. A
/// wrong code counts as a failed sign-in of the login (the same limits as
/// passwords) and leaves the challenge for another try; a right one
/// consumes it (compare-and-delete: two tabs cannot both use it) and opens
/// the session.
pub async fn complete(
    db: &Db,
    key: Option<&SecretKey>,
    pending: &str,
    code: &str,
    client_ip: Option<&str>,
    now: i64,
) -> AppResult<GatewaySession> {
    if !sessions::looks_valid(pending) || code.len() > 64 {
        return Err(ErrorCode::SecondFactorExpired.into());
    }
    let token_hash = sha256_hex(pending);
    type Row = (i64, Option<String>, i64, String, String, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT c.account_id, c.user_agent, c.expires_at, a.login, a.display_name, a.locale
         FROM login_challenges c JOIN accounts a ON a.id = c.account_id
         WHERE c.token_sha256 = $1",
    )
    .bind(&token_hash)
    .fetch_optional(db)
    .await?;
    let Some((account, user_agent, expires_at, login, display_name, locale)) = row else {
        return Err(ErrorCode::SecondFactorExpired.into());
    };
    if expires_at <= now {
        return Err(ErrorCode::SecondFactorExpired.into());
    }
    if let Some(wait) = throttle::check(db, &login, client_ip, now).await? {
        return Err(AppError::from(ErrorCode::TooManyAttempts).with_retry_after(wait));
    }
    if !check_code(db, key, account, code, now).await? {
        throttle::record_failure(db, &login, client_ip, now).await?;
        tracing::info!(account, "second factor refused");
        return Err(ErrorCode::InvalidSecondFactor.into());
    }
    let used = sqlx::query("DELETE FROM login_challenges WHERE token_sha256 = $1")
        .bind(&token_hash)
        .execute(db)
        .await?
        .rows_affected();
    if used != 1 {
        return Err(ErrorCode::SecondFactorExpired.into());
    }
    let (session_id, expires_at) =
        sessions::create(db, account, client_ip, user_agent.as_deref(), now).await?;
    tracing::info!(account, "signed in with a second factor");
    Ok(GatewaySession {
        session_id,
        expires_at,
        account: AccountSummary {
            id: account,
            login,
            display_name,
            locale,
        },
    })
}

/// Whether `code` is a current TOTP code of the account's enabled secret
/// (its step then recorded, so it never works again) or one of its unused
/// recovery codes (then marked used). Six digits are a TOTP code,
/// anything else a recovery code.
pub async fn check_code(
    db: &Db,
    key: Option<&SecretKey>,
    account: AccountId,
    code: &str,
    now: i64,
) -> AppResult<bool> {
    if looks_like_totp(code) {
        check_totp(db, key, account, code, now, true).await
    } else {
        use_recovery_code(db, account, code, now).await
    }
}

/// A TOTP code against the account's secret: the enabled one
/// (`enabled = true`) or the enrolment's, not yet confirmed.
pub async fn check_totp(
    db: &Db,
    key: Option<&SecretKey>,
    account: AccountId,
    code: &str,
    now: i64,
    enabled: bool,
) -> AppResult<bool> {
    let row: Option<(Option<String>, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT totp_secret, totp_enabled_at, totp_last_step FROM accounts WHERE id = $1",
    )
    .bind(account)
    .fetch_optional(db)
    .await?;
    let Some((Some(sealed), enabled_at, last)) = row else {
        return Ok(false);
    };
    if enabled_at.is_some() != enabled {
        return Ok(false);
    }
    let key = key.ok_or(AppError::from(ErrorCode::TwoFactorUnavailable))?;
    let Some(secret) = key.open(account, &sealed) else {
        return Err(AppError::internal(format_args!(
            "the TOTP secret of account {account} does not open with POSTERN_TOTP_KEY"
        )));
    };
    let Some(step) = totp::matching_step(&secret, code, now, last) else {
        return Ok(false);
    };
    // Compare-and-set: of two requests with one code, one wins.
    let won = sqlx::query(
        "UPDATE accounts SET totp_last_step = $1
         WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(account)
    .execute(db)
    .await?
    .rows_affected();
    Ok(won == 1)
}

async fn use_recovery_code(db: &Db, account: AccountId, code: &str, now: i64) -> AppResult<bool> {
    let Some(normal) = normalise_recovery_code(code) else {
        return Ok(false);
    };
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
         WHERE code_sha256 = $2 AND account_id = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(recovery_hash(account, &normal))
    .bind(account)
    .execute(db)
    .await?
    .rows_affected();
    Ok(used == 1)
}

/// Crockford's base32 alphabet, lower case: no `i l o u`.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// 12 characters, 60 bits, shown as `xxxx-xxxx-xxxx`.
const RECOVERY_LEN: usize = 12;

/// A new recovery code.
pub fn new_recovery_code() -> String {
    let mut out = String::with_capacity(RECOVERY_LEN + 2);
    let bytes: [u8; RECOVERY_LEN] = rand::random();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(RECOVERY_ALPHABET[(b & 31) as usize] as char);
    }
    out
}

/// A typed recovery code as stored: lower case, without `-` and spaces,
/// Crockford's look-alikes mapped (`o` → 0, `i`/`l` → 1); `None` unless
/// it then has the shape of one.
pub fn normalise_recovery_code(code: &str) -> Option<String> {
    let mut out = String::with_capacity(RECOVERY_LEN);
    for c in code.chars() {
        let c = match c.to_ascii_lowercase() {
            '-' | ' ' => continue,
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        };
        if !c.is_ascii() || !RECOVERY_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == RECOVERY_LEN).then_some(out)
}

fn recovery_hash(account: AccountId, normal: &str) -> String {
    sha256_hex(&format!("postern-recovery|{account}|{normal}"))
}

/// Replaces the account's recovery codes by [`RECOVERY_CODES`] new ones
/// (in one transaction) and returns them: the only time they exist in
/// clear.
pub async fn replace_recovery_codes(
    db: &Db,
    account: AccountId,
    now: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account)
        .execute(&mut *tx)
        .await?;
    for code in &codes {
        let normal = normalise_recovery_code(code).expect("a generated code");
        sqlx::query(
            "INSERT INTO recovery_codes (account_id, code_sha256, created_at) VALUES ($1, $2, $3)",
        )
        .bind(account)
        .bind(recovery_hash(account, &normal))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(codes)
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_12_characters_in_three_groups_and_normalise() {
        for _ in 0..200 {
            let c = new_recovery_code();
            assert_eq!(c.len(), 14);
            assert_eq!(c.split('-').count(), 3);
            let n = normalise_recovery_code(&c).unwrap();
            assert_eq!(n.len(), 12);
            assert_eq!(normalise_recovery_code(&c.to_uppercase()), Some(n.clone()));
            assert_eq!(
                normalise_recovery_code(&format!(" {} ", c.replace('-', " "))),
                Some(n)
            );
        }
        assert_eq!(
            normalise_recovery_code("OIL0-aaaa-bbbb").as_deref(),
            Some("0110aaaabbbb")
        );
        assert_eq!(normalise_recovery_code("abcd-efgh"), None);
        assert_eq!(normalise_recovery_code("abcd-efgh-jku!"), None);
        assert_ne!(recovery_hash(1, "x"), recovery_hash(2, "x"));
    }
}
