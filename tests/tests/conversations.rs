//! Conversations on the real stack (issue 15): Dovecot's THREAD=REFERENCES
//! groups a folder's messages, the conversation with the newest message
//! comes first, and a reply sent from the webmail (in Sent) joins the
//! conversation of the Inbox message it answers.

use std::time::Duration;

use postern_shared::compose::ReplyKind;
use postern_shared::conversations::{ConversationPage, ConversationQuery};
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail, api_path};
use postern_tests::sending::{draft, original};
use postern_tests::{eventually, unique};

async fn conversations(fx: &Fixture, folder: &str) -> ConversationPage {
    let q = ConversationQuery {
        folder: folder.into(),
        page: 0,
    };
    fx.api
        .get(&api_path(Route::ListConversations { mb: fx.mailbox }, &q))
        .await
        .expect("conversations")
}

#[tokio::test]
async fn a_folder_reads_as_threads_newest_first() {
    let mut fx = Fixture::new().await;
    let tag = unique("thr");
    let root = Mail::new(&format!("Plan {tag}"))
        .from("ann@elsewhere.test")
        .date(1_700_000_000)
        .message_id(&format!("root-{tag}@elsewhere.test"))
        .build();
    let answer = Mail::new(&format!("Re: Plan {tag}"))
        .from("bob@elsewhere.test")
        .date(1_700_000_600)
        .message_id(&format!("answer-{tag}@elsewhere.test"))
        .header(&format!("In-Reply-To: <root-{tag}@elsewhere.test>"))
        .header(&format!("References: <root-{tag}@elsewhere.test>"))
        .build();
    let other = Mail::new(&format!("Lunch {tag}"))
        .from("cy@elsewhere.test")
        .date(1_700_000_300)
        .build();
    let r = fx.append("INBOX", &["\\Seen"], &root).await;
    let o = fx.append("INBOX", &[], &other).await;
    let a = fx.append("INBOX", &[], &answer).await;

    let page = conversations(&fx, "INBOX").await;
    assert_eq!(page.total, 2, "{page:#?}");
    let (first, second) = (&page.conversations[0], &page.conversations[1]);
    // The plan's answer (600) is newer than lunch (300): it comes first.
    assert_eq!(first.subject, format!("Plan {tag}"));
    assert_eq!(
        first
            .messages
            .iter()
            .map(|m| m.message.uid)
            .collect::<Vec<_>>(),
        [r, a],
        "oldest first"
    );
    assert_eq!(
        (first.count, first.unread, first.newest),
        (2, 1, 1_700_000_600)
    );
    assert_eq!(
        first
            .participants
            .iter()
            .map(|p| p.address.as_str())
            .collect::<Vec<_>>(),
        ["ann@elsewhere.test", "bob@elsewhere.test"]
    );
    assert_eq!(second.messages.len(), 1);
    assert_eq!(second.messages[0].message.uid, o);
}

#[tokio::test]
async fn a_reply_sent_from_the_webmail_joins_the_inbox_conversation() {
    let mut fx = Fixture::new().await;
    let tag = unique("rep");
    let subject = format!("Question {tag}");
    let question = Mail::new(&subject)
        .from("ann@elsewhere.test")
        .to(&fx.address)
        .date(postern_tests::sending::now() - 60)
        .message_id(&format!("q-{tag}@elsewhere.test"))
        .build();
    let uid = fx.append("INBOX", &[], &question).await;

    let mut reply = draft(&["ann@elsewhere.test"], &format!("Re: {subject}"));
    reply.original = Some(original("INBOX", uid, ReplyKind::Reply));
    fx.api
        .send_now(fx.mailbox, &reply, None)
        .await
        .expect("send the reply");

    let page = eventually(
        "the reply in the conversation",
        Duration::from_secs(20),
        || async {
            let page = conversations(&fx, "INBOX").await;
            let c = page.conversations.iter().find(|c| c.subject == subject)?;
            (c.count == 2).then(|| page.clone())
        },
    )
    .await;
    let c = page
        .conversations
        .iter()
        .find(|c| c.subject == subject)
        .unwrap();
    assert_eq!(c.messages[0].folder, "INBOX");
    assert_eq!(c.messages[0].message.uid, uid);
    assert_eq!(c.messages[1].folder, "Sent", "{c:#?}");
    assert_eq!(c.messages[1].message.subject, format!("Re: {subject}"));
    assert!(c.participants.iter().any(|p| p.address == fx.address));
    // Sent itself is not joined to anything: its own threads.
    let sent = conversations(&fx, "Sent").await;
    assert!(
        sent.conversations
            .iter()
            .all(|c| c.messages.iter().all(|m| m.folder == "Sent"))
    );
}

#[tokio::test]
async fn another_mailbox_and_a_missing_folder_are_refused() {
    let fx = Fixture::new().await;
    let other = Fixture::new().await;
    let q = ConversationQuery {
        folder: "INBOX".into(),
        page: 0,
    };
    let e = fx
        .api
        .get::<ConversationPage>(&api_path(
            Route::ListConversations { mb: other.mailbox },
            &q,
        ))
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
    let q = ConversationQuery {
        folder: "No such folder".into(),
        page: 0,
    };
    let e = fx
        .api
        .get::<ConversationPage>(&api_path(Route::ListConversations { mb: fx.mailbox }, &q))
        .await
        .unwrap_err();
    assert_eq!(e.code(), postern_shared::ErrorCode::FolderNotFound);
}
