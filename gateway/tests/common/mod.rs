//! What the router-level tests share: the gateway's state over a scratch
//! database with no mail server behind it, and one way to call its router.
#![allow(dead_code)] // each test file uses its part

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use postern_shared::wire::routes::{Route, with_query};
use tower::ServiceExt;

use postern_gateway::config::{ImapConfig, SendingConfig};
use postern_gateway::db::Db;
use postern_gateway::imap::Pool;
use postern_gateway::state::AppState;
use std::path::Path;
use std::sync::Arc;

/// The edge's shared secret in these tests.
pub const SECRET: &str = "test-edge-secret-0123456789";

/// Nothing listens on the IMAP and submission addresses: mail routes
/// answer 503 (`mail_server_unavailable`). Blobs go under `blob_dir`.
pub fn offline_state(db: Db, blob_dir: &Path, public_url: &str) -> AppState {
    let imap = ImapConfig {
        addr: "127.0.0.1:1".into(),
        tls: false,
        master_user: "m".into(),
        master_password: "p".into(),
        mail_root: None,
    };
    AppState {
        db,
        imap: Pool::new(imap.clone()),
        live: Arc::new(postern_gateway::live::Live::new(imap)),
        conversations: Arc::default(),
        lists: Arc::new(postern_gateway::imap::ListCache::new()),
        bodies: Arc::new(postern_gateway::body_cache::BodyCache::open(
            blob_dir.join("cache/html"),
            postern_gateway::body_cache::DEFAULT_BUDGET,
        )),
        edge_secret: SECRET.as_bytes().into(),
        sending: Arc::new(SendingConfig {
            submission_addr: "127.0.0.1:1".into(),
            submission_ca: None,
            submission_tls_name: "localhost".into(),
            policy_addr: None,
            milter_addr: None,
            blob_dir: blob_dir.to_string_lossy().into_owned(),
            public_url: public_url.into(),
            transfer_days: 30,
        }),
        devices: Arc::new(postern_gateway::devices::Devices::new(
            postern_gateway::config::DevicesConfig {
                mail_host: "mail.example.test".into(),
                imaps_port: 993,
                submission_port: 587,
                submissions_port: 465,
                imap_port: 143,
                pop3s_port: 995,
                pop3_port: 110,
                dovecot_conf: None,
                dovecot_log: None,
            },
        )),
        totp_key: Some(Arc::new(postern_gateway::auth::totp::SecretKey::new(
            &[1; 32],
        ))),
        spam: Arc::new(postern_gateway::spam::Scripts::none()),
        learner: Arc::new(postern_gateway::spam::learn::Learner::none()),
        dpa: Arc::new(postern_gateway::dpa::Dpa::new(
            &postern_gateway::dpa::DpaConfig {
                processor: Some(postern_gateway::dpa::ProcessorConfig {
                    name: "Test Hosting S.L.".into(),
                    address: vec!["Calle 1".into(), "28001 Madrid".into()],
                    contact: "privacy@host.test".into(),
                    signatory: "Lucía Fernández, DPO".into(),
                    jurisdiction: "en=Spain;es=España".into(),
                    service: "Postern".into(),
                    subprocessors: Vec::new(),
                }),
                font_dir: postern_gateway::dpa::DEFAULT_FONT_DIR.into(),
            },
        )),
    }
}

/// The gateway path of `route` (the contract's `/v1` side) with `query`.
pub fn v1(route: Route, query: &str) -> String {
    let (_, path) = route.gateway().expect("a route with a gateway side");
    with_query(path, query)
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_string()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One request through the router with the edge secret (as the edge
/// sends it) and, when given, a session.
pub async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    session: Option<&str>,
    headers: &[(&str, &str)],
    body: Body,
) -> Reply {
    call_as(app, method, uri, Some(SECRET), session, headers, body).await
}

/// [`call`] with any edge secret (or none).
pub async fn call_as(
    app: &axum::Router,
    method: &str,
    uri: &str,
    secret: Option<&str>,
    session: Option<&str>,
    headers: &[(&str, &str)],
    body: Body,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(s) = secret {
        req = req.header(postern_shared::wire::headers::EDGE_SECRET, s);
    }
    if let Some(s) = session {
        req = req.header(postern_shared::wire::headers::SESSION, s);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}
