//! A small typed JSON client for `/api/…` (see ARCHITECTURE.md, "Routes").
//!
//! `HttpRequest::get(url).send::<T>().await` → `Result<T, ApiError>`:
//! non-2xx answers are decoded into the server's [`ApiError`]; a network
//! failure becomes a local `gateway_unavailable` error with an empty
//! message (the UI shows a localized text for it). State-changing requests
//! carry `X-CSRF-Token`. Dropping the future (e.g. a resource whose inputs
//! changed, or a component that unmounted) aborts the fetch.

use postern_shared::{ApiError, ErrorCode};
use serde::{Serialize, de::DeserializeOwned};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Remembers the token of the current session (`SessionInfo.csrf_token`).
pub fn set_csrf_token(token: Option<String>) {
    CSRF_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The CSRF token of the current session, for requests made without
/// [`HttpRequest`] (uploads through `XMLHttpRequest`).
pub fn csrf_token() -> Option<String> {
    CSRF_TOKEN.with(|t| t.borrow().clone())
}

/// A local error (no server message): the UI localizes it from the code.
pub fn local_error(code: ErrorCode) -> ApiError {
    ApiError::new(code, "")
}

pub struct HttpRequest {
    method: &'static str,
    url: String,
    body: Option<String>,
    /// Don't send the app to the sign-in page on 401 (session probe, sign-in).
    quiet: bool,
    /// `fetch(…, {keepalive: true})`: survives the page being hidden/unloaded.
    keepalive: bool,
}

/// Aborts the fetch when the request future is dropped before it finished.
struct AbortOnDrop(Option<web_sys::AbortController>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

impl HttpRequest {
    fn new(method: &'static str, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            body: None,
            quiet: false,
            keepalive: false,
        }
    }
    pub fn get(url: impl Into<String>) -> Self {
        Self::new("GET", url)
    }
    pub fn post(url: impl Into<String>) -> Self {
        Self::new("POST", url)
    }
    pub fn put(url: impl Into<String>) -> Self {
        Self::new("PUT", url)
    }
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new("PATCH", url)
    }
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new("DELETE", url)
    }

    pub fn with_json<B: Serialize>(mut self, body: &B) -> Self {
        self.body = serde_json::to_string(body).ok();
        self
    }

    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Lets the request outlive the page (bodies up to 64 KB).
    pub fn keepalive(mut self, on: bool) -> Self {
        self.keepalive = on;
        self
    }

    /// Sends and decodes a JSON answer (`()` accepts an empty 204).
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, ApiError> {
        // One boxed copy of the request logic, not one per answer type.
        let fut: std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, ApiError>>>> =
            Box::pin(self.send_text());
        decode(&fut.await?)
    }

    async fn send_text(self) -> Result<String, ApiError> {
        let quiet = self.quiet;
        let is_health = self.url == "/api/health";
        let result = self.send_inner().await;
        if let Err(e) = &result {
            let auth = matches!(
                e.code,
                ErrorCode::Unauthenticated | ErrorCode::SessionExpired
            );
            // Quiet requests handle 401 themselves; the health poll is the
            // banner's own probe.
            if !(is_health || (quiet && auth)) {
                crate::core::status::report_error(e);
            }
        }
        result
    }

    async fn send_inner(self) -> Result<String, ApiError> {
        let network = || local_error(ErrorCode::GatewayUnavailable);
        let window = web_sys::window().ok_or_else(network)?;
        let init = web_sys::RequestInit::new();
        init.set_method(self.method);
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let headers = web_sys::Headers::new().map_err(|_| network())?;
        let _ = headers.set("Accept", "application/json");
        if let Some(body) = &self.body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(body));
        }
        if self.method != "GET"
            && let Some(token) = csrf_token()
        {
            let _ = headers.set(postern_shared::wire::headers::CSRF_TOKEN, &token);
        }
        init.set_headers(&headers);
        if self.keepalive {
            let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
        }
        let controller = web_sys::AbortController::new().ok();
        if let Some(c) = &controller {
            init.set_signal(Some(&c.signal()));
        }
        let mut guard = AbortOnDrop(controller);

        let resp = JsFuture::from(window.fetch_with_str_and_init(&self.url, &init))
            .await
            .map_err(|_| network())?;
        let resp: web_sys::Response = resp.dyn_into().map_err(|_| network())?;
        let status = resp.status();
        let text = match resp.text() {
            Ok(p) => JsFuture::from(p)
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        // Finished: nothing left to abort.
        guard.0 = None;
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(decode_error(status, &text))
        }
    }
}

/// Decodes a JSON answer; an empty body is `null` (for `()`).
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    let text = if text.trim().is_empty() { "null" } else { text };
    from_json(text).ok_or_else(|| local_error(ErrorCode::Internal))
}

/// `text` decoded as JSON into `T`: in the browser through its own
/// `JSON.parse` and serde-wasm-bindgen, which links no JSON parser into
/// the wasm (serde_json's, natively, for the unit tests).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Option<T> {
    #[cfg(target_arch = "wasm32")]
    {
        serde_wasm_bindgen::from_value(js_sys::JSON::parse(text).ok()?).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).ok()
    }
}

/// The server's `ApiError`, or one derived from the status when the body
/// is not JSON (e.g. a proxy's page).
pub fn decode_error(status: u16, body: &str) -> ApiError {
    from_json::<ApiError>(body).unwrap_or_else(|| {
        local_error(match status {
            400 => ErrorCode::BadRequest,
            401 => ErrorCode::Unauthenticated,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            502..=504 => ErrorCode::GatewayUnavailable,
            _ => ErrorCode::Internal,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_decoded_or_derived_from_the_status() {
        let e = decode_error(
            409,
            r#"{"code":"folder_exists","message":"Already there."}"#,
        );
        assert_eq!(e.code, ErrorCode::FolderExists);
        assert_eq!(e.message, "Already there.");
        let e = decode_error(502, "<html>Bad gateway</html>");
        assert_eq!(e.code, ErrorCode::GatewayUnavailable);
        assert!(e.message.is_empty());
        assert_eq!(decode_error(401, "").code, ErrorCode::Unauthenticated);
    }
}
