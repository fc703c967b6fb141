//! Send and receive logs (R-LOG) on the real stack: mail goes through
//! Postfix, Dovecot and rspamd, the gateway follows their log files, and
//! the Logs route shows each message's fate per recipient.

use std::time::Duration;

use postern_shared::logs::{Direction, LogEntry, LogPage, LogQuery, LogStatus, Reason};
use postern_shared::permissions::Role;
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, Permission, PermissionSet};
use postern_tests::fixtures::{Fixture, Mail, api_path};
use postern_tests::sending::{draft, sink_addresses};
use postern_tests::{ApiClient, eventually, unique};

/// rspamd's "probable spam" test pattern (delivered, filed as spam).
const GTUBE_SPAM: &str = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
/// The standard GTUBE string: refused at the end of data.
const GTUBE_REJECT: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

const WAIT: Duration = Duration::from_secs(30);

async fn logs(
    api: &ApiClient,
    mb: i64,
    q: &LogQuery,
) -> Result<LogPage, postern_tests::ApiFailure> {
    api.get(&api_path(Route::MailboxLogs { mb }, q)).await
}

/// Waits until the mailbox's logs hold an entry for which `pick` is true.
async fn entry(api: &ApiClient, mb: i64, what: &str, pick: impl Fn(&LogEntry) -> bool) -> LogEntry {
    let pick = &pick;
    eventually(what, WAIT, move || async move {
        let page = logs(api, mb, &LogQuery::default()).await.expect("logs");
        page.entries.into_iter().find(|e| pick(e))
    })
    .await
}

fn external(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    Mail::new(subject)
        .from(from)
        .to(to)
        .date(postern_tests::sending::now())
        .body(body)
        .build()
}

