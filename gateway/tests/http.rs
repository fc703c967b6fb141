//! Router-level tests without a mail server: edge secret, sessions, the
//! grant check and JSON errors. (Mail routes are covered by the real-stack
//! tests of `tests/`.)

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use postern_gateway::Provisioner;
use postern_gateway::routes::router;
use postern_shared::PermissionSet;
use postern_shared::permissions::Role;
use tower::ServiceExt;

mod common;
use common::{SECRET, offline_state};

async fn app() -> (tempfile::TempDir, axum::Router, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let p = Provisioner::open(dir.path().join("t.sqlite").to_str().unwrap())
        .await
        .unwrap();
    let org = p.create_organization("A", "standard").await.unwrap();
    let other = p.create_organization("B", "standard").await.unwrap();
    let ann = p
        .create_account(org, "ann@a.test", "Ann", "ann-password", Role::Owner)
        .await
        .unwrap();
    let mine = p.create_mailbox(org, "ann@a.test", "Ann").await.unwrap();
    let foreign = p.create_mailbox(other, "bob@b.test", "Bob").await.unwrap();
    p.grant(ann, mine, PermissionSet::all()).await.unwrap();
    let state = offline_state(
        p.db().clone(),
        &dir.path().join("blobs"),
        "http://127.0.0.1:1",
    );
    (dir, router(state), mine, foreign)
}

async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    secret: Option<&str>,
    session: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(s) = secret {
        req = req.header("x-postern-edge-secret", s);
    }
    if let Some(s) = session {
        req = req.header("x-postern-session", s);
    }
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, json)
}

#[tokio::test]
async fn every_request_needs_the_edge_secret_health_included() {
    let (_d, app, _, _) = app().await;
    let (s, j) = call(&app, "GET", "/v1/health", None, None, None).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let (s, _) = call(&app, "GET", "/v1/health", Some("wrong"), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, j) = call(&app, "GET", "/v1/health", Some(SECRET), None, None).await;
    assert_eq!((s, j), (StatusCode::OK, serde_json::json!({"ok": true})));
    let (s, j) = call(&app, "GET", "/v1/nope", Some(SECRET), None, None).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
}

#[tokio::test]
async fn sign_in_me_grant_check_and_sign_out() {
    let (_d, app, mine, foreign) = app().await;
    let (s, j) = call(&app, "GET", "/v1/me", Some(SECRET), None, None).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let (s, j) = call(
        &app,
        "POST",
        "/v1/auth/login",
        Some(SECRET),
        None,
        Some(r#"{"login":"ann@a.test","password":"bad","client_ip":"1.2.3.4"}"#),
    )
    .await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_credentials"))
    );
    let (s, j) = call(
        &app,
        "POST",
        "/v1/auth/login",
        Some(SECRET),
        None,
        Some(r#"{"login":"ann@a.test","password":"ann-password","client_ip":"1.2.3.4"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let sid = j["session_id"].as_str().unwrap().to_string();

    let (s, me) = call(&app, "GET", "/v1/me", Some(SECRET), Some(&sid), None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["organizations"][0]["role"], "owner");
    assert_eq!(me["mailboxes"].as_array().unwrap().len(), 1);
    assert_eq!(me["mailboxes"][0]["id"], mine);

    // Another organisation's mailbox, a missing one, a malformed id: same 403.
    for mb in [foreign.to_string(), "424242".into(), "abc".into()] {
        let (s, j) = call(
            &app,
            "GET",
            &format!("/v1/mailboxes/{mb}/folders"),
            Some(SECRET),
            Some(&sid),
            None,
        )
        .await;
        assert_eq!(
            (s, j["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{mb}"
        );
    }
    // My mailbox passes the grant check; the (absent) mail server is a 503.
    let (s, j) = call(
        &app,
        "GET",
        &format!("/v1/mailboxes/{mine}/folders"),
        Some(SECRET),
        Some(&sid),
        None,
    )
    .await;
    assert_eq!(
        (s, j["code"].as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Some("mail_server_unavailable")
        )
    );
    // Bad bodies are JSON errors too.
    let (s, j) = call(
        &app,
        "POST",
        &format!("/v1/mailboxes/{mine}/messages/move"),
        Some(SECRET),
        Some(&sid),
        Some("{}"),
    )
    .await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );

    let (s, _) = call(
        &app,
        "POST",
        "/v1/auth/logout",
        Some(SECRET),
        Some(&sid),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, j) = call(
        &app,
        "GET",
        "/v1/auth/session",
        Some(SECRET),
        Some(&sid),
        None,
    )
    .await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("session_expired"))
    );
}
