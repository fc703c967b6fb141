//! The stack is up and the edge, the gateway and the database agree.

use postern_shared::ErrorCode;
use postern_shared::wire::routes::Route;
use postern_tests::{DEMO_OWNER, Stack};

#[tokio::test]
async fn edge_health_reports_ok() {
    let stack = Stack::get();
    let health: serde_json::Value = stack
        .client()
        .get(&Route::Health.path())
        .await
        .expect("GET /api/health is 200");
    assert_eq!(health, serde_json::json!({ "ok": true }));
}

#[tokio::test]
async fn wrong_password_is_refused_with_invalid_credentials() {
    let stack = Stack::get();
    let mut client = stack.client();
    let failure = client
        .login(DEMO_OWNER, "not-the-demo-password")
        .await
        .expect_err("a wrong password must not sign in");
    assert_eq!(failure.status, 401, "{failure}");
    assert_eq!(failure.code(), ErrorCode::InvalidCredentials, "{failure}");
    assert!(client.csrf_token().is_none());
}

#[tokio::test]
async fn master_user_reaches_the_demo_mailbox_over_plain_imap() {
    let stack = Stack::get();
    let mut imap = stack.imap(DEMO_OWNER).await;
    let folders = imap.list().await.expect("LIST");
    for special in ["INBOX", "Drafts", "Sent", "Junk", "Trash", "Archive"] {
        assert!(
            folders.iter().any(|f| f == special),
            "{special} missing in {folders:?}"
        );
    }
    imap.logout().await.unwrap();
}
