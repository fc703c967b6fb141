//! Spam filtering (R-SPAM) on the real path: Postfix smtpd → rspamd (a
//! milter) → LMTP → the mailbox's generated Sieve → IMAP.
//!
//! Mail "from outside" is delivered to Postfix's smtpd as a server on the
//! internet would ([`Stack::smtp_deliver`]). The GTUBE string the tests
//! send is rspamd's "add header" variant (`YJS…`, enabled by the test
//! stack's `enable_test_patterns`): spam that is delivered. The standard
//! `XJS…` string makes rspamd refuse the message before any setting
//! applies (see ARCHITECTURE.md, "Spam filtering").

use postern_shared::ErrorCode;
use postern_shared::PermissionSet;
use postern_shared::admin::{
    AddAliasRequest, AddressKind, CreateAddressRequest, CreatedAddress, OrgAddresses, Recipients,
    SetCatchAllRequest,
};
use postern_shared::api::{Folder, MailboxId, RenameFolderRequest};
use postern_shared::filters::{
    Condition, MailboxRules, Match, PutRules, Rule, RuleAction, RuleField,
};
use postern_shared::permissions::Role;
use postern_shared::spam::{
    BulkSpamFilterRequest, BulkSpamFilterResult, OrgSpamLists, ReportRequest, ReportResult,
    SenderEntries, SenderList, SpamSettings, UpdateSpamSettings, Verdict,
};
use postern_shared::wire::routes::Route;
use postern_shared::{Permission, admin::DomainInfo};
use postern_tests::fixtures::{Fixture, Mail, folder_path};
use postern_tests::mail::header;
use postern_tests::managesieve::ManageSieve;
use postern_tests::{ApiClient, ApiFailure, Stack, unique};

/// rspamd's test pattern for "probable spam": scored 6, the add-header
/// threshold (`enable_test_patterns`).
const GTUBE_SPAM: &str = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
/// The standard GTUBE string: rspamd rejects it outright.
const GTUBE_REJECT: &str = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

/// A message from `from` on the internet to `to`, with `body`.
fn external(from: &str, to: &str, subject: &str, body: &str) -> Vec<u8> {
    Mail::new(subject)
        .from(from)
        .to(to)
        .date(postern_tests::sending::now())
        .body(body)
        .build()
}

/// Delivers a message from outside; returns its subject.
fn deliver(stack: &Stack, from: &str, to: &str, body: &str) -> String {
    let subject = unique("spam");
    let data = external(from, to, &subject, body);
    let outcome = stack.smtp_deliver(from, &[to], &data);
    assert!(outcome.accepted, "{}", outcome.transcript);
    subject
}

/// Delivers from `from` to `to` and waits for it in `address`'s `folder`.
async fn lands(stack: &Stack, from: &str, to: &str, body: &str, address: &str, folder: &str) {
    let subject = deliver(stack, from, to, body);
    stack.wait_for_subject(address, folder, &subject).await;
}

fn spam_path(mb: MailboxId) -> String {
    Route::GetSpam { mb }.path()
}

async fn settings(api: &ApiClient, mb: MailboxId) -> SpamSettings {
    api.get(&spam_path(mb)).await.expect("GET spam")
}

async fn put(
    api: &ApiClient,
    mb: MailboxId,
    enabled: bool,
    folder: Option<&str>,
) -> Result<SpamSettings, ApiFailure> {
    let body = UpdateSpamSettings {
        enabled,
        folder: folder.map(String::from),
    };
    api.put(&Route::PutSpam { mb }.path(), &body).await
}

fn entries(list: SenderList, e: &[&str]) -> SenderEntries {
    SenderEntries {
        list,
        entries: e.iter().map(|s| s.to_string()).collect(),
    }
}

async fn add(
    api: &ApiClient,
    mb: MailboxId,
    list: SenderList,
    e: &[&str],
) -> Result<SpamSettings, ApiFailure> {
    api.post(&Route::AddSpamSenders { mb }.path(), &entries(list, e))
        .await
}

