//! The sanitised body of a message is rendered once by the gateway and
//! kept: what is served from the cache is exactly a fresh sanitise of the
//! message, a mailbox never gets another mailbox's body for the same UID,
//! and a message deleted through the webmail takes its bodies with it.

use postern_tests::fixtures::{Fixture, body_path, rfc2822_date};

const T0: i64 = 1_760_000_000;

fn html_message(marker: &str) -> Vec<u8> {
    format!(
        "From: a@sender.test\r\nTo: box@example.test\r\nSubject: {marker}\r\nDate: {}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <p>Only in {marker}</p><script>alert(1)</script>\
         <img src=\"https://tracker.example/{marker}.png\">\r\n",
        rfc2822_date(T0)
    )
    .into_bytes()
}

async fn body(fx: &Fixture, uid: u32, images: bool) -> String {
    let resp = fx
        .api
        .request(reqwest::Method::GET, &body_path(fx.mailbox, uid, images))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.unwrap()
}

/// The cached files whose bytes are exactly `clean`.
fn cached_copies(fx: &Fixture, clean: &str) -> usize {
    let dir = fx.stack.blob_dir.join("cache/html");
    let mut n = 0;
    for sub in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(sub.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if std::fs::read(f.path()).is_ok_and(|b| b == clean.as_bytes()) {
                n += 1;
            }
        }
    }
    n
}

#[tokio::test]
async fn a_cached_body_is_a_fresh_sanitise_of_its_own_mailboxs_message_only() {
    let mut a = Fixture::new().await;
    let mut b = Fixture::new().await;
    let (raw_a, raw_b) = (html_message("alpha"), html_message("bravo"));
    let uid = a.append("INBOX", &[], &raw_a).await;
    assert_eq!(
        b.append("INBOX", &[], &raw_b).await,
        uid,
        "same UID in both"
    );

    let clean_a = postern_render::mime_view::sanitized_body(&raw_a, false).html;
    let first = body(&a, uid, false).await;
    let again = body(&a, uid, false).await;
    assert_eq!(first, again, "the cached answer is the first one");
    assert!(first.contains(&clean_a), "served: {first}");
    assert!(!first.contains("<script") && !first.contains("tracker.example"));
    assert_eq!(cached_copies(&a, &clean_a), 1, "rendered once, kept");

    // Same UID, same folder, another mailbox: its own message.
    let other = body(&b, uid, false).await;
    assert!(
        other.contains("Only in bravo") && !other.contains("alpha"),
        "{other}"
    );
    let clean_b = postern_render::mime_view::sanitized_body(&raw_b, false).html;
    assert!(other.contains(&clean_b));

    // The images choice is its own entry.
    let with_images = body(&a, uid, true).await;
    assert!(with_images.contains("https://tracker.example/alpha.png"));
    assert!(!body(&a, uid, false).await.contains("tracker.example"));
}

#[tokio::test]
async fn a_message_deleted_in_the_webmail_takes_its_rendered_body_along() {
    let mut fx = Fixture::new().await;
    let raw = html_message("charlie");
    let uid = fx.append("INBOX", &[], &raw).await;
    let clean = postern_render::mime_view::sanitized_body(&raw, false).html;
    body(&fx, uid, false).await;
    assert_eq!(cached_copies(&fx, &clean), 1);
    let path = postern_shared::wire::routes::Route::DeleteMessages { mb: fx.mailbox }.path();
    let _: postern_shared::api::MoveResult = fx
        .api
        .post(
            &path,
            &postern_shared::api::DeleteMessagesRequest {
                folder: "INBOX".into(),
                uids: vec![uid],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        cached_copies(&fx, &clean),
        0,
        "the body left with the message"
    );
    // Gone from the folder: no body, not even a cached one.
    let resp = fx
        .api
        .request(reqwest::Method::GET, &body_path(fx.mailbox, uid, false))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

/// The reading view is kept like the body: the second open answers what a
/// fresh parse of the message says, with the flags of the moment (set by
/// another IMAP client in between), and another mailbox's message under
/// the same UID is its own.
#[tokio::test]
async fn a_kept_reading_view_is_its_own_mailboxs_with_the_flags_of_the_moment() {
    let mut a = Fixture::new().await;
    let mut b = Fixture::new().await;
    let (raw_a, raw_b) = (html_message("delta"), html_message("echo"));
    let uid = a.append("INBOX", &[], &raw_a).await;
    assert_eq!(
        b.append("INBOX", &[], &raw_b).await,
        uid,
        "same UID in both"
    );

    let first = a.open("INBOX", uid).await.unwrap();
    assert!(first.seen, "opening marks read");
    assert!(!first.flagged);
    let fresh = postern_render::mime_view::message_view(&raw_a, uid, "INBOX", "\\Seen");
    assert_eq!(first, fresh);

    // Starred by another client: the kept view says so.
    a.imap.select("INBOX").await.unwrap();
    a.imap
        .uid_store(&[uid], "+FLAGS", &["\\Flagged"])
        .await
        .unwrap();
    let again = a.open("INBOX", uid).await.unwrap();
    assert!(again.flagged && again.seen);
    assert_eq!(again.subject, "delta");
    assert_eq!(
        (again.text.clone(), again.attachments.clone()),
        (fresh.text.clone(), fresh.attachments.clone())
    );

    let other = b.open("INBOX", uid).await.unwrap();
    assert_eq!(other.subject, "echo");
    assert!(!other.flagged);
}
