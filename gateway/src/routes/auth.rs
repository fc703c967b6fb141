//! `/v1/auth/*`: sign-in, session check, sign-out.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use postern_shared::account::SecondFactorRequest;
use postern_shared::api::{GatewayLoginRequest, GatewaySession};

use crate::auth::{self, Authenticated, CLIENT_IP_HEADER};
use crate::error::AppResult;
use crate::state::AppState;

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(mut req): Json<GatewayLoginRequest>,
) -> AppResult<Json<GatewaySession>> {
    if req.client_ip.is_none() {
        req.client_ip = headers
            .get(CLIENT_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
    }
    Ok(Json(auth::login(&state.db, req, crate::db::now()).await?))
}

pub async fn session(who: Authenticated) -> Json<GatewaySession> {
    Json(GatewaySession {
        session_id: who.session_id,
        expires_at: who.expires_at,
        account: who.account,
    })
}

pub async fn logout(State(state): State<AppState>, who: Authenticated) -> AppResult<StatusCode> {
    auth::sessions::revoke(&state.db, &who.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/auth/login/second-factor`: the code after the password.
pub async fn login_second_factor(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(req): Json<SecondFactorRequest>,
) -> AppResult<Json<GatewaySession>> {
    let client_ip = headers
        .get(CLIENT_IP_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty());
    Ok(Json(
        auth::second_factor::complete(
            &state.db,
            state.totp_key.as_deref(),
            &req.pending,
            &req.code,
            client_ip,
            crate::db::now(),
        )
        .await?,
    ))
}
