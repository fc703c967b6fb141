//! R-SEND and R-LIM-1 on the real stack: the webmail's send route (gateway →
//! Dovecot submission → Postfix → LMTP or the sink) and a mail client with a
//! device password (`curl smtp://` on Dovecot submission) go through the
//! same door, so every rule holds for both: 100 recipients, the rolling
//! 24-hour quota counted in recipients, the sender must be the mailbox or an
//! alias, 201 MiB. Every test has its own organisation (its own quota).

use postern_shared::ErrorCode;
use postern_shared::PermissionSet;
use postern_shared::api::MessageView;
use postern_shared::compose::{OutgoingState, ReplyKind};
use postern_shared::limits::MAX_MESSAGE_BYTES;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::mail::{header, headers, message_ids};
use postern_tests::sending::{addr, draft, original, sink_addresses};
use postern_tests::smtp::{SmtpMessage, plain_message};
use postern_tests::unique;

/// The message ids of `raw`'s header `name`.
fn ids(raw: &[u8], name: &str) -> Vec<String> {
    header(raw, name)
        .map(|v| message_ids(&v))
        .unwrap_or_default()
}

fn bare(id: &str) -> String {
    id.trim().trim_matches(['<', '>']).to_string()
}

#[tokio::test]
async fn a_sent_message_reaches_local_and_external_recipients_and_sent_keeps_a_copy() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let (friend_mb, friend) = fx.add_mailbox("friend", Some(PermissionSet::all())).await;
    let tag = unique("s");
    let external = format!("someone-{tag}@elsewhere.test");
    let hidden = format!("hidden-{tag}@elsewhere.test");
    let subject = format!("Hello {tag}");
    let mut d = draft(&[&friend], &subject);
    d.cc = vec![addr(&external)];
    d.bcc = vec![addr(&hidden)];
    d.text = "Hi there,\nsee you at the station at noon.\n".into();

    // Saved first, as the composer does while the user types.
    let saved = fx
        .api
        .save_draft(fx.mailbox, &d, None)
        .await
        .expect("save the draft");
    assert_eq!(
        stack.find_subject(&fx.address, "Drafts", &subject).await,
        vec![saved.uid],
        "the draft is in Drafts"
    );
    let reopened = fx
        .api
        .open_draft(fx.mailbox, saved.uid)
        .await
        .expect("open the draft");
    assert_eq!(reopened.draft.subject, subject);
    assert_eq!(reopened.draft.to, d.to);

    let out = fx
        .api
        .send_now(fx.mailbox, &d, Some(saved.uid))
        .await
        .expect("send");
    assert_eq!(out.state, OutgoingState::Sent, "{out:?}");
    assert_eq!(out.recipients, 3, "To + Cc + Bcc");
    assert!(out.error.is_none(), "{out:?}");

    // The local recipient has it in INBOX, as any mail client sees it.
    let (uid, raw) = stack.wait_for_subject(&friend, "INBOX", &subject).await;
    assert!(
        header(&raw, "From").is_some_and(|f| f.contains(&fx.address)),
        "From: {:?}",
        header(&raw, "From")
    );
    assert!(header(&raw, "To").is_some_and(|v| v.contains(&friend)));
    assert!(header(&raw, "Cc").is_some_and(|v| v.contains(&external)));
    assert!(
        headers(&raw, "Bcc").is_empty(),
        "a Bcc recipient is never shown to the others"
    );
    assert_eq!(ids(&raw, "Message-ID"), vec![bare(&out.message_id)]);
    let view: MessageView = fx
        .api
        .get(&Route::GetMessage { mb: friend_mb, uid }.path_with("folder=INBOX"))
        .await
        .expect("the recipient opens it");
    assert_eq!(view.subject, subject);
    assert!(
        view.text
            .as_deref()
            .is_some_and(|t| t.contains("see you at the station at noon")),
        "text: {:?}",
        view.text
    );

    // The external recipients (Cc and Bcc) got it through the sink.
    let msgs = stack.wait_for_sink(&subject, 2).await;
    let mut rcpts = stack.sink_recipients(&subject);
    rcpts.sort();
    let mut expected = vec![external.clone(), hidden.clone()];
    expected.sort();
    assert_eq!(rcpts, expected);
    for m in &msgs {
        assert_eq!(m.mail_from.to_ascii_lowercase(), fx.address);
        assert!(headers(&m.raw, "Bcc").is_empty(), "no Bcc header goes out");
    }

    // Sent holds the copy; the draft is gone (R-SEND-4).
    let sent = stack.find_subject(&fx.address, "Sent", &subject).await;
    assert_eq!(sent.len(), 1, "one copy in Sent");
    let copy = stack.raw_message(&fx.address, "Sent", sent[0]).await;
    assert_eq!(ids(&copy, "Message-ID"), vec![bare(&out.message_id)]);
    assert!(
        stack
            .find_subject(&fx.address, "Drafts", &subject)
            .await
            .is_empty(),
        "the draft is deleted once the message is sent"
    );
}

