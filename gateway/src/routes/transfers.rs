//! HTTP routes of uploads and transfers (table "Uploads and transfers" of
//! `ARCHITECTURE.md`). Uploads and `POST /v1/transfers` need a session;
//! the public routes need only the edge secret (checked for every route).

use std::io::SeekFrom;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use futures_util::stream;
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer, Upload};
use postern_shared::wire::query::UploadOffsetQuery;
use postern_shared::{ApiError, ErrorCode};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::v1;
use crate::auth::Authenticated;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::transfers::{blobs, store};
use postern_shared::wire::{filename, headers};

/// Read size when streaming a file out.
const READ_CHUNK: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(v1("create_upload"), post(create_upload))
        .route(
            v1("get_upload"),
            get(get_upload).patch(append).delete(delete_upload),
        )
        .route(v1("create_transfer"), post(create_transfer))
        .route(v1("transfer_page"), get(public_transfer))
        .route(v1("transfer_file"), get(download))
}

async fn create_upload(
    State(state): State<AppState>,
    who: Authenticated,
    Json(req): Json<NewUpload>,
) -> AppResult<Json<Upload>> {
    let row = store::create_upload(
        &state.db,
        &blobs(&state),
        who.account.id,
        req,
        crate::db::now(),
    )
    .await?;
    Ok(Json(row.to_api()))
}