#[tokio::test]
async fn mail_to_a_local_mailbox_and_to_the_outside_is_logged_sent_and_received() {
    let fx = Fixture::with_role(Role::Administrator).await;
    let (bob, bob_address) = fx.add_mailbox("bob", Some(PermissionSet::all())).await;
    let outside = sink_addresses(&unique("log"), 1).remove(0);
    let subject = unique("logged");
    fx.api
        .send_now(
            fx.mailbox,
            &draft(&[&bob_address, &outside], &subject),
            None,
        )
        .await
        .expect("sent");

    let local = entry(&fx.api, fx.mailbox, "the local delivery", |e| {
        e.to == bob_address && e.status == LogStatus::Delivered
    })
    .await;
    assert_eq!(local.direction, Direction::Sent);
    assert_eq!(local.from, fx.address);
    assert_eq!(local.subject.as_deref(), Some(subject.as_str()));
    assert!(local.queue_id.is_some() && local.message_id.is_some() && local.size.is_some());
    assert_eq!(
        local.folder, None,
        "the sender is not told the recipient's folder"
    );
    assert_eq!(local.reason, Reason::Delivered);

    let remote = entry(&fx.api, fx.mailbox, "the delivery to the sink", |e| {
        e.to == outside && e.status == LogStatus::Delivered
    })
    .await;
    assert_eq!(remote.direction, Direction::Sent);
    assert_eq!(remote.dsn.as_deref(), Some("2.0.0"));
    assert!(remote.relay.is_some(), "{remote:?}");
    assert_eq!(
        remote.queue_id, local.queue_id,
        "one message, two recipients"
    );

    let received = entry(&fx.api, bob, "bob's received entry", |e| {
        e.subject.as_deref() == Some(subject.as_str())
    })
    .await;
    assert_eq!(received.direction, Direction::Received);
    let (api, id) = (&fx.api, received.id);
    let received = eventually("the folder from Dovecot's line", WAIT, move || async move {
        let page = logs(api, bob, &LogQuery::default()).await.unwrap();
        page.entries
            .into_iter()
            .find(|e| e.id == id && e.folder.is_some())
    })
    .await;
    assert_eq!(received.status, LogStatus::Delivered);
    assert_eq!(received.folder.as_deref(), Some("INBOX"));

    // Search: by direction and time range, exactly the matching rows.
    let sent_only = LogQuery {
        direction: Some(Direction::Sent),
        since: Some(local.at),
        until: Some(local.at + 1),
        ..LogQuery::default()
    };
    let page = logs(&fx.api, fx.mailbox, &sent_only).await.unwrap();
    let mut tos: Vec<_> = page.entries.iter().map(|e| e.to.clone()).collect();
    tos.sort();
    let mut want = vec![bob_address.clone(), outside.clone()];
    want.sort();
    assert_eq!(tos, want);
    let received_only = LogQuery {
        direction: Some(Direction::Received),
        ..sent_only.clone()
    };
    assert!(
        logs(&fx.api, fx.mailbox, &received_only)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let later = LogQuery {
        since: Some(local.at + 1),
        ..sent_only
    };
    assert!(
        logs(&fx.api, fx.mailbox, &later)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    let by_subject = LogQuery {
        q: Some(subject.to_uppercase()),
        ..LogQuery::default()
    };
    assert_eq!(
        logs(&fx.api, bob, &by_subject).await.unwrap().entries.len(),
        1
    );
    assert_eq!(page.retention_days, 20);
}

#[tokio::test]
async fn mail_to_a_local_address_that_does_not_exist_is_refused_and_explained() {
    let fx = Fixture::with_role(Role::Administrator).await;
    let nobody = format!("nobody-{}@{}", unique("x"), fx.domain);
    // Refused at RCPT by Postfix: the send itself may fail; the log says why.
    let _ = fx
        .api
        .send_now(fx.mailbox, &draft(&[&nobody], &unique("nobody")), None)
        .await;
    let e = entry(&fx.api, fx.mailbox, "the refusal", |e| e.to == nobody).await;
    assert_eq!(e.direction, Direction::Sent);
    assert!(
        matches!(e.status, LogStatus::Rejected | LogStatus::Bounced),
        "{e:?}"
    );
    assert_eq!(e.reason, Reason::UnknownRecipient, "{e:?}");
    assert_eq!(e.dsn.as_deref(), Some("5.1.1"));
    assert!(
        e.reply.as_deref().is_some_and(|r| r.contains("5.1.1")),
        "{e:?}"
    );
}

#[tokio::test]
async fn mail_to_a_server_that_does_not_answer_is_deferred_and_explained() {
    // The stack routes `unreachable.test` to a loopback port where nothing
    // listens (postfix main.cf, transport_maps): a receiving server that
    // is down, while the sink keeps serving every other test.
    let fx = Fixture::with_role(Role::Administrator).await;
    let down = format!("{}@unreachable.test", unique("down"));
    let subject = unique("deferred");
    fx.api
        .send_now(fx.mailbox, &draft(&[&down], &subject), None)
        .await
        .expect("accepted for delivery");
    let e = entry(&fx.api, fx.mailbox, "the deferral", |e| e.to == down).await;
    assert_eq!(e.direction, Direction::Sent);
    assert_eq!(e.status, LogStatus::Deferred, "{e:?}");
    assert_eq!(e.reason, Reason::Unreachable, "{e:?}");
    assert_eq!(e.dsn.as_deref(), Some("4.4.1"));
    assert_eq!(e.subject.as_deref(), Some(subject.as_str()));
    assert!(
        e.reply
            .as_deref()
            .is_some_and(|r| r.contains("Connection refused")),
        "{e:?}"
    );
}

#[tokio::test]
async fn spam_from_outside_is_logged_as_filed_as_spam_or_refused() {
    let fx = Fixture::with_role(Role::Administrator).await;
    let spam_subject = unique("spam");
    let data = external(
        "spammer@outside.test",
        &fx.address,
        &spam_subject,
        GTUBE_SPAM,
    );
    let outcome = fx
        .stack
        .smtp_deliver("spammer@outside.test", &[&fx.address], &data);
    assert!(outcome.accepted, "{}", outcome.transcript);
    let (api, mb, s) = (&fx.api, fx.mailbox, spam_subject.as_str());
    let spam = eventually("the spam entry, filed", WAIT, move || async move {
        let page = logs(api, mb, &LogQuery::default()).await.unwrap();
        page.entries
            .into_iter()
            .find(|e| e.subject.as_deref() == Some(s) && e.status == LogStatus::Spam)
    })
    .await;
    assert_eq!(spam.direction, Direction::Received);
    assert_eq!(spam.folder.as_deref(), Some("Junk"));
    assert_eq!(spam.reason, Reason::FiledAsSpam);

    let refused_subject = unique("gtube");
    let data = external(
        "gtube@outside.test",
        &fx.address,
        &refused_subject,
        GTUBE_REJECT,
    );
    let outcome = fx
        .stack
        .smtp_deliver("gtube@outside.test", &[&fx.address], &data);
    assert!(!outcome.accepted);
    let refused = entry(&fx.api, fx.mailbox, "the refused GTUBE message", |e| {
        e.from == "gtube@outside.test"
    })
    .await;
    assert_eq!(refused.direction, Direction::Received);
    assert_eq!(refused.status, LogStatus::Rejected);
    assert_eq!(refused.reason, Reason::RefusedAsSpam, "{refused:?}");
}

#[tokio::test]
async fn only_administrators_and_legal_representatives_with_view_logs_may_read_logs() {
    let without = PermissionSet::all().without(Permission::ViewLogs);
    for (role, perms, ok) in [
        (Role::User, PermissionSet::all(), false),
        (Role::Administrator, without, false),
        (
            Role::LegalRepresentative,
            PermissionSet::empty().with(Permission::ViewLogs),
            true,
        ),
        (Role::Owner, PermissionSet::all(), true),
    ] {
        let fx = Fixture::with_role(role).await;
        let p = postern_tests::fixtures::provisioner().await;
        p.grant(fx.account, fx.mailbox, perms).await.unwrap();
        p.db().close().await;
        let got = logs(&fx.api, fx.mailbox, &LogQuery::default()).await;
        match got {
            Ok(page) => assert!(ok, "{role:?} read logs: {page:?}"),
            Err(e) => {
                assert!(!ok, "{role:?}: {e}");
                assert_eq!(
                    (e.status, e.error.code),
                    (403, ErrorCode::Forbidden),
                    "{role:?}"
                );
            }
        }
        // The service's view follows the role.
        let org = fx
            .api
            .get::<LogPage>(&api_path(
                Route::OrgLogs { org: fx.org },
                &LogQuery::default(),
            ))
            .await;
        assert_eq!(org.is_ok(), role != Role::User, "{role:?}");
    }
    // Another organisation's mailbox, hostile queries.
    let a = Fixture::with_role(Role::Owner).await;
    let b = Fixture::with_role(Role::Owner).await;
    let e = logs(&a.api, b.mailbox, &LogQuery::default())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
    for q in [
        "since=20&until=10",
        "q=%00",
        "before=1;DROP",
        "direction=sideways",
        "since=x",
    ] {
        let e = a
            .api
            .get::<LogPage>(&format!(
                "{}?{q}",
                Route::MailboxLogs { mb: a.mailbox }.path()
            ))
            .await
            .unwrap_err();
        assert_eq!(e.status, 400, "{q}: {e}");
    }
}
