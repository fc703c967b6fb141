//! Mailbox storage (R-LIM-5) on the real stack: Dovecot's quota, whose
//! limit is a row (the mailbox's `quota_bytes`, else its offer's), refuses
//! a message that would not fit during the SMTP session (552 5.2.2, from
//! Dovecot's quota-status service asked by Postfix at RCPT), and LMTP
//! refuses it too when asked directly; a small message is accepted; the
//! storage route shows the bytes used and the limit.

use std::time::Duration;

use postern_shared::api::MailboxStorage;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail, provisioner};
use postern_tests::{Stack, unique};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// A limit small enough to cross in a test, a whole number of KiB (the
/// unit Dovecot reports a limit in).
const SMALL_LIMIT: u64 = 64 * 1024;

/// Gives `mailbox` a limit of its own (`None`: its offer's again).
async fn set_quota(mailbox: i64, bytes: Option<u64>) {
    let p = provisioner().await;
    sqlx::query("UPDATE mailboxes SET quota_bytes = $1 WHERE id = $2")
        .bind(bytes.map(|b| b as i64))
        .bind(mailbox)
        .execute(p.db())
        .await
        .expect("set quota_bytes");
    p.db().close().await;
}

async fn storage(fx: &Fixture) -> MailboxStorage {
    fx.api
        .get(&Route::MailboxStorage { mb: fx.mailbox }.path())
        .await
        .expect("GET storage")
}

/// A message of about `bytes` bytes from the internet to `to`.
fn message(to: &str, subject: &str, bytes: usize) -> Vec<u8> {
    let line = "All work and no play makes a quota test a dull test.\n";
    Mail::new(subject)
        .from("someone@internet.test")
        .to(to)
        .date(postern_tests::sending::now())
        .body(&line.repeat(bytes / line.len() + 1))
        .build()
}

fn deliver(stack: &Stack, to: &str, bytes: usize) -> (String, postern_tests::smtp::SmtpOutcome) {
    let subject = unique("quota");
    let data = message(to, &subject, bytes);
    (
        subject,
        stack.smtp_deliver("someone@internet.test", &[to], &data),
    )
}

#[tokio::test]
async fn a_message_over_the_quota_is_refused_at_smtp_time_and_a_small_one_accepted() {
    let fx = Fixture::new().await;
    set_quota(fx.mailbox, Some(SMALL_LIMIT)).await;

    let (small, outcome) = deliver(fx.stack, &fx.address, 2_000);
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &small)
        .await;

    // curl declares SIZE= in MAIL FROM, as mail servers do: refused at
    // RCPT, during the session — no bounce, the sender's server knows.
    let (big, outcome) = deliver(fx.stack, &fx.address, 100 * 1024);
    assert!(!outcome.accepted, "{:?}", outcome.replies);
    assert_eq!(outcome.refusal_code(), Some(552), "{:?}", outcome.replies);
    let refusal = outcome.refusal().unwrap_or_default();
    assert!(refusal.contains("5.2.2"), "{refusal}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        fx.stack
            .find_subject(&fx.address, "INBOX", &big)
            .await
            .is_empty(),
        "not delivered"
    );
    assert_eq!(fx.stack.count(&fx.address, "INBOX").await, 1);

    // What the settings page shows: the small message's bytes, the limit.
    let s = storage(&fx).await;
    assert!(s.used_bytes > 2_000, "{s:?}");
    assert!(s.used_bytes < SMALL_LIMIT, "{s:?}");
    assert_eq!(s.limit_bytes, Some(SMALL_LIMIT));

    // Another small one still fits.
    let (again, outcome) = deliver(fx.stack, &fx.address, 2_000);
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &again)
        .await;
    assert!(storage(&fx).await.used_bytes > s.used_bytes);
}

