//! Attachment download: the decoded bytes of one body section, streamed
//! in 1 MiB partial fetches (`BINARY.PEEK[section]<offset.len>`) so a large
//! attachment never sits whole in memory.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures_util::stream;
use postern_shared::ErrorCode;
use postern_shared::wire::query::FolderQuery;
use postern_shared::wire::routes::is_valid_section;
use postern_shared::wire::{filename, headers};

use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::imap::parts::{CHUNK, describe};
use crate::imap::pool::Pooled;
use crate::imap::{ImapError, ops};
use crate::state::AppState;

/// `{uid}` and `{section}` by name (after `{mb}`, or staff's `{id}`).
#[derive(serde::Deserialize)]
pub struct PartParam {
    uid: u32,
    section: String,
}

pub async fn download(
    State(state): State<AppState>,
    grant: Grant,
    Path(PartParam { uid, section }): Path<PartParam>,
    Query(q): Query<FolderQuery>,
) -> AppResult<Response> {
    if q.folder.is_empty() || !is_valid_section(&section) {
        return Err(AppError::bad_request("Invalid folder or section."));
    }
    // Prepare on a pooled connection; if it was stale, once more on a fresh one.
    let mut conn = state.imap.get_for(&grant.address, Some(&q.folder)).await?;
    let meta = match prepare(&mut conn, &grant, &q.folder, uid, &section).await {
        Err(e) if conn.reused && e.is_connection_failure() => {
            drop(conn);
            conn = state.imap.fresh(&grant.address).await?;
            prepare(&mut conn, &grant, &q.folder, uid, &section).await
        }
        other => other,
    };
    let (mime, size) = match meta {
        Ok(Some(m)) => m,
        Ok(None) => return Err(ErrorCode::MessageNotFound.into()),
        Err(ImapError::No { .. }) => return Err(ErrorCode::FolderNotFound.into()),
        Err(e) => return Err(e.into()),
    };
    let (content_type, filename) = describe(&mime);

    // The stream owns the connection (folder selected) until the last chunk.
    struct Cursor {
        conn: Pooled,
        offset: u64,
        done: bool,
    }
    let body = stream::unfold(
        Cursor {
            conn,
            offset: 0,
            done: false,
        },
        move |mut cur| {
            let section = section.clone();
            async move {
                if cur.done {
                    return None;
                }
                match ops::part_chunk(&mut cur.conn, uid, &section, cur.offset, CHUNK).await {
                    Ok(chunk) => {
                        let n = chunk.len() as u64;
                        cur.offset += n;
                        cur.done = n < CHUNK || size.is_some_and(|s| cur.offset >= s);
                        if n == 0 {
                            return None;
                        }
                        Some((Ok::<_, ImapError>(bytes::Bytes::from(chunk)), cur))
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "attachment stream failed");
                        cur.done = true;
                        Some((Err(e), cur))
                    }
                }
            }
        },
    );
    let mut response = Response::new(Body::from_stream(body));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Some(size) = size {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    if let Some(name) = filename
        && let Ok(v) = HeaderValue::from_str(&filename::encode_header(&name))
    {
        h.insert(headers::FILENAME, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn prepare(
    conn: &mut Pooled,
    grant: &Grant,
    folder: &str,
    uid: u32,
    section: &str,
) -> Result<Option<(Vec<u8>, Option<u64>)>, ImapError> {
    let sel = ops::select(conn, folder, true).await?;
    if !grant.same_folder(sel.uid_validity) {
        return Ok(None);
    }
    ops::part_meta(conn, uid, section).await
}
