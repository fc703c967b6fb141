//! R-ID-3: a user reaches a mailbox only through a grant. Every
//! mailbox-scoped route answers 403 `forbidden` without one — for another
//! organisation's real mailbox, for an ungranted one of the own
//! organisation, and for an id that does not exist — and changes nothing.

use postern_shared::api::{MailboxAccess, Me};
use postern_shared::permissions::Role;
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, Permission, PermissionSet};
use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::{ApiClient, ImapClient};
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeMap;

/// Every folder/message route of mailbox `mb`, with a plausible body.
fn every_route(mb: i64, uid: u32) -> Vec<(Method, String, Option<serde_json::Value>)> {
    let p = |route: Route, query: &str| route.path_with(query);
    vec![
        (Method::GET, p(Route::ListFolders { mb }, ""), None),
        (
            Method::POST,
            p(Route::CreateFolder { mb }, ""),
            Some(json!({ "parent": null, "name": "Intruder" })),
        ),
        (
            Method::PATCH,
            p(Route::RenameFolder { mb }, "path=Keep"),
            Some(json!({ "name": "Renamed" })),
        ),
        (
            Method::DELETE,
            p(Route::DeleteFolder { mb }, "path=Keep"),
            None,
        ),
        (
            Method::GET,
            p(Route::ListMessages { mb }, "folder=INBOX"),
            None,
        ),
        (
            Method::GET,
            p(
                Route::ListMessages { mb },
                "folder=INBOX&filter=unread&q=secret",
            ),
            None,
        ),
        (
            Method::GET,
            p(Route::GetMessage { mb, uid }, "folder=INBOX"),
            None,
        ),
        (
            Method::GET,
            p(Route::GetMessageHtml { mb, uid }, "folder=INBOX"),
            None,
        ),
        (
            Method::GET,
            p(
                Route::GetPart {
                    mb,
                    uid,
                    section: "1".into(),
                },
                "folder=INBOX",
            ),
            None,
        ),
        (
            Method::POST,
            p(Route::SetFlags { mb }, ""),
            Some(json!({ "folder": "INBOX", "uids": [uid], "flag": "flagged", "value": true })),
        ),
        (
            Method::POST,
            p(Route::SetFlags { mb }, ""),
            Some(json!({ "folder": "INBOX", "uids": [uid], "flag": "seen", "value": true })),
        ),
        (
            Method::POST,
            p(Route::MoveMessages { mb }, ""),
            Some(json!({ "folder": "INBOX", "uids": [uid], "to": "Keep" })),
        ),
        (
            Method::POST,
            p(Route::DeleteMessages { mb }, ""),
            Some(json!({ "folder": "INBOX", "uids": [uid] })),
        ),
    ]
}

