//! Auto-reply and sorting rules (issue 13) on the real path: Postfix
//! smtpd → rspamd → LMTP → the spam script → the mailbox's rules script
//! (generated Sieve) → IMAP, and the replies and forwards out through
//! Postfix to the sink.

use std::time::Duration;

use postern_shared::api::{Folder, MailboxId};
use postern_shared::filters::{
    AutoReply, AutoReplySettings, Condition, MailboxRules, Match, PutRules, Rule, RuleAction,
    RuleField,
};
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, Permission, PermissionSet};
use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::managesieve::ManageSieve;
use postern_tests::{ApiClient, ApiFailure, Stack, eventually, unique};

fn external(from: &str, to: &str, subject: &str, extra: &[&str]) -> Vec<u8> {
    let mut m = Mail::new(subject)
        .from(from)
        .to(to)
        .date(postern_tests::sending::now())
        .body("Hello.");
    for h in extra {
        m = m.header(h);
    }
    m.build()
}

/// Delivers from outside and waits for it in `folder`; returns its UID.
async fn deliver(
    stack: &Stack,
    from: &str,
    to: &str,
    subject: &str,
    extra: &[&str],
    folder: &str,
) -> u32 {
    let data = external(from, to, subject, extra);
    let outcome = stack.smtp_deliver(from, &[to], &data);
    assert!(outcome.accepted, "{}", outcome.transcript);
    stack.wait_for_subject(to, folder, subject).await.0
}

/// Sink messages addressed to `to` (a header line `To: <to>`).
fn sink_to(stack: &Stack, to: &str) -> Vec<String> {
    stack
        .sink_messages()
        .into_iter()
        .map(|m| String::from_utf8_lossy(&m).into_owned())
        .filter(|m| {
            m.lines()
                .take_while(|l| !l.is_empty())
                .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(to))
        })
        .collect()
}

async fn put_reply(
    api: &ApiClient,
    mb: MailboxId,
    r: &AutoReply,
) -> Result<AutoReplySettings, ApiFailure> {
    api.put(&Route::PutAutoReply { mb }.path(), r).await
}

async fn put_rules(
    api: &ApiClient,
    mb: MailboxId,
    rules: Vec<Rule>,
) -> Result<MailboxRules, ApiFailure> {
    api.put(&Route::PutRules { mb }.path(), &PutRules { rules })
        .await
}

fn away(subject: &str) -> AutoReply {
    AutoReply {
        enabled: true,
        subject: subject.into(),
        text: "I am away until Monday.\nBest, the box".into(),
        start: Some("2020-01-01".into()),
        end: None,
        days: 7,
    }
}

fn subject_rule(tag: &str, actions: Vec<RuleAction>) -> Rule {
    Rule {
        name: format!("rule {tag}"),
        enabled: true,
        all: true,
        conditions: vec![Condition {
            field: RuleField::Subject,
            matches: Match::Contains,
            header: None,
            value: tag.into(),
        }],
        actions,
    }
}

