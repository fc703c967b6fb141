//! Uploads and transfers through the router (tower `oneshot`, a temporary
//! database and blob directory): resumable uploads, publishing, public
//! downloads with ranges, expiry and the sweeper.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use postern_gateway::Provisioner;
use postern_gateway::db::Db;
use postern_gateway::routes::router;
use postern_gateway::state::AppState;
use postern_gateway::transfers::{self, store::Blobs, sweeper};
use postern_shared::permissions::Role;
use tower::ServiceExt;

mod common;
use common::{Reply, call, offline_state, v1};
use postern_shared::wire::routes::Route;
const PUBLIC_URL: &str = "https://mail.example.test";

struct Env {
    _dir: tempfile::TempDir,
    app: axum::Router,
    state: AppState,
    db: Db,
    blobs: Blobs,
}

async fn env() -> Env {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let dir = t.dir;
    let p = Provisioner::from_db(t.db);
    let org = p.create_organization("A", "standard").await.unwrap();
    for (login, pw) in [
        ("ann@a.test", "ann-password"),
        ("eve@a.test", "eve-password"),
    ] {
        p.create_account(org, login, "X", pw, Role::User)
            .await
            .unwrap();
    }
    let blob_dir = dir.path().join("blobs");
    let state = offline_state(p.db().clone(), &blob_dir, PUBLIC_URL);
    Env {
        app: router(state.clone()),
        db: p.db().clone(),
        blobs: Blobs::new(blob_dir),
        state,
        _dir: dir,
    }
}

async fn json(
    app: &axum::Router,
    method: &str,
    uri: &str,
    session: Option<&str>,
    body: serde_json::Value,
) -> Reply {
    call(
        app,
        method,
        uri,
        session,
        &[("content-type", "application/json")],
        Body::from(body.to_string()),
    )
    .await
}

async fn patch(app: &axum::Router, sid: &str, id: &str, offset: u64, bytes: &[u8]) -> Reply {
    let len = bytes.len().to_string();
    call(
        app,
        "PATCH",
        &v1(
            Route::UploadData { id: id.to_string() },
            &format!("offset={offset}"),
        ),
        Some(sid),
        &[
            ("content-type", "application/octet-stream"),
            ("content-length", &len),
        ],
        Body::from(bytes.to_vec()),
    )
    .await
}

