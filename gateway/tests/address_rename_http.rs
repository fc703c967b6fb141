//! An address's display name changed through the gateway's router
//! (`PATCH /v1/orgs/{org}/addresses/{addr}`), on a scratch database (rows
//! only, no mail server): the table, the webmail's mailbox list and the
//! `From:` of the next message built for sending show the new name; a name
//! against the rules, a role that may not manage addresses and another
//! organisation's id change nothing.

use axum::body::Body;
use axum::http::StatusCode;
use postern_gateway::Provisioner;
use postern_gateway::routes::router;
use postern_gateway::send::compose::{self, Purpose};
use postern_gateway::state::AppState;
use postern_shared::admin::{AddressKind, AddressRow, OrgAddresses};
use postern_shared::api::{EmailAddress, Me};
use postern_shared::compose::Draft;
use postern_shared::limits::MAX_DISPLAY_NAME_CHARS;
use postern_shared::permissions::Role;
use postern_shared::wire::routes::Route;
use postern_shared::{ApiError, ErrorCode, PermissionSet};

mod common;
use common::{Reply, call, offline_state, v1};

struct World {
    _dir: tempfile::TempDir,
    state: AppState,
    app: axum::Router,
    org: i64,
    owner_account: i64,
    /// The owner's session; they use `mailbox` (a grant).
    owner: String,
    /// A plain user of the organisation, who uses `mailbox` too.
    user: String,
    /// The owner of another organisation.
    stranger: String,
    stranger_org: i64,
    mailbox: i64,
    /// A no-reply address of the organisation (no grant on it).
    robot: i64,
}

