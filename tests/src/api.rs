//! An HTTP client that behaves like the browser app: keeps the session
//! cookie, sends the CSRF token on state-changing requests, and turns every
//! non-2xx answer into the shared [`ApiError`] (typed, by code).

use postern_shared::api::{LoginRequest, SessionInfo};
use postern_shared::wire::routes::Route;
use postern_shared::{ApiError, ErrorCode};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;

/// A non-2xx answer (or a 2xx whose body is not what the test expected).
#[derive(Debug, Clone)]
pub struct ApiFailure {
    pub status: u16,
    /// The `ApiError` body; for a body that is not one, code `internal` and
    /// the raw body as message (see `body`).
    pub error: ApiError,
    pub body: String,
}

impl ApiFailure {
    pub fn code(&self) -> ErrorCode {
        self.error.code
    }
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: {} ({})", self.status, self.error, self.body)
    }
}

impl std::error::Error for ApiFailure {}

pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    csrf: Option<String>,
}

impl ApiClient {
    /// A fresh "browser" (empty cookie jar) for `base`, e.g. the edge URL.
    pub fn new(base: &str) -> ApiClient {
        Self::build(base, HeaderMap::new())
    }

    /// Like [`ApiClient::new`], sending `name: value` on every request.
    pub fn with_header(base: &str, name: &str, value: &str) -> ApiClient {
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            HeaderValue::from_str(value).expect("valid header value"),
        );
        Self::build(base, headers)
    }

    fn build(base: &str, headers: HeaderMap) -> ApiClient {
        ApiClient {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .default_headers(headers)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("reqwest client builds"),
            base: base.trim_end_matches('/').to_string(),
            csrf: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The CSRF token of the current session (after [`ApiClient::login`]).
    pub fn csrf_token(&self) -> Option<&str> {
        self.csrf.as_deref()
    }

    /// Overrides the CSRF token (e.g. to test that a wrong one is refused).
    pub fn set_csrf_token(&mut self, token: Option<String>) {
        self.csrf = token;
    }

    /// `POST /api/session`: signs in and keeps cookie and CSRF token.
    pub async fn login(&mut self, login: &str, password: &str) -> Result<SessionInfo, ApiFailure> {
        let body = LoginRequest {
            login: login.to_string(),
            password: password.to_string(),
        };
        let info: SessionInfo = self.post(&Route::Login.path(), &body).await?;
        self.csrf = Some(info.csrf_token.clone());
        Ok(info)
    }

    /// `POST /api/invitations/{token}/account`: creates an account through
    /// an invitation link and keeps its session, like [`ApiClient::login`].
    pub async fn sign_up(
        &mut self,
        token: &str,
        form: &postern_shared::invitations::SignUpRequest,
    ) -> Result<SessionInfo, ApiFailure> {
        let route = Route::SignUp {
            token: token.to_string(),
        };
        let info: SessionInfo = self.post(&route.path(), form).await?;
        self.csrf = Some(info.csrf_token.clone());
        Ok(info)
    }

    /// `DELETE /api/session`.
    pub async fn logout(&mut self) -> Result<(), ApiFailure> {
        self.delete::<()>(&Route::Logout.path()).await?;
        self.csrf = None;
        Ok(())
    }

    /// A request with the CSRF header already set (when we have a token);
    /// finish it with [`ApiClient::send`] or send it yourself.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(token) = &self.csrf {
            rb = rb.header(postern_shared::wire::headers::CSRF_TOKEN, token);
        }
        rb
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        Self::send(self.request(Method::GET, path)).await
    }

    pub async fn post<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        Self::send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn put<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        Self::send(self.request(Method::PUT, path).json(body)).await
    }

    pub async fn patch<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiFailure> {
        Self::send(self.request(Method::PATCH, path).json(body)).await
    }

    pub async fn delete<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        Self::send(self.request(Method::DELETE, path)).await
    }

    /// Sends and decodes: 2xx → `T` (an empty body decodes as JSON `null`,
    /// so `()` works for 204); anything else → [`ApiFailure`].
    pub async fn send<T: DeserializeOwned>(rb: reqwest::RequestBuilder) -> Result<T, ApiFailure> {
        let resp = rb.send().await.map_err(|e| ApiFailure {
            status: 0,
            error: ApiError::new(ErrorCode::Internal, format!("request failed: {e}")),
            body: String::new(),
        })?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            let json: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(json).map_err(|e| ApiFailure {
                status,
                error: ApiError::new(ErrorCode::Internal, format!("unexpected body: {e}")),
                body,
            });
        }
        let error = serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| {
            ApiError::new(ErrorCode::Internal, format!("not an ApiError body: {body}"))
        });
        Err(ApiFailure {
            status,
            error,
            body,
        })
    }
}
