//! Lines into rows on a real database (either backend): a log written in
//! pieces, read by steps that may stop anywhere, gives each entry once.

use std::io::Write;
use std::path::Path;

use postern_shared::logs::{Direction, LogQuery, LogStatus, Reason};
use postern_shared::permissions::Role;
use postern_shared::{ErrorCode, Permission, PermissionSet};

use super::ingest::{self, Source};
use super::routes::{Scope, may_view, search};
use super::*;
use crate::db::testing::TestDb;
use crate::provision::Provisioner;

/// 2026-12-02T05:00:00Z
const NOW: i64 = 1_796_187_600;

fn append(path: &Path, s: &str) {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
        .write_all(s.as_bytes())
        .unwrap();
}

struct Fx {
    t: TestDb,
    ann_mb: i64,
    bob_mb: i64,
    ann: i64,
    org: i64,
    files: LogFiles,
}

async fn fixture() -> Fx {
    let t = TestDb::new().await;
    let p = Provisioner::from_db(t.db.clone());
    let org = p.create_organization("A", "standard").await.unwrap();
    let ann = p
        .create_account(org, "ann@a.test", "Ann", "pw-ann-123", Role::Administrator)
        .await
        .unwrap();
    let ann_mb = p.create_mailbox(org, "ann@a.test", "Ann").await.unwrap();
    let bob_mb = p.create_mailbox(org, "bob@a.test", "Bob").await.unwrap();
    p.grant(ann, ann_mb, PermissionSet::all()).await.unwrap();
    let files = LogFiles {
        postfix: Some(t.dir.path().join("postfix.log")),
        dovecot: Some(t.dir.path().join("dovecot.log")),
    };
    Fx {
        t,
        ann_mb,
        bob_mb,
        ann,
        org,
        files,
    }
}

/// Ann → Bob (local, filed as spam by Bob's script), Ann → outside
/// (deferred, then delivered), Ann → nobody (refused at RCPT), outside →
/// Bob (GTUBE, refused by rspamd's milter).
const POSTFIX: &str = "\
Dec 02 04:40:01 mx postfix/smtpd[812]: 4ABC123DE: client=localhost[127.0.0.1], sasl_method=XCLIENT, sasl_username=ann@a.test
Dec 02 04:40:01 mx postfix/cleanup[815]: 4ABC123DE: message-id=<m1@a.test>
Dec 02 04:40:01 mx postfix/qmgr[790]: 4ABC123DE: from=<ann@a.test>, size=512, nrcpt=2 (queue active)
Dec 02 04:40:01 mx postfix/lmtp[817]: 4ABC123DE: to=<bob@a.test>, relay=127.0.0.1[127.0.0.1]:20024, delay=0.1, delays=0.05/0/0.02/0.03, dsn=2.0.0, status=sent (250 2.0.0 <bob@a.test> Hx4fOq Saved)
Dec 02 04:40:02 mx postfix/smtp[818]: 4ABC123DE: to=<carol@outside.test>, relay=none, delay=1, delays=0.05/0/1/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:20026: Connection refused)
Dec 02 04:41:00 mx postfix/smtpd[812]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <nobody@a.test>: Recipient address rejected: User unknown in virtual mailbox table; from=<ann@a.test> to=<nobody@a.test> proto=ESMTP helo=<h>
Dec 02 04:42:00 mx postfix/smtpd[900]: 5FFF000: client=unknown[127.0.0.1]
Dec 02 04:42:00 mx postfix/cleanup[815]: 5FFF000: milter-reject: END-OF-MESSAGE from unknown[127.0.0.1]: 5.7.1 Gtube pattern; from=<spammer@outside.test> to=<bob@a.test> proto=ESMTP helo=<x>
Dec 02 04:45:00 mx postfix/smtp[818]: 4ABC123DE: to=<carol@outside.test>, relay=127.0.0.1[127.0.0.1]:20026, delay=299, delays=298/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 77)
Dec 02 04:45:00 mx postfix/qmgr[790]: 4ABC123DE: removed
";

const DOVECOT: &str = "\
2026-12-02T04:40:01 lmtp(bob@a.test)<817><Hx4fOq><dev=>: Info: sieve: msgid=<m1@a.test>: fileinto action: stored mail into mailbox 'Junk'
";

async fn all(fx: &Fx, mb: i64) -> Vec<postern_shared::logs::LogEntry> {
    search(&fx.t.db, Scope::Mailbox(mb), &LogQuery::default(), 20, NOW)
        .await
        .unwrap()
        .entries
}