async fn login(app: &axum::Router, login: &str, password: &str) -> String {
    let body = serde_json::json!({ "login": login, "password": password, "client_ip": "1.2.3.4" });
    let r = call(
        app,
        "POST",
        &v1(Route::Login, ""),
        None,
        &[("content-type", "application/json")],
        Body::from(body.to_string()),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()["session_id"].as_str().unwrap().to_string()
}

async fn world() -> World {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let dir = t.dir;
    let p = Provisioner::from_db(t.db);
    let org = p.create_organization("A", "standard").await.unwrap();
    let other = p.create_organization("B", "standard").await.unwrap();
    let owner_account = p
        .create_account(
            org,
            "olivia@a.test",
            "Olivia",
            "olivia-password",
            Role::Owner,
        )
        .await
        .unwrap();
    let user_account = p
        .create_account(org, "umar@a.test", "Umar", "umar-password", Role::User)
        .await
        .unwrap();
    p.create_account(
        other,
        "stranger@b.test",
        "Stranger",
        "stranger-pw",
        Role::Owner,
    )
    .await
    .unwrap();
    let mailbox = p
        .create_mailbox(org, "sales@a.test", "Sales")
        .await
        .unwrap();
    p.grant(owner_account, mailbox, PermissionSet::all())
        .await
        .unwrap();
    p.grant(user_account, mailbox, PermissionSet::all())
        .await
        .unwrap();
    let robot = p
        .create_mailbox(org, "no-reply@a.test", "Robot")
        .await
        .unwrap();
    sqlx::query("UPDATE mailboxes SET kind = 'no_reply' WHERE id = $1")
        .bind(robot)
        .execute(p.db())
        .await
        .unwrap();
    p.create_mailbox(other, "bob@b.test", "Bob").await.unwrap();
    let state = offline_state(
        p.db().clone(),
        &dir.path().join("blobs"),
        "http://127.0.0.1:1",
    );
    let app = router(state.clone());
    let owner = login(&app, "olivia@a.test", "olivia-password").await;
    let user = login(&app, "umar@a.test", "umar-password").await;
    let stranger = login(&app, "stranger@b.test", "stranger-pw").await;
    World {
        _dir: dir,
        state,
        app,
        org,
        owner_account,
        owner,
        user,
        stranger,
        stranger_org: other,
        mailbox,
        robot,
    }
}

/// `PATCH` of `display_name` (any JSON) to the address `addr` of `org`.
async fn rename(
    w: &World,
    session: &str,
    org: i64,
    addr: i64,
    display_name: serde_json::Value,
) -> Reply {
    let body = serde_json::json!({ "display_name": display_name }).to_string();
    call(
        &w.app,
        "PATCH",
        &v1(Route::UpdateAddress { org, addr }, ""),
        Some(session),
        &[("content-type", "application/json")],
        Body::from(body),
    )
    .await
}

async fn get<T: serde::de::DeserializeOwned>(w: &World, session: &str, route: Route) -> T {
    let r = call(
        &w.app,
        "GET",
        &v1(route, ""),
        Some(session),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    serde_json::from_slice(&r.body).unwrap()
}

async fn shown_name(w: &World, addr: i64) -> String {
    let t: OrgAddresses = get(w, &w.owner, Route::ListAddresses { org: w.org }).await;
    t.addresses
        .into_iter()
        .find(|a| a.id == addr)
        .expect("in the table")
        .display_name
}

fn error(r: &Reply) -> ApiError {
    serde_json::from_slice(&r.body)
        .unwrap_or_else(|_| panic!("not an ApiError: {}", String::from_utf8_lossy(&r.body)))
}

#[tokio::test]
async fn a_new_display_name_is_in_the_table_the_mailbox_list_and_the_from_header() {
    let w = world().await;
    let r = rename(
        &w,
        &w.owner,
        w.org,
        w.mailbox,
        "  Ventas y Soporte  ".into(),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let row: AddressRow = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(row.id, w.mailbox);
    assert_eq!(row.address, "sales@a.test");
    assert_eq!(row.display_name, "Ventas y Soporte", "trimmed");
    assert_eq!(row.kind, AddressKind::Mailbox);
    assert_eq!(row.users.len(), 2, "the whole row, users included");
    assert_eq!(shown_name(&w, w.mailbox).await, "Ventas y Soporte");

    // Every user's webmail lists it with the new name on the next request.
    for session in [&w.owner, &w.user] {
        let me: Me = get(&w, session, Route::Me).await;
        let listed = me.mailboxes.iter().find(|m| m.id == w.mailbox).unwrap();
        assert_eq!(listed.display_name, "Ventas y Soporte");
    }
    // What the composer offers as the sender's name…
    let id: serde_json::Value = get(&w, &w.owner, Route::Identities { mb: w.mailbox }).await;
    assert_eq!(id["display_name"], "Ventas y Soporte");
    // …and the From: of the next message built for sending.
    let sender = postern_gateway::ledger::by_id(&w.state.db, w.mailbox)
        .await
        .unwrap()
        .unwrap();
    let draft = Draft {
        to: vec![EmailAddress {
            name: None,
            address: "friend@elsewhere.test".into(),
        }],
        subject: "Hello".into(),
        text: "Hi".into(),
        ..Draft::default()
    };
    let built = compose::build(&w.state, w.owner_account, &sender, &draft, Purpose::Send)
        .await
        .unwrap();
    let raw = std::fs::read_to_string(&built.path).unwrap();
    let from = raw
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("from:"))
        .expect("a From: header");
    assert!(
        from.contains("Ventas y Soporte") && from.contains("<sales@a.test>"),
        "{from}"
    );

    // Any kind may have a name; an empty one is no name.
    let r = rename(&w, &w.owner, w.org, w.robot, "Do not reply".into()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(shown_name(&w, w.robot).await, "Do not reply");
    let r = rename(&w, &w.owner, w.org, w.robot, "".into()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(shown_name(&w, w.robot).await, "");
}

#[tokio::test]
async fn a_name_against_the_rules_is_a_typed_400_and_changes_nothing() {
    let w = world().await;
    let too_long = "x".repeat(MAX_DISPLAY_NAME_CHARS + 1);
    for bad in [
        too_long.as_str(),
        "Sales\r\nBcc: all@x.test",
        "Tab\there",
        "Nul\u{0}",
    ] {
        let r = rename(&w, &w.owner, w.org, w.mailbox, bad.into()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad:?}");
        let e = error(&r);
        assert_eq!(e.code, ErrorCode::BadRequest, "{bad:?}");
        assert_eq!(e.params.field.as_deref(), Some("display_name"));
        assert_eq!(e.params.limit, Some(MAX_DISPLAY_NAME_CHARS as u64));
    }
    // Exactly the limit (in characters, not bytes) is fine.
    let longest = "é".repeat(MAX_DISPLAY_NAME_CHARS);
    let r = rename(&w, &w.owner, w.org, w.mailbox, longest.as_str().into()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(shown_name(&w, w.mailbox).await, longest);
    // Not a string, or no field at all: refused before the handler.
    for body in [
        serde_json::json!({ "display_name": 7 }),
        serde_json::json!({}),
    ] {
        let r = call(
            &w.app,
            "PATCH",
            &v1(
                Route::UpdateAddress {
                    org: w.org,
                    addr: w.mailbox,
                },
                "",
            ),
            Some(&w.owner),
            &[("content-type", "application/json")],
            Body::from(body.to_string()),
        )
        .await;
        assert!(r.status.is_client_error(), "{body}: {}", r.status);
    }
    assert_eq!(shown_name(&w, w.mailbox).await, longest, "unchanged");
}

#[tokio::test]
async fn a_plain_user_and_another_organisation_are_refused_alike() {
    let w = world().await;
    // A user of the mailbox, without a role that manages addresses.
    let r = rename(&w, &w.user, w.org, w.mailbox, "Mine now".into()).await;
    assert_eq!(
        (r.status, error(&r).code),
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    // Another organisation's owner, at this organisation…
    let r = rename(&w, &w.stranger, w.org, w.mailbox, "Taken over".into()).await;
    assert_eq!(
        (r.status, error(&r).code),
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    // …or through their own organisation at this one's address: the same
    // 403 as an id that does not exist.
    let r = rename(
        &w,
        &w.stranger,
        w.stranger_org,
        w.mailbox,
        "Taken over".into(),
    )
    .await;
    let foreign = (r.status, error(&r).code);
    let r = rename(&w, &w.stranger, w.stranger_org, 999_999, "Nobody".into()).await;
    let missing = (r.status, error(&r).code);
    assert_eq!(foreign, (StatusCode::FORBIDDEN, ErrorCode::Forbidden));
    assert_eq!(foreign, missing);
    // A deleted address is no address.
    let r = call(
        &w.app,
        "POST",
        &v1(Route::DeleteAddresses { org: w.org }, ""),
        Some(&w.owner),
        &[("content-type", "application/json")],
        Body::from(serde_json::json!({ "ids": [w.robot] }).to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = rename(&w, &w.owner, w.org, w.robot, "Back".into()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    assert_eq!(shown_name(&w, w.mailbox).await, "Sales", "unchanged");
}
