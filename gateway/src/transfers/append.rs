//! Writing an upload's bytes: one request body appended at the durable
//! `received`, streamed to disk and checkpointed as it goes.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::Body;
use futures_util::StreamExt;
use postern_shared::api::AccountId;
use postern_shared::{ApiError, ErrorCode};
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use super::claim::Claim;
use super::layout::Blobs;
use super::uploads::{UploadRow, get_upload, reconcile};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// `received` is made durable and recorded at least this often while a
/// body streams in, so a broken connection keeps (almost) all it sent.
const CHECKPOINT_BYTES: u64 = 16 * 1024 * 1024;
/// Write buffer between the request body and the file.
const WRITE_BUFFER: usize = 1024 * 1024;

fn busy_error() -> AppError {
    AppError::new(
        ErrorCode::UploadOffset,
        "Another request is still writing to this upload; wait, then resume at `received`.",
    )
}

/// May `offset` (and `content_length` more bytes) be written now? Claims
/// the upload if so.
async fn check_append(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    id: &str,
    offset: u64,
    content_length: Option<u64>,
) -> AppResult<(Claim, UploadRow)> {
    let row = get_upload(db, account, id).await?;
    let claim = Claim::take(db, &row.id).await?.ok_or_else(busy_error)?;
    let row = match reconcile(db, blobs, row).await {
        Ok(row) => row,
        Err(e) => {
            claim.release().await;
            return Err(e);
        }
    };
    let received = row.received as u64;
    let size = row.size as u64;
    if offset != received {
        claim.release().await;
        return Err(ApiError::new(
            ErrorCode::UploadOffset,
            format!("The upload continues at byte {received}, not at byte {offset}."),
        )
        .with(|p| p.received = Some(received))
        .into());
    }
    if let Some(len) = content_length
        && offset.saturating_add(len) > size
    {
        claim.release().await;
        return Err(too_many_bytes(size));
    }
    Ok((claim, row))
}

/// Reads and drops a refused request's body (a slice is at most a few MiB)
/// before the refusal goes out: a connection closed with unread bytes is
/// reset, and the reset can destroy the refusal before the client reads
/// it (the edge then saw "gateway unavailable" instead of a 409).
async fn drain(body: Body) {
    const MOST: usize = 16 * 1024 * 1024;
    let read_all = async {
        let mut stream = body.into_data_stream();
        let mut n = 0;
        while let Some(Ok(chunk)) = stream.next().await {
            n += chunk.len();
            if n > MOST {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), read_all).await;
}

/// Appends `body` at `offset` (which must be the durable `received`).
/// The bytes go to disk as they arrive; `received` is recorded every
/// [`CHECKPOINT_BYTES`] and when the body ends, also when it breaks. The
/// writing runs in its own task so a dropped connection cannot cut the
/// bookkeeping short.
pub async fn append(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    id: &str,
    offset: u64,
    content_length: Option<u64>,
    body: Body,
) -> AppResult<UploadRow> {
    let (claim, row) = match check_append(db, blobs, account, id, offset, content_length).await {
        Ok(ok) => ok,
        Err(e) => {
            drain(body).await;
            return Err(e);
        }
    };
    let db = db.clone();
    let path = blobs.upload_path(&row.id);
    let task = tokio::spawn(async move {
        let written = write_body(&db, &path, row, body).await;
        claim.release().await;
        written
    });
    task.await
        .map_err(|e| AppError::internal(format_args!("upload task: {e}")))?
}

fn too_many_bytes(size: u64) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("The file was declared as {size} bytes; bytes beyond that are refused."),
    )
}

async fn write_body(db: &Db, path: &Path, mut row: UploadRow, body: Body) -> AppResult<UploadRow> {
    let size = row.size as u64;
    let start = row.received as u64;
    let io = |e: std::io::Error| AppError::internal(format_args!("upload write: {e}"));
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .await
        .map_err(io)?;
    // Bytes past the durable length were never acknowledged: drop them.
    file.set_len(start).await.map_err(io)?;
    file.seek(SeekFrom::Start(start)).await.map_err(io)?;
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);

    let mut written = start;
    let mut recorded = start;
    let mut outcome: AppResult<()> = Ok(());
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                tracing::info!(upload = %row.id, written, error = %e, "upload interrupted");
                outcome = Err(AppError::bad_request(
                    "The upload was interrupted; resume at `received`.",
                ));
                break;
            }
        };
        let room = (size - written) as usize;
        let take = chunk.len().min(room);
        if let Err(e) = out.write_all(&chunk[..take]).await {
            outcome = Err(io(e));
            break;
        }
        written += take as u64;
        if take < chunk.len() {
            outcome = Err(too_many_bytes(size));
            break;
        }
        if written - recorded >= CHECKPOINT_BYTES {
            match make_durable(&mut out).await {
                Ok(()) => {
                    record(db, &row.id, written, size, None).await?;
                    recorded = written;
                }
                Err(e) => {
                    outcome = Err(io(e));
                    break;
                }
            }
        }
    }
    // Whatever happened, record what is on disk for sure.
    let final_len = match (&outcome, make_durable(&mut out).await) {
        (Err(e), _) if e.code() == ErrorCode::Internal => recorded,
        (_, Ok(())) => written,
        (_, Err(e)) => {
            outcome = Err(io(e));
            recorded
        }
    };
    let completed_at = (final_len == size).then(crate::db::now);
    record(db, &row.id, final_len, size, completed_at).await?;
    row.received = final_len as i64;
    row.completed_at = completed_at;
    if completed_at.is_some() {
        tracing::info!(upload = %row.id, size, "upload complete");
    }
    outcome.map(|()| row)
}

async fn make_durable(out: &mut BufWriter<tokio::fs::File>) -> std::io::Result<()> {
    out.flush().await?;
    out.get_mut().sync_data().await
}

async fn record(
    db: &Db,
    id: &str,
    received: u64,
    size: u64,
    completed_at: Option<i64>,
) -> AppResult<()> {
    debug_assert!(received <= size);
    sqlx::query("UPDATE uploads SET received = $1, completed_at = $2 WHERE id = $3")
        .bind(received as i64)
        .bind(completed_at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}