async fn login(app: &axum::Router, login: &str, password: &str) -> String {
    let r = json(
        app,
        "POST",
        &v1(Route::Login, ""),
        None,
        serde_json::json!({"login": login, "password": password, "client_ip": "1.2.3.4"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()["session_id"].as_str().unwrap().to_string()
}

/// `POST /v1/uploads` with `body`.
async fn declare(app: &axum::Router, sid: &str, body: serde_json::Value) -> Reply {
    json(app, "POST", &v1(Route::CreateUpload, ""), Some(sid), body).await
}

async fn new_upload(app: &axum::Router, sid: &str, name: &str, size: u64) -> String {
    let r = declare(
        app,
        sid,
        serde_json::json!({"name": name, "size": size, "content_type": "application/x-test"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()["id"].as_str().unwrap().to_string()
}

/// Deterministic, non-repeating-looking test bytes.
fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn files_in(dir: &std::path::Path) -> usize {
    fn walk(d: &std::path::Path, n: &mut usize) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() { walk(&p, n) } else { *n += 1 }
            }
        }
    }
    let mut n = 0;
    walk(dir, &mut n);
    n
}

#[tokio::test]
async fn resumable_upload_publish_and_download_with_ranges() {
    let e = env().await;
    let sid = login(&e.app, "ann@a.test", "ann-password").await;
    // Larger than axum's default 2 MB body limit, in two requests.
    let bytes = data(3 * 1024 * 1024 + 17);
    let size = bytes.len() as u64;
    let id = new_upload(&e.app, &sid, "Résumé 2026.bin", size).await;

    let first = 1024 * 1024;
    let r = patch(&e.app, &sid, &id, 0, &bytes[..first]).await;
    assert_eq!(r.status, StatusCode::OK);
    let j = r.json();
    assert_eq!(j["received"], first as u64);
    assert_eq!(j["complete"], false);
    assert_eq!(j["route"], "attachment");

    // A retry from 0 is refused and says where to resume.
    let r = patch(&e.app, &sid, &id, 0, &bytes[..first]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "upload_offset");
    assert!(r.json()["message"].as_str().unwrap().contains("1048576"));

    // Another account does not see it at all.
    let eve = login(&e.app, "eve@a.test", "eve-password").await;
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&eve),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let r = patch(&e.app, &eve, &id, first as u64, &bytes[first..]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateTransfer, ""),
        Some(&eve),
        serde_json::json!({"uploads": [id]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["received"], first as u64);
    let r = patch(&e.app, &sid, &id, first as u64, &bytes[first..]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["complete"], true);
    assert_eq!(r.json()["received"], size);

    // finished_upload sees the same bytes.
    let account: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'ann@a.test'")
        .fetch_one(&e.db)
        .await
        .unwrap();
    let f = transfers::finished_upload(&e.state, account, &id)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&f.path).unwrap(), bytes);
    assert_eq!(f.name, "Résumé 2026.bin");

    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateTransfer, ""),
        Some(&sid),
        serde_json::json!({"uploads": [id]}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let t = r.json();
    let token = t["token"].as_str().unwrap().to_string();
    assert_eq!(t["url"], format!("{PUBLIC_URL}/t/{token}"));
    assert_eq!(t["files"][0]["id"], id.as_str());
    assert_eq!(t["files"][0]["size"], size);
    let created = t["created_at"].as_i64().unwrap();
    assert_eq!(t["expires_at"].as_i64().unwrap(), created + 30 * 86_400);
    // The upload was consumed.
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!e.blobs.upload_path(&id).exists());

    // Public: no session needed (the edge secret still is).
    let r = call(
        &e.app,
        "GET",
        &v1(
            Route::TransferPage {
                token: token.clone(),
            },
            "",
        ),
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["files"][0]["name"], "Résumé 2026.bin");
    let r = e
        .app
        .clone()
        .oneshot(
            Request::get(v1(
                Route::TransferPage {
                    token: token.clone(),
                },
                "",
            ))
            .body(Body::empty())
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let file_url = v1(
        Route::TransferFile {
            token: token.clone(),
            file: id.clone(),
        },
        "",
    );
    let r = call(&e.app, "GET", &file_url, None, &[], Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body == bytes, "downloaded bytes differ");
    assert_eq!(r.header("content-length"), Some(size.to_string().as_str()));
    assert_eq!(r.header("content-type"), Some("application/x-test"));
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert_eq!(
        r.header(postern_shared::wire::headers::FILENAME),
        Some("R%C3%A9sum%C3%A9 2026.bin")
    );

    let r = call(
        &e.app,
        "GET",
        &file_url,
        None,
        &[("range", "bytes=10-19")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, &bytes[10..20]);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 10-19/{size}").as_str())
    );
    assert_eq!(r.header("content-length"), Some("10"));

    let r = call(
        &e.app,
        "GET",
        &file_url,
        None,
        &[("range", "bytes=-5")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.body, &bytes[bytes.len() - 5..]);

    let r = call(
        &e.app,
        "GET",
        &file_url,
        None,
        &[("range", "bytes=2000000-")],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert!(r.body == bytes[2_000_000..]);

    let r = call(
        &e.app,
        "GET",
        &file_url,
        None,
        &[("range", &format!("bytes={size}-"))],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes */{size}").as_str())
    );
    assert_eq!(r.code(), "bad_request");

    // HEAD answers the headers only.
    let r = call(&e.app, "HEAD", &file_url, None, &[], Body::empty()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-length"), Some(size.to_string().as_str()));
    assert!(r.body.is_empty());

    // Unknown file or token: 404.
    let r = call(
        &e.app,
        "GET",
        &format!("/v1/public/transfers/{token}/files/{}", "0".repeat(32)),
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &e.app,
        "GET",
        &format!("/v1/public/transfers/{}", "a".repeat(40)),
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let r = call(
        &e.app,
        "GET",
        "/v1/public/transfers/..%2F..",
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn expired_transfers_answer_410_and_the_sweeper_deletes_their_files() {
    let e = env().await;
    let sid = login(&e.app, "ann@a.test", "ann-password").await;
    let bytes = data(1000);
    let id = new_upload(&e.app, &sid, "a.txt", 1000).await;
    assert_eq!(
        patch(&e.app, &sid, &id, 0, &bytes).await.status,
        StatusCode::OK
    );
    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateTransfer, ""),
        Some(&sid),
        serde_json::json!({"uploads": [id]}),
    )
    .await;
    let token = r.json()["token"].as_str().unwrap().to_string();
    assert!(e.blobs.transfer_dir(&token).join(&id).exists());

    // Not yet expired: the sweep leaves it alone.
    let now = postern_gateway::db::now();
    let swept = sweeper::sweep(&e.db, &e.blobs, now).await.unwrap();
    assert_eq!(swept.transfers, 0);

    sqlx::query("UPDATE transfers SET expires_at = $1 WHERE token = $2")
        .bind(now - 1)
        .bind(&token)
        .execute(&e.db)
        .await
        .unwrap();
    let r = call(
        &e.app,
        "GET",
        &v1(
            Route::TransferPage {
                token: token.clone(),
            },
            "",
        ),
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::GONE, "expired"));
    let r = call(
        &e.app,
        "GET",
        &v1(
            Route::TransferFile {
                token: token.clone(),
                file: id.clone(),
            },
            "",
        ),
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::GONE);

    let swept = sweeper::sweep(&e.db, &e.blobs, now).await.unwrap();
    assert_eq!(swept.transfers, 1);
    assert!(!e.blobs.transfer_dir(&token).exists());
    let deleted: Option<i64> =
        sqlx::query_scalar("SELECT deleted_at FROM transfers WHERE token = $1")
            .bind(&token)
            .fetch_one(&e.db)
            .await
            .unwrap();
    assert_eq!(deleted, Some(now));
    // The link still says "expired", not "unknown".
    let r = call(
        &e.app,
        "GET",
        &v1(
            Route::TransferPage {
                token: token.clone(),
            },
            "",
        ),
        None,
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::GONE);
}

#[tokio::test]
async fn incomplete_uploads_cannot_be_published_and_nothing_is_downloadable() {
    let e = env().await;
    let sid = login(&e.app, "ann@a.test", "ann-password").await;
    let done = new_upload(&e.app, &sid, "done.bin", 10).await;
    assert_eq!(
        patch(&e.app, &sid, &done, 0, &data(10)).await.status,
        StatusCode::OK
    );
    let partial = new_upload(&e.app, &sid, "partial.bin", 100).await;
    assert_eq!(
        patch(&e.app, &sid, &partial, 0, &data(40)).await.status,
        StatusCode::OK
    );

    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateTransfer, ""),
        Some(&sid),
        serde_json::json!({"uploads": [done, partial]}),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "upload_incomplete")
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transfers")
        .fetch_one(&e.db)
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(files_in(&e.blobs.root().join("transfers")), 0);
    // Both uploads are still where they were.
    assert!(e.blobs.upload_path(&done).exists() && e.blobs.upload_path(&partial).exists());
    let account: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'ann@a.test'")
        .fetch_one(&e.db)
        .await
        .unwrap();
    let err = transfers::finished_upload(&e.state, account, &partial)
        .await
        .unwrap_err();
    assert_eq!(err.code(), postern_shared::ErrorCode::UploadIncomplete);
    let err = transfers::publish(&e.state, account, std::slice::from_ref(&partial))
        .await
        .unwrap_err();
    assert_eq!(err.code(), postern_shared::ErrorCode::UploadIncomplete);

    // Empty, duplicated: bad requests.
    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateTransfer, ""),
        Some(&sid),
        serde_json::json!({"uploads": []}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateTransfer, ""),
        Some(&sid),
        serde_json::json!({"uploads": [done, done]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Without a session, nothing.
    let r = json(
        &e.app,
        "POST",
        &v1(Route::CreateUpload, ""),
        None,
        serde_json::json!({"name": "x", "size": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn size_limits_and_names() {
    let e = env().await;
    let sid = login(&e.app, "ann@a.test", "ann-password").await;
    let three_gib = 3u64 * 1024 * 1024 * 1024;
    let r = declare(
        &e.app,
        &sid,
        serde_json::json!({"name": "big.iso", "size": three_gib + 1}),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large")
    );
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("standalone transfer page")
    );
    let r = declare(
        &e.app,
        &sid,
        serde_json::json!({"name": "big.iso", "size": three_gib + 1, "standalone": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["route"], "transfer");
    let r = declare(
        &e.app,
        &sid,
        serde_json::json!({"name": "huge", "size": 51u64 << 30, "standalone": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = declare(
        &e.app,
        &sid,
        serde_json::json!({"name": "mid", "size": 25 * 1024 * 1024 + 1}),
    )
    .await;
    assert_eq!(r.json()["route"], "transfer");
    let r = declare(
        &e.app,
        &sid,
        serde_json::json!({"name": "../../x\r\n.txt", "size": 1}),
    )
    .await;
    assert_eq!(r.json()["name"], ".._.._x__.txt");
    let r = declare(&e.app, &sid, serde_json::json!({"name": " / ", "size": 1})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = declare(&e.app, &sid, serde_json::json!({"name": "  ", "size": 1})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // An empty file is complete at once.
    let r = declare(
        &e.app,
        &sid,
        serde_json::json!({"name": "empty", "size": 0}),
    )
    .await;
    assert_eq!(r.json()["complete"], true);

    // Bytes beyond the declared size are refused: announced, or streamed.
    let id = new_upload(&e.app, &sid, "ten.bin", 10).await;
    let r = patch(&e.app, &sid, &id, 0, &data(11)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["received"], 0);
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(data(6)), Ok(data(6))];
    let r = call(
        &e.app,
        "PATCH",
        &v1(Route::UploadData { id: id.to_string() }, "offset=0"),
        Some(&sid),
        &[],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["received"], 10);
    assert_eq!(r.json()["complete"], true);

    // A missing offset is a bad request.
    let r = call(
        &e.app,
        "PATCH",
        &v1(Route::UploadData { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_broken_body_keeps_what_arrived_and_the_upload_resumes() {
    let e = env().await;
    let sid = login(&e.app, "ann@a.test", "ann-password").await;
    let bytes = data(5000);
    let id = new_upload(&e.app, &sid, "r.bin", 5000).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(bytes[..1500].to_vec()),
        Ok(bytes[1500..2000].to_vec()),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "gone",
        )),
    ];
    let r = call(
        &e.app,
        "PATCH",
        &v1(Route::UploadData { id: id.to_string() }, "offset=0"),
        Some(&sid),
        &[],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
    .await;
    assert!(!r.status.is_success());
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["received"], 2000);

    // Bytes on disk past the record (never acknowledged) are dropped; a
    // record past the file (lost in a crash) is lowered.
    sqlx::query("UPDATE uploads SET received = 1000 WHERE id = $1")
        .bind(&id)
        .execute(&e.db)
        .await
        .unwrap();
    let r = patch(&e.app, &sid, &id, 2000, &bytes[2000..]).await;
    assert_eq!(r.code(), "upload_offset");
    sqlx::query("UPDATE uploads SET received = 4000 WHERE id = $1")
        .bind(&id)
        .execute(&e.db)
        .await
        .unwrap();
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: id.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.json()["received"], 2000);

    let r = patch(&e.app, &sid, &id, 2000, &bytes[2000..]).await;
    assert_eq!(r.json()["complete"], true);
    assert_eq!(std::fs::read(e.blobs.upload_path(&id)).unwrap(), bytes);
}

#[tokio::test]
async fn delete_and_sweep_abandoned_uploads() {
    let e = env().await;
    let sid = login(&e.app, "ann@a.test", "ann-password").await;
    let a = new_upload(&e.app, &sid, "a", 10).await;
    let b = new_upload(&e.app, &sid, "b", 10).await;
    let c = new_upload(&e.app, &sid, "c", 10).await;
    assert_eq!(
        patch(&e.app, &sid, &c, 0, &data(10)).await.status,
        StatusCode::OK
    );

    let eve = login(&e.app, "eve@a.test", "eve-password").await;
    let r = call(
        &e.app,
        "DELETE",
        &v1(Route::DeleteUpload { id: a.to_string() }, ""),
        Some(&eve),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = call(
        &e.app,
        "DELETE",
        &v1(Route::DeleteUpload { id: a.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(!e.blobs.upload_path(&a).exists());
    let r = call(
        &e.app,
        "GET",
        &v1(Route::GetUpload { id: a.to_string() }, ""),
        Some(&sid),
        &[],
        Body::empty(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let now = postern_gateway::db::now();
    let swept = sweeper::sweep(&e.db, &e.blobs, now).await.unwrap();
    assert_eq!(swept.uploads, 0);
    let later = now + sweeper::INCOMPLETE_UPLOAD_SECS + 1;
    let swept = sweeper::sweep(&e.db, &e.blobs, later).await.unwrap();
    assert_eq!(swept.uploads, 1);
    assert!(!e.blobs.upload_path(&b).exists());
    // The complete one stays (a draft may still need it)…
    assert!(e.blobs.upload_path(&c).exists());
    // …until nobody has used it for a month.
    let month = now + sweeper::UNUSED_UPLOAD_SECS + 1;
    let swept = sweeper::sweep(&e.db, &e.blobs, month).await.unwrap();
    assert_eq!(swept.uploads, 1);
    assert!(!e.blobs.upload_path(&c).exists());
}
