//! R-LIM-2..4 on the real stack: resumable uploads streamed through the
//! edge, files above 25 MiB sent as a transfer link, public downloads
//! (byte-identical, `Range`), expiry, and incomplete uploads that can never
//! be published or downloaded.

use postern_shared::ErrorCode;
use postern_shared::PermissionSet;
use postern_shared::api::MessageView;
use postern_shared::compose::OutgoingState;
use postern_shared::limits::{
    MAX_ATTACHMENT_BYTES, MAX_STANDALONE_TRANSFER_BYTES, MAX_WEBMAIL_TRANSFER_BYTES,
};
use postern_shared::transfers::UploadRoute;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, raw_http};
use postern_tests::sending::{draft, pattern, upload_ref};
use postern_tests::unique;

const MIB: u64 = 1024 * 1024;

/// The first `/t/<token>` in `text` (token: URL-safe characters).
fn transfer_token(text: &str) -> Option<String> {
    let start = text.find("/t/")? + 3;
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

/// `GET <edge><path>` without any cookie: status, headers, body.
async fn public_get(
    base: &str,
    path: &str,
    range: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut rb = raw_http().get(format!("{base}{path}"));
    if let Some(r) = range {
        rb = rb.header("range", r);
    }
    let resp = rb
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

fn header_str<'a>(h: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The download paths (`/t/<token>/<file>`) the public page links to.
fn file_links(page: &str, token: &str) -> Vec<String> {
    let needle = format!("/t/{token}/");
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let file: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '%'))
            .collect();
        if !file.is_empty() {
            let link = format!("{needle}{file}");
            if !out.contains(&link) {
                out.push(link);
            }
        }
        rest = after;
    }
    out
}

#[tokio::test]
async fn a_30_mib_file_is_sent_as_a_link_and_downloads_byte_identical() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let (friend_mb, friend) = fx.add_mailbox("friend", Some(PermissionSet::all())).await;
    let size = 30 * MIB;
    let seed = 30;

    // Declared, then uploaded in 3 PATCH requests of 10 MiB.
    let up = fx
        .api
        .create_upload("holiday-video.bin", size, false)
        .await
        .expect("declare the upload");
    assert_eq!(up.route, UploadRoute::Transfer, "above 25 MiB: a link");
    assert_eq!((up.received, up.complete), (0, false));
    let mut last = up.clone();
    for i in 0..3 {
        let offset = i * 10 * MIB;
        last = fx
            .api
            .upload_chunk(&up.id, offset, pattern(seed, offset, (10 * MIB) as usize))
            .await
            .unwrap_or_else(|e| panic!("PATCH chunk {i}: {e}"));
        assert_eq!(last.received, offset + 10 * MIB);
    }
    assert!(last.complete);

    let tag = unique("x");
    let subject = format!("The video {tag}");
    let mut d = draft(&[&friend], &subject);
    d.attachments = vec![upload_ref(&up.id)];
    let out = fx
        .api
        .send_now(fx.mailbox, &d, None)
        .await
        .expect("send with the big file");
    assert_eq!(out.state, OutgoingState::Sent, "{out:?}");

    // The recipient gets a small message with a link, not 30 MiB.
    let (uid, raw) = stack.wait_for_subject(&friend, "INBOX", &subject).await;
    assert!(
        raw.len() < MIB as usize,
        "the file is not inlined ({} bytes)",
        raw.len()
    );
    let view: MessageView = fx
        .api
        .get(&Route::GetMessage { mb: friend_mb, uid }.path_with("folder=INBOX"))
        .await
        .expect("the recipient opens it");
    let text = view.text.clone().unwrap_or_default();
    let token = transfer_token(&text)
        .unwrap_or_else(|| panic!("no /t/<token> link in the message text: {text:?}"));
    assert!(
        text.contains(&format!("{}/t/{token}", stack.public_url)),
        "the link starts with the public URL: {text:?}"
    );

    // The public page (no cookie) lists the file and links to it.
    let (status, _, page) = public_get(&stack.edge_url, &format!("/t/{token}"), None).await;
    let page = String::from_utf8_lossy(&page).into_owned();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("holiday-video.bin"), "{page}");
    let links = file_links(&page, &token);
    assert_eq!(links.len(), 1, "one file link on the page: {links:?}");
    let file = &links[0];

    // The whole file, byte-identical.
    let (status, h, body) = public_get(&stack.edge_url, file, None).await;
    assert_eq!(status, 200);
    assert!(
        header_str(&h, "content-disposition").starts_with("attachment"),
        "{h:?}"
    );
    assert_eq!(body.len() as u64, size);
    assert!(
        body == pattern(seed, 0, size as usize),
        "the download differs from the upload"
    );

    // Ranges: across the first chunk boundary, and the last 100 bytes.
    let (from, to) = (10 * MIB - 10, 10 * MIB + 9);
    let (status, h, body) =
        public_get(&stack.edge_url, file, Some(&format!("bytes={from}-{to}"))).await;
    assert_eq!(status, 206);
    assert_eq!(
        header_str(&h, "content-range"),
        format!("bytes {from}-{to}/{size}")
    );
    assert_eq!(body, pattern(seed, from, 20));
    let (status, _, body) = public_get(&stack.edge_url, file, Some("bytes=-100")).await;
    assert_eq!(status, 206);
    assert_eq!(body, pattern(seed, size - 100, 100));
    let (status, _, _) = public_get(&stack.edge_url, file, Some(&format!("bytes={size}-"))).await;
    assert_eq!(status, 416, "a range past the end");
}

