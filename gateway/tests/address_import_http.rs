//! CSV import of addresses (R-ADDR-4) through the gateway's router, on a
//! scratch database (no mail server needed: it is rows only): the preview
//! writes nothing and answers each row's own errors, the import creates
//! every row with its users' grants or — when one row is bad — none.

use axum::body::Body;
use axum::http::StatusCode;
use postern_gateway::Provisioner;
use postern_gateway::routes::router;
use postern_shared::admin::{AddressKind, ImportPreview, ImportedAddresses, OrgAddresses};
use postern_shared::permissions::{Permission, Role};
use postern_shared::wire::routes::Route;
use postern_shared::{ApiError, ErrorCode, PermissionSet};

mod common;
use common::{call, offline_state, v1};

struct World {
    _dir: tempfile::TempDir,
    app: axum::Router,
    db: postern_gateway::db::Db,
    org: i64,
    /// The owner's session.
    owner: String,
    /// A plain user of the organisation (a member to give access to).
    colleague: i64,
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
    p.create_account(
        org,
        "olivia@a.test",
        "Olivia",
        "olivia-password",
        Role::Owner,
    )
    .await
    .unwrap();
    let colleague = p
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
    // Domains: a.test and team.a.test are the organisation's, b.test not.
    p.create_mailbox(org, "taken@a.test", "Taken")
        .await
        .unwrap();
    p.create_mailbox(org, "first@team.a.test", "First")
        .await
        .unwrap();
    p.create_mailbox(other, "bob@b.test", "Bob").await.unwrap();
    let state = offline_state(
        p.db().clone(),
        &dir.path().join("blobs"),
        "http://127.0.0.1:1",
    );
    let app = router(state);
    let owner = login(&app, "olivia@a.test", "olivia-password").await;
    World {
        _dir: dir,
        app,
        db: p.db().clone(),
        org,
        owner,
        colleague,
    }
}

/// `(status, body)` of a POST of `csv` to `route` as `session`.
async fn post_csv(w: &World, route: Route, session: &str, csv: &str) -> (StatusCode, Vec<u8>) {
    let body = serde_json::json!({ "csv": csv }).to_string();
    let r = call(
        &w.app,
        "POST",
        &v1(route, ""),
        Some(session),
        &[("content-type", "application/json")],
        Body::from(body),
    )
    .await;
    (r.status, r.body)
}

async fn preview(w: &World, csv: &str) -> ImportPreview {
    let (s, b) = post_csv(w, Route::PreviewAddressImport { org: w.org }, &w.owner, csv).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    serde_json::from_slice(&b).unwrap()
}

async fn import(w: &World, csv: &str) -> Result<ImportedAddresses, (StatusCode, ApiError)> {
    let (s, b) = post_csv(w, Route::ImportAddresses { org: w.org }, &w.owner, csv).await;
    if s == StatusCode::CREATED {
        Ok(serde_json::from_slice(&b).unwrap())
    } else {
        Err((s, serde_json::from_slice(&b).unwrap()))
    }
}

async fn count_mailboxes(w: &World) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM mailboxes")
        .fetch_one(&w.db)
        .await
        .unwrap()
}