async fn assert_all_forbidden(api: &ApiClient, mb: i64, uid: u32, what: &str) {
    for (method, path, body) in every_route(mb, uid) {
        let mut rb = api.request(method.clone(), &path);
        if let Some(b) = &body {
            rb = rb.json(b);
        }
        let resp = rb.send().await.expect("request is sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let code = serde_json::from_str::<postern_shared::ApiError>(&text).map(|e| e.code);
        assert!(
            status == 403 && matches!(code, Ok(ErrorCode::Forbidden)),
            "{what}: {method} {path} must be 403 forbidden, got HTTP {status}: {text}"
        );
    }
}

/// What another mail client sees of a mailbox: folders, and per folder the
/// flags of every message.
async fn snapshot(
    imap: &mut ImapClient,
) -> (Vec<String>, BTreeMap<String, BTreeMap<u32, Vec<String>>>) {
    let mut folders = imap.list().await.expect("LIST");
    folders.sort();
    let mut contents = BTreeMap::new();
    for f in &folders {
        imap.select(f).await.expect("SELECT");
        let uids = imap.uid_search("ALL").await.expect("SEARCH");
        let flags = if uids.is_empty() {
            BTreeMap::new()
        } else {
            imap.uid_fetch_flags(&uids).await.expect("FETCH FLAGS")
        };
        contents.insert(f.clone(), flags);
    }
    (folders, contents)
}

/// A victim mailbox with an unread message (with an attachment-less text
/// part 1) in INBOX and a user folder `Keep`.
async fn victim() -> (Fixture, u32) {
    let mut v = Fixture::new().await;
    v.imap.create("Keep").await.expect("CREATE Keep");
    let uid = v
        .append(
            "INBOX",
            &[],
            &Mail::new("Victim's secret").body("secret body").build(),
        )
        .await;
    v.append("INBOX", &["\\Seen"], &Mail::new("Another one").build())
        .await;
    (v, uid)
}

#[tokio::test]
async fn another_organisations_mailbox_is_forbidden_on_every_route_and_stays_untouched() {
    let (mut victim, uid) = victim().await;
    let before = snapshot(&mut victim.imap).await;
    let attacker = Fixture::new().await;
    assert_ne!(attacker.org, victim.org);

    assert_all_forbidden(
        &attacker.api,
        victim.mailbox,
        uid,
        "another organisation's mailbox",
    )
    .await;

    // Over IMAP nothing moved: same folders, same messages, same flags
    // (in particular the unread message is still unread).
    let mut fresh = victim.stack.imap(&victim.address).await;
    let after = snapshot(&mut fresh).await;
    assert_eq!(before, after, "the victim's mailbox changed");
    // The owner still sees it all through the API.
    let folders: Vec<postern_shared::api::Folder> = victim
        .api
        .get(&Route::ListFolders { mb: victim.mailbox }.path())
        .await
        .unwrap();
    assert!(folders.iter().any(|f| f.path == "Keep"));
}

#[tokio::test]
async fn ungranted_mailbox_of_the_own_organisation_is_forbidden_too() {
    let fx = Fixture::new().await;
    let (other, address) = fx.add_mailbox("colleague", None).await;
    let mut imap = fx.stack.imap(&address).await;
    imap.create("Keep").await.unwrap();
    let uid = imap
        .append("INBOX", &[], &Mail::new("Not for you").build())
        .await
        .unwrap();
    let before = snapshot(&mut imap).await;

    assert_all_forbidden(
        &fx.api,
        other,
        uid,
        "ungranted mailbox of the same organisation",
    )
    .await;

    let after = snapshot(&mut fx.stack.imap(&address).await).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn nonexistent_mailbox_id_is_forbidden_like_any_other() {
    let fx = Fixture::new().await;
    // Ids are allocated upwards; nothing creates ten million mailboxes
    // during a test run, so this one does not exist.
    let missing = fx.mailbox + 10_000_000;
    assert_all_forbidden(&fx.api, missing, 1, "nonexistent mailbox").await;
}

#[tokio::test]
async fn me_lists_exactly_the_granted_mailboxes_with_their_permissions() {
    let fx = Fixture::new().await;
    let read_only = PermissionSet::empty().with(Permission::Read);
    let (second, second_address) = fx.add_mailbox("second", Some(read_only)).await;
    let (_hidden, _) = fx.add_mailbox("hidden", None).await;
    let _stranger = Fixture::new().await; // another organisation's mailbox exists too

    let me: Me = fx.api.get(&Route::Me.path()).await.expect("GET /api/me");
    assert_eq!(me.account.id, fx.account);
    assert_eq!(me.account.login, fx.login);
    let mut got: Vec<(i64, String, i64, Vec<Permission>)> = me
        .mailboxes
        .iter()
        .map(|m: &MailboxAccess| {
            (
                m.id,
                m.address.clone(),
                m.organization_id,
                m.permissions.iter().collect(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (
            fx.mailbox,
            fx.address.clone(),
            fx.org,
            PermissionSet::all().iter().collect::<Vec<_>>(),
        ),
        (second, second_address, fx.org, vec![Permission::Read]),
    ];
    want.sort();
    assert_eq!(got, want);

    let orgs: Vec<(i64, Role)> = me.organizations.iter().map(|o| (o.id, o.role)).collect();
    assert_eq!(orgs, vec![(fx.org, Role::User)]);
}
