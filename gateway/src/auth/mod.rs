//! Accounts and sessions: password sign-in with throttling, the second
//! factor (TOTP, recovery codes), the session extractor every
//! authenticated route uses.

pub mod password;
pub mod second_factor;
pub mod sessions;
pub mod throttle;
pub mod totp;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use postern_shared::ErrorCode;
use postern_shared::api::{AccountSummary, GatewayLoginRequest, GatewaySession};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use sessions::SessionState;

pub use postern_shared::wire::headers::{CLIENT_IP as CLIENT_IP_HEADER, SESSION as SESSION_HEADER};

/// Signs in: throttle check, then Argon2id verify (also for unknown
/// logins), then a new session — or, when the account has two-factor
/// sign-in, `second_factor_required` with a pending sign-in's token
/// (`params.pending`, see [`second_factor::complete`]). `now` is
/// injectable for tests.
pub async fn login(db: &Db, req: GatewayLoginRequest, now: i64) -> AppResult<GatewaySession> {
    let login = req.login.trim().to_lowercase();
    let client_ip = req
        .client_ip
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if login.is_empty() || login.len() > 320 || req.password.len() > 1024 {
        return Err(ErrorCode::InvalidCredentials.into());
    }
    if let Some(wait) = throttle::check(db, &login, client_ip, now).await? {
        return Err(AppError::from(ErrorCode::TooManyAttempts).with_retry_after(wait));
    }
    type Row = (i64, String, String, Option<i64>, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, display_name, password_hash, totp_enabled_at, locale FROM accounts WHERE login = $1",
    )
    .bind(&login)
    .fetch_optional(db)
    .await?;
    let phc = row
        .as_ref()
        .map(|r| r.2.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || password::verify(&password, &phc))
        .await
        .map_err(AppError::internal)?;
    match row {
        Some((id, _, _, Some(_), _)) if ok => {
            let pending =
                second_factor::create_challenge(db, id, client_ip, req.user_agent.as_deref(), now)
                    .await?;
            tracing::info!(account = id, "password accepted, second factor asked");
            Err(AppError::from(ErrorCode::SecondFactorRequired).with(|p| p.pending = Some(pending)))
        }
        Some((id, display_name, _, None, locale)) if ok => {
            let (session_id, expires_at) =
                sessions::create(db, id, client_ip, req.user_agent.as_deref(), now).await?;
            tracing::info!(account = id, "signed in");
            Ok(GatewaySession {
                session_id,
                expires_at,
                account: AccountSummary {
                    id,
                    login,
                    display_name,
                    locale,
                },
            })
        }
        _ => {
            throttle::record_failure(db, &login, client_ip, now).await?;
            tracing::info!(login = %login, "sign-in failed");
            Err(ErrorCode::InvalidCredentials.into())
        }
    }
}

/// Resolves a session id into its account, or the precise 401; notes the
/// use ("last seen", at most every few minutes: [`sessions::touch`]).
pub async fn resolve(
    db: &Db,
    session_id: Option<&str>,
    client_ip: Option<&str>,
    now: i64,
) -> AppResult<(String, AccountSummary, i64)> {
    let Some(id) = session_id.filter(|s| !s.is_empty()) else {
        return Err(ErrorCode::Unauthenticated.into());
    };
    match sessions::lookup(db, id, now).await? {
        (
            SessionState::Active {
                expires_at,
                last_seen_at,
            },
            Some(account),
        ) => {
            sessions::touch(db, id, last_seen_at, client_ip, now).await?;
            Ok((id.to_string(), account, expires_at))
        }
        (SessionState::Expired | SessionState::Revoked, _) => Err(ErrorCode::SessionExpired.into()),
        _ => Err(ErrorCode::SessionExpired.into()),
    }
}

/// The signed-in caller. Extracting it is what makes a route authenticated.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub session_id: String,
    pub account: AccountSummary,
    pub expires_at: i64,
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(a) = parts.extensions.get::<Authenticated>() {
            return Ok(a.clone());
        }
        let header = parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let client_ip = parts
            .headers
            .get(CLIENT_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (session_id, account, expires_at) =
            resolve(&state.db, header, client_ip, crate::db::now()).await?;
        let a = Authenticated {
            session_id,
            account,
            expires_at,
        };
        parts.extensions.insert(a.clone());
        Ok(a)
    }
}

impl AppError {
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::Provisioner;
    use postern_shared::permissions::Role;

    async fn setup() -> (tempfile::TempDir, Db) {
        let t = crate::db::testing::TestDb::new().await;
        let dir = t.dir;
        let p = Provisioner::from_db(t.db);
        let org = p.create_organization("Org", "standard").await.unwrap();
        p.create_account(org, "Ann@Example.test", "Ann", "s3cret-pass", Role::User)
            .await
            .unwrap();
        (dir, p.db().clone())
    }

