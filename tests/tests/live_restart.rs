//! Live updates across a gateway restart (issue 15): the tab's stream
//! breaks, mail arrives while the gateway is away (another IMAP client
//! stores it: Postfix defers incoming mail while the gateway's policy
//! service is down), and the stream opened again — as the browser's
//! reconnect does — starts with a snapshot that shows it, so the tab
//! catches up (`FolderState::arrived_since`). Alone in its file: the
//! restart disturbs every test running at the same time.

use std::time::Duration;

use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::live::{EventStream, LiveEvent};
use postern_tests::unique;

#[tokio::test]
async fn after_a_gateway_restart_the_reopened_stream_catches_up() {
    let mut fx = Fixture::new().await;
    let stack = fx.stack;
    let mut tab = EventStream::open(&fx.api, fx.mailbox)
        .await
        .expect("stream");
    let Some(LiveEvent::Snapshot(all)) = tab.next(Duration::from_secs(10)).await else {
        panic!("no snapshot");
    };
    let seen = all.into_iter().find(|f| f.path == "INBOX").unwrap();

    // The restart (SIGUSR2: a fresh process image at once) cuts the
    // stream, and a phone stores a message meanwhile.
    let restart = tokio::spawn(stack.restart_gateway());
    tokio::time::sleep(Duration::from_millis(20)).await;
    fx.append("INBOX", &[], &Mail::new(&unique("while away")).build())
        .await;
    restart.await.unwrap();
    while let Some(e) = tab.next(Duration::from_secs(5)).await {
        assert!(
            e.folder("INBOX").is_none_or(|f| f.total == 0),
            "the old gateway is gone; its stream told {e:?}"
        );
    }

    let mut again = EventStream::open(&fx.api, fx.mailbox)
        .await
        .expect("stream after restart");
    let inbox = again
        .until(
            "the mail that arrived meanwhile",
            Duration::from_secs(10),
            |e| e.folder("INBOX").filter(|f| f.total == 1).cloned(),
        )
        .await;
    assert!(inbox.arrived_since(&seen), "{seen:?} → {inbox:?}");
    assert_eq!(inbox.unread, 1);
}