async fn table(w: &World) -> OrgAddresses {
    let r = call(
        &w.app,
        "GET",
        &v1(Route::ListAddresses { org: w.org }, ""),
        Some(&w.owner),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    serde_json::from_slice(&r.body).unwrap()
}

/// `n` valid mailbox rows of a.test, the colleague reading every 10th.
fn good_rows(n: usize) -> String {
    let mut csv = String::from("address,display_name,kind,users,redirect_to\r\n");
    for i in 0..n {
        let users = if i % 10 == 0 { "umar@a.test:read" } else { "" };
        csv.push_str(&format!("user{i}@a.test,User {i},,{users},\r\n"));
    }
    csv
}

#[tokio::test]
async fn a_file_whose_400th_row_is_bad_creates_nothing_and_says_where() {
    let w = world().await;
    let before = count_mailboxes(&w).await;
    let mut csv = good_rows(500);
    // Line 401 is the 400th row: a refused character (R-ADDR-1).
    csv = csv.replace("user399@a.test,", "user$399@a.test,");
    let (status, e) = import(&w, &csv).await.unwrap_err();
    assert_eq!(
        (status, e.code),
        (StatusCode::BAD_REQUEST, ErrorCode::ImportInvalid)
    );
    assert_eq!(e.params.issues.len(), 1, "{:?}", e.params.issues);
    let issue = &e.params.issues[0];
    assert_eq!(issue.line, 401);
    assert_eq!(issue.column.as_deref(), Some("address"));
    assert_eq!(issue.code, ErrorCode::InvalidAddress);
    assert_eq!(issue.character.as_deref(), Some("$"));
    assert_eq!(count_mailboxes(&w).await, before, "nothing created");
    let grants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM grants")
        .fetch_one(&w.db)
        .await
        .unwrap();
    assert_eq!(grants, 0);

    // The same file in the preview: every row, the one error on its row.
    let p = preview(&w, &csv).await;
    assert_eq!((p.total, p.valid, p.invalid), (500, 499, 1));
    assert_eq!(p.rows[399].line, 401);
    assert_eq!(p.rows[399].errors.len(), 1);
    assert!(p.rows[398].errors.is_empty());
    assert_eq!(
        count_mailboxes(&w).await,
        before,
        "a preview writes nothing"
    );
}

#[tokio::test]
async fn a_good_file_creates_every_row_with_its_users_grants() {
    let w = world().await;
    let before = count_mailboxes(&w).await;
    let mut csv = good_rows(500);
    csv.push_str("no-reply@a.test,Robot,no_reply,,\r\n");
    csv.push_str("\"team@team.a.test\",\"Team, all of us\",redirect,,umar@a.test; partner@elsewhere.test\r\n");
    csv.push_str(
        "pair@a.test,=cmd|' /C calc'!A0,mailbox,UMAR@a.test:read+send+view_logs;olivia@a.test,\r\n",
    );
    let p = preview(&w, &csv).await;
    assert_eq!(
        (p.total, p.valid, p.invalid),
        (503, 503, 0),
        "{:?}",
        p.rows.iter().find(|r| !r.errors.is_empty())
    );
    assert_eq!(count_mailboxes(&w).await, before);

    let created = import(&w, &csv).await.unwrap().created;
    assert_eq!(created.len(), 503);
    assert_eq!(count_mailboxes(&w).await, before + 503);
    // Answered from what was written, in file order.
    assert_eq!(created[0].address, "user0@a.test");
    assert_eq!(created[0].users.len(), 1);
    assert_eq!(created[0].users[0].account, w.colleague);
    assert_eq!(
        created[0].users[0].permissions,
        PermissionSet::empty().with(Permission::Read)
    );
    assert!(created[1].users.is_empty());
    let team = &created[501];
    assert_eq!(team.kind, AddressKind::Redirect);
    assert_eq!(team.display_name, "Team, all of us");
    assert_eq!(team.redirect_to, ["umar@a.test", "partner@elsewhere.test"]);
    let pair = &created[502];
    assert_eq!(pair.display_name, "=cmd|' /C calc'!A0", "text, as typed");
    let logins: Vec<&str> = pair.users.iter().map(|u| u.login.as_str()).collect();
    assert_eq!(logins, ["olivia@a.test", "umar@a.test"]);
    assert_eq!(
        pair.users[1].permissions,
        PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::Send)
            .with(Permission::ViewLogs)
    );
    assert_eq!(
        pair.users[0].permissions,
        PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::Send),
        "read+send by default"
    );
    // The table (what the webmail and Dovecot read) agrees row for row.
    let t = table(&w).await;
    for row in &created {
        let listed = t.addresses.iter().find(|a| a.id == row.id).expect("listed");
        assert_eq!(listed, row);
    }
    // The colleague's webmail lists the 50 mailboxes shared with them.
    let grants: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM grants WHERE account_id = $1")
        .bind(w.colleague)
        .fetch_one(&w.db)
        .await
        .unwrap();
    assert_eq!(grants, 51);

    // The same file again: every row is taken now, nothing more created.
    let (_, e) = import(&w, &csv).await.unwrap_err();
    assert_eq!(e.params.issues.len(), 503);
    assert!(
        e.params
            .issues
            .iter()
            .all(|i| i.code == ErrorCode::AddressTaken)
    );
    assert_eq!(count_mailboxes(&w).await, before + 503);
}