#[tokio::test]
async fn a_reply_is_threaded_and_the_original_is_marked_answered() {
    let mut fx = Fixture::new().await;
    let stack = fx.stack;
    let (_, friend) = fx.add_mailbox("friend", None).await;
    let tag = unique("r");
    let root = format!("root-{tag}@sender.test");
    let question = format!("Question {tag}");
    let msg = Mail::new(&question)
        .from(&format!("Friend <{friend}>"))
        .to(&fx.address)
        .header(&format!("References: <{root}>"))
        .build();
    let orig_uid = fx.append("INBOX", &[], &msg).await;
    let orig_id = ids(&msg, "Message-ID").pop().expect("the original's id");

    let reply_subject = format!("Re: {question}");
    let mut d = draft(&[&friend], &reply_subject);
    d.original = Some(original("INBOX", orig_uid, ReplyKind::Reply));
    let out = fx
        .api
        .send_now(fx.mailbox, &d, None)
        .await
        .expect("send the reply");
    assert_eq!(out.state, OutgoingState::Sent, "{out:?}");

    let (_, raw) = stack
        .wait_for_subject(&friend, "INBOX", &reply_subject)
        .await;
    assert_eq!(ids(&raw, "In-Reply-To"), vec![orig_id.clone()]);
    assert_eq!(
        ids(&raw, "References"),
        vec![root.clone(), orig_id.clone()],
        "References = the original's References + its Message-ID"
    );
    let sent = stack
        .find_subject(&fx.address, "Sent", &reply_subject)
        .await;
    assert_eq!(sent.len(), 1);
    let copy = stack.raw_message(&fx.address, "Sent", sent[0]).await;
    assert_eq!(ids(&copy, "In-Reply-To"), vec![orig_id.clone()]);

    let flags = stack.flags_of(&fx.address, "INBOX", orig_uid).await;
    assert!(
        flags.iter().any(|f| f == "\\Answered"),
        "the original is marked answered: {flags:?}"
    );

    // Forwarding keeps the thread and marks the original $Forwarded.
    let fwd_subject = format!("Fwd: {question}");
    let mut f = draft(&[&friend], &fwd_subject);
    f.original = Some(original("INBOX", orig_uid, ReplyKind::Forward));
    fx.api
        .send_now(fx.mailbox, &f, None)
        .await
        .expect("forward");
    let (_, raw) = stack.wait_for_subject(&friend, "INBOX", &fwd_subject).await;
    assert!(
        ids(&raw, "References").contains(&orig_id),
        "References: {:?}",
        header(&raw, "References")
    );
    let flags = stack.flags_of(&fx.address, "INBOX", orig_uid).await;
    assert!(
        flags.iter().any(|f| f.eq_ignore_ascii_case("$Forwarded")),
        "the original is marked forwarded: {flags:?}"
    );
}