#[tokio::test]
async fn an_interrupted_upload_resumes_where_it_stopped() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let size = 3 * MIB;
    let seed = 3;
    let up = fx
        .api
        .create_upload("report.pdf", size, false)
        .await
        .expect("declare");
    assert_eq!(up.route, UploadRoute::Attachment, "up to 25 MiB: attached");
    fx.api
        .upload_chunk(&up.id, 0, pattern(seed, 0, MIB as usize))
        .await
        .expect("first MiB");

    // The connection dropped; the client guesses wrong where to go on.
    let err = fx
        .api
        .upload_chunk(&up.id, 2 * MIB, pattern(seed, 2 * MIB, MIB as usize))
        .await
        .expect_err("a gap is refused");
    assert_eq!(err.code(), ErrorCode::UploadOffset, "{err}");
    assert_eq!(err.status, 409);
    let err = fx
        .api
        .upload_chunk(&up.id, 0, pattern(seed, 0, MIB as usize))
        .await
        .expect_err("an overlap is refused");
    assert_eq!(err.code(), ErrorCode::UploadOffset, "{err}");

    // It asks, and resumes at `received`.
    let now = fx.api.upload(&up.id).await.expect("GET the upload");
    assert_eq!((now.received, now.complete), (MIB, false));
    let done = fx
        .api
        .upload_chunk(
            &up.id,
            now.received,
            pattern(seed, now.received, (size - now.received) as usize),
        )
        .await
        .expect("resume");
    assert!(done.complete);
    assert_eq!(done.received, size);
    let err = fx
        .api
        .upload_chunk(&up.id, size, vec![0; 10])
        .await
        .expect_err("no byte beyond the declared size");
    assert!(err.status >= 400, "{err}");

    // Published, it downloads byte-identical.
    let t = fx.api.publish_transfer(&[&up.id]).await.expect("publish");
    assert_eq!(t.files.len(), 1);
    assert_eq!(t.files[0].size, size);
    let (status, _, body) = public_get(
        &stack.edge_url,
        &format!("/t/{}/{}", t.token, t.files[0].id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(body == pattern(seed, 0, size as usize), "bytes differ");
}

#[tokio::test]
async fn an_expired_transfer_is_gone() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let up = fx
        .api
        .upload_pattern("notes.txt", 4096, 7, 1)
        .await
        .expect("upload");
    let t = fx.api.publish_transfer(&[&up.id]).await.expect("publish");
    assert_eq!(t.url, format!("{}/t/{}", stack.public_url, t.token));
    assert_eq!(
        t.expires_at - t.created_at,
        30 * 86_400,
        "downloadable for 30 days"
    );
    let page = format!("/t/{}", t.token);
    let file = format!("/t/{}/{}", t.token, t.files[0].id);
    assert_eq!(public_get(&stack.edge_url, &page, None).await.0, 200);
    let (status, _, body) = public_get(&stack.edge_url, &file, None).await;
    assert_eq!(status, 200);
    assert_eq!(body, pattern(7, 0, 4096));

    stack.expire_transfer(&t.token).await;
    let (status, h, _) = public_get(&stack.edge_url, &page, None).await;
    assert_eq!(status, 410, "the page says it has expired");
    assert!(header_str(&h, "content-type").starts_with("text/html"));
    assert_eq!(public_get(&stack.edge_url, &file, None).await.0, 410);

    let unknown = format!("/t/{}", "0".repeat(t.token.len()));
    assert_eq!(public_get(&stack.edge_url, &unknown, None).await.0, 404);
}

