//! Support access (R-SUP), on the real stack: a mailbox's user switches
//! support access on for the mailbox's contents or shares one message;
//! staff (the staff role of the staff organisation) read exactly that,
//! read-only, without marking anything read, until it is revoked or its
//! 7 days are over; every read is in the user's history.

use postern_shared::ErrorCode;
use postern_shared::api::{
    DeleteMessagesRequest, EmailAddress, Flag, Folder, MessagePage, MessageView,
    MoveMessagesRequest, SetFlagsRequest,
};
use postern_shared::compose::{Draft, SendRequest};
use postern_shared::permissions::Role;
use postern_shared::support::{
    StaffGrants, SupportGrant, SupportKind, SupportOverview, SupportRead, SupportScope,
};
use postern_shared::wire::query::{BodyHtmlQuery, FolderQuery, Images};
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, Mail, api_path, base64_lines, body_path, provisioner};
use postern_tests::{ApiClient, ApiFailure, unique};

/// A signed-in staff member of a fresh staff organisation (`staff` marks
/// the organisation; `role` is the member's role in it).
async fn staff_account(staff: bool, role: Role) -> (ApiClient, String) {
    let p = provisioner().await;
    let tag = unique("s");
    let org = p
        .create_organization(&format!("Support {tag}"), "standard")
        .await
        .unwrap();
    if staff {
        p.mark_staff(org).await.unwrap();
    }
    let login = format!("staff-{tag}@support.test");
    let password = format!("pw-{tag}-Correct-Horse");
    p.create_account(org, &login, &format!("Staff {tag}"), &password, role)
        .await
        .unwrap();
    p.db().close().await;
    let mut api = postern_tests::Stack::get().client();
    api.login(&login, &password).await.unwrap();
    (api, login)
}

async fn staff() -> (ApiClient, String) {
    staff_account(true, Role::Staff).await
}

fn contents() -> SupportScope {
    SupportScope::Content {
        kind: SupportKind::MailboxContents,
    }
}

async fn switch_on(fx: &Fixture, scope: &SupportScope) -> Result<SupportGrant, ApiFailure> {
    fx.api
        .post(&Route::GrantSupport { mb: fx.mailbox }.path(), scope)
        .await
}

async fn overview(fx: &Fixture) -> SupportOverview {
    fx.api
        .get(&Route::GetSupport { mb: fx.mailbox }.path())
        .await
        .unwrap()
}

async fn revoke(fx: &Fixture, id: &str) -> Result<(), ApiFailure> {
    fx.api
        .delete(
            &Route::RevokeSupport {
                mb: fx.mailbox,
                id: id.into(),
            }
            .path(),
        )
        .await
}

async fn grants(api: &ApiClient) -> Result<StaffGrants, ApiFailure> {
    api.get(&Route::StaffGrants.path()).await
}

async fn folders(api: &ApiClient, id: &str) -> Result<Vec<Folder>, ApiFailure> {
    api.get(&Route::StaffFolders { id: id.into() }.path()).await
}

async fn messages(api: &ApiClient, id: &str, folder: &str) -> Result<MessagePage, ApiFailure> {
    api.get(&api_path(
        Route::StaffMessages { id: id.into() },
        &FolderQuery {
            folder: folder.into(),
        },
    ))
    .await
}

async fn message(
    api: &ApiClient,
    id: &str,
    folder: &str,
    uid: u32,
) -> Result<MessageView, ApiFailure> {
    api.get(&api_path(
        Route::StaffMessage { id: id.into(), uid },
        &FolderQuery {
            folder: folder.into(),
        },
    ))
    .await
}

/// The status and body of an attachment download by staff.
async fn part(api: &ApiClient, id: &str, folder: &str, uid: u32, section: &str) -> (u16, Vec<u8>) {
    let path = api_path(
        Route::StaffPart {
            id: id.into(),
            uid,
            section: section.into(),
        },
        &FolderQuery {
            folder: folder.into(),
        },
    );
    let resp = api
        .request(reqwest::Method::GET, &path)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().await.unwrap().to_vec())
}