#[tokio::test]
async fn the_101st_recipient_is_refused_and_nothing_is_sent() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let (_, friend) = fx.add_mailbox("friend", None).await;
    let password = fx.device_password().await;
    let tag = unique("l");
    let ext = sink_addresses(&tag, 100);
    let too_many = format!("Too many {tag}");

    // Webmail: 40 To + 40 Cc + 20 Bcc at the sink + 1 local Bcc = 101.
    let mut d = draft(&[], &too_many);
    d.to = ext[..40].iter().map(|a| addr(a)).collect();
    d.cc = ext[40..80].iter().map(|a| addr(a)).collect();
    d.bcc = ext[80..].iter().map(|a| addr(a)).collect();
    d.bcc.push(addr(&friend));
    let saved = fx
        .api
        .save_draft(fx.mailbox, &d, None)
        .await
        .expect("save the draft");
    let err = fx
        .api
        .send_now(fx.mailbox, &d, Some(saved.uid))
        .await
        .expect_err("a 101st recipient must be refused");
    assert_eq!(err.code(), ErrorCode::RecipientLimit, "{err}");
    assert_eq!(err.status, 400);
    assert_eq!(
        stack.find_subject(&fx.address, "Drafts", &too_many).await,
        vec![saved.uid],
        "a refused message keeps its draft (R-SEND-4)"
    );

    // A mail client: 101 RCPT TO, refused with a reply that says why.
    let smtp_subject = format!("Too many by SMTP {tag}");
    let mut rcpts = ext.clone();
    rcpts.push(friend.clone());
    let outcome = stack.smtp_submit(&SmtpMessage {
        user: &fx.address,
        password: &password,
        mail_from: &fx.address,
        rcpt_to: rcpts,
        data: plain_message(&fx.address, "undisclosed-recipients:;", &smtp_subject),
    });
    assert!(
        !outcome.accepted,
        "101 recipients by SMTP: {}",
        outcome.transcript
    );
    let refusal = outcome.refusal().unwrap_or_default().to_ascii_lowercase();
    assert!(
        refusal.starts_with('5') && refusal.contains("recipient"),
        "a permanent refusal naming the recipient limit: {refusal:?}\n{}",
        outcome.transcript
    );

    // Exactly 100 distinct recipients (one listed twice) is fine.
    let just_enough = format!("Just enough {tag}");
    let mut ok = d.clone();
    ok.subject = just_enough.clone();
    ok.text = "Within the limit.\n".into();
    ok.bcc.pop();
    ok.cc.push(addr(&ext[0]));
    let out = fx
        .api
        .send_now(fx.mailbox, &ok, None)
        .await
        .expect("100 distinct recipients");
    assert_eq!(out.state, OutgoingState::Sent);
    assert_eq!(out.recipients, 100, "an address listed twice counts once");
    stack.wait_for_sink(&just_enough, 100).await;
    let mut expected = ext.clone();
    expected.sort();
    assert_eq!(stack.sink_recipients(&just_enough), expected);

    // The refused messages went nowhere (they were refused before the one
    // above was even submitted, which has arrived).
    assert!(stack.sink_with(&too_many).is_empty());
    assert!(stack.sink_with(&smtp_subject).is_empty());
    assert_eq!(stack.count(&friend, "INBOX").await, 0);
    assert!(
        stack
            .find_subject(&fx.address, "Sent", &too_many)
            .await
            .is_empty()
    );
    assert_eq!(stack.count(&fx.address, "Sent").await, 1);
}

