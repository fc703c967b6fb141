//! What the edge asks of the gateway, independent of how it is sent.
//! The real client (wasi-http via spin-sdk) is `gateway_client.rs`; tests
//! use an in-memory fake.

use crate::http::Method;
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

/// Header names the edge sends to the gateway.
pub mod headers {
    pub const EDGE_SECRET: &str = "x-postern-edge-secret";
    pub const SESSION: &str = "x-postern-session";
    pub const CLIENT_IP: &str = "x-postern-client-ip";
    pub const FLAGS: &str = "x-postern-flags";
    pub const FILENAME: &str = "x-postern-filename";
}
