//! The send/receive logs across a gateway restart (R-LOG): the follower's
//! cursor (inode and offset) is in the database, committed with the
//! entries of the lines it read, so a restart — here in the middle of a
//! stream of lines — neither loses nor repeats an entry; and the retention
//! sweep (R-LOG-2), which a gateway runs when it starts, deletes entries
//! past 20 days except an organisation's with the paid option. Alone in
//! its file: the restart disturbs every test running at the same time.

use std::time::Duration;

use postern_shared::permissions::Role;
use postern_tests::fixtures::{Fixture, provisioner};
use postern_tests::{eventually, postfix_log, unique};

/// About three of the follower's 1 MiB steps.
const MESSAGES: usize = 6_000;

async fn counts(mailbox: i64, sender: &str) -> (i64, i64) {
    let p = provisioner().await;
    let row: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT queue_id) FROM mail_log_entries
         WHERE mailbox_id = $1 AND sender = $2",
    )
    .bind(mailbox)
    .bind(sender)
    .fetch_one(p.db())
    .await
    .expect("count entries");
    p.db().close().await;
    row
}

#[tokio::test]
async fn a_gateway_restart_mid_stream_neither_loses_nor_repeats_an_entry() {
    let fx = Fixture::with_role(Role::Administrator).await;
    let stack = fx.stack;
    let tag = unique("r").replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let sender = postfix_log::sender(&tag);
    let stamp = postfix_log::syslog_time(postern_tests::sending::now());
    let log = stack.log("postfix");
    let half = MESSAGES / 2;
    postfix_log::append_received(&log, 0..half, &stamp, &tag, &fx.address).expect("append");
    // The follower is under way: some entries are in, not all.
    let (mb, s) = (fx.mailbox, sender.as_str());
    let seen = eventually(
        "the first entries",
        Duration::from_secs(30),
        || async move {
            let (n, _) = counts(mb, s).await;
            (n > 0).then_some(n)
        },
    )
    .await;
    // Entries from 25 days ago: a free organisation's, and one that pays
    // for 90 days of logs.
    let paying = Fixture::with_role(Role::Administrator).await;
    let p = provisioner().await;
    sqlx::query("UPDATE organizations SET log_retention_days = 90 WHERE id = $1")
        .bind(paying.org)
        .execute(p.db())
        .await
        .unwrap();
    let old = postern_tests::sending::now() - 25 * 86_400;
    for (i, (mailbox, to)) in [(fx.mailbox, &fx.address), (paying.mailbox, &paying.address)]
        .into_iter()
        .enumerate()
    {
        sqlx::query(
            "INSERT INTO mail_log_entries (mailbox_id, message_key, at, updated_at, direction,
                 sender, recipient, status) VALUES ($1, $2, $3, $3, 'received', $4, $5, 'delivered')",
        )
        .bind(mailbox)
        .bind(-(old % 1_000_000) * 10 - i as i64)
        .bind(old)
        .bind(format!("old-{tag}@ingest.test"))
        .bind(to)
        .execute(p.db())
        .await
        .unwrap();
    }
    p.db().close().await;
    stack.restart_gateway().await;
    postfix_log::append_received(&log, half..MESSAGES, &stamp, &tag, &fx.address).expect("append");
    let (n, distinct) = eventually(
        "every entry after the restart",
        Duration::from_secs(120),
        || async move {
            let c = counts(mb, s).await;
            (c.0 >= MESSAGES as i64).then_some(c)
        },
    )
    .await;
    assert!(
        seen < MESSAGES as i64,
        "the restart came after the last line"
    );
    assert_eq!(n, MESSAGES as i64, "no entry repeated");
    assert_eq!(distinct, MESSAGES as i64, "no message lost or doubled");
    let old_sender = format!("old-{tag}@ingest.test");
    let o = old_sender.as_str();
    let (paying_mb, free_mb) = (paying.mailbox, fx.mailbox);
    eventually(
        "the sweep of the free organisation's old entry",
        Duration::from_secs(30),
        || async move { (counts(free_mb, o).await.0 == 0).then_some(()) },
    )
    .await;
    assert_eq!(
        counts(paying_mb, o).await.0,
        1,
        "the paid option keeps 90 days"
    );
    // And the Logs route answers from the restarted gateway.
    let page: postern_shared::logs::LogPage = fx
        .api
        .get(&postern_tests::fixtures::api_path(
            postern_shared::wire::routes::Route::MailboxLogs { mb: fx.mailbox },
            &postern_shared::logs::LogQuery {
                q: Some(sender.clone()),
                ..Default::default()
            },
        ))
        .await
        .expect("logs after the restart");
    assert!(!page.entries.is_empty());
}