#[tokio::test]
async fn the_daily_quota_counts_recipients_for_the_webmail_and_mail_clients() {
    // R-SEND-2: "free" allows 500 recipients per rolling 24 hours.
    let fx = Fixture::with_offer("free").await;
    let stack = fx.stack;
    let password = fx.device_password().await;
    let tag = unique("q");
    let before = fx.api.identities(fx.mailbox).await.expect("identities");
    assert_eq!(before.daily_limit, 500);
    assert_eq!(before.used_last_24h, 0);
    assert_eq!(before.addresses.first(), Some(&fx.address));

    // 4 × 100 recipients from a mail client…
    let mut last_subject = String::new();
    for i in 0..4 {
        let subject = format!("Batch {i} {tag}");
        let outcome = stack.smtp_submit(&SmtpMessage {
            user: &fx.address,
            password: &password,
            mail_from: &fx.address,
            rcpt_to: sink_addresses(&format!("{tag}b{i}"), 100),
            data: plain_message(&fx.address, "undisclosed-recipients:;", &subject),
        });
        assert!(
            outcome.accepted,
            "batch {i} is within the quota: {:?}\n{}",
            outcome.refusal(),
            outcome.transcript
        );
        if i == 0 {
            let id = fx.api.identities(fx.mailbox).await.expect("identities");
            assert_eq!(id.used_last_24h, 100, "a message to 100 counts 100");
        }
        last_subject = subject;
    }
    // …and 100 from the webmail: exactly the limit.
    let webmail_subject = format!("Batch 4 {tag}");
    let mut d = draft(&[], &webmail_subject);
    d.bcc = sink_addresses(&format!("{tag}b4"), 100)
        .iter()
        .map(|a| addr(a))
        .collect();
    let out = fx
        .api
        .send_now(fx.mailbox, &d, None)
        .await
        .expect("the 500th recipient is still allowed");
    assert_eq!(out.state, OutgoingState::Sent);
    let id = fx.api.identities(fx.mailbox).await.expect("identities");
    assert_eq!(id.used_last_24h, 500);

    // One more recipient crosses it, from the webmail…
    let over = format!("Over the quota {tag}");
    let one = format!("one-{tag}@elsewhere.test");
    let d = draft(&[&one], &over);
    let saved = fx
        .api
        .save_draft(fx.mailbox, &d, None)
        .await
        .expect("save the draft");
    let err = fx
        .api
        .send_now(fx.mailbox, &d, Some(saved.uid))
        .await
        .expect_err("the 501st recipient must be refused");
    assert_eq!(err.code(), ErrorCode::QuotaExceeded, "{err}");
    assert_eq!(err.status, 429);
    // It frees up when the first batch leaves the 24-hour window.
    let retry = err.error.retry_after.expect("says when it frees up");
    assert!(
        (86_400 - 600..=86_400).contains(&retry),
        "retry_after {retry} s"
    );
    assert_eq!(
        stack.find_subject(&fx.address, "Drafts", &over).await,
        vec![saved.uid],
        "the draft is kept"
    );

    // …and from a mail client.
    let over_smtp = format!("Over the quota by SMTP {tag}");
    let outcome = stack.smtp_submit(&SmtpMessage {
        user: &fx.address,
        password: &password,
        mail_from: &fx.address,
        rcpt_to: vec![one.clone()],
        data: plain_message(&fx.address, &one, &over_smtp),
    });
    assert!(!outcome.accepted, "{}", outcome.transcript);
    let refusal = outcome.refusal().unwrap_or_default().to_string();
    assert!(
        refusal.starts_with('5') && refusal.contains("500"),
        "a permanent refusal that names the limit: {refusal:?}\n{}",
        outcome.transcript
    );
    let id = fx.api.identities(fx.mailbox).await.expect("identities");
    assert_eq!(id.used_last_24h, 500, "refused messages do not count");

    // Everything within the quota arrived; nothing over it did.
    stack.wait_for_sink(&last_subject, 100).await;
    stack.wait_for_sink(&webmail_subject, 100).await;
    assert!(stack.sink_with(&over).is_empty());
    assert!(stack.sink_with(&over_smtp).is_empty());
    assert_eq!(
        stack.count(&fx.address, "Sent").await,
        1,
        "only the webmail message is in Sent"
    );
}