async fn add_global(
    fx: &Fixture,
    list: SenderList,
    e: &[&str],
) -> Result<OrgSpamLists, ApiFailure> {
    fx.api
        .post(
            &Route::AddOrgSpamSenders { org: fx.org }.path(),
            &entries(list, e),
        )
        .await
}

async fn domain(fx: &Fixture) -> DomainInfo {
    let table: OrgAddresses = fx
        .api
        .get(&Route::ListAddresses { org: fx.org }.path())
        .await
        .expect("address table");
    table
        .domains
        .into_iter()
        .find(|d| d.name == fx.domain)
        .expect("the fixture's domain")
}

#[tokio::test]
async fn rspamd_scores_mail_from_outside_and_a_new_mailbox_files_spam_in_junk() {
    let fx = Fixture::new().await;
    // R-SPAM-1: on by default, destination the Junk folder.
    let s = settings(&fx.api, fx.mailbox).await;
    assert!(s.enabled && s.folder.is_none() && s.blocked.is_empty() && s.approved.is_empty());
    let a = &fx.address;
    // Spam that says it is not: rspamd's own verdict counts.
    let subject = unique("forged");
    let data = Mail::new(&subject)
        .from("friend@outside.test")
        .to(a)
        .date(postern_tests::sending::now())
        .header("X-Spam-Status: No, score=-100.00")
        .header("X-Spam: No")
        .body(GTUBE_SPAM)
        .build();
    let outcome = fx.stack.smtp_deliver("friend@outside.test", &[a], &data);
    assert!(outcome.accepted, "{}", outcome.transcript);
    let (_, raw) = fx.stack.wait_for_subject(a, "Junk", &subject).await;
    assert_eq!(postern_tests::mail::headers(&raw, "X-Spam"), ["Yes"]);

    // Mail that says it is spam: rspamd replaces the verdict.
    let subject = unique("plain");
    let data = Mail::new(&subject)
        .from("friend@outside.test")
        .to(a)
        .date(postern_tests::sending::now())
        .header("X-Spam-Status: Yes, score=99.00")
        .body("Hello, see you tomorrow.")
        .build();
    let outcome = fx.stack.smtp_deliver("friend@outside.test", &[a], &data);
    assert!(outcome.accepted, "{}", outcome.transcript);
    let (_, raw) = fx.stack.wait_for_subject(a, "INBOX", &subject).await;
    let status = postern_tests::mail::headers(&raw, "X-Spam-Status");
    assert_eq!(status.len(), 1, "{status:?}");
    assert!(status[0].starts_with("No, score="), "{status:?}");
    assert_eq!(header(&raw, "X-Spam"), None);
}

#[tokio::test]
async fn the_standard_gtube_string_is_refused_at_the_end_of_data() {
    let fx = Fixture::new().await;
    let subject = unique("gtube");
    let data = external("spammer@outside.test", &fx.address, &subject, GTUBE_REJECT);
    let outcome = fx
        .stack
        .smtp_deliver("spammer@outside.test", &[&fx.address], &data);
    assert!(!outcome.accepted, "{:?}", outcome.replies);
    assert_eq!(outcome.refusal_code(), Some(554), "{:?}", outcome.replies);
}

#[tokio::test]
async fn with_the_filter_off_spam_reaches_the_inbox_from_the_next_delivery() {
    let fx = Fixture::new().await;
    add(
        &fx.api,
        fx.mailbox,
        SenderList::Blocked,
        &["blocked@outside.test"],
    )
    .await
    .unwrap();
    let off = put(&fx.api, fx.mailbox, false, None).await.unwrap();
    assert!(!off.enabled);
    assert_eq!(off.blocked, ["blocked@outside.test"], "lists are kept");
    let s = fx.stack;
    lands(
        s,
        "x@outside.test",
        &fx.address,
        GTUBE_SPAM,
        &fx.address,
        "INBOX",
    )
    .await;
    // Off means off: a blocked sender too.
    lands(
        s,
        "blocked@outside.test",
        &fx.address,
        "Hi",
        &fx.address,
        "INBOX",
    )
    .await;
    assert!(put(&fx.api, fx.mailbox, true, None).await.unwrap().enabled);
    lands(
        s,
        "x@outside.test",
        &fx.address,
        GTUBE_SPAM,
        &fx.address,
        "Junk",
    )
    .await;
}

