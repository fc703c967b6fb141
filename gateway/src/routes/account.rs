//! `/v1/account/*`: the signed-in account's own security (R-ID-1) —
//! two-factor sign-in (enrol, confirm, turn off, new recovery codes) and
//! its open sessions. Every route acts on the caller's account only, so
//! the session is the whole permission check. A password or code asked
//! again here is throttled like a sign-in of the account's login.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use postern_shared::ErrorCode;
use postern_shared::account::{
    AccountSecurity, AccountSessions, CodeRequest, DisableTotpRequest, EndedSessions,
    RecoveryCodes, SetLocaleRequest, StartTotpRequest, TotpSetup, UI_LOCALES,
};

use crate::auth::second_factor::{self, check_code, check_totp};
use crate::auth::{Authenticated, CLIENT_IP_HEADER, password, sessions, throttle, totp};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

fn client_ip(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CLIENT_IP_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The throttle of the caller's login: refuse while it is locked.
async fn throttled(state: &AppState, who: &Authenticated, ip: Option<&str>) -> AppResult<()> {
    match throttle::check(&state.db, &who.account.login, ip, crate::db::now()).await? {
        Some(wait) => Err(AppError::from(ErrorCode::TooManyAttempts).with_retry_after(wait)),
        None => Ok(()),
    }
}

/// A failed password or code: counted, then the error.
async fn failed(
    state: &AppState,
    who: &Authenticated,
    ip: Option<&str>,
    code: ErrorCode,
) -> AppError {
    if let Err(e) =
        throttle::record_failure(&state.db, &who.account.login, ip, crate::db::now()).await
    {
        return e.into();
    }
    tracing::info!(account = who.account.id, code = %code, "account security check failed");
    code.into()
}

async fn password_ok(state: &AppState, who: &Authenticated, password_: String) -> AppResult<bool> {
    if password_.len() > 1024 {
        return Ok(false);
    }
    let phc: String = sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(who.account.id)
        .fetch_one(&state.db)
        .await?;
    tokio::task::spawn_blocking(move || password::verify(&password_, &phc))
        .await
        .map_err(AppError::internal)
}

/// (secret set, enabled at, recovery codes left)
async fn two_factor_state(state: &AppState, account: i64) -> AppResult<(bool, Option<i64>, i64)> {
    let (secret, enabled_at): (Option<String>, Option<i64>) =
        sqlx::query_as("SELECT totp_secret, totp_enabled_at FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_one(&state.db)
            .await?;
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account)
    .fetch_one(&state.db)
    .await?;
    Ok((secret.is_some(), enabled_at, left))
}

/// `GET /v1/account/security`.
pub async fn security(
    State(state): State<AppState>,
    who: Authenticated,
) -> AppResult<Json<AccountSecurity>> {
    let (_, enabled_at, left) = two_factor_state(&state, who.account.id).await?;
    Ok(Json(AccountSecurity {
        login: who.account.login,
        two_factor: enabled_at.is_some(),
        two_factor_since: enabled_at,
        recovery_codes_left: if enabled_at.is_some() { left as u32 } else { 0 },
    }))
}

/// `POST /v1/account/totp`: a new secret for an enrolment (the password
/// first). Starting again replaces an unconfirmed secret.
pub async fn start_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    who: Authenticated,
    Json(req): Json<StartTotpRequest>,
) -> AppResult<Json<TotpSetup>> {
    let key = state
        .totp_key
        .clone()
        .ok_or(AppError::from(ErrorCode::TwoFactorUnavailable))?;
    let ip = client_ip(&headers);
    throttled(&state, &who, ip.as_deref()).await?;
    if !password_ok(&state, &who, req.password).await? {
        return Err(failed(&state, &who, ip.as_deref(), ErrorCode::WrongPassword).await);
    }
    let secret = totp::new_secret();
    let sealed = key.seal(who.account.id, &secret);
    let set = sqlx::query(
        "UPDATE accounts SET totp_secret = $1, totp_last_step = NULL
         WHERE id = $2 AND totp_enabled_at IS NULL",
    )
    .bind(&sealed)
    .bind(who.account.id)
    .execute(&state.db)
    .await?
    .rows_affected();
    if set != 1 {
        return Err(ErrorCode::TwoFactorEnabled.into());
    }
    let text = totp::base32(&secret);
    tracing::info!(account = who.account.id, "two-factor enrolment started");
    Ok(Json(TotpSetup {
        otpauth_uri: totp::otpauth_uri(&who.account.login, &text),
        secret: text,
    }))
}

