//! The harness can restart Dovecot mid-test. Alone in its file: test files
//! run one after another, so no other test sees Dovecot go away.

use postern_tests::{DEMO_OWNER, Stack};

fn mailbox() -> String {
    std::env::var("POSTERN_TEST_IMAP_MAILBOX").unwrap_or_else(|_| DEMO_OWNER.to_string())
}

#[tokio::test]
async fn restarting_dovecot_drops_sessions_and_comes_back() {
    let stack = Stack::get();
    let mut before = stack.imap(&mailbox()).await;
    before
        .select("INBOX")
        .await
        .expect("SELECT before the restart");

    stack.restart_dovecot().await;

    assert!(
        before.command("NOOP").await.is_err(),
        "a session from before the restart must be gone"
    );
    let mut after = stack.imap(&mailbox()).await;
    after
        .select("INBOX")
        .await
        .expect("SELECT after the restart");
    after.logout().await.unwrap();
}
