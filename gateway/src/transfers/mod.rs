//! Uploads (resumable, streamed to disk) and transfers (public download
//! links for big files, R-LIM-2..4). The blob store is a directory
//! (`POSTERN_BLOB_DIR`).
//!
//! The sending code uses only the two functions below; the store and the
//! expiry sweeper (`sweeper.rs`) are this module's business. Its HTTP
//! handlers are in `routes/transfers.rs`.
//!
//! The store is reached through `store.rs`, which re-exports its parts:
//! - `layout.rs`: the blob directory (`Blobs`);
//! - `ids.rs`, `names.rs`, `route.rs`: upload ids and tokens, file names
//!   and content types, attachment or transfer by size (R-LIM-2..4);
//! - `uploads.rs`, `claim.rs`, `append.rs`: declaring, claiming,
//!   reconciling and writing uploads;
//! - `published.rs`, `publishing.rs`: transfer rows and their lookup,
//!   publishing uploads as a transfer.

mod append;
mod claim;
mod ids;
mod layout;
mod names;
mod published;
mod publishing;
mod route;
mod uploads;

pub mod store;
pub mod sweeper;

use std::path::PathBuf;

use postern_shared::api::AccountId;
use postern_shared::transfers::Transfer;

use crate::error::AppResult;
use crate::state::AppState;
use store::Blobs;

/// The blob store of this gateway.
pub fn blobs(state: &AppState) -> Blobs {
    Blobs::new(&state.sending.blob_dir)
}

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
    let blobs = blobs(state);
    let row = store::complete_upload(&state.db, &blobs, account, id).await?;
    Ok(FinishedUpload {
        path: blobs.upload_path(&row.id),
        size: row.size as u64,
        id: row.id,
        name: row.name,
        content_type: row.content_type,
    })
}

/// Publishes finished uploads of `account` as one transfer (its files stay
/// downloadable until `expires_at`). Used by the transfers route and by
/// sending, for files above 25 MiB. The uploads are consumed: their files
/// move into the transfer.
pub async fn publish(
    state: &AppState,
    account: AccountId,
    upload_ids: &[String],
) -> AppResult<Transfer> {
    let (t, files) = store::publish(
        &state.db,
        &blobs(state),
        account,
        upload_ids,
        state.sending.transfer_days,
        crate::db::now(),
    )
    .await?;
    Ok(store::transfer_api(&state.sending.public_url, &t, &files))
}
