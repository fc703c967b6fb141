//! Live updates on the real stack (issue 15): a tab's event stream
//! (`GET /api/mailboxes/{mb}/events` through the edge) hears what any
//! client does — Postfix delivering, another IMAP client setting a flag,
//! expunging, creating a folder — within about a second; two tabs of one
//! mailbox share one IMAP connection (counted by Dovecot itself); the
//! stream needs a session and a grant.

use std::time::Duration;

use postern_shared::ErrorCode;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::live::{EventStream, LiveEvent};
use postern_tests::{Stack, eventually, unique};

const SOON: Duration = Duration::from_secs(10);

async fn stream(fx: &Fixture) -> EventStream {
    EventStream::open(&fx.api, fx.mailbox)
        .await
        .unwrap_or_else(|(status, body)| panic!("no stream: {status} {body}"))
}

/// The stream's first event: every folder.
async fn snapshot(s: &mut EventStream) -> Vec<postern_shared::live::FolderState> {
    match s.next(SOON).await {
        Some(LiveEvent::Snapshot(all)) => all,
        other => panic!("expected the snapshot first, got {other:?}"),
    }
}

/// Dovecot's IMAP connections of `address` (`doveadm who -1`).
fn imap_connections(stack: &Stack, address: &str) -> usize {
    stack
        .doveadm(&["who", "-1", address])
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("imap"))
        .count()
}

#[tokio::test]
async fn mail_delivered_by_postfix_is_told_within_seconds() {
    let fx = Fixture::new().await;
    let mut s = stream(&fx).await;
    let all = snapshot(&mut s).await;
    // A new mailbox's INBOX is made by its first delivery.
    let inbox = all.iter().find(|f| f.path == "INBOX").cloned();
    assert!(inbox.as_ref().is_none_or(|f| f.total == 0), "{inbox:?}");
    let subject = unique("live delivery");
    let data = Mail::new(&subject)
        .from("someone@internet.test")
        .to(&fx.address)
        .build();
    let sent = std::time::Instant::now();
    let outcome = fx
        .stack
        .smtp_deliver("someone@internet.test", &[&fx.address], &data);
    assert!(outcome.accepted, "{}", outcome.transcript);
    let now = s
        .until("the delivery", SOON, |e| {
            e.folder("INBOX").filter(|f| f.total == 1).cloned()
        })
        .await;
    assert_eq!(now.unread, 1);
    if let Some(inbox) = inbox {
        assert!(now.arrived_since(&inbox) && now.messages_changed(&inbox));
    }
    eprintln!(
        "delivery told {:?} after Postfix accepted it",
        sent.elapsed()
    );
}

#[tokio::test]
async fn flags_and_expunges_by_another_client_are_told() {
    let mut fx = Fixture::new().await;
    let a = fx.append("INBOX", &[], &Mail::new("one").build()).await;
    fx.append("INBOX", &[], &Mail::new("two").build()).await;
    let mut s = stream(&fx).await;
    let before = snapshot(&mut s)
        .await
        .into_iter()
        .find(|f| f.path == "INBOX")
        .unwrap();
    assert_eq!((before.total, before.unread), (2, 2));

    // A phone marks one read: the unread count falls, the total stays.
    fx.imap.select("INBOX").await.unwrap();
    fx.imap
        .uid_store(&[a], "+FLAGS", &["\\Seen"])
        .await
        .unwrap();
    let read = s
        .until("the \\Seen flag", SOON, |e| {
            e.folder("INBOX").filter(|f| f.unread == 1).cloned()
        })
        .await;
    assert_eq!(read.total, 2);
    assert!(read.modseq > before.modseq);

    // A star changes no count, only the folder's modseq: still told.
    fx.imap
        .uid_store(&[a], "+FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    let starred = s
        .until("the \\Flagged flag", SOON, |e| {
            e.folder("INBOX")
                .filter(|f| f.modseq > read.modseq)
                .cloned()
        })
        .await;
    assert_eq!((starred.total, starred.unread), (2, 1));

    // Deleted for good elsewhere: the total falls.
    fx.imap
        .uid_store(&[a], "+FLAGS", &["\\Deleted"])
        .await
        .unwrap();
    fx.imap.expunge().await.unwrap();
    let gone = s
        .until("the expunge", SOON, |e| {
            e.folder("INBOX").filter(|f| f.total == 1).cloned()
        })
        .await;
    assert_eq!(gone.unread, 1);
}

#[tokio::test]
async fn a_folder_made_elsewhere_is_told_as_a_new_tree() {
    let mut fx = Fixture::new().await;
    let mut s = stream(&fx).await;
    snapshot(&mut s).await;
    let name = unique("Made elsewhere").replace(' ', "-");
    fx.imap.create(&name).await.unwrap();
    let tree = s
        .until("the new folder", SOON, |e| match e {
            LiveEvent::Tree(all) => Some(all.clone()),
            _ => None,
        })
        .await;
    assert!(
        tree.iter().any(|f| f.path == name && f.total == 0),
        "{tree:?}"
    );
    assert!(tree.iter().any(|f| f.path == "INBOX"));
}

#[tokio::test]
async fn two_tabs_share_one_imap_connection_which_ends_with_the_last() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let before = imap_connections(stack, &fx.address);
    let mut first = stream(&fx).await;
    snapshot(&mut first).await;
    let mut second = stream(&fx).await;
    snapshot(&mut second).await;
    assert_eq!(
        imap_connections(stack, &fx.address),
        before + 1,
        "two open tabs of one mailbox: one watcher connection"
    );
    // Both hear the same change.
    let data = Mail::new(&unique("both tabs")).to(&fx.address).build();
    assert!(
        stack
            .smtp_deliver("a@internet.test", &[&fx.address], &data)
            .accepted
    );
    for s in [&mut first, &mut second] {
        s.until("the delivery", SOON, |e| {
            e.folder("INBOX").filter(|f| f.total == 1).map(|_| ())
        })
        .await;
    }
    drop(first);
    drop(second);
    // The edge notices a closed tab at the next heartbeat; the gateway's
    // watcher logs out when its last stream is gone.
    eventually(
        "the watcher's connection closed",
        Duration::from_secs(3 * postern_shared::live::HEARTBEAT_SECONDS + 10),
        || async { (imap_connections(stack, &fx.address) == before).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn the_stream_needs_a_session_and_a_grant() {
    let fx = Fixture::new().await;
    let other = Fixture::new().await;
    let (status, body) = match EventStream::open(&fx.api, other.mailbox).await {
        Ok(_) => panic!("another organisation's mailbox streamed"),
        Err(e) => e,
    };
    assert_eq!(status, 403, "{body}");
    let e: postern_shared::ApiError = serde_json::from_str(&body).expect("a typed JSON error");
    assert_eq!(e.code, ErrorCode::Forbidden);

    let anonymous = fx.stack.client();
    let (status, body) = match EventStream::open(&anonymous, fx.mailbox).await {
        Ok(_) => panic!("a stream without a session"),
        Err(e) => e,
    };
    assert_eq!(status, 401, "{body}");
    let _ = Route::MailboxEvents { mb: fx.mailbox };
}
