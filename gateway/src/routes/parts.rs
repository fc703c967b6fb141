//! Attachment download: the decoded bytes of one body section, streamed
//! in 1 MiB partial fetches (`BINARY.PEEK[section]<offset.len>`) so a large
//! attachment never sits whole in memory.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use futures_util::stream;
use mail_parser::MimeHeaders;
use postern_shared::ErrorCode;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::imap::pool::Pooled;
use crate::imap::{ImapError, commands, ops};
use crate::state::AppState;

pub const CHUNK: u64 = 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct PartQuery {
    pub folder: String,
}

/// Content type and file name from a part's MIME headers (pure).
pub fn describe(mime_headers: &[u8]) -> (String, Option<String>) {
    let parsed = mail_parser::MessageParser::default().parse_headers(mime_headers);
    let Some(msg) = parsed else {
        return ("application/octet-stream".into(), None);
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    let content_type = msg
        .content_type()
        .and_then(|ct| {
            let sub = ct.subtype()?;
            (token(ct.ctype()) && token(sub)).then(|| {
                let base = format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase();
                match ct.attribute("charset").filter(|c| token(c)) {
                    Some(cs) if base.starts_with("text/") => format!("{base}; charset={cs}"),
                    _ => base,
                }
            })
        })
        .unwrap_or_else(|| "application/octet-stream".into());
    let name = msg.attachment_name().map(str::to_string);
    (content_type, name)
}

/// Header-safe file name: UTF-8 percent-encoded outside visible ASCII
/// (and `%`, `"`, `\`), so `X-Postern-Filename` is always a valid header.
/// The edge decodes it with a standard percent-decoder.
pub fn encode_filename(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if (0x21..0x7f).contains(&b) && !matches!(b, b'%' | b'"' | b'\\') || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub async fn download(
    State(state): State<AppState>,
    grant: Grant,
    Path((_mb, uid, section)): Path<(i64, u32, String)>,
    Query(q): Query<PartQuery>,
) -> AppResult<Response> {
    if q.folder.is_empty() || !commands::valid_section(&section) {
        return Err(AppError::bad_request("Invalid folder or section."));
    }
    // Prepare on a pooled connection; if it was stale, once more on a fresh one.
    let mut conn = state.imap.get(&grant.address).await?;
    let meta = match prepare(&mut conn, &q.folder, uid, &section).await {
        Err(e) if conn.reused && e.is_connection_failure() => {
            drop(conn);
            conn = state.imap.fresh(&grant.address).await?;
            prepare(&mut conn, &q.folder, uid, &section).await
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
        && let Ok(v) = HeaderValue::from_str(&encode_filename(&name))
    {
        h.insert("x-postern-filename", v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn prepare(
    conn: &mut Pooled,
    folder: &str,
    uid: u32,
    section: &str,
) -> Result<Option<(Vec<u8>, Option<u64>)>, ImapError> {
    ops::select(conn, folder, true).await?;
    ops::part_meta(conn, uid, section).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_parts_from_mime_headers() {
        let (ct, name) = describe(b"Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        assert_eq!(ct, "application/pdf");
        assert_eq!(name.as_deref(), Some("report.pdf"));
        let (ct, name) = describe(b"Content-Type: text/csv; charset=utf-8\r\nContent-Disposition: attachment; filename*=utf-8''d%C3%A9j%C3%A0.csv\r\n\r\n");
        assert_eq!(ct, "text/csv; charset=utf-8");
        assert_eq!(name.as_deref(), Some("déjà.csv"));
        let (ct, name) = describe(b"\r\n");
        assert_eq!(ct, "application/octet-stream");
        assert_eq!(name, None);
    }

    #[test]
    fn file_names_are_header_safe() {
        assert_eq!(encode_filename("report 2026.pdf"), "report 2026.pdf");
        assert_eq!(encode_filename("déjà.csv"), "d%C3%A9j%C3%A0.csv");
        assert_eq!(encode_filename("a\r\nX: y\"%"), "a%0D%0AX: y%22%25");
    }
}