/// One LMTP transaction to Dovecot, bypassing Postfix (so no quota-status
/// and no SIZE): the reply to the end of DATA.
async fn lmtp_deliver(stack: &Stack, to: &str, data: &[u8]) -> String {
    let stream = TcpStream::connect(&stack.lmtp_addr).await.expect("LMTP");
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    async fn reply(read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
        let mut last = String::new();
        loop {
            let mut line = String::new();
            if read.read_line(&mut line).await.expect("LMTP reply") == 0 {
                return last;
            }
            last = line.trim_end().to_string();
            if last.as_bytes().get(3) != Some(&b'-') {
                return last;
            }
        }
    }
    reply(&mut read).await;
    for cmd in [
        "LHLO test.example".to_string(),
        "MAIL FROM:<someone@internet.test>".to_string(),
        format!("RCPT TO:<{to}>"),
    ] {
        write
            .write_all(format!("{cmd}\r\n").as_bytes())
            .await
            .unwrap();
        let r = reply(&mut read).await;
        assert!(r.starts_with('2'), "{cmd}: {r}");
    }
    write.write_all(b"DATA\r\n").await.unwrap();
    let r = reply(&mut read).await;
    assert!(r.starts_with("354"), "DATA: {r}");
    // Dot-stuffing: no line of the test message starts with a dot.
    write.write_all(data).await.unwrap();
    write.write_all(b"\r\n.\r\n").await.unwrap();
    let done = reply(&mut read).await;
    let _ = write.write_all(b"QUIT\r\n").await;
    done
}

#[tokio::test]
async fn lmtp_refuses_a_delivery_over_the_quota_even_without_a_declared_size() {
    let fx = Fixture::new().await;
    set_quota(fx.mailbox, Some(SMALL_LIMIT)).await;
    let subject = unique("lmtp-quota");
    let done = lmtp_deliver(
        fx.stack,
        &fx.address,
        &message(&fx.address, &subject, 100 * 1024),
    )
    .await;
    assert!(done.starts_with("552 5.2.2"), "{done}");
    let small = unique("lmtp-small");
    let done = lmtp_deliver(fx.stack, &fx.address, &message(&fx.address, &small, 1_000)).await;
    assert!(done.starts_with("250"), "{done}");
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &small)
        .await;
    assert!(
        fx.stack
            .find_subject(&fx.address, "INBOX", &subject)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_limit_is_the_offers_unless_the_mailbox_has_its_own() {
    // R-LIM-5: 20 GB on free (and starter), unlimited on the others.
    let free = Fixture::with_offer("free").await;
    let s = storage(&free).await;
    assert_eq!(s.limit_bytes, Some(20_000_000_000), "{s:?}");
    let standard = Fixture::with_offer("standard").await;
    let (subject, outcome) = deliver(standard.stack, &standard.address, 5_000);
    assert!(outcome.accepted, "{}", outcome.transcript);
    standard
        .stack
        .wait_for_subject(&standard.address, "INBOX", &subject)
        .await;
    let s = storage(&standard).await;
    assert_eq!(s.limit_bytes, None, "unlimited: {s:?}");
    assert!(
        s.used_bytes > 5_000,
        "the bytes are shown all the same: {s:?}"
    );
    // A limit of its own holds from the next session on (the gateway's
    // pooled sessions read their rule when they log in: a fresh mailbox
    // here has none yet).
    let own = Fixture::with_offer("standard").await;
    set_quota(own.mailbox, Some(SMALL_LIMIT)).await;
    assert_eq!(storage(&own).await.limit_bytes, Some(SMALL_LIMIT));
}

#[tokio::test]
async fn storage_needs_a_grant_on_the_mailbox() {
    let fx = Fixture::new().await;
    let other = Fixture::new().await;
    let e = fx
        .api
        .get::<MailboxStorage>(&Route::MailboxStorage { mb: other.mailbox }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
}

#[tokio::test]
async fn the_webmail_says_the_mailbox_is_full_when_dovecot_refuses_to_store() {
    let mut fx = Fixture::new().await;
    set_quota(fx.mailbox, Some(SMALL_LIMIT)).await;
    // Filled past the limit by a session that logged in before it was set
    // (a limit is read at login).
    let filler = message(
        &fx.address,
        &unique("filler"),
        SMALL_LIMIT as usize + 4 * 1024,
    );
    fx.append("INBOX", &[], &filler).await;

    let mut d = postern_tests::sending::draft(&["friend@elsewhere.test"], "No room");
    d.text = "Some text that needs a little room.\n".repeat(200);
    let e = fx
        .api
        .save_draft(fx.mailbox, &d, None)
        .await
        .expect_err("no room for the draft");
    assert_eq!(
        (e.status, e.code()),
        (507, postern_shared::ErrorCode::MailboxFull),
        "{:?}",
        e.error
    );
    assert!(
        fx.stack
            .find_subject(&fx.address, "Drafts", "No room")
            .await
            .is_empty(),
        "nothing half-saved"
    );
}
