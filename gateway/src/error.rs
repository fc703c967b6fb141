//! The gateway's error type: every failure leaves as `shared::ApiError` JSON
//! with the status of its code. Internal details are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use postern_shared::{ApiError, ErrorCode};

use crate::imap::ImapError;

/// An error on its way to the client.
#[derive(Debug)]
pub struct AppError(pub ApiError);

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        AppError(ApiError::new(code, message))
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// A bug or unexpected failure: logged with its detail, answered as `internal`.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        AppError::from(ErrorCode::Internal)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::BadRequest, message)
    }

    /// Adds parameters (see [`ApiError::with`]).
    pub fn with(self, set: impl FnOnce(&mut postern_shared::ErrorParams)) -> Self {
        AppError(self.0.with(set))
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError(ApiError::from(code))
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal(format_args!("database: {e}"))
    }
}

impl From<ImapError> for AppError {
    /// Connection-level failures mean the mail server is unavailable (503).
    /// A `NO`/`BAD` that a route did not handle itself is a bug on our side.
    fn from(e: ImapError) -> Self {
        if e.is_connection_failure() {
            tracing::warn!(error = %e, "mail server unavailable");
            AppError::from(ErrorCode::MailServerUnavailable)
        } else if e
            .no_code()
            .is_some_and(|c| c.eq_ignore_ascii_case("OVERQUOTA"))
        {
            // RFC 9208: Dovecot's quota refused to store (APPEND, COPY, MOVE).
            AppError::from(ErrorCode::MailboxFull)
        } else {
            AppError::internal(format_args!("imap: {e}"))
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.0.retry_after;
        let mut response = (status, axum::Json(self.0)).into_response();
        if let Some(secs) = retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// Turns axum's own rejections (bad JSON, bad query, unknown route) into
/// `ApiError` JSON too, so no client ever sees a plain-text error.
pub async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.is_success() || status.is_redirection() || is_json || status.is_informational() {
        return response;
    }
    let code = match status.as_u16() {
        400 | 422 | 415 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthenticated,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        503 => ErrorCode::MailServerUnavailable,
        _ => ErrorCode::Internal,
    };
    // Axum's rejection text (e.g. which JSON field is missing) helps the caller.
    let detail = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|s| !s.is_empty() && code == ErrorCode::BadRequest);
    let mut err = AppError::from(code);
    if let Some(d) = detail {
        err.0.message = d;
    }
    err.into_response()
}
