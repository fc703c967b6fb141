//! Router-level tests without a mail server: edge secret, sessions, the
//! grant check and JSON errors. (Mail routes are covered by the real-stack
//! tests of `tests/`.)

use axum::body::Body;
use axum::http::StatusCode;
use postern_gateway::Provisioner;
use postern_gateway::routes::router;
use postern_shared::PermissionSet;
use postern_shared::permissions::Role;

mod common;
use common::{SECRET, call_as, offline_state, v1};
use postern_shared::wire::routes::Route;

async fn app() -> (tempfile::TempDir, axum::Router, i64, i64) {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let dir = t.dir;
    let p = Provisioner::from_db(t.db);
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

/// `(status, JSON body)` of one request (`Null` for an empty body).
async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    secret: Option<&str>,
    session: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let r = match body {
        Some(b) => {
            let json = [("content-type", "application/json")];
            call_as(
                app,
                method,
                uri,
                secret,
                session,
                &json,
                Body::from(b.to_string()),
            )
            .await
        }
        None => call_as(app, method, uri, secret, session, &[], Body::empty()).await,
    };
    let json = if r.body.is_empty() {
        serde_json::Value::Null
    } else {
        r.json()
    };
    (r.status, json)
}

#[tokio::test]
async fn every_request_needs_the_edge_secret_health_included() {
    let (_d, app, _, _) = app().await;
    let (s, j) = call(&app, "GET", &v1(Route::Health, ""), None, None, None).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let (s, _) = call(
        &app,
        "GET",
        &v1(Route::Health, ""),
        Some("wrong"),
        None,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, j) = call(
        &app,
        "GET",
        &v1(Route::Health, ""),
        Some(SECRET),
        None,
        None,
    )
    .await;
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
    let (s, j) = call(&app, "GET", &v1(Route::Me, ""), Some(SECRET), None, None).await;
    assert_eq!(
        (s, j["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthenticated"))
    );
    let (s, j) = call(
        &app,
        "POST",
        &v1(Route::Login, ""),
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
        &v1(Route::Login, ""),
        Some(SECRET),
        None,
        Some(r#"{"login":"ann@a.test","password":"ann-password","client_ip":"1.2.3.4"}"#),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let sid = j["session_id"].as_str().unwrap().to_string();

    let (s, me) = call(
        &app,
        "GET",
        &v1(Route::Me, ""),
        Some(SECRET),
        Some(&sid),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["organizations"][0]["role"], "owner");
    assert_eq!(me["mailboxes"].as_array().unwrap().len(), 1);
    assert_eq!(me["mailboxes"][0]["id"], mine);

    // Another organisation's mailbox, a missing one, a malformed id: same 403.
    // (A literal path: "abc" is not an id the contract could build.)
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
        &v1(Route::ListFolders { mb: mine }, ""),
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
    // So are the live-updates stream and the conversations: a typed error,
    // not a stream that never starts.
    for route in [
        v1(Route::MailboxEvents { mb: mine }, ""),
        v1(Route::ListConversations { mb: mine }, "folder=INBOX"),
    ] {
        let (s, j) = call(&app, "GET", &route, Some(SECRET), Some(&sid), None).await;
        assert_eq!(
            (s, j["code"].as_str()),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Some("mail_server_unavailable")
            ),
            "{route}"
        );
    }
    // Bad bodies are JSON errors too.
    let (s, j) = call(
        &app,
        "POST",
        &v1(Route::MoveMessages { mb: mine }, ""),
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
        &v1(Route::Logout, ""),
        Some(SECRET),
        Some(&sid),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, j) = call(
        &app,
        "GET",
        &v1(Route::GetSession, ""),
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