    fn req(login: &str, pw: &str, ip: &str) -> GatewayLoginRequest {
        GatewayLoginRequest {
            login: login.into(),
            password: pw.into(),
            client_ip: Some(ip.into()),
            user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0".into()),
        }
    }

    #[tokio::test]
    async fn login_succeeds_case_insensitively_and_session_resolves() {
        let (_d, db) = setup().await;
        let now = 1_000_000;
        let s = login(&db, req(" ann@EXAMPLE.test", "s3cret-pass", "1.1.1.1"), now)
            .await
            .unwrap();
        assert_eq!(s.account.login, "ann@example.test");
        assert_eq!(s.expires_at, now + sessions::SESSION_LIFETIME_SECS);
        assert!(sessions::looks_valid(&s.session_id));
        let (_, acc, _) = resolve(&db, Some(&s.session_id), None, now + 10)
            .await
            .unwrap();
        assert_eq!(acc.id, s.account.id);
    }

    #[tokio::test]
    async fn wrong_password_and_unknown_login_are_the_same_error() {
        let (_d, db) = setup().await;
        let a = login(&db, req("ann@example.test", "nope", "1.1.1.1"), 1000)
            .await
            .unwrap_err();
        let b = login(&db, req("nobody@example.test", "nope", "1.1.1.1"), 1000)
            .await
            .unwrap_err();
        assert_eq!(a.code(), ErrorCode::InvalidCredentials);
        assert_eq!(b.code(), ErrorCode::InvalidCredentials);
        assert_eq!(a.0.message, b.0.message);
    }

    #[tokio::test]
    async fn five_failures_lock_the_login_even_for_the_right_password() {
        let (_d, db) = setup().await;
        let t0 = 1_000_000;
        for i in 0..5 {
            let e = login(&db, req("ann@example.test", "bad", "2.2.2.2"), t0 + i)
                .await
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidCredentials);
        }
        let e = login(
            &db,
            req("ann@example.test", "s3cret-pass", "3.3.3.3"),
            t0 + 10,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::TooManyAttempts);
        assert_eq!(e.0.retry_after, Some((throttle::WINDOW_SECS - 10) as u64));
        // After the window the right password works again.
        login(
            &db,
            req("ann@example.test", "s3cret-pass", "3.3.3.3"),
            t0 + throttle::WINDOW_SECS + 1,
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn twenty_failures_from_one_address_lock_that_address() {
        let (_d, db) = setup().await;
        let t0 = 1_000_000;
        for i in 0..20 {
            let _ = login(
                &db,
                req(&format!("u{i}@example.test"), "bad", "9.9.9.9"),
                t0,
            )
            .await;
        }
        let e = login(
            &db,
            req("ann@example.test", "s3cret-pass", "9.9.9.9"),
            t0 + 1,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::TooManyAttempts);
        assert!(e.0.retry_after.unwrap() > 0);
        // Another address is not affected.
        login(
            &db,
            req("ann@example.test", "s3cret-pass", "8.8.8.8"),
            t0 + 1,
        )
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn sessions_expire_and_can_be_revoked() {
        let (_d, db) = setup().await;
        let now = 1_000_000;
        let s = login(&db, req("ann@example.test", "s3cret-pass", "1.1.1.1"), now)
            .await
            .unwrap();
        let late = now + sessions::SESSION_LIFETIME_SECS;
        assert_eq!(
            resolve(&db, Some(&s.session_id), None, late)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::SessionExpired
        );
        let s2 = login(
            &db,
            req("ann@example.test", "s3cret-pass", "1.1.1.1"),
            crate::db::now(),
        )
        .await
        .unwrap();
        sessions::revoke(&db, &s2.session_id).await.unwrap();
        assert_eq!(
            resolve(&db, Some(&s2.session_id), None, crate::db::now())
                .await
                .unwrap_err()
                .code(),
            ErrorCode::SessionExpired
        );
        assert_eq!(
            resolve(&db, None, None, now).await.unwrap_err().code(),
            ErrorCode::Unauthenticated
        );
        assert_eq!(
            resolve(&db, Some("zz"), None, now)
                .await
                .unwrap_err()
                .code(),
            ErrorCode::SessionExpired
        );
    }

    /// Turns two-factor sign-in on for ann, as the enrolment routes do.
    async fn enrol(db: &Db, key: &totp::SecretKey) -> ([u8; 20], Vec<String>, i64) {
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'ann@example.test'")
                .fetch_one(db)
                .await
                .unwrap();
        let secret = totp::new_secret();
        sqlx::query("UPDATE accounts SET totp_secret = $1, totp_enabled_at = 1 WHERE id = $2")
            .bind(key.seal(id, &secret))
            .bind(id)
            .execute(db)
            .await
            .unwrap();
        let codes = second_factor::replace_recovery_codes(db, id, 1)
            .await
            .unwrap();
        (secret, codes, id)
    }

    #[tokio::test]
    async fn with_two_factor_the_password_gives_a_pending_sign_in_and_the_code_a_session() {
        let (_d, db) = setup().await;
        let key = totp::SecretKey::new(&[3; 32]);
        let (secret, codes, id) = enrol(&db, &key).await;
        let now = 1_700_000_000;
        let e = login(&db, req("ann@example.test", "s3cret-pass", "1.1.1.1"), now)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SecondFactorRequired);
        let pending = e.0.params.pending.clone().unwrap();
        assert!(sessions::looks_valid(&pending));
        let stored: String = sqlx::query_scalar("SELECT token_sha256 FROM login_challenges")
            .fetch_one(&db)
            .await
            .unwrap();
        assert_ne!(stored, pending, "only the token's hash is kept");

        let wrong = totp::code_at(&secret, totp::step_of(now) + 5);
        let e = second_factor::complete(&db, Some(&key), &pending, &wrong, Some("1.1.1.1"), now)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);

        let code = totp::code_at(&secret, totp::step_of(now));
        let s = second_factor::complete(&db, Some(&key), &pending, &code, Some("1.1.1.1"), now)
            .await
            .unwrap();
        assert_eq!(s.account.id, id);
        // The pending sign-in is single use.
        let e = second_factor::complete(&db, Some(&key), &pending, &code, Some("1.1.1.1"), now)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SecondFactorExpired);

