//! Support staff's guard (R-SUP) through the gateway's router, on a
//! scratch database (SQLite, or PostgreSQL with `POSTERN_TEST_POSTGRES`)
//! and no mail server: who is staff, a grant's end (revoked, 7 days) and
//! scope refused before anything is read, and each read recorded for the
//! mailbox's user even when the mail server then fails. The reads
//! themselves are `tests/tests/support.rs`, on the real stack.

use axum::body::Body;
use axum::http::StatusCode;
use postern_gateway::Provisioner;
use postern_gateway::routes::router;
use postern_shared::PermissionSet;
use postern_shared::permissions::Role;
use postern_shared::support::{SupportKind, SupportScope};
use postern_shared::wire::routes::Route;

mod common;
use common::{Reply, call, offline_state, v1};

async fn login(app: &axum::Router, login: &str) -> String {
    let body =
        serde_json::json!({ "login": login, "password": "password-123", "client_ip": "1.2.3.4" });
    let r = call(
        app,
        "POST",
        &v1(Route::Login, ""),
        None,
        &[("content-type", "application/json")],
        Body::from(body.to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()["session_id"].as_str().unwrap().to_string()
}

async fn get(app: &axum::Router, session: &str, route: Route, query: &str) -> Reply {
    call(
        app,
        "GET",
        &v1(route, query),
        Some(session),
        &[],
        Body::empty(),
    )
    .await
}

#[tokio::test]
async fn only_staff_pass_and_only_while_the_grant_is_in_force_and_covers_the_read() {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let dir = t.dir;
    let p = Provisioner::from_db(t.db);
    let org = p.create_organization("Acme", "standard").await.unwrap();
    let ann = p
        .create_account(org, "ann@a.test", "Ann", "password-123", Role::User)
        .await
        .unwrap();
    let mb = p.create_mailbox(org, "ann@a.test", "Ann").await.unwrap();
    p.grant(ann, mb, PermissionSet::all()).await.unwrap();
    let support = p.create_organization("Support", "standard").await.unwrap();
    p.mark_staff(support).await.unwrap();
    p.create_account(support, "staff@s.test", "Sam", "password-123", Role::Staff)
        .await
        .unwrap();
    p.create_account(support, "boss@s.test", "Bo", "password-123", Role::Owner)
        .await
        .unwrap();
    let elsewhere = p
        .create_organization("Not support", "standard")
        .await
        .unwrap();
    p.create_account(elsewhere, "fake@n.test", "F", "password-123", Role::Staff)
        .await
        .unwrap();
    let db = p.db().clone();
    let now = postern_gateway::db::now();
    let content = postern_gateway::support::grant(
        &db,
        mb,
        ann,
        &SupportScope::Content {
            kind: SupportKind::MailboxContents,
        },
        None,
        now,
    )
    .await
    .unwrap();
    let message = postern_gateway::support::grant(
        &db,
        mb,
        ann,
        &SupportScope::Message {
            folder: "INBOX".into(),
            uid: 5,
        },
        Some(1),
        now,
    )
    .await
    .unwrap();
    let app = router(offline_state(
        db.clone(),
        &dir.path().join("blobs"),
        "http://127.0.0.1:1",
    ));
    let staff = login(&app, "staff@s.test").await;
    let user = login(&app, "ann@a.test").await;

    // Staff: the list of grants; nobody else.
    let r = get(&app, &staff, Route::StaffGrants, "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["grants"].as_array().unwrap().len(), 2);
    for other in ["ann@a.test", "boss@s.test", "fake@n.test"] {
        let s = login(&app, other).await;
        let r = get(&app, &s, Route::StaffGrants, "").await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{other}"
        );
        let r = get(
            &app,
            &s,
            Route::StaffFolders {
                id: content.id.clone(),
            },
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{other}");
    }

    // In force and covering: past the guard (the mail server is down
    // here: 503), and recorded.
    let r = get(
        &app,
        &staff,
        Route::StaffFolders {
            id: content.id.clone(),
        },
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    // A shared message covers only itself.
    for (route, q) in [
        (
            Route::StaffFolders {
                id: message.id.clone(),
            },
            "",
        ),
        (
            Route::StaffMessages {
                id: message.id.clone(),
            },
            "folder=INBOX",
        ),
        (
            Route::StaffMessage {
                id: message.id.clone(),
                uid: 6,
            },
            "folder=INBOX",
        ),
        (
            Route::StaffMessage {
                id: message.id.clone(),
                uid: 5,
            },
            "folder=Archive",
        ),
        (
            Route::StaffMessage {
                id: message.id.clone(),
                uid: 5,
            },
            "",
        ),
    ] {
        let r = get(&app, &staff, route.clone(), q).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{route:?} {q}"
        );
    }
    let r = get(
        &app,
        &staff,
        Route::StaffMessage {
            id: message.id.clone(),
            uid: 5,
        },
        "folder=INBOX",
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    // Unknown handles and the mailbox's own routes: 403.
    let r = get(&app, &staff, Route::StaffFolders { id: "0".repeat(32) }, "").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let r = get(&app, &staff, Route::ListFolders { mb }, "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let h = get(&app, &user, Route::GetSupport { mb }, "").await;
    assert_eq!(h.status, StatusCode::OK);
    let history = h.json()["history"].as_array().unwrap().clone();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["read"], "message");
    assert_eq!(history[0]["uid"], 5);
    assert_eq!(history[0]["shared_message"], true);
    assert_eq!(history[1]["read"], "folders");
    assert_eq!(history[1]["staff_login"], "staff@s.test");
    assert!(
        history[1].get("staff_id").is_none(),
        "no account id leaves its organisation"
    );

    // Revoked by the user: the same session's next request is refused.
    let r = call(
        &app,
        "DELETE",
        &v1(
            Route::RevokeSupport {
                mb,
                id: content.id.clone(),
            },
            "",
        ),
        Some(&user),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = get(
        &app,
        &staff,
        Route::StaffFolders {
            id: content.id.clone(),
        },
        "",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "support_access_expired")
    );
    // Seven days later the shared message is over too.
    sqlx::query("UPDATE support_grants SET expires_at = expires_at - 604800 WHERE id = $1")
        .bind(&message.id)
        .execute(&db)
        .await
        .unwrap();
    let r = get(
        &app,
        &staff,
        Route::StaffMessage {
            id: message.id.clone(),
            uid: 5,
        },
        "folder=INBOX",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "support_access_expired")
    );
    let r = get(&app, &staff, Route::StaffGrants, "").await;
    assert!(r.json()["grants"].as_array().unwrap().is_empty());
    let h = get(&app, &user, Route::GetSupport { mb }, "").await.json();
    assert_eq!(
        h["history"].as_array().unwrap().len(),
        2,
        "refusals read nothing"
    );
    assert!(h["grants"].as_array().unwrap().is_empty());
}
