//! Expiry: every few minutes (and once at start) the files of expired
//! transfers are deleted — the row stays, with `deleted_at`, so the link
//! answers 410 `expired` rather than 404 — and so are uploads abandoned
//! before they finished (older than [`INCOMPLETE_UPLOAD_SECS`]), and
//! finished uploads nobody used for [`UNUSED_UPLOAD_SECS`] (a small
//! attachment lives on in the draft or sent message that embeds it; a big
//! one is consumed when published, so what is left was abandoned).

use std::time::Duration;

use super::store::{self, Blobs};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Incomplete uploads are kept this long for a resume.
pub const INCOMPLETE_UPLOAD_SECS: i64 = 24 * 3600;
/// Finished but unpublished uploads (attachments of drafts never sent,
/// files removed from a composer) are kept this long.
pub const UNUSED_UPLOAD_SECS: i64 = 30 * 24 * 3600;
/// Time between two sweeps.
pub const SWEEP_EVERY: Duration = Duration::from_secs(5 * 60);

/// What one sweep removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    pub transfers: usize,
    pub uploads: usize,
}

/// One sweep at time `now`. Plain async so tests can call it.
pub async fn sweep(db: &Db, blobs: &Blobs, now: i64) -> AppResult<Swept> {
    let mut swept = Swept::default();
    let expired: Vec<String> = sqlx::query_scalar(
        "SELECT token FROM transfers WHERE deleted_at IS NULL AND expires_at <= $1",
    )
    .bind(now)
    .fetch_all(db)
    .await?;
    for token in expired {
        // Mark first: from here on the link answers 410 and nothing opens
        // the files while they go.
        sqlx::query("UPDATE transfers SET deleted_at = $1 WHERE token = $2 AND deleted_at IS NULL")
            .bind(now)
            .bind(&token)
            .execute(db)
            .await?;
        if store::valid_token(&token) {
            match tokio::fs::remove_dir_all(blobs.transfer_dir(&token)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::error!(error = %e, "could not delete an expired transfer's files");
                }
                _ => {}
            }
        }
        swept.transfers += 1;
    }

    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM uploads WHERE (completed_at IS NULL AND created_at <= $1)
            OR completed_at <= $2",
    )
    .bind(now - INCOMPLETE_UPLOAD_SECS)
    .bind(now - UNUSED_UPLOAD_SECS)
    .fetch_all(db)
    .await?;
    for id in stale {
        // Not while a request is still writing to it.
        let Some(claim) = store::Claim::take(db, &id).await? else {
            continue;
        };
        // Publishing deletes the row, so a row still here is unused.
        let gone = sqlx::query("DELETE FROM uploads WHERE id = $1")
            .bind(&id)
            .execute(db)
            .await;
        claim.release().await;
        let gone = gone?.rows_affected();
        if gone == 1 && store::valid_upload_id(&id) {
            match tokio::fs::remove_file(blobs.upload_path(&id)).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(AppError::internal(format_args!("removing upload: {e}")));
                }
                _ => {}
            }
        }
        swept.uploads += 1;
    }
    // Claims of requests whose gateway died.
    crate::db::lease::forget_lapsed(db, now).await?;
    if swept != Swept::default() {
        tracing::info!(
            transfers = swept.transfers,
            uploads = swept.uploads,
            "expired transfers and abandoned uploads deleted"
        );
    }
    Ok(swept)
}

/// Runs [`sweep`] now and then every [`SWEEP_EVERY`], for the life of the
/// process, when it is this gateway's turn.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let blobs = super::blobs(&state);
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            // One gateway sweeps at a time (they share the blob directory).
            match crate::db::lease::my_turn(&state.db, "sweep:transfers", SWEEP_EVERY).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "transfer sweep: lease unavailable");
                    continue;
                }
            }
            if let Err(e) = sweep(&state.db, &blobs, crate::db::now()).await {
                tracing::warn!(error = ?e, "transfer sweep failed");
            }
        }
    })
}
