//! One gateway process at a time. A stack on PostgreSQL runs several
//! gateways behind the edge, which spreads calls over them; the tests of
//! what must hold *across* processes (a quota, an undo, a sign-out) pick the
//! gateway of each call themselves, and talk to it as the edge does: the
//! edge secret, the session id header, the contract's `/v1` paths.

use postern_shared::api::{GatewayLoginRequest, GatewaySession};
use postern_shared::wire::headers;
use postern_shared::wire::routes::Route;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::{ApiClient, ApiFailure, Stack};

impl Stack {
    /// Panics unless the stack runs at least `n` gateways (the stage of
    /// `cargo xtask test` on PostgreSQL starts two).
    pub fn require_gateways(&self, n: usize) -> &[String] {
        assert!(
            self.gateway_urls.len() >= n,
            "this test needs {n} gateway processes on one database; the stack has {:?} \
             (run it through `cargo xtask test`, stage \"integration on PostgreSQL\")",
            self.gateway_urls
        );
        &self.gateway_urls
    }
}

/// A signed-in caller of one gateway.
pub struct GatewayCaller {
    client: ApiClient,
    pub session: String,
}

impl GatewayCaller {
    /// Signs in at gateway `base` (a new session).
    pub async fn sign_in(base: &str, login: &str, password: &str) -> GatewayCaller {
        let stack = Stack::get();
        let client = ApiClient::with_header(base, headers::EDGE_SECRET, &stack.edge_secret);
        let (method, path) = Route::Login.gateway().expect("login reaches the gateway");
        let body = GatewayLoginRequest {
            login: login.into(),
            password: password.into(),
            client_ip: None,
            user_agent: None,
        };
        let session: GatewaySession =
            ApiClient::send(client.request(reqwest_method(method), &path).json(&body))
                .await
                .unwrap_or_else(|e| panic!("sign-in of {login} at {base} failed: {e}"));
        GatewayCaller {
            client,
            session: session.session_id,
        }
    }

    /// The same session, used at another gateway.
    pub fn at(&self, base: &str) -> GatewayCaller {
        let stack = Stack::get();
        GatewayCaller {
            client: ApiClient::with_header(base, headers::EDGE_SECRET, &stack.edge_secret),
            session: self.session.clone(),
        }
    }

    /// Calls `route` (its `/v1` form) with an optional JSON body.
    pub async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        route: Route,
        body: Option<&B>,
    ) -> Result<T, ApiFailure> {
        let (method, path) = route
            .gateway()
            .unwrap_or_else(|| panic!("{route:?} is answered by the edge"));
        let mut rb = self
            .client
            .request(reqwest_method(method), &path)
            .header(headers::SESSION, &self.session);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        ApiClient::send(rb).await
    }
}

impl GatewayCaller {
    /// `route` with a query string and a raw body (an upload's bytes).
    pub async fn call_raw<T: DeserializeOwned>(
        &self,
        route: Route,
        query: &str,
        body: reqwest::Body,
    ) -> Result<T, ApiFailure> {
        let (method, path) = route
            .gateway()
            .unwrap_or_else(|| panic!("{route:?} is answered by the edge"));
        let rb = self
            .client
            .request(reqwest_method(method), &format!("{path}{query}"))
            .header(headers::SESSION, &self.session)
            .header("content-type", "application/octet-stream")
            .body(body);
        ApiClient::send(rb).await
    }
}

fn reqwest_method(m: postern_shared::wire::Method) -> reqwest::Method {
    reqwest::Method::from_bytes(m.as_str().as_bytes()).expect("an HTTP method")
}

/// One request to a Postfix policy-delegation service at `addr` (what
/// Postfix sends for a client's message), returning the `action=` value.
pub async fn policy_request(addr: &str, attrs: &[(&str, &str)]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .unwrap_or_else(|e| panic!("policy service {addr}: {e}"));
    let mut request = String::new();
    for (k, v) in attrs {
        request.push_str(&format!("{k}={v}\n"));
    }
    request.push('\n');
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap();
    line.trim_end()
        .strip_prefix("action=")
        .unwrap_or_else(|| panic!("policy service {addr} answered {line:?}"))
        .to_string()
}