async fn get_upload(
    State(state): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> AppResult<Json<Upload>> {
    let row = store::get_upload(&state.db, who.account.id, &id).await?;
    let row = store::reconcile(&state.db, &blobs(&state), row).await?;
    Ok(Json(row.to_api()))
}

/// `PATCH /v1/uploads/{id}?offset=N`: the body is streamed to the file.
async fn append(
    State(state): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
    Query(q): Query<UploadOffsetQuery>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Json<Upload>> {
    let content_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let row = store::append(
        &state.db,
        &blobs(&state),
        who.account.id,
        &id,
        q.offset,
        content_length,
        body,
    )
    .await?;
    Ok(Json(row.to_api()))
}

async fn delete_upload(
    State(state): State<AppState>,
    who: Authenticated,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    store::delete_upload(&state.db, &blobs(&state), who.account.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn create_transfer(
    State(state): State<AppState>,
    who: Authenticated,
    Json(req): Json<NewTransfer>,
) -> AppResult<Json<Transfer>> {
    Ok(Json(
        crate::transfers::publish(&state, who.account.id, &req.uploads).await?,
    ))
}

async fn public_transfer(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (t, files) = store::live_transfer(&state.db, &token, crate::db::now()).await?;
    let mut r = Json(store::transfer_api(&state.sending.public_url, &t, &files)).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// What a `Range` header asks for, given the file's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No (usable) range: the whole file, 200.
    Full,
    /// Inclusive `first..=last`, 206.
    Partial { first: u64, last: u64 },
    /// 416.
    Unsatisfiable,
}

/// One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`. Malformed headers
/// and several ranges are ignored (the whole file is sent), as RFC 9110
/// allows.
pub fn parse_range(value: Option<&str>, size: u64) -> ByteRange {
    let Some(value) = value else {
        return ByteRange::Full;
    };
    let Some((unit, spec)) = value.trim().split_once('=') else {
        return ByteRange::Full;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") || spec.contains(',') {
        return ByteRange::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return ByteRange::Full;
    };
    let num = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (a.trim().is_empty(), b.trim().is_empty()) {
        // -n: the last n bytes.
        (true, false) => match num(b) {
            Some(0) => ByteRange::Unsatisfiable,
            Some(_) if size == 0 => ByteRange::Unsatisfiable,
            Some(n) => ByteRange::Partial {
                first: size.saturating_sub(n),
                last: size - 1,
            },
            None => ByteRange::Full,
        },
        // a-
        (false, true) => match num(a) {
            Some(first) if first >= size => ByteRange::Unsatisfiable,
            Some(first) => ByteRange::Partial {
                first,
                last: size - 1,
            },
            None => ByteRange::Full,
        },
        // a-b
        (false, false) => match (num(a), num(b)) {
            (Some(first), Some(last)) if first <= last => {
                if first >= size {
                    ByteRange::Unsatisfiable
                } else {
                    ByteRange::Partial {
                        first,
                        last: last.min(size - 1),
                    }
                }
            }
            _ => ByteRange::Full,
        },
        (true, true) => ByteRange::Full,
    }
}

/// `GET /v1/public/transfers/{token}/files/{file}`: the bytes, streamed,
/// with `Range` honoured.
async fn download(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let (_t, files) = store::live_transfer(&state.db, &token, crate::db::now()).await?;
    let f = files
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(AppError::from(ErrorCode::NotFound))?;
    let path = blobs(&state)
        .resolve(&f.path)
        .ok_or_else(|| AppError::internal(format_args!("bad stored path {:?}", f.path)))?;
    let mut handle = tokio::fs::File::open(&path)
        .await
        .map_err(|e| AppError::internal(format_args!("transfer file {}: {e}", path.display())))?;
    let size = handle
        .metadata()
        .await
        .map_err(|e| AppError::internal(format_args!("transfer file metadata: {e}")))?
        .len();

    let range = parse_range(
        headers.get(header::RANGE).and_then(|v| v.to_str().ok()),
        size,
    );
    let (status, first, len) = match range {
        ByteRange::Full => (StatusCode::OK, 0, size),
        ByteRange::Partial { first, last } => {
            (StatusCode::PARTIAL_CONTENT, first, last - first + 1)
        }
        ByteRange::Unsatisfiable => {
            let mut r = (
                StatusCode::RANGE_NOT_SATISFIABLE,
                Json(ApiError::new(
                    ErrorCode::BadRequest,
                    format!("The requested range is not satisfiable (the file has {size} bytes)."),
                )),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(r);
        }
    };
    if first > 0 {
        handle
            .seek(SeekFrom::Start(first))
            .await
            .map_err(|e| AppError::internal(format_args!("transfer seek: {e}")))?;
    }

    let body = stream::unfold((handle, len), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let want = (left as usize).min(READ_CHUNK);
        let mut buf = vec![0u8; want];
        match file.read(&mut buf).await {
            Ok(0) => Some((
                Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "transfer file shorter than expected",
                )),
                (file, 0),
            )),
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), (file, left - n as u64)))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    });

    let mut r = Response::new(Body::from_stream(body));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&f.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&filename::encode_header(&f.name)) {
        h.insert(headers::FILENAME, v);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{}/{size}", first + len - 1))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use ByteRange::*;
        let p = |first, last| Partial { first, last };
        assert_eq!(parse_range(None, 10), Full);
        assert_eq!(parse_range(Some("bytes=0-4"), 10), p(0, 4));
        assert_eq!(parse_range(Some("bytes=2-100"), 10), p(2, 9));
        assert_eq!(parse_range(Some("bytes=3-"), 10), p(3, 9));
        assert_eq!(parse_range(Some("bytes=-4"), 10), p(6, 9));
        assert_eq!(parse_range(Some("bytes=-40"), 10), p(0, 9));
        assert_eq!(parse_range(Some("bytes=10-"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=10-12"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-0"), 10), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=-1"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
        // Ignored: malformed, other units, several ranges.
        assert_eq!(parse_range(Some("bytes=5-2"), 10), Full);
        assert_eq!(parse_range(Some("bytes=0-1,3-4"), 10), Full);
        assert_eq!(parse_range(Some("items=0-1"), 10), Full);
        assert_eq!(parse_range(Some("bytes=a-b"), 10), Full);
        assert_eq!(parse_range(Some("bytes=-"), 10), Full);
        assert_eq!(parse_range(Some("bytes=+1-2"), 10), Full);
    }
}
