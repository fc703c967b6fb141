//! The rows of `transfers` and `transfer_files`, their API form, and the
//! lookup of a live transfer behind a public link.

use postern_shared::ErrorCode;
use postern_shared::transfers::{Transfer, TransferFile};

use super::ids::valid_token;
use crate::db::Db;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransferRow {
    pub token: String,
    pub account_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub path: String,
}

impl FileRow {
    fn to_api(&self) -> TransferFile {
        TransferFile {
            id: self.id.clone(),
            name: self.name.clone(),
            size: self.size as u64,
            content_type: self.content_type.clone(),
        }
    }
}

pub fn transfer_api(public_url: &str, t: &TransferRow, files: &[FileRow]) -> Transfer {
    Transfer {
        url: format!("{}/t/{}", public_url.trim_end_matches('/'), t.token),
        token: t.token.clone(),
        files: files.iter().map(FileRow::to_api).collect(),
        created_at: t.created_at,
        expires_at: t.expires_at,
    }
}

/// A live transfer: `not_found` when unknown, `expired` when past its date
/// or swept.
pub async fn live_transfer(
    db: &Db,
    token: &str,
    now: i64,
) -> AppResult<(TransferRow, Vec<FileRow>)> {
    if !valid_token(token) {
        return Err(ErrorCode::NotFound.into());
    }
    let t: Option<TransferRow> = sqlx::query_as(
        "SELECT token, account_id, created_at, expires_at, deleted_at FROM transfers \
         WHERE token = $1",
    )
    .bind(token)
    .fetch_optional(db)
    .await?;
    let t = t.ok_or(AppError::from(ErrorCode::NotFound))?;
    if t.deleted_at.is_some() || t.expires_at <= now {
        return Err(AppError::new(
            ErrorCode::Expired,
            "This transfer has expired; its files were deleted.",
        ));
    }
    let files: Vec<FileRow> = sqlx::query_as(
        "SELECT id, name, size, content_type, path FROM transfer_files \
         WHERE transfer_token = $1 ORDER BY position",
    )
    .bind(token)
    .fetch_all(db)
    .await?;
    Ok((t, files))
}