        // The same code again, on a new pending sign-in: a replay.
        let e = login(
            &db,
            req("ann@example.test", "s3cret-pass", "1.1.1.1"),
            now + 1,
        )
        .await
        .unwrap_err();
        let pending = e.0.params.pending.clone().unwrap();
        let e = second_factor::complete(&db, Some(&key), &pending, &code, Some("1.1.1.1"), now + 1)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);
        // A recovery code works, once.
        second_factor::complete(
            &db,
            Some(&key),
            &pending,
            &codes[0],
            Some("1.1.1.1"),
            now + 2,
        )
        .await
        .unwrap();
        let e = login(
            &db,
            req("ann@example.test", "s3cret-pass", "1.1.1.1"),
            now + 3,
        )
        .await
        .unwrap_err();
        let pending = e.0.params.pending.clone().unwrap();
        let e = second_factor::complete(
            &db,
            Some(&key),
            &pending,
            &codes[0],
            Some("1.1.1.1"),
            now + 3,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);
        // A pending sign-in lapses after five minutes.
        let late = now + 3 + second_factor::CHALLENGE_SECS;
        let e =
            second_factor::complete(&db, Some(&key), &pending, &codes[1], Some("1.1.1.1"), late)
                .await
                .unwrap_err();
        assert_eq!(e.code(), ErrorCode::SecondFactorExpired);
    }

    #[tokio::test]
    async fn wrong_codes_are_throttled_like_passwords() {
        let (_d, db) = setup().await;
        let key = totp::SecretKey::new(&[3; 32]);
        let (secret, _, _) = enrol(&db, &key).await;
        let now = 1_700_000_000;
        let e = login(&db, req("ann@example.test", "s3cret-pass", "4.4.4.4"), now)
            .await
            .unwrap_err();
        let pending = e.0.params.pending.clone().unwrap();
        for _ in 0..throttle::MAX_PER_LOGIN {
            let e =
                second_factor::complete(&db, Some(&key), &pending, "000000", Some("4.4.4.4"), now)
                    .await
                    .unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);
        }
        let code = totp::code_at(&secret, totp::step_of(now));
        let e = second_factor::complete(&db, Some(&key), &pending, &code, Some("4.4.4.4"), now + 1)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::TooManyAttempts);
        assert!(e.0.retry_after.is_some());
    }

    #[tokio::test]
    async fn last_seen_is_written_only_every_few_minutes() {
        let (_d, db) = setup().await;
        let now = 1_000_000;
        let s = login(&db, req("ann@example.test", "s3cret-pass", "1.1.1.1"), now)
            .await
            .unwrap();
        let seen = || async {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT last_seen_at, last_seen_ip FROM sessions WHERE id = $1",
            )
            .bind(&s.session_id)
            .fetch_one(&db)
            .await
            .unwrap()
        };
        resolve(&db, Some(&s.session_id), Some("2.2.2.2"), now + 60)
            .await
            .unwrap();
        assert_eq!(seen().await, (now, "1.1.1.1".to_string()));
        let later = now + sessions::LAST_SEEN_EVERY_SECS;
        resolve(&db, Some(&s.session_id), Some("2.2.2.2"), later)
            .await
            .unwrap();
        assert_eq!(seen().await, (later, "2.2.2.2".to_string()));
        let list = sessions::list(&db, s.account.id, &s.session_id, later)
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert!(list[0].current);
        assert_eq!(list[0].client_ip.as_deref(), Some("2.2.2.2"));
        assert_eq!(list[0].browser.as_deref(), Some("Firefox · Linux"));
        assert_ne!(list[0].id, s.session_id);
    }
}