#[tokio::test]
async fn each_message_s_life_is_one_entry_per_recipient_with_its_status_and_reason() {
    let fx = fixture().await;
    append(fx.files.postfix.as_ref().unwrap(), POSTFIX);
    append(fx.files.dovecot.as_ref().unwrap(), DOVECOT);
    let read = follow_once(&fx.t.db, &fx.files, NOW).await.unwrap();
    assert_eq!(read, POSTFIX.lines().count() + DOVECOT.lines().count());

    let ann = all(&fx, fx.ann_mb).await;
    let by_to = |to: &str| {
        ann.iter()
            .find(|e| e.to == to)
            .unwrap_or_else(|| panic!("{to}: {ann:#?}"))
    };
    assert_eq!(ann.len(), 3, "{ann:#?}");
    let local = by_to("bob@a.test");
    assert_eq!(local.direction, Direction::Sent);
    assert_eq!(local.status, LogStatus::Delivered);
    assert_eq!(
        local.folder, None,
        "the sender is not told the recipient's folder"
    );
    assert_eq!(local.message_id.as_deref(), Some("m1@a.test"));
    assert_eq!(local.size, Some(512));
    assert_eq!(local.queue_id.as_deref(), Some("4ABC123DE"));
    let outside = by_to("carol@outside.test");
    assert_eq!(
        outside.status,
        LogStatus::Delivered,
        "deferred, then delivered: one entry"
    );
    assert_eq!(outside.relay.as_deref(), Some("127.0.0.1[127.0.0.1]:20026"));
    let refused = by_to("nobody@a.test");
    assert_eq!(refused.status, LogStatus::Rejected);
    assert_eq!(refused.reason, Reason::UnknownRecipient);
    assert_eq!(refused.dsn.as_deref(), Some("5.1.1"));
    assert!(refused.reply.as_deref().unwrap().contains("User unknown"));

    let bob = all(&fx, fx.bob_mb).await;
    assert_eq!(bob.len(), 2, "{bob:#?}");
    let spam = bob.iter().find(|e| e.from == "ann@a.test").unwrap();
    assert_eq!(
        (spam.direction, spam.status),
        (Direction::Received, LogStatus::Spam)
    );
    assert_eq!(spam.folder.as_deref(), Some("Junk"));
    assert_eq!(spam.reason, Reason::FiledAsSpam);
    let gtube = bob
        .iter()
        .find(|e| e.from == "spammer@outside.test")
        .unwrap();
    assert_eq!(
        (gtube.direction, gtube.status),
        (Direction::Received, LogStatus::Rejected)
    );
    assert_eq!(gtube.reason, Reason::RefusedAsSpam);
}