#[tokio::test]
async fn every_row_error_is_on_its_own_row_with_its_column_and_code() {
    let w = world().await;
    let csv = "kind,address,users,redirect_to,display_name\n\
               ,ok@a.test,,,Fine\n\
               ,taken@a.test,,,Taken\n\
               ,new@b.test,,,Foreign\n\
               ,dup@a.test,,,One\n\
               ,DUP@a.test,,,Two\n\
               ,who@a.test,nobody@a.test,,Who\n\
               ,perm@a.test,umar@a.test:read+fly,,Perm\n\
               redirect,fwd@a.test,,,Fwd\n\
               redirect,fwd2@a.test,,not an address,Fwd2\n\
               redirect,self@a.test,,self@a.test,Self\n\
               robot,kind@a.test,,,Kind\n\
               ,first@team.a.test,,,Exists in the other domain\n";
    let p = preview(&w, csv).await;
    type Errors<'a> = Vec<(Option<&'a str>, ErrorCode)>;
    let got: Vec<(u32, Errors)> = p
        .rows
        .iter()
        .map(|r| {
            (
                r.line,
                r.errors
                    .iter()
                    .map(|i| (i.column.as_deref(), i.code))
                    .collect(),
            )
        })
        .collect();
    use ErrorCode::*;
    assert_eq!(
        got,
        vec![
            (2, vec![]),
            (3, vec![(Some("address"), AddressTaken)]),
            (4, vec![(Some("address"), UnknownDomain)]),
            (5, vec![]),
            (6, vec![(Some("address"), DuplicateInFile)]),
            (7, vec![(Some("users"), UnknownMember)]),
            (8, vec![(Some("users"), InvalidPermission)]),
            (9, vec![(Some("redirect_to"), RedirectWithoutTargets)]),
            (10, vec![(Some("redirect_to"), InvalidRecipient)]),
            (11, vec![(Some("redirect_to"), BadRequest)]),
            (12, vec![(Some("kind"), InvalidKind)]),
            (13, vec![(Some("address"), AddressTaken)]),
        ]
    );
    assert_eq!(p.rows[2].errors[0].value.as_deref(), Some("b.test"));
    assert_eq!(p.rows[4].errors[0].other_line, Some(5));
    assert_eq!(p.rows[5].errors[0].value.as_deref(), Some("nobody@a.test"));
    assert_eq!(p.rows[5].users[0].account, None);
    assert_eq!(p.rows[6].users[0].account, Some(w.colleague));
    assert_eq!((p.valid, p.invalid), (2, 10));
    let before = count_mailboxes(&w).await;
    let (_, e) = import(&w, csv).await.unwrap_err();
    assert_eq!(e.params.issues.len(), 10);
    assert_eq!(count_mailboxes(&w).await, before);
}

#[tokio::test]
async fn hostile_files_get_clear_typed_errors() {
    let w = world().await;
    let before = count_mailboxes(&w).await;
    for (csv, code) in [
        ("", ErrorCode::CsvEmpty),
        (
            "address,display_name,kind,users,redirect_to\r\n",
            ErrorCode::CsvEmpty,
        ),
        ("address,colour\nx@a.test,red\n", ErrorCode::CsvColumns),
        ("display_name\nX\n", ErrorCode::CsvColumns),
    ] {
        for route in [
            Route::PreviewAddressImport { org: w.org },
            Route::ImportAddresses { org: w.org },
        ] {
            let (s, b) = post_csv(&w, route, &w.owner, csv).await;
            let e: ApiError = serde_json::from_slice(&b).unwrap();
            assert_eq!((s, e.code), (StatusCode::BAD_REQUEST, code), "{csv:?}");
        }
    }
    // Wrong column count, NUL, an unclosed quote: errors of their rows.
    let p = preview(
        &w,
        "address,display_name\na@a.test,A,B\nb@a.test,B\u{0}\nc@a.test,\"C\n",
    )
    .await;
    assert!(
        p.rows
            .iter()
            .all(|r| r.errors[0].code == ErrorCode::CsvMalformed)
    );
    assert_eq!(p.rows[1].errors[0].character.as_deref(), Some("U+0000"));
    // More than 5,000 rows, more than 2 MiB.
    let (s, b) = post_csv(
        &w,
        Route::ImportAddresses { org: w.org },
        &w.owner,
        &good_rows(5001),
    )
    .await;
    let e: ApiError = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        (s, e.code),
        (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::ImportTooLarge)
    );
    assert_eq!(e.params.field.as_deref(), Some("rows"));
    let big = format!(
        "address,display_name\nbig@a.test,{}\n",
        "x".repeat(3 * 1024 * 1024)
    );
    let (s, b) = post_csv(
        &w,
        Route::PreviewAddressImport { org: w.org },
        &w.owner,
        &big,
    )
    .await;
    let e: ApiError = serde_json::from_slice(&b).unwrap();
    assert_eq!(
        (s, e.code),
        (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::ImportTooLarge)
    );
    assert_eq!(e.params.field.as_deref(), Some("bytes"));
    assert_eq!(count_mailboxes(&w).await, before);
}

#[tokio::test]
async fn only_those_who_manage_addresses_may_preview_or_import() {
    let w = world().await;
    let csv = "address\nsneaky@a.test\n";
    let user = login(&w.app, "umar@a.test", "umar-password").await;
    let stranger = login(&w.app, "stranger@b.test", "stranger-pw").await;
    for session in [&user, &stranger] {
        for route in [
            Route::PreviewAddressImport { org: w.org },
            Route::ImportAddresses { org: w.org },
        ] {
            let (s, _) = post_csv(&w, route, session, csv).await;
            assert_eq!(s, StatusCode::FORBIDDEN);
        }
    }
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM mailboxes WHERE address = 'sneaky@a.test'")
            .fetch_one(&w.db)
            .await
            .unwrap();
    assert_eq!(exists, 0);
}