#[tokio::test]
async fn an_aborted_upload_can_be_neither_published_nor_sent_nor_seen_by_others() {
    let fx = Fixture::new().await;
    let up = fx
        .api
        .create_upload("half.iso", 10 * MIB, false)
        .await
        .expect("declare");
    let part = fx
        .api
        .upload_chunk(&up.id, 0, pattern(9, 0, (3 * MIB) as usize))
        .await
        .expect("3 of 10 MiB");
    assert_eq!((part.received, part.complete), (3 * MIB, false));

    let err = fx
        .api
        .publish_transfer(&[&up.id])
        .await
        .expect_err("an incomplete upload cannot be published");
    assert_eq!(err.code(), ErrorCode::UploadIncomplete, "{err}");
    assert_eq!(err.status, 409);

    let tag = unique("a");
    let subject = format!("Half a file {tag}");
    let mut d = draft(&[&format!("peer-{tag}@elsewhere.test")], &subject);
    d.attachments = vec![upload_ref(&up.id)];
    let err = fx
        .api
        .send_now(fx.mailbox, &d, None)
        .await
        .expect_err("an incomplete upload cannot be sent");
    assert_eq!(err.code(), ErrorCode::UploadIncomplete, "{err}");
    assert!(
        fx.stack
            .find_subject(&fx.address, "Sent", &subject)
            .await
            .is_empty()
    );

    // Uploads belong to the account that made them.
    let other = Fixture::new().await;
    let err = other
        .api
        .upload(&up.id)
        .await
        .expect_err("another account's upload");
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    let err = other
        .api
        .upload_chunk(&up.id, 3 * MIB, vec![1; 16])
        .await
        .expect_err("nor write to it");
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    let err = other
        .api
        .publish_transfer(&[&up.id])
        .await
        .expect_err("nor publish it");
    assert_eq!(err.code(), ErrorCode::NotFound, "{err}");
    assert_eq!(
        fx.api.upload(&up.id).await.expect("still there").received,
        3 * MIB
    );
}

#[tokio::test]
async fn upload_sizes_follow_the_limits() {
    let fx = Fixture::new().await;
    let route = |size: u64, standalone: bool| {
        let api = &fx.api;
        async move {
            let up = api
                .create_upload("f.bin", size, standalone)
                .await
                .map_err(|e| e.code())?;
            api.delete_upload(&up.id).await.expect("delete");
            Ok::<UploadRoute, ErrorCode>(up.route)
        }
    };
    // R-LIM-2/3: up to 25 MiB attached, above a link, up to 3 GiB.
    assert_eq!(
        route(MAX_ATTACHMENT_BYTES, false).await,
        Ok(UploadRoute::Attachment)
    );
    assert_eq!(
        route(MAX_ATTACHMENT_BYTES + 1, false).await,
        Ok(UploadRoute::Transfer)
    );
    assert_eq!(
        route(MAX_WEBMAIL_TRANSFER_BYTES, false).await,
        Ok(UploadRoute::Transfer)
    );
    // R-LIM-4: above 3 GiB only from the standalone page, up to 50 GiB.
    assert_eq!(
        route(MAX_WEBMAIL_TRANSFER_BYTES + 1, false).await,
        Err(ErrorCode::AttachmentTooLarge)
    );
    assert_eq!(
        route(MAX_STANDALONE_TRANSFER_BYTES, true).await,
        Ok(UploadRoute::Transfer)
    );
    assert_eq!(
        route(MAX_STANDALONE_TRANSFER_BYTES + 1, true).await,
        Err(ErrorCode::AttachmentTooLarge)
    );
}