#[tokio::test]
async fn the_auto_reply_answers_a_sender_once_per_period_and_never_a_list() {
    let fx = Fixture::new().await;
    let s = put_reply(&fx.api, fx.mailbox, &away("Out of office «ñ»"))
        .await
        .expect("auto-reply");
    assert!(s.auto_reply.enabled);
    let got: AutoReplySettings = fx
        .api
        .get(&Route::GetAutoReply { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert_eq!(
        got.auto_reply.text,
        "I am away until Monday.\nBest, the box"
    );
    let st = fx.stack;
    let a = &fx.address;
    let sender = format!("{}@outside.test", unique("ext"));
    deliver(st, &sender, a, &unique("first"), &[], "INBOX").await;
    let replies = eventually(
        "the auto-reply at the sink",
        Duration::from_secs(30),
        || async {
            let r = sink_to(st, &sender);
            (!r.is_empty()).then_some(r)
        },
    )
    .await;
    assert!(
        replies[0].contains("Auto-Submitted: auto-replied"),
        "{}",
        replies[0]
    );
    assert!(
        replies[0].contains("I am away until Monday."),
        "{}",
        replies[0]
    );
    // The same sender again within the period: no second reply.
    deliver(st, &sender, a, &unique("second"), &[], "INBOX").await;
    // A list and bulk mail: never answered.
    let list = format!("{}@outside.test", unique("list"));
    deliver(
        st,
        &list,
        a,
        &unique("list"),
        &["List-Id: <news.outside.test>"],
        "INBOX",
    )
    .await;
    let bulk = format!("{}@outside.test", unique("bulk"));
    deliver(
        st,
        &bulk,
        a,
        &unique("bulk"),
        &["Precedence: bulk"],
        "INBOX",
    )
    .await;
    // A reply to a later sender shows the earlier ones had their chance.
    let later = format!("{}@outside.test", unique("later"));
    deliver(st, &later, a, &unique("later"), &[], "INBOX").await;
    eventually("the later auto-reply", Duration::from_secs(30), || async {
        (!sink_to(st, &later).is_empty()).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sink_to(st, &sender).len(),
        1,
        "one reply per sender per period"
    );
    assert!(sink_to(st, &list).is_empty(), "a list message was answered");
    assert!(sink_to(st, &bulk).is_empty(), "bulk mail was answered");

    // Switched off: nobody new is answered.
    let mut off = away("Out of office");
    off.enabled = false;
    put_reply(&fx.api, fx.mailbox, &off).await.unwrap();
    let quiet = format!("{}@outside.test", unique("quiet"));
    deliver(st, &quiet, a, &unique("quiet"), &[], "INBOX").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(sink_to(st, &quiet).is_empty());
}

#[tokio::test]
async fn each_sorting_rule_action_acts_on_a_real_delivery() {
    let fx = Fixture::new().await;
    let _: Folder = fx
        .create_folder(None, "Sorted")
        .await
        .expect("create folder");
    let target = format!("{}@outside.test", unique("fwd"));
    let rules = vec![
        subject_rule(
            "[move]",
            vec![RuleAction::Move {
                folder: "Sorted".into(),
            }],
        ),
        subject_rule("[read]", vec![RuleAction::MarkRead]),
        subject_rule("[flag]", vec![RuleAction::Flag]),
        subject_rule(
            "[fwd]",
            vec![RuleAction::Forward {
                address: target.to_uppercase(),
            }],
        ),
        subject_rule("[drop]", vec![RuleAction::Discard]),
    ];
    let saved = put_rules(&fx.api, fx.mailbox, rules).await.expect("rules");
    // Stored as checked: the target lower-cased.
    assert_eq!(
        saved.rules[3].actions,
        [RuleAction::Forward {
            address: target.clone()
        }]
    );
    let st = fx.stack;
    let a = &fx.address;
    let from = "someone@outside.test";
    deliver(
        st,
        from,
        a,
        &format!("[move] {}", unique("m")),
        &[],
        "Sorted",
    )
    .await;
    let uid = deliver(
        st,
        from,
        a,
        &format!("[read] {}", unique("r")),
        &[],
        "INBOX",
    )
    .await;
    assert!(
        st.flags_of(a, "INBOX", uid)
            .await
            .iter()
            .any(|f| f == "\\Seen")
    );
    let uid = deliver(
        st,
        from,
        a,
        &format!("[flag] {}", unique("f")),
        &[],
        "INBOX",
    )
    .await;
    let flags = st.flags_of(a, "INBOX", uid).await;
    assert!(flags.iter().any(|f| f == "\\Flagged"), "{flags:?}");
    assert!(!flags.iter().any(|f| f == "\\Seen"), "{flags:?}");
    let fwd = format!("[fwd] {}", unique("w"));
    deliver(st, from, a, &fwd, &[], "INBOX").await;
    let copies = eventually(
        "the forwarded copy at the sink",
        Duration::from_secs(30),
        || async {
            let found: Vec<Vec<u8>> = st
                .sink_messages()
                .into_iter()
                .filter(|m| String::from_utf8_lossy(m).contains(&fwd))
                .collect();
            (!found.is_empty()).then_some(found)
        },
    )
    .await;
    assert_eq!(copies.len(), 1);
    // Discarded: a later message arrives, the discarded one never does.
    let drop = format!("[drop] {}", unique("d"));
    let data = external(from, a, &drop, &[]);
    assert!(st.smtp_deliver(from, &[a], &data).accepted);
    deliver(st, from, a, &unique("after"), &[], "INBOX").await;
    assert!(st.find_subject(a, "INBOX", &drop).await.is_empty());
    assert!(st.find_subject(a, "Sorted", &drop).await.is_empty());

    // A switched-off rule does nothing.
    let mut off = subject_rule(
        "[move]",
        vec![RuleAction::Move {
            folder: "Sorted".into(),
        }],
    );
    off.enabled = false;
    put_rules(&fx.api, fx.mailbox, vec![off]).await.unwrap();
    deliver(
        st,
        from,
        a,
        &format!("[move] {}", unique("m")),
        &[],
        "INBOX",
    )
    .await;
}

#[tokio::test]
async fn hostile_values_are_refused_with_a_typed_error_or_escaped_and_do_only_what_they_say() {
    let fx = Fixture::new().await;
    let mb = fx.mailbox;
    let refused = |e: ApiFailure| {
        (
            e.status,
            e.code(),
            e.error.params.field.clone(),
            e.error.params.reason.clone(),
        )
    };
    let mut r = away("line\r\nBcc: victim@outside.test");
    let e = put_reply(&fx.api, mb, &r).await.unwrap_err();
    assert_eq!(
        refused(e),
        (
            400,
            ErrorCode::InvalidFilterValue,
            Some("subject".into()),
            Some("character".into())
        )
    );
    r = away("ok");
    r.text = "x".repeat(5001);
    let e = put_reply(&fx.api, mb, &r).await.unwrap_err();
    assert_eq!(e.error.params.limit, Some(5000));
    r = away("ok");
    r.end = Some("2019-12-31".into());
    let e = put_reply(&fx.api, mb, &r).await.unwrap_err();
    assert_eq!(e.error.params.reason.as_deref(), Some("date_order"));
    for (target, reason) in [
        ("victim@outside.test>\r\nRCPT TO:<x@y.test", "address"),
        ("@outside.test", "address"),
        (fx.address.as_str(), "own_address"),
    ] {
        let e = put_rules(
            &fx.api,
            mb,
            vec![subject_rule(
                "x",
                vec![RuleAction::Forward {
                    address: target.into(),
                }],
            )],
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidFilterValue, "{target}");
        assert_eq!(e.error.params.reason.as_deref(), Some(reason), "{target}");
        assert_eq!(
            e.error.params.field.as_deref(),
            Some("rules[0].actions[0].address")
        );
    }
    let e = put_rules(
        &fx.api,
        mb,
        vec![subject_rule(
            "x",
            vec![RuleAction::Move {
                folder: "No such".into(),
            }],
        )],
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FolderNotFound);
    let mut bad_header = subject_rule("x", vec![RuleAction::Flag]);
    bad_header.conditions[0].field = RuleField::Header;
    bad_header.conditions[0].header = Some("Subject: x\"; discard;".into());
    let e = put_rules(&fx.api, mb, vec![bad_header]).await.unwrap_err();
    assert_eq!(e.error.params.reason.as_deref(), Some("header_name"));
    // Nothing was stored by the refusals.
    let now: MailboxRules = fx.api.get(&Route::GetRules { mb }.path()).await.unwrap();
    assert!(now.rules.is_empty());

    // Quotes, backslashes, Sieve syntax and other scripts are escaped: the
    // rule flags exactly the message whose subject holds the value.
    let value = "\"; discard; stop; \\ 休暇 ${hex:41} *";
    put_rules(
        &fx.api,
        mb,
        vec![subject_rule(value, vec![RuleAction::Flag])],
    )
    .await
    .expect("a hostile value that can be escaped");
    let st = fx.stack;
    let a = &fx.address;
    let hit = format!("{} {value}", unique("h"));
    let uid = deliver(st, "x@outside.test", a, &hit, &[], "INBOX").await;
    assert!(
        st.flags_of(a, "INBOX", uid)
            .await
            .iter()
            .any(|f| f == "\\Flagged")
    );
    let miss = format!("{} \"; discard; stop; A *", unique("m"));
    let uid = deliver(st, "x@outside.test", a, &miss, &[], "INBOX").await;
    assert!(
        !st.flags_of(a, "INBOX", uid)
            .await
            .iter()
            .any(|f| f == "\\Flagged")
    );
}

#[tokio::test]
async fn a_client_s_own_managesieve_script_survives_rules_and_auto_reply_changes() {
    let fx = Fixture::new().await;
    let _: Folder = fx.create_folder(None, "Sorted").await.unwrap();
    let mut ms = ManageSieve::connect(fx.stack, &fx.address).await;
    ms.put_active(
        "mine",
        "require [\"fileinto\"];\nif header :contains \"subject\" \"[client]\" { fileinto \"Sorted\"; }\n",
    )
    .await;
    put_rules(
        &fx.api,
        fx.mailbox,
        vec![subject_rule("[postern]", vec![RuleAction::Flag])],
    )
    .await
    .unwrap();
    put_reply(&fx.api, fx.mailbox, &away("Away")).await.unwrap();
    let listed = ms.list().await;
    assert!(
        listed
            .iter()
            .any(|l| l.contains("\"mine\"") && l.contains("ACTIVE")),
        "{listed:?}"
    );
    let st = fx.stack;
    let a = &fx.address;
    // Postern's rule does not match: the client's script files it.
    deliver(
        st,
        "y@outside.test",
        a,
        &format!("[client] {}", unique("c")),
        &[],
        "Sorted",
    )
    .await;
    // Postern's rule matches (flag, kept in the Inbox).
    let uid = deliver(
        st,
        "y@outside.test",
        a,
        &format!("[postern] {}", unique("p")),
        &[],
        "INBOX",
    )
    .await;
    assert!(
        st.flags_of(a, "INBOX", uid)
            .await
            .iter()
            .any(|f| f == "\\Flagged")
    );
}

#[tokio::test]
async fn every_auto_reply_and_rule_route_needs_manage_filters() {
    let perms: PermissionSet = [Permission::Read, Permission::Send].into_iter().collect();
    let fx = Fixture::with_permissions(perms).await;
    let mb = fx.mailbox;
    let refused = [
        fx.api
            .get::<AutoReplySettings>(&Route::GetAutoReply { mb }.path())
            .await
            .unwrap_err(),
        put_reply(&fx.api, mb, &away("x")).await.unwrap_err(),
        fx.api
            .get::<MailboxRules>(&Route::GetRules { mb }.path())
            .await
            .unwrap_err(),
        put_rules(&fx.api, mb, vec![subject_rule("x", vec![RuleAction::Flag])])
            .await
            .unwrap_err(),
    ];
    for e in refused {
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden), "{e}");
    }
    let p = postern_tests::fixtures::provisioner().await;
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM auto_replies WHERE mailbox_id = $1)
              + (SELECT COUNT(*) FROM mailbox_rules WHERE mailbox_id = $1)",
    )
    .bind(mb)
    .fetch_one(p.db())
    .await
    .unwrap();
    p.db().close().await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn forwards_count_against_the_daily_quota_and_stop_when_it_is_used_up() {
    // R-SEND-2: the web-hosting offer allows 50 recipients per 24 hours.
    let fx = Fixture::with_offer("web_hosting_script").await;
    let st = fx.stack;
    let a = &fx.address;
    let target = format!("{}@outside.test", unique("fwdq"));
    put_rules(
        &fx.api,
        fx.mailbox,
        vec![subject_rule(
            "[fwd]",
            vec![RuleAction::Forward {
                address: target.clone(),
            }],
        )],
    )
    .await
    .expect("rule");
    // 49 of the 50 used by a mail client.
    let password = fx.device_password().await;
    let tag = unique("q49");
    let outcome = st.smtp_submit(&postern_tests::smtp::SmtpMessage {
        user: a,
        password: &password,
        mail_from: a,
        rcpt_to: postern_tests::sending::sink_addresses(&tag, 49),
        data: postern_tests::smtp::plain_message(a, "undisclosed-recipients:;", &tag),
    });
    assert!(outcome.accepted, "{}", outcome.transcript);

    // The 50th recipient is a forward: it goes, and it is counted.
    let from = "someone@outside.test";
    let first = format!("[fwd] {}", unique("first"));
    deliver(st, from, a, &first, &[], "INBOX").await;
    let copies = st.wait_for_sink(&first, 1).await;
    assert_eq!(copies[0].rcpt_to, std::slice::from_ref(&target));
    assert_eq!(
        copies[0].mail_from.trim_matches(['<', '>']),
        a.as_str(),
        "a forward is sent by the mailbox (its quota, its bounces)"
    );
    let id = fx.api.identities(fx.mailbox).await.expect("identities");
    assert_eq!(id.used_last_24h, 50, "the forward counted one recipient");

    // The quota is used up: the next forward is refused, the message
    // itself still arrives.
    let second = format!("[fwd] {}", unique("second"));
    deliver(st, from, a, &second, &[], "INBOX").await;
    let log = st.log("postfix");
    eventually(
        "Postfix refusing the forward over the quota",
        Duration::from_secs(30),
        || async {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            text.lines()
                .any(|l| {
                    l.contains("reject: END-OF-MESSAGE")
                        && l.contains("[postern:quota_exceeded")
                        && l.contains(&format!("from=<{a}>"))
                })
                .then_some(())
        },
    )
    .await;
    assert!(st.sink_with(&second).is_empty(), "forwarded over the quota");
    let id = fx.api.identities(fx.mailbox).await.expect("identities");
    assert_eq!(id.used_last_24h, 50);
}
