//! The rows of `uploads` (migration `0003_transfers.sql`): declaring an
//! upload, finding one, reconciling its length with the file, removing it.
//! Writing its bytes is `append.rs`.
//!
//! `received` is the durable length: it is recorded only after the bytes
//! are flushed and synced, and on every read it is reconciled with the
//! file (the smaller of the two wins), so a crash or a broken connection
//! never makes an upload claim bytes it does not have.

use postern_shared::ErrorCode;
use postern_shared::api::AccountId;
use postern_shared::transfers::{NewUpload, Upload, UploadRoute};

use super::ids::{new_upload_id, valid_upload_id};
use super::layout::{Blobs, remove_file_if_exists};
use super::names::{sanitize_content_type, sanitize_name};
use super::route::{route_for, route_str};
use crate::db::Db;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub account_id: i64,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub received: i64,
    pub route: String,
    pub standalone: i64,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

impl UploadRow {
    pub fn is_complete(&self) -> bool {
        self.completed_at.is_some() && self.received == self.size
    }

    pub fn to_api(&self) -> Upload {
        Upload {
            id: self.id.clone(),
            name: self.name.clone(),
            size: self.size as u64,
            content_type: self.content_type.clone(),
            received: self.received as u64,
            route: if self.route == "transfer" {
                UploadRoute::Transfer
            } else {
                UploadRoute::Attachment
            },
            complete: self.is_complete(),
        }
    }
}

const UPLOAD_COLUMNS: &str = "id, account_id, name, size, content_type, received, route, \
                              standalone, created_at, completed_at";

/// Declares an upload and creates its (empty) file.
pub async fn create_upload(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    req: NewUpload,
    now: i64,
) -> AppResult<UploadRow> {
    let name =
        sanitize_name(&req.name).ok_or_else(|| AppError::bad_request("The file needs a name."))?;
    let route = route_for(req.size, req.standalone)?;
    let size = i64::try_from(req.size).map_err(|_| AppError::bad_request("Invalid size."))?;
    let row = UploadRow {
        id: new_upload_id(),
        account_id: account,
        name,
        size,
        content_type: sanitize_content_type(&req.content_type),
        received: 0,
        route: route_str(route).into(),
        standalone: i64::from(req.standalone),
        created_at: now,
        // An empty file is complete as soon as it is declared.
        completed_at: (size == 0).then_some(now),
    };
    let path = blobs.upload_path(&row.id);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::internal(format_args!("blob dir {}: {e}", dir.display())))?;
    }
    tokio::fs::File::create(&path)
        .await
        .map_err(|e| AppError::internal(format_args!("upload file: {e}")))?;
    let inserted = sqlx::query(
        "INSERT INTO uploads (id, account_id, name, size, content_type, received, route, \
         standalone, created_at, completed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&row.id)
    .bind(row.account_id)
    .bind(&row.name)
    .bind(row.size)
    .bind(&row.content_type)
    .bind(row.received)
    .bind(&row.route)
    .bind(row.standalone)
    .bind(row.created_at)
    .bind(row.completed_at)
    .execute(db)
    .await;
    if let Err(e) = inserted {
        let _ = remove_file_if_exists(&path).await;
        return Err(e.into());
    }
    tracing::info!(upload = %row.id, account, size, route = %row.route, "upload declared");
    Ok(row)
}

/// The upload `id` of `account` (`not_found` for anyone else's).
pub async fn get_upload(db: &Db, account: AccountId, id: &str) -> AppResult<UploadRow> {
    if !valid_upload_id(id) {
        return Err(ErrorCode::NotFound.into());
    }
    let row: Option<UploadRow> = sqlx::query_as(&format!(
        "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = $1 AND account_id = $2"
    ))
    .bind(id)
    .bind(account)
    .fetch_optional(db)
    .await?;
    row.ok_or_else(|| ErrorCode::NotFound.into())
}

/// Trusts the smaller of the file's length and the recorded `received`
/// (bytes past the record were never acknowledged; bytes missing from the
/// file were lost in a crash) and records the result.
pub async fn reconcile(db: &Db, blobs: &Blobs, mut row: UploadRow) -> AppResult<UploadRow> {
    let on_disk = match tokio::fs::metadata(blobs.upload_path(&row.id)).await {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(AppError::internal(format_args!("upload metadata: {e}"))),
    };
    let durable = (row.received.max(0) as u64).min(on_disk) as i64;
    if durable != row.received {
        tracing::warn!(upload = %row.id, recorded = row.received, on_disk, "upload length reconciled");
        row.received = durable;
        row.completed_at = None;
        sqlx::query("UPDATE uploads SET received = $1, completed_at = NULL WHERE id = $2")
            .bind(durable)
            .bind(&row.id)
            .execute(db)
            .await?;
    }
    Ok(row)
}

/// Removes an upload of `account`: row, then file.
pub async fn delete_upload(db: &Db, blobs: &Blobs, account: AccountId, id: &str) -> AppResult<()> {
    let row = get_upload(db, account, id).await?;
    sqlx::query("DELETE FROM uploads WHERE id = $1")
        .bind(&row.id)
        .execute(db)
        .await?;
    remove_file_if_exists(&blobs.upload_path(&row.id))
        .await
        .map_err(|e| AppError::internal(format_args!("removing upload: {e}")))?;
    Ok(())
}

/// A complete upload of `account`, `upload_incomplete` otherwise.
pub async fn complete_upload(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    id: &str,
) -> AppResult<UploadRow> {
    let row = get_upload(db, account, id).await?;
    let row = reconcile(db, blobs, row).await?;
    if !row.is_complete() {
        return Err(AppError::new(
            ErrorCode::UploadIncomplete,
            format!(
                "“{}” has not finished uploading ({} of {} bytes).",
                row.name, row.received, row.size
            ),
        ));
    }
    Ok(row)
}