/// `POST /v1/account/totp/confirm`: the first code turns it on and makes
/// the recovery codes.
pub async fn confirm_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    who: Authenticated,
    Json(req): Json<CodeRequest>,
) -> AppResult<Json<RecoveryCodes>> {
    let (secret, enabled_at, _) = two_factor_state(&state, who.account.id).await?;
    if enabled_at.is_some() {
        return Err(ErrorCode::TwoFactorEnabled.into());
    }
    if !secret {
        return Err(ErrorCode::TwoFactorNotEnabled.into());
    }
    let ip = client_ip(&headers);
    throttled(&state, &who, ip.as_deref()).await?;
    let now = crate::db::now();
    let key = state.totp_key.as_deref();
    if !check_totp(&state.db, key, who.account.id, &req.code, now, false).await? {
        return Err(failed(&state, &who, ip.as_deref(), ErrorCode::InvalidSecondFactor).await);
    }
    let on = sqlx::query(
        "UPDATE accounts SET totp_enabled_at = $1
         WHERE id = $2 AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL",
    )
    .bind(now)
    .bind(who.account.id)
    .execute(&state.db)
    .await?
    .rows_affected();
    if on != 1 {
        return Err(ErrorCode::TwoFactorEnabled.into());
    }
    let codes = second_factor::replace_recovery_codes(&state.db, who.account.id, now).await?;
    tracing::info!(account = who.account.id, "two-factor sign-in turned on");
    Ok(Json(RecoveryCodes { codes }))
}

/// `POST /v1/account/totp/disable`: the password and a code.
pub async fn disable_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    who: Authenticated,
    Json(req): Json<DisableTotpRequest>,
) -> AppResult<StatusCode> {
    let (_, enabled_at, _) = two_factor_state(&state, who.account.id).await?;
    if enabled_at.is_none() {
        return Err(ErrorCode::TwoFactorNotEnabled.into());
    }
    let ip = client_ip(&headers);
    throttled(&state, &who, ip.as_deref()).await?;
    if !password_ok(&state, &who, req.password).await? {
        return Err(failed(&state, &who, ip.as_deref(), ErrorCode::WrongPassword).await);
    }
    let now = crate::db::now();
    let key = state.totp_key.as_deref();
    if !check_code(&state.db, key, who.account.id, &req.code, now).await? {
        return Err(failed(&state, &who, ip.as_deref(), ErrorCode::InvalidSecondFactor).await);
    }
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL
         WHERE id = $1",
    )
    .bind(who.account.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(who.account.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM login_challenges WHERE account_id = $1")
        .bind(who.account.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(account = who.account.id, "two-factor sign-in turned off");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/account/totp/recovery-codes`: a code, then ten new codes.
pub async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    headers: HeaderMap,
    who: Authenticated,
    Json(req): Json<CodeRequest>,
) -> AppResult<Json<RecoveryCodes>> {
    let (_, enabled_at, _) = two_factor_state(&state, who.account.id).await?;
    if enabled_at.is_none() {
        return Err(ErrorCode::TwoFactorNotEnabled.into());
    }
    let ip = client_ip(&headers);
    throttled(&state, &who, ip.as_deref()).await?;
    let now = crate::db::now();
    let key = state.totp_key.as_deref();
    if !check_code(&state.db, key, who.account.id, &req.code, now).await? {
        return Err(failed(&state, &who, ip.as_deref(), ErrorCode::InvalidSecondFactor).await);
    }
    let codes = second_factor::replace_recovery_codes(&state.db, who.account.id, now).await?;
    tracing::info!(account = who.account.id, "recovery codes replaced");
    Ok(Json(RecoveryCodes { codes }))
}

/// `GET /v1/account/sessions`.
pub async fn list_sessions(
    State(state): State<AppState>,
    who: Authenticated,
) -> AppResult<Json<AccountSessions>> {
    let sessions =
        sessions::list(&state.db, who.account.id, &who.session_id, crate::db::now()).await?;
    Ok(Json(AccountSessions { sessions }))
}

/// `PUT /v1/account/locale`: the caller's UI language (R-CLI-2), one of
/// `UI_LOCALES`; anything else is 400 `bad_request` (nothing stored).
pub async fn set_locale(
    State(state): State<AppState>,
    who: Authenticated,
    Json(req): Json<SetLocaleRequest>,
) -> AppResult<StatusCode> {
    if !UI_LOCALES.contains(&req.locale.as_str()) {
        return Err(AppError::bad_request(format!(
            "unknown language (one of {})",
            UI_LOCALES.join(", ")
        )));
    }
    sqlx::query("UPDATE accounts SET locale = $1 WHERE id = $2")
        .bind(&req.locale)
        .bind(who.account.id)
        .execute(&state.db)
        .await?;
    tracing::info!(account = who.account.id, locale = %req.locale, "language kept");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/account/sessions/end-others`.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    who: Authenticated,
) -> AppResult<Json<EndedSessions>> {
    let ended =
        sessions::end_others(&state.db, who.account.id, &who.session_id, crate::db::now()).await?;
    tracing::info!(account = who.account.id, ended, "other sessions ended");
    Ok(Json(EndedSessions {
        ended: ended as u32,
    }))
}

/// `DELETE /v1/account/sessions/{id}`: a handle of the caller's list (its
/// own session included: that is a sign-out); another account's or an
/// unknown one is 404.
pub async fn end_session(
    State(state): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    if !sessions::end_by_handle(&state.db, who.account.id, &id, crate::db::now()).await? {
        return Err(ErrorCode::NotFound.into());
    }
    tracing::info!(account = who.account.id, "a session ended");
    Ok(StatusCode::NO_CONTENT)
}