#[tokio::test]
async fn a_deferred_entry_says_why_and_expiry_turns_it_into_a_bounce() {
    let fx = fixture().await;
    let p = fx.files.postfix.as_ref().unwrap();
    append(
        p,
        &POSTFIX
            .lines()
            .take(5)
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    follow_once(&fx.t.db, &fx.files, NOW).await.unwrap();
    let e = all(&fx, fx.ann_mb).await;
    let d = e.iter().find(|e| e.to == "carol@outside.test").unwrap();
    assert_eq!(
        (d.status, d.reason),
        (LogStatus::Deferred, Reason::Unreachable)
    );
    append(
        p,
        "Dec 02 04:50:00 mx postfix/qmgr[790]: 4ABC123DE: from=<ann@a.test>, status=expired, returned to sender\n",
    );
    follow_once(&fx.t.db, &fx.files, NOW).await.unwrap();
    let e = all(&fx, fx.ann_mb).await;
    let d = e.iter().find(|e| e.to == "carol@outside.test").unwrap();
    assert_eq!((d.status, d.reason), (LogStatus::Bounced, Reason::Expired));
    assert!(d.reply.as_deref().unwrap().contains("Connection refused"));
}

#[tokio::test]
async fn lines_read_in_any_pieces_and_across_restarts_give_each_entry_once() {
    let whole = fixture().await;
    append(whole.files.postfix.as_ref().unwrap(), POSTFIX);
    append(whole.files.dovecot.as_ref().unwrap(), DOVECOT);
    follow_once(&whole.t.db, &whole.files, NOW).await.unwrap();
    let want = [
        all(&whole, whole.ann_mb).await,
        all(&whole, whole.bob_mb).await,
    ];

    // The same lines written a few bytes at a time, with Postfix's ahead of
    // Dovecot's, each step a "new process" (nothing kept but the database).
    let fx = fixture().await;
    let (p, d) = (
        fx.files.postfix.clone().unwrap(),
        fx.files.dovecot.clone().unwrap(),
    );
    let bytes = POSTFIX.as_bytes();
    for piece in bytes.chunks(97) {
        append(&p, std::str::from_utf8(piece).unwrap());
        ingest::step(&fx.t.db, Source::Postfix, &p, NOW)
            .await
            .unwrap();
        // A second reader at the same time finds nothing left to take.
        assert_eq!(
            ingest::step(&fx.t.db, Source::Postfix, &p, NOW)
                .await
                .unwrap()
                .lines,
            0
        );
    }
    append(&d, DOVECOT);
    ingest::step(&fx.t.db, Source::Dovecot, &d, NOW)
        .await
        .unwrap();
    let got = [all(&fx, fx.ann_mb).await, all(&fx, fx.bob_mb).await];
    let key = |v: &[postern_shared::logs::LogEntry]| {
        let mut k: Vec<_> = v
            .iter()
            .map(|e| {
                (
                    e.to.clone(),
                    e.from.clone(),
                    e.direction,
                    e.status,
                    e.folder.clone(),
                )
            })
            .collect();
        k.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        k
    };
    assert_eq!(key(&got[0]), key(&want[0]));
    assert_eq!(
        key(&got[1]),
        key(&want[1]),
        "the filing found after Postfix's line"
    );

    // Rotation: the rest of the old file, then the new one.
    append(
        &p,
        "Dec 02 04:46:00 mx postfix/smtpd[812]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <x1@a.test>: unknown; from=<ann@a.test> to=<x1@a.test> proto=ESMTP\n",
    );
    std::fs::rename(&p, format!("{}.1", p.display())).unwrap();
    append(
        &p,
        "Dec 02 04:47:00 mx postfix/smtpd[812]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <x2@a.test>: unknown; from=<ann@a.test> to=<x2@a.test> proto=ESMTP\n",
    );
    follow_once(&fx.t.db, &fx.files, NOW).await.unwrap();
    follow_once(&fx.t.db, &fx.files, NOW).await.unwrap();
    let e = all(&fx, fx.ann_mb).await;
    for to in ["x1@a.test", "x2@a.test"] {
        assert_eq!(e.iter().filter(|e| e.to == to).count(), 1, "{to}");
    }
}

async fn insert(db: &Db, mb: i64, at: i64, direction: &str, to: &str) {
    sqlx::query(
        "INSERT INTO mail_log_entries (mailbox_id, message_key, at, updated_at, direction, sender,
             recipient, status) VALUES ($1, $2, $3, $3, $4, 'ann@a.test', $5, 'delivered')",
    )
    .bind(mb)
    .bind(at)
    .bind(at)
    .bind(direction)
    .bind(to)
    .execute(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn search_by_time_range_direction_and_text_returns_exactly_the_matching_rows() {
    let fx = fixture().await;
    let db = &fx.t.db;
    for i in 0..250 {
        let dir = if i % 2 == 0 { "sent" } else { "received" };
        insert(
            db,
            fx.ann_mb,
            NOW - 10_000 + i * 10,
            dir,
            &format!("r{i}@x.test"),
        )
        .await;
    }
    insert(db, fx.bob_mb, NOW - 5000, "sent", "other@x.test").await;
    let q = LogQuery {
        direction: Some(Direction::Sent),
        since: Some(NOW - 10_000 + 100),
        until: Some(NOW - 10_000 + 2400),
        ..LogQuery::default()
    };
    let mut got = Vec::new();
    let mut q2 = q.clone();
    loop {
        let page = search(db, Scope::Mailbox(fx.ann_mb), &q2, 20, NOW)
            .await
            .unwrap();
        got.extend(page.entries.iter().map(|e| e.to.clone()));
        match page.next {
            Some(n) => q2.before = Some(n),
            None => break,
        }
    }
    let want: Vec<String> = (10..240)
        .rev()
        .filter(|i| i % 2 == 0)
        .map(|i| format!("r{i}@x.test"))
        .collect();
    assert_eq!(got, want);
    let text = LogQuery {
        q: Some("R12".into()),
        ..LogQuery::default()
    };
    let page = search(db, Scope::Mailbox(fx.ann_mb), &text, 20, NOW)
        .await
        .unwrap();
    let mut tos: Vec<_> = page.entries.iter().map(|e| e.to.as_str()).collect();
    tos.sort();
    assert_eq!(
        tos,
        [
            "r120@x.test",
            "r121@x.test",
            "r122@x.test",
            "r123@x.test",
            "r124@x.test",
            "r125@x.test",
            "r126@x.test",
            "r127@x.test",
            "r128@x.test",
            "r129@x.test",
            "r12@x.test"
        ]
    );
    // `%` and `_` are literal.
    let hostile = LogQuery {
        q: Some("%_".into()),
        ..LogQuery::default()
    };
    assert!(
        search(db, Scope::Mailbox(fx.ann_mb), &hostile, 20, NOW)
            .await
            .unwrap()
            .entries
            .is_empty()
    );
    // An address as the mail server wrote it, in any case, is found by
    // any case (PostgreSQL's LIKE minds case, SQLite's does not).
    insert(db, fx.ann_mb, NOW - 20, "sent", "Mixed.Case@X.test").await;
    let mixed = LogQuery {
        q: Some("mixed.CASE@x".into()),
        ..LogQuery::default()
    };
    let page = search(db, Scope::Mailbox(fx.ann_mb), &mixed, 20, NOW)
        .await
        .unwrap();
    let tos: Vec<_> = page.entries.iter().map(|e| e.to.as_str()).collect();
    assert_eq!(tos, ["Mixed.Case@X.test"]);
    // The service's view: only mailboxes granted with view_logs.
    let org = search(
        db,
        Scope::Granted {
            account: fx.ann,
            organization: fx.org,
        },
        &LogQuery::default(),
        20,
        NOW,
    )
    .await
    .unwrap();
    assert!(org.entries.iter().all(|e| e.mailbox_id == fx.ann_mb));
}

#[tokio::test]
async fn entries_past_20_days_are_swept_unless_the_organisation_pays_for_more() {
    let fx = fixture().await;
    let db = &fx.t.db;
    let p = Provisioner::from_db(db.clone());
    let paid = p.create_organization("Paid", "business").await.unwrap();
    let paid_mb = p
        .create_mailbox(paid, "pat@paid.test", "Pat")
        .await
        .unwrap();
    sqlx::query("UPDATE organizations SET log_retention_days = 90 WHERE id = $1")
        .bind(paid)
        .execute(db)
        .await
        .unwrap();
    let day = 86_400;
    insert(db, fx.ann_mb, NOW - 21 * day, "sent", "old@x.test").await;
    insert(db, fx.ann_mb, NOW - 19 * day, "sent", "recent@x.test").await;
    insert(db, paid_mb, NOW - 21 * day, "sent", "kept@x.test").await;
    insert(db, paid_mb, NOW - 91 * day, "sent", "too-old@x.test").await;
    assert_eq!(retention_days(db, fx.org).await.unwrap(), 20);
    assert_eq!(retention_days(db, paid).await.unwrap(), 90);
    let swept = sweep(db, NOW).await.unwrap();
    assert_eq!(swept.entries, 2);
    let left: Vec<String> =
        sqlx::query_scalar("SELECT recipient FROM mail_log_entries ORDER BY recipient")
            .fetch_all(db)
            .await
            .unwrap();
    assert_eq!(left, ["kept@x.test", "recent@x.test"]);
}

#[tokio::test]
async fn only_administrators_and_legal_representatives_with_view_logs_may_read() {
    let fx = fixture().await;
    let p = Provisioner::from_db(fx.t.db.clone());
    let db = &fx.t.db;
    assert_eq!(may_view(db, fx.ann, fx.ann_mb).await.unwrap(), fx.org);
    let all_but_logs = PermissionSet::all().without(Permission::ViewLogs);
    let logs_only = PermissionSet::empty().with(Permission::ViewLogs);
    let cases = [
        ("user@a.test", Role::User, logs_only, false),
        ("admin@a.test", Role::Administrator, all_but_logs, false),
        ("legal@a.test", Role::LegalRepresentative, logs_only, true),
        ("owner@a.test", Role::Owner, logs_only, true),
    ];
    for (login, role, perms, ok) in cases {
        let acc = p
            .create_account(fx.org, login, "X", "pw-x-12345", role)
            .await
            .unwrap();
        p.grant(acc, fx.bob_mb, perms).await.unwrap();
        let got = may_view(db, acc, fx.bob_mb).await;
        assert_eq!(got.is_ok(), ok, "{login}");
        if let Err(e) = got {
            assert_eq!(e.code(), ErrorCode::Forbidden);
        }
        // No grant on Ann's mailbox: 403 whatever the role.
        assert_eq!(
            may_view(db, acc, fx.ann_mb).await.unwrap_err().code(),
            ErrorCode::Forbidden
        );
    }
    assert_eq!(
        may_view(db, fx.ann, 999_999).await.unwrap_err().code(),
        ErrorCode::Forbidden
    );
}

#[test]
fn civil_years() {
    assert_eq!(civil_year(0), 1970);
    assert_eq!(civil_year(NOW), 2026);
    assert_eq!(civil_year(1_767_225_599), 2025); // 2025-12-31T23:59:59Z
    assert_eq!(civil_year(1_767_225_600), 2026);
}