/// Staff's `body.html` of a message of INBOX: status, the headers the
/// document is served with, and the body (an `ApiError` when refused).
async fn body_html(api: &ApiClient, id: &str, uid: u32, images: bool) -> Served {
    let q = BodyHtmlQuery {
        folder: "INBOX".into(),
        images: if images { Images::Allow } else { Images::Block },
    };
    let path = api_path(Route::StaffMessageHtml { id: id.into(), uid }, &q);
    served(api.request(reqwest::Method::GET, &path)).await
}

struct Served {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Served {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn code(&self) -> Option<ErrorCode> {
        serde_json::from_str::<postern_shared::ApiError>(&self.body)
            .ok()
            .map(|e| e.code)
    }
}

async fn served(req: reqwest::RequestBuilder) -> Served {
    let resp = req.send().await.unwrap();
    Served {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap(),
    }
}

/// An HTML message with a script, a handler and a remote image.
fn html_mail(subject: &str, text: &str) -> Vec<u8> {
    format!(
        "From: Alice <alice@sender.test>\r\nTo: box@example.test\r\nSubject: {subject}\r\n\
         Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>{text} <b>formatted</b></p>\
         <script>alert('xss')</script>\
         <img src=\"x\" onerror=\"alert('onerror')\">\
         <img src=\"https://tracker.example/pixel.png\" alt=\"pixel\">\
         </body></html>\r\n"
    )
    .into_bytes()
}

/// The grant's id as staff see it in their list, if it is there.
fn listed(g: &StaffGrants, id: &str) -> bool {
    g.grants.iter().any(|s| s.id == id)
}

fn with_attachment(subject: &str, bytes: &[u8]) -> Vec<u8> {
    let mut m = format!(
        "From: Alice <alice@sender.test>\r\nTo: box@example.test\r\nSubject: {subject}\r\n\
         Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nSee the log attached.\r\n--b1\r\n\
         Content-Type: application/octet-stream; name=\"log.bin\"\r\n\
         Content-Disposition: attachment; filename=\"log.bin\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n"
    );
    m.push_str(&base64_lines(bytes));
    m.push_str("--b1--\r\n");
    m.into_bytes()
}

/// Moves every grant of the fixture's mailbox `days` into the past (the
/// test clock: the gateway compares with its own clock).
async fn age_grants(fx: &Fixture, days: i64) {
    let p = provisioner().await;
    sqlx::query(
        "UPDATE support_grants SET created_at = created_at - $1, expires_at = expires_at - $1
         WHERE mailbox_id = $2",
    )
    .bind(days * 86_400)
    .bind(fx.mailbox)
    .execute(p.db())
    .await
    .unwrap();
    p.db().close().await;
}

#[tokio::test]
async fn staff_read_the_mailbox_only_while_support_access_is_on_and_every_read_is_in_the_history() {
    let mut fx = Fixture::new().await;
    let uid = fx
        .append("INBOX", &[], &Mail::new("Cannot open my invoice").build())
        .await;
    let (staff, staff_login) = staff().await;

    // Before the toggle: nothing listed, and no way in.
    let before = overview(&fx).await;
    assert!(before.grants.is_empty() && before.history.is_empty());
    assert!(
        grants(&staff)
            .await
            .unwrap()
            .grants
            .iter()
            .all(|g| g.address != fx.address)
    );
    let e = folders(&staff, &"0".repeat(32)).await.unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    let e = staff
        .get::<Vec<Folder>>(&Route::ListFolders { mb: fx.mailbox }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "staff have no grant on the mailbox itself");

    // The toggle: 7 days, the time left counted from the server's clock.
    let g = switch_on(&fx, &contents()).await.unwrap();
    assert_eq!(g.scope, contents());
    assert_eq!(g.expires_at - g.created_at, 7 * 86_400);
    let again = switch_on(&fx, &contents()).await.unwrap();
    assert_eq!(again.id, g.id, "switching on twice is one grant");
    let on = overview(&fx).await;
    assert_eq!(on.grants.len(), 1);
    assert!(on.grants[0].expires_at > on.now);

    let list = grants(&staff).await.unwrap();
    let mine = list.grants.iter().find(|s| s.id == g.id).expect("listed");
    assert_eq!(mine.address, fx.address);
    assert_eq!(mine.granted_by, g.granted_by, "staff see who asked");
    let inbox = folders(&staff, &g.id).await.unwrap();
    assert!(inbox.iter().any(|f| f.path == "INBOX"));
    let page = messages(&staff, &g.id, "INBOX").await.unwrap();
    assert_eq!(page.messages.len(), 1);
    let view = message(&staff, &g.id, "INBOX", uid).await.unwrap();
    assert_eq!(view.subject, "Cannot open my invoice");
    // Reading did not mark it read for its user.
    assert_eq!(fx.imap_search("INBOX", "UNSEEN").await, vec![uid]);

    // Every read, in order, with who and what.
    let h = overview(&fx).await.history;
    let reads: Vec<_> = h.iter().rev().map(|a| a.read).collect();
    assert_eq!(
        reads,
        [
            SupportRead::Folders,
            SupportRead::Messages,
            SupportRead::Message
        ]
    );
    assert!(
        h.iter()
            .all(|a| a.staff_login == staff_login && !a.shared_message)
    );
    assert_eq!(h[0].folder.as_deref(), Some("INBOX"));
    assert_eq!(h[0].uid, Some(uid));
    assert_eq!(h[1].folder.as_deref(), Some("INBOX"));

    // Revoked: the very next request of the same session is refused.
    revoke(&fx, &g.id).await.unwrap();
    let e = message(&staff, &g.id, "INBOX", uid).await.unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::SupportAccessExpired));
    assert!(!listed(&grants(&staff).await.unwrap(), &g.id));
    assert!(overview(&fx).await.grants.is_empty());
    let e = revoke(&fx, &g.id).await.unwrap_err();
    assert_eq!(e.status, 404, "revoked once");
    assert_eq!(
        overview(&fx).await.history.len(),
        3,
        "refusals read nothing"
    );

    // On again, then 7 days later: over by itself.
    let g2 = switch_on(&fx, &contents()).await.unwrap();
    assert_ne!(g2.id, g.id);
    folders(&staff, &g2.id).await.unwrap();
    age_grants(&fx, 7).await;
    let e = folders(&staff, &g2.id).await.unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::SupportAccessExpired));
    assert!(!listed(&grants(&staff).await.unwrap(), &g2.id));
    let after = overview(&fx).await;
    assert!(after.grants.is_empty());
    assert_eq!(after.history.len(), 4, "the history outlives its grants");
}