#[tokio::test]
async fn a_foreign_sender_is_refused_both_ways_and_an_alias_is_accepted() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let password = fx.device_password().await;
    // Another mailbox of the same organisation is still someone else.
    let (_, colleague) = fx.add_mailbox("colleague", None).await;
    let tag = unique("m");
    let to = format!("peer-{tag}@elsewhere.test");

    for from in [colleague.clone(), format!("boss-{tag}@elsewhere.test")] {
        let subject = format!("Forged {tag} {from}");
        let mut d = draft(&[&to], &subject);
        d.from = Some(from.clone());
        let err = fx
            .api
            .send_now(fx.mailbox, &d, None)
            .await
            .expect_err("a From that is not the mailbox nor an alias");
        assert_eq!(err.code(), ErrorCode::SenderMismatch, "from {from}: {err}");
        assert_eq!(err.status, 400);
    }

    let forged_smtp = format!("Forged by SMTP {tag}");
    let outcome = stack.smtp_submit(&SmtpMessage {
        user: &fx.address,
        password: &password,
        mail_from: &colleague,
        rcpt_to: vec![to.clone()],
        data: plain_message(&colleague, &to, &forged_smtp),
    });
    assert!(!outcome.accepted, "{}", outcome.transcript);
    let refusal = outcome.refusal().unwrap_or_default().to_ascii_lowercase();
    assert!(
        refusal.starts_with('5') && refusal.contains("sender"),
        "a permanent refusal that names the sender: {refusal:?}\n{}",
        outcome.transcript
    );

    // A right envelope does not cover a forged From: header (R-SEND-3
    // names both; the gateway's milter sees the headers).
    let forged_header = format!("Forged header by SMTP {tag}");
    let outcome = stack.smtp_submit(&SmtpMessage {
        user: &fx.address,
        password: &password,
        mail_from: &fx.address,
        rcpt_to: vec![to.clone()],
        data: plain_message(&colleague, &to, &forged_header),
    });
    assert!(!outcome.accepted, "{}", outcome.transcript);
    let refusal = outcome.refusal().unwrap_or_default().to_ascii_lowercase();
    assert!(
        refusal.starts_with('5') && refusal.contains("from header"),
        "a permanent refusal that names the From header: {refusal:?}\n{}",
        outcome.transcript
    );

    // An alias of the mailbox is a valid sender, both ways.
    let alias = fx.add_alias(&format!("sales-{tag}")).await;
    let id = fx.api.identities(fx.mailbox).await.expect("identities");
    assert!(id.addresses.contains(&alias), "{:?}", id.addresses);
    let by_alias = format!("From the alias {tag}");
    let mut d = draft(&[&to], &by_alias);
    d.from = Some(alias.clone());
    let out = fx
        .api
        .send_now(fx.mailbox, &d, None)
        .await
        .expect("send as the alias");
    assert_eq!(out.state, OutgoingState::Sent);
    let alias_smtp = format!("From the alias by SMTP {tag}");
    let outcome = stack.smtp_submit(&SmtpMessage {
        user: &fx.address,
        password: &password,
        mail_from: &alias,
        rcpt_to: vec![to.clone()],
        data: plain_message(&alias, &to, &alias_smtp),
    });
    assert!(
        outcome.accepted,
        "{:?}\n{}",
        outcome.refusal(),
        outcome.transcript
    );

    let msgs = stack.wait_for_sink(&by_alias, 1).await;
    assert!(
        header(&msgs[0].raw, "From").is_some_and(|f| f.contains(&alias)),
        "the recipient sees the alias: {:?}",
        header(&msgs[0].raw, "From")
    );
    stack.wait_for_sink(&alias_smtp, 1).await;
    // The forged ones, refused before those were sent, never arrived.
    assert!(stack.sink_with(&forged_smtp).is_empty());
    assert!(stack.sink_with(&forged_header).is_empty());
    assert!(stack.sink_with(&format!("Forged {tag}")).is_empty());
}

#[tokio::test]
async fn a_message_above_201_mib_is_refused() {
    // R-LIM-1 over SMTP: Dovecot submission announces SIZE 210763776 and
    // curl declares the size in MAIL FROM, so a 201 MiB + 1 byte message is
    // refused before any byte of it is sent (the file is sparse).
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let password = fx.device_password().await;
    let tag = unique("big");
    let to = format!("big-{tag}@elsewhere.test");
    let head = plain_message(&fx.address, &to, &format!("Huge {tag}"));
    let dir = stack.run_dir.join("tmp");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{tag}.eml"));
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&head).unwrap();
        f.set_len(MAX_MESSAGE_BYTES + 1).unwrap();
    }
    let outcome = stack.smtp_submit_file(&fx.address, &password, &fx.address, &[&to], &path);
    let _ = std::fs::remove_file(&path);
    assert!(!outcome.accepted, "{}", outcome.transcript);
    assert_eq!(
        outcome.refusal_code(),
        Some(552),
        "552: message size exceeds the limit\n{}",
        outcome.transcript
    );
    assert!(
        outcome
            .replies
            .iter()
            .any(|l| l.starts_with("250-SIZE 210763776") || l.starts_with("250 SIZE 210763776")),
        "submission announces the 201 MiB limit: {:?}",
        outcome.replies
    );
}