#[tokio::test]
async fn spam_goes_to_the_chosen_folder_which_must_exist() {
    let fx = Fixture::new().await;
    let folder: Folder = fx
        .create_folder(None, "Quarantäne \"A\"")
        .await
        .expect("create folder");
    let missing = put(&fx.api, fx.mailbox, true, Some("No such folder"))
        .await
        .unwrap_err();
    assert_eq!(missing.code(), ErrorCode::FolderNotFound);
    let s = put(&fx.api, fx.mailbox, true, Some(&folder.path))
        .await
        .unwrap();
    assert_eq!(s.folder.as_deref(), Some(folder.path.as_str()));
    lands(
        fx.stack,
        "x@outside.test",
        &fx.address,
        GTUBE_SPAM,
        &fx.address,
        &folder.path,
    )
    .await;
    // Back to the Junk folder (the default, stored as none).
    let s = put(&fx.api, fx.mailbox, true, Some("Junk")).await.unwrap();
    assert_eq!(s.folder, None);
    lands(
        fx.stack,
        "x@outside.test",
        &fx.address,
        GTUBE_SPAM,
        &fx.address,
        "Junk",
    )
    .await;
}

#[tokio::test]
async fn a_renamed_folder_takes_the_spam_destination_and_the_rules_with_it() {
    let mut fx = Fixture::new().await;
    let work: Folder = fx.create_folder(None, "Work").await.expect("Work");
    let quarantine: Folder = fx
        .create_folder(Some(&work.path), "Quarantine")
        .await
        .expect("Work/Quarantine");
    put(&fx.api, fx.mailbox, true, Some(&quarantine.path))
        .await
        .expect("spam to Work/Quarantine");
    let rule = Rule {
        name: "work mail".into(),
        enabled: true,
        all: true,
        conditions: vec![Condition {
            field: RuleField::Subject,
            matches: Match::Contains,
            header: None,
            value: "[work]".into(),
        }],
        actions: vec![RuleAction::Move {
            folder: work.path.clone(),
        }],
    };
    let _: MailboxRules = fx
        .api
        .put(
            &Route::PutRules { mb: fx.mailbox }.path(),
            &PutRules { rules: vec![rule] },
        )
        .await
        .expect("rule");

    let job: Folder = fx
        .api
        .patch(
            &folder_path(Route::RenameFolder { mb: fx.mailbox }, &work.path),
            &RenameFolderRequest { name: "Job".into() },
        )
        .await
        .expect("rename Work");
    let inside = quarantine.path.replacen(&work.path, &job.path, 1);
    assert_eq!(
        settings(&fx.api, fx.mailbox).await.folder.as_deref(),
        Some(inside.as_str()),
        "the destination inside the renamed folder follows it"
    );
    let rules: MailboxRules = fx
        .api
        .get(&Route::GetRules { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert_eq!(
        rules.rules[0].actions,
        [RuleAction::Move {
            folder: job.path.clone()
        }]
    );

    // The next deliveries file into the new names; the old one is not
    // made again by Sieve's fileinto.
    let st = fx.stack;
    lands(
        st,
        "x@outside.test",
        &fx.address,
        GTUBE_SPAM,
        &fx.address,
        &inside,
    )
    .await;
    let subject = format!("[work] {}", unique("w"));
    let data = external("boss@outside.test", &fx.address, &subject, "agenda");
    assert!(
        st.smtp_deliver("boss@outside.test", &[&fx.address], &data)
            .accepted
    );
    st.wait_for_subject(&fx.address, &job.path, &subject).await;
    let names = fx.imap.list().await.unwrap();
    assert!(
        !names
            .iter()
            .any(|n| n == &work.path || n == &quarantine.path),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_blocked_sender_goes_to_spam_and_an_approved_one_never_does() {
    let fx = Fixture::new().await;
    add(
        &fx.api,
        fx.mailbox,
        SenderList::Blocked,
        &["Bad@Outside.test", "@spammy.test"],
    )
    .await
    .unwrap();
    let s = add(
        &fx.api,
        fx.mailbox,
        SenderList::Approved,
        &["@friends.test"],
    )
    .await
    .unwrap();
    assert_eq!(s.blocked, ["@spammy.test", "bad@outside.test"]);
    assert_eq!(s.approved, ["@friends.test"]);
    let st = fx.stack;
    let a = &fx.address;
    lands(st, "bad@outside.test", a, "Hello.", a, "Junk").await;
    lands(st, "anyone@spammy.test", a, "Hello.", a, "Junk").await;
    lands(st, "pal@friends.test", a, GTUBE_SPAM, a, "INBOX").await;
    // Removed: mail from it is judged by its score again.
    let s: SpamSettings = fx
        .api
        .post(
            &Route::RemoveSpamSenders { mb: fx.mailbox }.path(),
            &entries(SenderList::Blocked, &["bad@outside.test"]),
        )
        .await
        .unwrap();
    assert_eq!(s.blocked, ["@spammy.test"]);
    lands(st, "bad@outside.test", a, "Hello.", a, "INBOX").await;
}

#[tokio::test]
async fn hostile_list_entries_are_refused_with_a_typed_error_and_nothing_is_added() {
    let fx = Fixture::new().await;
    for (entry, reason) in [
        ("a\"b@x.test", "character"),
        ("x@y.test\"; discard; \"", "character"),
        ("a@x.test\nstop;", "character"),
        ("back\\slash@x.test", "character"),
        ("jörg@x.test", "character"),
        ("nobody", "malformed"),
    ] {
        let err = add(
            &fx.api,
            fx.mailbox,
            SenderList::Blocked,
            &["ok@x.test", entry],
        )
        .await
        .unwrap_err();
        assert_eq!(err.status, 400, "{entry:?}");
        assert_eq!(err.code(), ErrorCode::InvalidSender, "{entry:?}");
        assert_eq!(
            err.error.params.reason.as_deref(),
            Some(reason),
            "{entry:?}"
        );
        assert_eq!(err.error.params.value.as_deref(), Some(entry), "{entry:?}");
    }
    let long = format!("{}@x.test", "a".repeat(300));
    let err = add(&fx.api, fx.mailbox, SenderList::Approved, &[&long])
        .await
        .unwrap_err();
    assert_eq!(err.error.params.reason.as_deref(), Some("too_long"));
    let s = settings(&fx.api, fx.mailbox).await;
    assert!(s.blocked.is_empty() && s.approved.is_empty(), "{s:?}");
    // The script in force still works.
    let a = &fx.address;
    lands(fx.stack, "x@outside.test", a, GTUBE_SPAM, a, "Junk").await;
}

#[tokio::test]
async fn global_lists_apply_to_every_way_into_a_mailbox_without_appearing_in_its_lists() {
    let fx = Fixture::with_role(Role::Owner).await;
    let d = domain(&fx).await;
    let g = add_global(&fx, SenderList::Blocked, &["@globalspam.test"])
        .await
        .unwrap();
    assert_eq!(g.blocked, ["@globalspam.test"]);
    assert!(g.allowed);
    let g = add_global(&fx, SenderList::Approved, &["vip@partner.test"])
        .await
        .unwrap();
    assert_eq!(g.approved, ["vip@partner.test"]);
    // The mailbox's own lists stay empty.
    let s = settings(&fx.api, fx.mailbox).await;
    assert!(s.blocked.is_empty() && s.approved.is_empty(), "{s:?}");

    // Its own address, an alias, the catch-all, a redirect into it.
    let alias = format!("alias-{}", unique("a"));
    fx.api
        .post::<_, serde_json::Value>(
            &Route::AddAlias {
                org: fx.org,
                addr: fx.mailbox,
            }
            .path(),
            &AddAliasRequest {
                local_part: alias.clone(),
                domain: d.id,
            },
        )
        .await
        .expect("alias");
    fx.api
        .put::<_, DomainInfo>(
            &Route::SetCatchAll {
                org: fx.org,
                domain: d.id,
            }
            .path(),
            &SetCatchAllRequest {
                mailbox: Some(fx.mailbox),
            },
        )
        .await
        .expect("catch-all");
    let redirect: CreatedAddress = fx
        .api
        .post(
            &Route::CreateAddress { org: fx.org }.path(),
            &CreateAddressRequest {
                local_part: "fwd".into(),
                domain: d.id,
                display_name: String::new(),
                kind: AddressKind::Redirect,
                recipients: Recipients::Nobody,
                redirect_to: vec![fx.address.clone()],
                catch_all: false,
                signature: None,
            },
        )
        .await
        .expect("redirect");
    let a = &fx.address;
    let st = fx.stack;
    for to in [
        fx.address.clone(),
        format!("{alias}@{}", fx.domain),
        format!("unknown-{}@{}", unique("u"), fx.domain),
        redirect.address.address.clone(),
    ] {
        lands(st, "x@globalspam.test", &to, "Hello.", a, "Junk").await;
        lands(st, "vip@partner.test", &to, GTUBE_SPAM, a, "INBOX").await;
    }
    // Another organisation's mailbox is not touched by these lists.
    let other = Fixture::new().await;
    let o = &other.address;
    lands(st, "x@globalspam.test", o, "Hello.", o, "INBOX").await;
}

#[tokio::test]
async fn the_order_of_precedence_is_mailbox_approved_blocked_then_global_then_score() {
    let fx = Fixture::with_role(Role::Owner).await;
    let mb = fx.mailbox;
    add_global(&fx, SenderList::Blocked, &["@p1.test", "g@p3.test"])
        .await
        .unwrap();
    add_global(&fx, SenderList::Approved, &["@p2.test", "@p3.test"])
        .await
        .unwrap();
    add(
        &fx.api,
        mb,
        SenderList::Approved,
        &["me@p1.test", "a@p4.test"],
    )
    .await
    .unwrap();
    add(&fx.api, mb, SenderList::Blocked, &["y@p2.test", "@p4.test"])
        .await
        .unwrap();
    let a = &fx.address;
    let st = fx.stack;
    // 1 > 4: the mailbox approves what the service blocks.
    lands(st, "me@p1.test", a, GTUBE_SPAM, a, "INBOX").await;
    lands(st, "other@p1.test", a, "Hello.", a, "Junk").await;
    // 2 > 3: the mailbox blocks what the service approves.
    lands(st, "y@p2.test", a, "Hello.", a, "Junk").await;
    lands(st, "z@p2.test", a, GTUBE_SPAM, a, "INBOX").await;
    // 3 > 4 within the service; 3 > 5: approved beats the score.
    lands(st, "g@p3.test", a, GTUBE_SPAM, a, "INBOX").await;
    // 1 > 2 within the mailbox.
    lands(st, "a@p4.test", a, GTUBE_SPAM, a, "INBOX").await;
    lands(st, "b@p4.test", a, "Hello.", a, "Junk").await;
    // 5: nobody listed, the score decides.
    lands(st, "n@p5.test", a, GTUBE_SPAM, a, "Junk").await;
    lands(st, "n@p5.test", a, "Hello.", a, "INBOX").await;
    // A global change applies to a mailbox with its own script at once.
    let g: OrgSpamLists = fx
        .api
        .post(
            &Route::RemoveOrgSpamSenders { org: fx.org }.path(),
            &entries(SenderList::Blocked, &["@p1.test"]),
        )
        .await
        .unwrap();
    assert_eq!(g.blocked, ["g@p3.test"]);
    lands(st, "other@p1.test", a, "Hello.", a, "INBOX").await;
}

#[tokio::test]
async fn the_bulk_switch_changes_exactly_the_selected_mailboxes() {
    let fx = Fixture::with_role(Role::Owner).await;
    let (b, b_addr) = fx.add_mailbox("bulk-b", None).await;
    let (c, c_addr) = fx.add_mailbox("bulk-c", None).await;
    let path = Route::BulkSpamFilter { org: fx.org }.path();
    let done: BulkSpamFilterResult = fx
        .api
        .post(
            &path,
            &BulkSpamFilterRequest {
                mailboxes: vec![b, c],
                enabled: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(done.mailboxes, {
        let mut v = vec![b, c];
        v.sort();
        v
    });
    let table: OrgAddresses = fx
        .api
        .get(&Route::ListAddresses { org: fx.org }.path())
        .await
        .unwrap();
    for row in &table.addresses {
        assert_eq!(row.spam_filter, row.id == fx.mailbox, "{}", row.address);
    }
    let st = fx.stack;
    lands(st, "x@outside.test", &b_addr, GTUBE_SPAM, &b_addr, "INBOX").await;
    lands(st, "x@outside.test", &c_addr, GTUBE_SPAM, &c_addr, "INBOX").await;
    let a = &fx.address;
    lands(st, "x@outside.test", a, GTUBE_SPAM, a, "Junk").await;
    // A mailbox of another organisation refuses the whole request.
    let other = Fixture::new().await;
    let err = fx
        .api
        .post::<_, BulkSpamFilterResult>(
            &path,
            &BulkSpamFilterRequest {
                mailboxes: vec![fx.mailbox, other.mailbox],
                enabled: false,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    assert!(
        settings(&fx.api, fx.mailbox).await.enabled,
        "nothing changed"
    );
    assert!(settings(&other.api, other.mailbox).await.enabled);
}

/// Long enough for rspamd's Bayes to have tokens to learn (`min_tokens`).
const SALES_PITCH: &str = "Dear friend, our exclusive offer of discounted watches, \
    handbags and sunglasses ends tonight. Reply now to claim your prize: limited stock, \
    free shipping worldwide, satisfaction guaranteed or your money back.";

async fn report(
    api: &ApiClient,
    mb: MailboxId,
    folder: &str,
    uids: Vec<u32>,
    verdict: Verdict,
) -> Result<ReportResult, ApiFailure> {
    let req = ReportRequest {
        folder: folder.into(),
        uids,
        verdict,
    };
    api.post(&Route::ReportMessages { mb }.path(), &req).await
}

#[tokio::test]
async fn reporting_spam_moves_it_teaches_the_mailbox_s_filter_and_names_the_sender() {
    let fx = Fixture::new().await;
    let (st, a, mb) = (fx.stack, &fx.address, fx.mailbox);
    let sender = format!("{}@pushy.test", unique("seller"));
    let subject = deliver(st, &sender, a, SALES_PITCH);
    let (uid, _) = st.wait_for_subject(a, "INBOX", &subject).await;

    let r = report(&fx.api, mb, "INBOX", vec![uid], Verdict::Spam)
        .await
        .unwrap();
    assert_eq!((r.destination.as_str(), r.moved), ("Junk", 1));
    assert_eq!(r.senders, [sender.as_str()]);
    assert!(r.can_list);
    // rspamd's controller took it into this mailbox's statistics.
    assert_eq!(r.learned, 1, "{r:?}");
    let (junk_uid, _) = st.wait_for_subject(a, "Junk", &subject).await;
    assert!(st.find_subject(a, "INBOX", &subject).await.is_empty());
    // The same message again teaches nothing new (rspamd knows it).
    let again = report(&fx.api, mb, "Junk", vec![junk_uid], Verdict::Spam)
        .await
        .unwrap();
    assert_eq!((again.moved, again.learned), (0, 0), "{again:?}");

    // Not spam after all: back to the Inbox, learned the other way.
    let r = report(&fx.api, mb, "Junk", vec![junk_uid], Verdict::NotSpam)
        .await
        .unwrap();
    assert_eq!(
        (r.destination.as_str(), r.moved, r.learned),
        ("INBOX", 1, 1)
    );
    st.wait_for_subject(a, "INBOX", &subject).await;
    assert!(st.find_subject(a, "Junk", &subject).await.is_empty());

    // The one-click block the webmail offers is the list route: the
    // sender's next message goes to Junk.
    add(&fx.api, mb, SenderList::Blocked, &[sender.as_str()])
        .await
        .unwrap();
    lands(st, &sender, a, "One more offer.", a, "Junk").await;
}

#[tokio::test]
async fn reporting_follows_the_chosen_destination_and_needs_only_the_grant() {
    // Read alone may report (like a move); the lists are not offered.
    let perms: PermissionSet = [Permission::Read].into_iter().collect();
    let fx = Fixture::with_permissions(perms).await;
    let (st, a, mb) = (fx.stack, &fx.address, fx.mailbox);
    let subject = deliver(st, "someone@outside.test", a, SALES_PITCH);
    let (uid, _) = st.wait_for_subject(a, "INBOX", &subject).await;
    let r = report(&fx.api, mb, "INBOX", vec![uid], Verdict::Spam)
        .await
        .unwrap();
    assert!(!r.can_list);
    assert_eq!(r.senders, ["someone@outside.test"]);
    st.wait_for_subject(a, "Junk", &subject).await;

    // An owner's mailbox with a chosen destination: reports go there too.
    let owner = Fixture::new().await;
    let (a, mb) = (&owner.address, owner.mailbox);
    let _: Folder = owner.create_folder(None, "Suspicious").await.unwrap();
    put(&owner.api, mb, true, Some("Suspicious")).await.unwrap();
    let subject = deliver(st, "other@outside.test", a, SALES_PITCH);
    let (uid, _) = st.wait_for_subject(a, "INBOX", &subject).await;
    let r = report(&owner.api, mb, "INBOX", vec![uid], Verdict::Spam)
        .await
        .unwrap();
    assert_eq!(r.destination, "Suspicious");
    st.wait_for_subject(a, "Suspicious", &subject).await;

    // Someone else's mailbox, bad input: refused, nothing moves.
    let e = report(&fx.api, mb, "Suspicious", vec![1], Verdict::NotSpam)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    let e = report(&owner.api, mb, "INBOX", vec![], Verdict::Spam)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadRequest);
    let e = report(&owner.api, mb, "Nowhere", vec![1], Verdict::Spam)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::FolderNotFound);
    assert_eq!(st.find_subject(a, "Suspicious", &subject).await.len(), 1);
}

#[tokio::test]
async fn a_client_s_own_managesieve_script_survives_settings_changes() {
    let fx = Fixture::new().await;
    let mut ms = ManageSieve::connect(fx.stack, &fx.address).await;
    ms.put_active(
        "mine",
        "require [\"fileinto\"];\nif header :contains \"subject\" \"[rule]\" { fileinto \"Rules\"; }\n",
    )
    .await;
    add(
        &fx.api,
        fx.mailbox,
        SenderList::Blocked,
        &["bad@outside.test"],
    )
    .await
    .unwrap();
    put(&fx.api, fx.mailbox, true, None).await.unwrap();
    let listed = ms.list().await;
    assert!(
        listed
            .iter()
            .any(|l| l.contains("\"mine\"") && l.contains("ACTIVE")),
        "{listed:?}"
    );
    let st = fx.stack;
    let a = &fx.address;
    // Not spam: Postern's script leaves it, the client's files it.
    let subject = format!("[rule] {}", unique("r"));
    let data = external("friend@outside.test", a, &subject, "Hello.");
    assert!(st.smtp_deliver("friend@outside.test", &[a], &data).accepted);
    st.wait_for_subject(a, "Rules", &subject).await;
    // Spam never reaches the client's script.
    let subject = format!("[rule] {}", unique("r"));
    let data = external("bad@outside.test", a, &subject, "Hello.");
    assert!(st.smtp_deliver("bad@outside.test", &[a], &data).accepted);
    st.wait_for_subject(a, "Junk", &subject).await;
}

#[tokio::test]
async fn every_filter_route_needs_manage_filters_and_every_org_route_its_role() {
    let perms: PermissionSet = [Permission::Read, Permission::Send].into_iter().collect();
    let fx = Fixture::with_permissions(perms).await;
    let mb = fx.mailbox;
    let body = entries(SenderList::Blocked, &["a@b.test"]);
    let refused = [
        fx.api
            .get::<SpamSettings>(&spam_path(mb))
            .await
            .unwrap_err(),
        put(&fx.api, mb, false, None).await.unwrap_err(),
        add(&fx.api, mb, SenderList::Blocked, &["a@b.test"])
            .await
            .unwrap_err(),
        fx.api
            .post::<_, SpamSettings>(&Route::RemoveSpamSenders { mb }.path(), &body)
            .await
            .unwrap_err(),
    ];
    for e in refused {
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden), "{e}");
    }
    // The filter is untouched.
    let p = postern_tests::fixtures::provisioner().await;
    let on: i64 = sqlx::query_scalar("SELECT spam_filter FROM mailboxes WHERE id = $1")
        .bind(mb)
        .fetch_one(p.db())
        .await
        .unwrap();
    p.db().close().await;
    assert_eq!(on, 1);

    // Organisation routes: a user of the organisation sees none of them;
    // a legal representative sees the lists and changes nothing.
    let bulk = BulkSpamFilterRequest {
        mailboxes: vec![mb],
        enabled: false,
    };
    for role in [Role::User, Role::LegalRepresentative] {
        let fx = Fixture::with_role(role).await;
        let org = fx.org;
        let get = fx
            .api
            .get::<OrgSpamLists>(&Route::GetOrgSpam { org }.path())
            .await;
        match role {
            Role::User => assert_eq!(get.unwrap_err().code(), ErrorCode::Forbidden),
            _ => assert!(!get.unwrap().allowed),
        }
        let refused = [
            fx.api
                .post::<_, OrgSpamLists>(&Route::AddOrgSpamSenders { org }.path(), &body)
                .await
                .unwrap_err(),
            fx.api
                .post::<_, OrgSpamLists>(&Route::RemoveOrgSpamSenders { org }.path(), &body)
                .await
                .unwrap_err(),
            fx.api
                .post::<_, BulkSpamFilterResult>(
                    &Route::BulkSpamFilter { org }.path(),
                    &BulkSpamFilterRequest {
                        mailboxes: vec![fx.mailbox],
                        ..bulk.clone()
                    },
                )
                .await
                .unwrap_err(),
        ];
        for e in refused {
            assert_eq!(
                (e.status, e.code()),
                (403, ErrorCode::Forbidden),
                "{role:?} {e}"
            );
        }
    }
}

#[tokio::test]
async fn mail_sent_by_a_signed_in_user_is_not_scored_as_incoming_spam() {
    let fx = Fixture::new().await;
    let (_, to) = fx.add_mailbox("colleague", None).await;
    let subject = unique("internal");
    let mut draft = postern_tests::sending::draft(&[&to], &subject);
    draft.text = format!("{GTUBE_SPAM}\n");
    fx.api
        .send_now(fx.mailbox, &draft, None)
        .await
        .expect("send");
    let (_, raw) = fx.stack.wait_for_subject(&to, "INBOX", &subject).await;
    assert_eq!(header(&raw, "X-Spam"), None);
    assert_eq!(header(&raw, "X-Spam-Status"), None);
}