#[tokio::test]
async fn staff_cannot_write_nor_reach_another_mailbox_and_others_cannot_use_staff_routes() {
    let mut fx = Fixture::new().await;
    let uid = fx.append("INBOX", &[], &Mail::new("Keep me").build()).await;
    let other = Fixture::new().await;
    let (staff, _) = staff().await;
    let g = switch_on(&fx, &contents()).await.unwrap();
    message(&staff, &g.id, "INBOX", uid).await.unwrap();

    // Writing goes through the mailbox's routes, where staff hold no grant.
    let mb = fx.mailbox;
    let refusals = [
        staff
            .post::<_, serde_json::Value>(
                &Route::SetFlags { mb }.path(),
                &SetFlagsRequest {
                    folder: "INBOX".into(),
                    uids: vec![uid],
                    flag: Flag::Flagged,
                    value: true,
                },
            )
            .await,
        staff
            .post(
                &Route::MoveMessages { mb }.path(),
                &MoveMessagesRequest {
                    folder: "INBOX".into(),
                    uids: vec![uid],
                    to: "Trash".into(),
                },
            )
            .await,
        staff
            .post(
                &Route::DeleteMessages { mb }.path(),
                &DeleteMessagesRequest {
                    folder: "INBOX".into(),
                    uids: vec![uid],
                },
            )
            .await,
        staff
            .post(
                &Route::Send { mb }.path(),
                &SendRequest {
                    draft: Draft {
                        to: vec![EmailAddress {
                            name: None,
                            address: "x@elsewhere.test".into(),
                        }],
                        subject: "from support".into(),
                        ..Default::default()
                    },
                    draft_uid: None,
                    undo_seconds: 0,
                },
            )
            .await,
    ];
    for r in refusals {
        let e = r.unwrap_err();
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden), "{e}");
    }
    // The staff routes themselves only read.
    let resp = staff
        .request(
            reqwest::Method::POST,
            &Route::StaffMessages { id: g.id.clone() }.path(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    // Nothing changed in the mailbox.
    assert_eq!(fx.imap_search("INBOX", "ALL").await, vec![uid]);
    assert_eq!(fx.imap_search("INBOX", "FLAGGED").await, Vec::<u32>::new());
    assert_eq!(fx.imap_search("INBOX", "UNSEEN").await, vec![uid]);

    // Another mailbox, by its id, and with a made-up or malformed handle.
    let e = staff
        .get::<Vec<Folder>>(&Route::ListFolders { mb: other.mailbox }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
    for id in ["1", &"f".repeat(32), &other.mailbox.to_string()] {
        let e = folders(&staff, id).await.unwrap_err();
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden), "{id}");
    }
    let e = staff
        .get::<SupportOverview>(&Route::GetSupport { mb: fx.mailbox }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "staff do not read the user's support page");
    let e = revoke(&other, &g.id).await.unwrap_err();
    assert_eq!(e.status, 404, "another mailbox's user cannot end it");

    // Not staff: the mailbox's own user, an owner of a customer
    // organisation, the staff role outside the staff organisation, and
    // another role inside it.
    let owner = Fixture::with_role(Role::Owner).await;
    let (staff_role_elsewhere, _) = staff_account(false, Role::Staff).await;
    let (owner_of_staff_org, _) = staff_account(true, Role::Owner).await;
    for api in [
        &fx.api,
        &owner.api,
        &staff_role_elsewhere,
        &owner_of_staff_org,
    ] {
        let e = grants(api).await.unwrap_err();
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
        let e = message(api, &g.id, "INBOX", uid).await.unwrap_err();
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    }
    let anonymous = fx.stack.client();
    assert_eq!(grants(&anonymous).await.unwrap_err().status, 401);
    // Their attempts are no reads.
    assert_eq!(overview(&fx).await.history.len(), 1);
}

