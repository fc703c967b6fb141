//! Uploads (resumable, streamed to disk) and transfers (public download
//! links for big files, R-LIM-2..4). The blob store is a directory
//! (`POSTERN_BLOB_DIR`).
//!
//! The sending code uses only the two functions below; the HTTP routes,
//! the store layout and the expiry sweeper are this module's business.

use std::path::PathBuf;

use postern_shared::api::AccountId;
use postern_shared::transfers::Transfer;

use crate::error::AppResult;
use crate::state::AppState;

/// A complete upload of `account`, ready to be attached or published.
#[derive(Debug, Clone)]
pub struct FinishedUpload {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    /// The bytes on disk (read-only for the caller).
    pub path: PathBuf,
}

/// The finished upload `id` of `account`: `not_found` when it is not theirs
/// or does not exist, `upload_incomplete` when bytes are missing.
pub async fn finished_upload(
    state: &AppState,
    account: AccountId,
    id: &str,
) -> AppResult<FinishedUpload> {
    let _ = (state, account, id);
    Err(postern_shared::ErrorCode::NotFound.into())
}

/// Publishes finished uploads of `account` as one transfer (its files stay
/// downloadable until `expires_at`). Used by the transfers route and by
/// sending, for files above 25 MiB.
pub async fn publish(
    state: &AppState,
    account: AccountId,
    upload_ids: &[String],
) -> AppResult<Transfer> {
    let _ = (state, account, upload_ids);
    Err(postern_shared::ErrorCode::NotFound.into())
}
