//! What the edge asks of the gateway, independent of how it is sent.
//! The real client (wasi-http via spin-sdk) is `gateway_client.rs`; tests
//! use an in-memory fake.

use crate::http::EdgeResponse;
use crate::http::Method;
use postern_shared::{ApiError, ErrorCode};
use std::future::Future;

/// One call to the gateway. The client adds `X-Postern-Edge-Secret`,
/// `X-Postern-Session` (when `session` is set) and `X-Postern-Client-Ip`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayRequest {
    pub method: Method,
    /// `/v1/...?...`, already encoded.
    pub path_and_query: String,
    pub session: Option<String>,
    pub client_ip: Option<String>,
    /// JSON body, if any.
    pub body: Option<Vec<u8>>,
    /// Further headers passed on (e.g. `range`, or the `content-length` of
    /// a streamed upload).
    pub headers: Vec<(String, String)>,
}

impl GatewayRequest {
    pub fn new(method: Method, path_and_query: impl Into<String>) -> Self {
        GatewayRequest {
            method,
            path_and_query: path_and_query.into(),
            session: None,
            client_ip: None,
            body: None,
            headers: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayResponse {
    pub status: u16,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl GatewayResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The gateway could not be reached (connection refused, DNS, timeout, a
/// broken body): the caller answers 503 `gateway_unavailable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable(pub String);

pub trait Gateway {
    /// Sends a request and reads the whole answer.
    fn send(
        &self,
        req: GatewayRequest,
    ) -> impl Future<Output = Result<GatewayResponse, Unavailable>>;
}

pub use postern_shared::wire::headers;

// ------------------------------------------------------ reading answers

/// A successful gateway answer, forwarded as JSON (204 stays empty).
pub fn pass_through(resp: GatewayResponse) -> EdgeResponse {
    if resp.status == 204 || resp.body.is_empty() {
        return EdgeResponse::no_content();
    }
    EdgeResponse::json_bytes(resp.status, resp.body)
}

/// The gateway's answer to a JSON route: passed through on success, the
/// error otherwise.
pub fn json_answer(resp: GatewayResponse) -> EdgeResponse {
    if resp.is_success() {
        pass_through(resp)
    } else {
        gateway_error(&resp)
    }
}

/// A gateway error, passed through unchanged when it is an [`ApiError`].
pub fn gateway_error(resp: &GatewayResponse) -> EdgeResponse {
    match serde_json::from_slice::<ApiError>(&resp.body) {
        Ok(_) if resp.status >= 400 && resp.status <= 599 => {
            let mut r = EdgeResponse::json_bytes(resp.status, resp.body.clone());
            if let Some(ra) = resp.header("retry-after") {
                r.set_header("retry-after", ra);
            }
            r
        }
        _ => {
            eprintln!(
                "postern-edge: gateway answered {} without an error body",
                resp.status
            );
            if matches!(resp.status, 502..=504) {
                EdgeResponse::code(ErrorCode::GatewayUnavailable)
            } else {
                EdgeResponse::code(ErrorCode::Internal)
            }
        }
    }
}
