//! The harness's plain IMAP client against the real Dovecot: what other
//! tests rely on to check the gateway's work from the outside.

use postern_tests::{DEMO_OWNER, Stack, unique};

fn mailbox() -> String {
    std::env::var("POSTERN_TEST_IMAP_MAILBOX").unwrap_or_else(|_| DEMO_OWNER.to_string())
}

#[tokio::test]
async fn append_search_store_and_fetch_round_trip() {
    let stack = Stack::get();
    let mut imap = stack.imap(&mailbox()).await;
    // A folder of its own (with a non-ASCII name) so the demo data stays as it is.
    let folder = format!("Prüfung-{}", unique("h"));
    imap.create(&folder).await.expect("CREATE");
    assert!(imap.list().await.unwrap().contains(&folder));

    let msg = b"From: a@example.test\r\nTo: b@example.test\r\nSubject: harness\r\n\r\nhello\r\n";
    let uid = imap
        .append(&folder, &["\\Seen"], msg)
        .await
        .expect("APPEND");
    let sel = imap.select(&folder).await.expect("SELECT");
    assert_eq!(sel.exists, 1);
    assert!(sel.uidnext > uid);

    assert_eq!(imap.uid_search("ALL").await.unwrap(), vec![uid]);
    assert_eq!(imap.uid_search("UNSEEN").await.unwrap(), Vec::<u32>::new());
    imap.uid_store(&[uid], "+FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    imap.uid_store(&[uid], "-FLAGS", &["\\Seen"]).await.unwrap();
    let flags = imap.flags(uid).await.unwrap();
    assert_eq!(flags, vec!["\\Flagged".to_string()]);
    assert_eq!(imap.fetch_raw(uid).await.unwrap(), msg.to_vec());

    imap.command("CLOSE").await.unwrap();
    imap.command(&format!(
        "DELETE {}",
        postern_tests::imap::quote(&postern_tests::imap::encode_mutf7(&folder))
    ))
    .await
    .expect("DELETE");
    imap.logout().await.unwrap();
}
