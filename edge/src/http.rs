//! Host-independent HTTP types: the request the component hands to the
//! logic, the response the logic hands back, and the small helpers both need
//! (JSON errors, security headers). Query strings and percent-encoding are
//! the shared wire contract's (`postern_shared::wire::query`, `format`).
//!
//! Keeping these plain structs (rather than spin-sdk types) is what lets the
//! whole edge be unit-tested natively.

use postern_shared::{ApiError, ErrorCode};
use serde::Serialize;

/// The app shell's Content-Security-Policy (ARCHITECTURE.md, "Security headers").
pub const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
    Options,
    Other(String),
}

impl From<postern_shared::wire::Method> for Method {
    fn from(m: postern_shared::wire::Method) -> Self {
        use postern_shared::wire::Method as M;
        match m {
            M::Get => Method::Get,
            M::Head => Method::Head,
            M::Post => Method::Post,
            M::Put => Method::Put,
            M::Patch => Method::Patch,
            M::Delete => Method::Delete,
        }
    }
}

impl Method {
    /// The contract's methods, plus what a browser may send besides.
    pub fn parse(s: &str) -> Method {
        match postern_shared::wire::Method::parse(s) {
            Some(m) => m.into(),
            None if s.eq_ignore_ascii_case("OPTIONS") => Method::Options,
            None => Method::Other(s.to_ascii_uppercase()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Other(s) => s,
        }
    }

    /// Methods that change state and therefore need a CSRF token.
    pub fn is_state_changing(&self) -> bool {
        !matches!(self, Method::Get | Method::Head | Method::Options)
    }
}

/// An incoming browser request, body already read (and size-limited).
#[derive(Debug, Clone)]
pub struct EdgeRequest {
    pub method: Method,
    /// Raw (still percent-encoded) path, without the query.
    pub path: String,
    /// Raw query string without `?` (empty when absent).
    pub query: String,
    /// Header names in lower case; repeated headers appear repeatedly.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl EdgeRequest {
    /// Splits `path?query`.
    pub fn new(method: Method, path_and_query: &str) -> Self {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, q),
            None => (path_and_query, ""),
        };
        EdgeRequest {
            method,
            path: if path.is_empty() { "/" } else { path }.to_string(),
            query: query.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// First value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the browser reached us over HTTPS (directly or via a proxy).
    pub fn is_https(&self) -> bool {
        self.header("x-forwarded-proto")
            .and_then(|v| v.split(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    }

    /// The client address: the first entry of `X-Forwarded-For` when a
    /// trusted proxy sets it (`trust_forwarded_for`), else the address Spin
    /// reports (`spin-client-addr`), else none. Only values that parse as IP
    /// addresses are used, so nothing odd reaches the gateway.
    pub fn client_ip(&self, trust_forwarded_for: bool) -> Option<String> {
        let forwarded = trust_forwarded_for
            .then(|| self.header("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .and_then(parse_ip);
        forwarded.or_else(|| self.header("spin-client-addr").and_then(parse_ip))
    }
}

/// Accepts `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:5678`.
fn parse_ip(s: &str) -> Option<String> {
    use std::net::{IpAddr, SocketAddr};
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_string());
    }
    s.parse::<SocketAddr>().ok().map(|a| a.ip().to_string())
}

/// A response the component writes out as is.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl EdgeResponse {
    /// An empty response with the security headers every answer carries.
    pub fn new(status: u16) -> Self {
        EdgeResponse {
            status,
            headers: vec![
                ("content-security-policy".into(), APP_CSP.into()),
                ("x-content-type-options".into(), "nosniff".into()),
                ("referrer-policy".into(), "no-referrer".into()),
            ],
            body: Vec::new(),
        }
    }

    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Self::json_bytes(status, body),
            Err(_) => Self::error(ErrorCode::Internal.into()),
        }
    }

    /// Already-serialised JSON (e.g. passed through from the gateway).
    pub fn json_bytes(status: u16, body: Vec<u8>) -> Self {
        let mut r = Self::new(status)
            .with_header("content-type", "application/json")
            .with_header("cache-control", "no-store");
        r.body = body;
        r
    }

    pub fn error(err: ApiError) -> Self {
        let status = err.http_status();
        let mut r = Self::json(status, &err);
        if let Some(secs) = err.retry_after {
            r.set_header("retry-after", &secs.to_string());
        }
        r
    }

    pub fn code(code: ErrorCode) -> Self {
        Self::error(code.into())
    }

    pub fn no_content() -> Self {
        Self::new(204).with_header("cache-control", "no-store")
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Replaces every header of that name.
    pub fn set_header(&mut self, name: &str, value: &str) {
        let name = name.to_ascii_lowercase();
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.to_string()));
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ip_uses_forwarded_for_only_behind_a_trusted_proxy() {
        let r = EdgeRequest::new(Method::Get, "/")
            .with_header("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
            .with_header("spin-client-addr", "127.0.0.1:5555");
        assert_eq!(r.client_ip(true).as_deref(), Some("203.0.113.7"));
        // Untrusted: a forged header must not replace the real peer.
        assert_eq!(r.client_ip(false).as_deref(), Some("127.0.0.1"));
        let r = EdgeRequest::new(Method::Get, "/").with_header("spin-client-addr", "[::1]:80");
        assert_eq!(r.client_ip(true).as_deref(), Some("::1"));
        let r = EdgeRequest::new(Method::Get, "/").with_header("x-forwarded-for", "<script>");
        assert_eq!(r.client_ip(true), None);
    }

    #[test]
    fn every_response_carries_the_security_headers() {
        let r = EdgeResponse::code(ErrorCode::NotFound);
        assert_eq!(r.status, 404);
        assert_eq!(r.header("content-security-policy"), Some(APP_CSP));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["code"], "not_found");
    }
}
