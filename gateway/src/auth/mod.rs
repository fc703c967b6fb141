//! Accounts and sessions: password sign-in with throttling, the session
//! extractor every authenticated route uses.

pub mod password;
pub mod sessions;
pub mod throttle;

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
/// logins), then a new session. `now` is injectable for tests.
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
    let row: Option<(i64, String, String)> =
        sqlx::query_as("SELECT id, display_name, password_hash FROM accounts WHERE login = $1")
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
        Some((id, display_name, _)) if ok => {
            let (session_id, expires_at) = sessions::create(db, id, client_ip, now).await?;
            tracing::info!(account = id, "signed in");
            Ok(GatewaySession {
                session_id,
                expires_at,
                account: AccountSummary {
                    id,
                    login,
                    display_name,
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

/// Resolves a session id into its account, or the precise 401.
pub async fn resolve(
    db: &Db,
    session_id: Option<&str>,
    now: i64,
) -> AppResult<(String, AccountSummary, i64)> {
    let Some(id) = session_id.filter(|s| !s.is_empty()) else {
        return Err(ErrorCode::Unauthenticated.into());
    };
    match sessions::lookup(db, id, now).await? {
        (SessionState::Active { expires_at }, Some(account)) => {
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
        let (session_id, account, expires_at) =
            resolve(&state.db, header, crate::db::now()).await?;
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
        let (_, acc, _) = resolve(&db, Some(&s.session_id), now + 10).await.unwrap();
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
            resolve(&db, Some(&s.session_id), late)
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
            resolve(&db, Some(&s2.session_id), crate::db::now())
                .await
                .unwrap_err()
                .code(),
            ErrorCode::SessionExpired
        );
        assert_eq!(
            resolve(&db, None, now).await.unwrap_err().code(),
            ErrorCode::Unauthenticated
        );
        assert_eq!(
            resolve(&db, Some("zz"), now).await.unwrap_err().code(),
            ErrorCode::SessionExpired
        );
    }
}