#[tokio::test]
async fn a_shared_message_is_readable_with_its_attachment_and_nothing_else_is() {
    let mut fx = Fixture::new().await;
    let before = fx.append("INBOX", &[], &Mail::new("Before").build()).await;
    let log: Vec<u8> = (0..2000u32).map(|i| (i * 13 % 256) as u8).collect();
    let shared = fx
        .append("INBOX", &[], &with_attachment("Bounce report", &log))
        .await;
    let after = fx.append("INBOX", &[], &Mail::new("After").build()).await;
    let (staff, staff_login) = staff().await;

    // Hostile or wrong input: nothing is shared.
    for (folder, uid, status) in [
        ("INBOX", 0, 400),
        ("INBOX\u{7}", shared, 400),
        ("INBOX", 999_999, 404),
        ("Nope", shared, 404),
    ] {
        let e = switch_on(
            &fx,
            &SupportScope::Message {
                folder: folder.into(),
                uid,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(e.status, status, "{folder:?} {uid}");
    }
    let bad = fx
        .api
        .request(
            reqwest::Method::POST,
            &Route::GrantSupport { mb: fx.mailbox }.path(),
        )
        .json(&serde_json::json!({"scope": "content", "kind": "everything"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(overview(&fx).await.grants.is_empty());

    let g = switch_on(
        &fx,
        &SupportScope::Message {
            folder: "INBOX".into(),
            uid: shared,
        },
    )
    .await
    .unwrap();
    assert_eq!(g.expires_at - g.created_at, 7 * 86_400);
    let list = grants(&staff).await.unwrap();
    let entry = list.grants.iter().find(|s| s.id == g.id).expect("listed");
    assert_eq!(
        entry.scope,
        SupportScope::Message {
            folder: "INBOX".into(),
            uid: shared
        }
    );

    let view = message(&staff, &g.id, "INBOX", shared).await.unwrap();
    assert_eq!(view.subject, "Bounce report");
    assert_eq!(view.attachments.len(), 1);
    let (status, bytes) = part(&staff, &g.id, "INBOX", shared, &view.attachments[0].section).await;
    assert_eq!(status, 200);
    assert_eq!(bytes, log, "the attachment, byte for byte");

    // Its neighbours, the folder, the list: nothing.
    for uid in [before, after] {
        let e = message(&staff, &g.id, "INBOX", uid).await.unwrap_err();
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden), "{uid}");
        assert_eq!(part(&staff, &g.id, "INBOX", uid, "1").await.0, 403);
    }
    assert_eq!(folders(&staff, &g.id).await.unwrap_err().status, 403);
    assert_eq!(
        messages(&staff, &g.id, "INBOX").await.unwrap_err().status,
        403
    );
    let e = message(&staff, &g.id, "Archive", shared).await.unwrap_err();
    assert_eq!(
        e.status, 403,
        "the same UID in another folder is another message"
    );

    let h = overview(&fx).await.history;
    assert_eq!(h.len(), 2, "the view and the attachment: {h:?}");
    assert!(
        h.iter()
            .all(|a| a.shared_message && a.staff_login == staff_login && a.uid == Some(shared))
    );
    assert_eq!(h[0].read, SupportRead::Attachment);
    assert_eq!(
        fx.imap_search("INBOX", "UNSEEN").await,
        vec![before, shared, after]
    );

    // Same expiry as the mailbox's access.
    age_grants(&fx, 7).await;
    let e = message(&staff, &g.id, "INBOX", shared).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::SupportAccessExpired);
}

#[tokio::test]
async fn a_shared_message_s_folder_made_again_shares_nothing_of_the_new_one() {
    // R-SUP-4: a shared message is its UID in one UIDVALIDITY of its folder.
    let mut fx = Fixture::new().await;
    let (staff, _) = staff().await;
    fx.imap.create("Case").await.unwrap();
    let uid = fx
        .append("Case", &[], &with_attachment("Shared one", b"shared"))
        .await;
    let g = switch_on(
        &fx,
        &SupportScope::Message {
            folder: "Case".into(),
            uid,
        },
    )
    .await
    .unwrap();
    let view = message(&staff, &g.id, "Case", uid).await.unwrap();
    assert_eq!(view.subject, "Shared one");
    let first = fx.imap.select("Case").await.unwrap().uidvalidity;
    fx.imap.select("INBOX").await.unwrap();

    // Deleted and made again by the mailbox's user (or a mail program):
    // the new folder numbers its messages from 1 again.
    fx.imap.command("DELETE Case").await.unwrap();
    fx.imap.create("Case").await.unwrap();
    let again = fx
        .append("Case", &[], &with_attachment("Private", b"private"))
        .await;
    assert_eq!(again, uid, "the same UID names another message");
    assert_ne!(fx.imap.select("Case").await.unwrap().uidvalidity, first);

    let e = message(&staff, &g.id, "Case", uid).await.unwrap_err();
    assert_eq!((e.status, e.code()), (404, ErrorCode::MessageNotFound));
    assert_eq!(part(&staff, &g.id, "Case", uid, "2").await.0, 404);
}

#[tokio::test]
async fn staff_read_the_sanitised_html_body_as_the_webmail_serves_it_and_only_what_the_grant_covers()
 {
    let mut fx = Fixture::new().await;
    let uid = fx
        .append("INBOX", &[], &html_mail("Broken layout", "Mine is"))
        .await;
    let neighbour = fx
        .append("INBOX", &[], &html_mail("Neighbour", "Not shared"))
        .await;
    // Another mailbox, the same UID, rendered (and kept) first.
    let mut other = Fixture::new().await;
    let other_uid = other
        .append("INBOX", &[], &html_mail("Other", "Someone else's"))
        .await;
    assert_eq!(other_uid, uid, "the same UID in both mailboxes");
    let theirs = served(
        other
            .api
            .request(reqwest::Method::GET, &body_path(other.mailbox, uid, false)),
    )
    .await;
    assert!(theirs.status == 200 && theirs.body.contains("Someone else"));
    let (staff, staff_login) = staff().await;

    // Mailbox contents: the body, sanitised, in the webmail's document.
    let g = switch_on(&fx, &contents()).await.unwrap();
    let body = body_html(&staff, &g.id, uid, false).await;
    assert_eq!(body.status, 200, "{}", body.body);
    assert!(body.body.contains("Mine is") && body.body.contains("formatted"));
    assert!(
        !body.body.contains("Someone else"),
        "another mailbox's body"
    );
    let lower = body.body.to_ascii_lowercase();
    for bad in ["<script", "alert(", "onerror", "tracker.example"] {
        assert!(!lower.contains(bad), "{bad:?} in:\n{}", body.body);
    }
    assert!(body.body.starts_with("<!doctype html>"), "{}", body.body);
    let webmail = served(
        fx.api
            .request(reqwest::Method::GET, &body_path(fx.mailbox, uid, false)),
    )
    .await;
    assert_eq!(webmail.status, 200);
    for h in ["content-type", "content-security-policy", "cache-control"] {
        assert!(body.header(h).is_some(), "{h}");
        assert_eq!(body.header(h), webmail.header(h), "{h}");
    }
    assert!(
        body.header("content-security-policy")
            .unwrap()
            .contains("default-src 'none'")
    );
    assert_eq!(
        body.body, webmail.body,
        "the same document as the webmail's"
    );
    // Remote images only when asked, as in the webmail.
    let with_images = body_html(&staff, &g.id, uid, true).await;
    assert_eq!(with_images.status, 200);
    assert!(
        with_images
            .body
            .contains("https://tracker.example/pixel.png")
    );
    assert!(!with_images.body.to_ascii_lowercase().contains("<script"));
    // Reading the body marked nothing read.
    assert_eq!(
        fx.imap_search("INBOX", "UNSEEN").await,
        vec![uid, neighbour]
    );
    let h = overview(&fx).await.history;
    assert_eq!(h.len(), 2, "{h:?}");
    assert!(h.iter().all(|a| a.read == SupportRead::Message
        && a.uid == Some(uid)
        && a.folder.as_deref() == Some("INBOX")
        && a.staff_login == staff_login
        && !a.shared_message));

    // Revoked: refused, and no read recorded.
    revoke(&fx, &g.id).await.unwrap();
    let refused = body_html(&staff, &g.id, uid, false).await;
    assert_eq!(
        (refused.status, refused.code()),
        (403, Some(ErrorCode::SupportAccessExpired))
    );
    assert_eq!(overview(&fx).await.history.len(), 2);

    // One shared message: its own body, not its neighbour's.
    let shared = switch_on(
        &fx,
        &SupportScope::Message {
            folder: "INBOX".into(),
            uid,
        },
    )
    .await
    .unwrap();
    let body = body_html(&staff, &shared.id, uid, false).await;
    assert_eq!(body.status, 200, "{}", body.body);
    assert!(body.body.contains("Mine is") && !body.body.contains("<script"));
    let refused = body_html(&staff, &shared.id, neighbour, false).await;
    assert_eq!(
        (refused.status, refused.code()),
        (403, Some(ErrorCode::Forbidden))
    );
    let h = overview(&fx).await.history;
    assert_eq!(h.len(), 3, "{h:?}");
    assert!(h[0].shared_message && h[0].read == SupportRead::Message && h[0].uid == Some(uid));
}

#[tokio::test]
async fn only_the_member_of_support_who_took_the_request_reads_it() {
    // R-SUP-3: the first to open a grant handles it; the holder sees who.
    let fx = Fixture::new().await;
    let (sam, sam_login) = staff().await;
    let (kim, _) = staff().await;
    let g = switch_on(&fx, &contents()).await.unwrap();
    assert!(listed(&grants(&sam).await.unwrap(), &g.id));
    assert!(listed(&grants(&kim).await.unwrap(), &g.id));
    assert_eq!(overview(&fx).await.grants[0].handled_by, None);

    folders(&sam, &g.id)
        .await
        .expect("the first to open it takes it");
    let e = folders(&kim, &g.id).await.unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::SupportAccessTaken));
    let e = messages(&kim, &g.id, "INBOX").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::SupportAccessTaken);
    assert!(!listed(&grants(&kim).await.unwrap(), &g.id));
    assert!(listed(&grants(&sam).await.unwrap(), &g.id));
    messages(&sam, &g.id, "INBOX").await.expect("still theirs");

    let shown = overview(&fx).await;
    // Staff accounts are named "Staff <tag>" for the login "staff-<tag>@…".
    let tag = sam_login
        .strip_prefix("staff-")
        .and_then(|l| l.split_once('@'))
        .map(|(t, _)| t)
        .unwrap();
    assert_eq!(
        shown.grants[0].handled_by.as_deref(),
        Some(format!("Staff {tag}").as_str())
    );
    // The refused tries read nothing, so they are not in the history.
    assert_eq!(shown.history.len(), 2, "{:?}", shown.history);
    assert!(shown.history.iter().all(|a| a.staff_login == sam_login));
}
