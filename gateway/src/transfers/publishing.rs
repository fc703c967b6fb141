//! Publishing: complete uploads become one transfer. The uploads are
//! consumed — their rows are deleted and their files move into the
//! transfer's directory — in one all-or-nothing step.

use std::collections::HashSet;
use std::path::Path;

use postern_shared::ErrorCode;
use postern_shared::api::AccountId;

use super::claim::{Claim, release_all};
use super::ids::new_token;
use super::layout::Blobs;
use super::published::{FileRow, TransferRow};
use super::uploads::{UploadRow, complete_upload, get_upload};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// Most files in one transfer.
pub const MAX_TRANSFER_FILES: usize = 100;

/// Publishes complete uploads of `account` as one transfer: the files move
/// (rename, same file system) into a staging directory, the rows are
/// written, the directory is renamed into place, and only then is the
/// transaction committed. Any failure puts the files back.
pub async fn publish(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    upload_ids: &[String],
    days: u32,
    now: i64,
) -> AppResult<(TransferRow, Vec<FileRow>)> {
    if upload_ids.is_empty() {
        return Err(AppError::bad_request("A transfer needs at least one file."));
    }
    if upload_ids.len() > MAX_TRANSFER_FILES {
        return Err(AppError::bad_request(format!(
            "A transfer holds at most {MAX_TRANSFER_FILES} files."
        )));
    }
    let mut seen = HashSet::new();
    if !upload_ids.iter().all(|id| seen.insert(id.as_str())) {
        return Err(AppError::bad_request("The same file is listed twice."));
    }
    let mut claims = Vec::with_capacity(upload_ids.len());
    let published = publish_claimed(db, blobs, account, upload_ids, days, now, &mut claims).await;
    // Released on every outcome, before the answer goes out.
    release_all(claims).await;
    published
}

/// [`publish`] once its arguments are checked; the claims it takes are
/// pushed to `claims` for the caller to release.
async fn publish_claimed(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    upload_ids: &[String],
    days: u32,
    now: i64,
    claims: &mut Vec<Claim>,
) -> AppResult<(TransferRow, Vec<FileRow>)> {
    let mut rows = Vec::with_capacity(upload_ids.len());
    for id in upload_ids {
        // Check ownership before claiming, so a stranger learns nothing.
        get_upload(db, account, id).await?;
        claims.push(Claim::take(db, id).await?.ok_or_else(|| {
            AppError::new(
                ErrorCode::UploadIncomplete,
                "A file is still being uploaded.",
            )
        })?);
        rows.push(complete_upload(db, blobs, account, id).await?);
    }

    let token = new_token();
    let staging = blobs.staging_dir(&token);
    let final_dir = blobs.transfer_dir(&token);
    let io =
        |what: &str, e: std::io::Error| AppError::internal(format_args!("publish: {what}: {e}"));
    tokio::fs::create_dir_all(&staging)
        .await
        .map_err(|e| io("staging dir", e))?;
    let mut moved: Vec<&UploadRow> = Vec::new();
    for row in &rows {
        if let Err(e) = tokio::fs::rename(blobs.upload_path(&row.id), staging.join(&row.id)).await {
            put_back(blobs, &staging, &moved).await;
            return Err(io("moving a file", e));
        }
        moved.push(row);
    }

    let transfer = TransferRow {
        token: token.clone(),
        account_id: account,
        created_at: now,
        expires_at: now + i64::from(days) * 86_400,
        deleted_at: None,
    };
    let files: Vec<FileRow> = rows
        .iter()
        .map(|r| FileRow {
            id: r.id.clone(),
            name: r.name.clone(),
            size: r.size,
            content_type: r.content_type.clone(),
            path: Blobs::relative_file(&token, &r.id),
        })
        .collect();

    let result: AppResult<()> = async {
        let mut tx = db.begin().await?;
        sqlx::query(
            "INSERT INTO transfers (token, account_id, created_at, expires_at, deleted_at) \
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(&transfer.token)
        .bind(account)
        .bind(transfer.created_at)
        .bind(transfer.expires_at)
        .execute(&mut *tx)
        .await?;
        for (position, f) in files.iter().enumerate() {
            sqlx::query(
                "INSERT INTO transfer_files (transfer_token, id, position, name, size, \
                 content_type, path) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&token)
            .bind(&f.id)
            .bind(position as i64)
            .bind(&f.name)
            .bind(f.size)
            .bind(&f.content_type)
            .bind(&f.path)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM uploads WHERE id = $1 AND account_id = $2")
                .bind(&f.id)
                .bind(account)
                .execute(&mut *tx)
                .await?;
        }
        // The one step that makes the files reachable, before the rows are.
        tokio::fs::rename(&staging, &final_dir)
            .await
            .map_err(|e| io("placing the transfer", e))?;
        if let Err(e) = tx.commit().await {
            let _ = tokio::fs::rename(&final_dir, &staging).await;
            return Err(e.into());
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        put_back(blobs, &staging, &moved).await;
        return Err(e);
    }
    tracing::info!(token = %&token[..8], account, files = files.len(), "transfer published");
    Ok((transfer, files))
}

/// Undoes the moves of a failed publish.
async fn put_back(blobs: &Blobs, staging: &Path, moved: &[&UploadRow]) {
    for row in moved {
        if let Err(e) = tokio::fs::rename(staging.join(&row.id), blobs.upload_path(&row.id)).await {
            tracing::error!(upload = %row.id, error = %e, "could not put an upload back");
        }
    }
    let _ = tokio::fs::remove_dir(staging).await;
}
