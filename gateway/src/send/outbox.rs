//! The outbox: every webmail send is a row that moves
//! `scheduled → sending → sent | failed` (or `scheduled → cancelled` by
//! undo). Each move is one `UPDATE … WHERE state = <expected>`, so undo
//! and submission can never both win — also when they run in two gateway
//! processes on one PostgreSQL database — and a restart never leaves a half
//! state: scheduled rows are resumed, rows caught in `sending` by a gateway
//! that died (their heartbeat stopped) are marked failed (we cannot know
//! whether the server took them).

use std::time::Duration;

use postern_shared::compose::{Draft, Outgoing, OutgoingState, ReplyKind};
use postern_shared::folders::SpecialUse;
use postern_shared::{ApiError, ErrorCode};

use super::compose::Built;
use super::smtp::{self, Envelope, Submission};
use crate::error::{AppError, AppResult};
use crate::imap::ops;
use crate::ledger::{self, Sender};
use crate::state::AppState;

fn parse_state(s: &str) -> OutgoingState {
    match s {
        "scheduled" => OutgoingState::Scheduled,
        "sending" => OutgoingState::Sending,
        "sent" => OutgoingState::Sent,
        "cancelled" => OutgoingState::Cancelled,
        _ => OutgoingState::Failed,
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: String,
    pub mailbox_id: i64,
    pub account_id: i64,
    pub state: String,
    pub send_at: i64,
    pub message_id: String,
    pub envelope_from: String,
    pub rcpt_to: String,
    pub recipients: i64,
    pub draft_uid: Option<i64>,
    pub draft_json: String,
    pub message_path: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl Row {
    pub fn to_api(&self) -> Outgoing {
        let error = self.error_code.as_ref().map(|c| {
            let code: ErrorCode = serde_json::from_value(serde_json::Value::String(c.clone()))
                .unwrap_or(ErrorCode::Internal);
            ApiError::new(
                code,
                self.error_message
                    .clone()
                    .unwrap_or_else(|| code.default_message().to_string()),
            )
        });
        Outgoing {
            id: self.id.clone(),
            state: parse_state(&self.state),
            send_at: self.send_at,
            message_id: format!("<{}>", self.message_id),
            recipients: u32::try_from(self.recipients).unwrap_or(0),
            error,
            draft_uid: self.draft_uid.and_then(|u| u32::try_from(u).ok()),
        }
    }

    fn draft(&self) -> Option<Draft> {
        serde_json::from_str(&self.draft_json).ok()
    }
}

const COLUMNS: &str = "id, mailbox_id, account_id, state, send_at, message_id, envelope_from, rcpt_to, recipients, draft_uid, draft_json, message_path, error_code, error_message";

pub async fn load(state: &AppState, id: &str) -> sqlx::Result<Option<Row>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
        .bind(id)
        .fetch_optional(&state.db)
        .await
}

/// The row of `mailbox_id`, else `not_found` (another mailbox's id too).
pub async fn load_for(state: &AppState, mailbox_id: i64, id: &str) -> AppResult<Row> {
    match load(state, id).await? {
        Some(r) if r.mailbox_id == mailbox_id => Ok(r),
        _ => Err(ErrorCode::NotFound.into()),
    }
}

/// Stores a built message as `scheduled` for `send_at`; the file is now
/// the outbox's.
pub async fn enqueue(
    state: &AppState,
    account_id: i64,
    sender: &Sender,
    draft: &Draft,
    draft_uid: Option<u32>,
    mut built: Built,
    send_at: i64,
) -> AppResult<Row> {
    use rand::Rng;
    let id = hex::encode(rand::thread_rng().r#gen::<[u8; 16]>());
    let now = crate::db::now();
    let original = draft.original.as_ref();
    sqlx::query(
        "INSERT INTO outbox (id, mailbox_id, account_id, state, send_at, message_id, envelope_from,
            rcpt_to, recipients, draft_uid, original_folder, original_uid, original_kind, draft_json,
            message_path, created_at, updated_at)
         VALUES ($1, $2, $3, 'scheduled', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&id)
    .bind(sender.mailbox_id)
    .bind(account_id)
    .bind(send_at)
    .bind(&built.message_id)
    .bind(&built.envelope_from)
    .bind(serde_json::to_string(&built.rcpt_to).map_err(AppError::internal)?)
    .bind(built.rcpt_to.len() as i64)
    .bind(draft_uid.map(i64::from))
    .bind(original.map(|o| o.folder.clone()))
    .bind(original.map(|o| i64::from(o.uid)))
    .bind(original.map(|o| match o.kind {
        ReplyKind::Reply => "reply",
        ReplyKind::Forward => "forward",
    }))
    .bind(serde_json::to_string(draft).map_err(AppError::internal)?)
    .bind(built.path.to_string_lossy().into_owned())
    .bind(now)
    .bind(now)
    .execute(&state.db)
    .await?;
    built.keep = true;
    load(state, &id)
        .await?
        .ok_or_else(|| AppError::internal("outbox row vanished"))
}

/// Submission as the mailbox `address` (the master user, `address` as
/// authorization id): the outbox's and the invitation email's.
pub fn submission(state: &AppState, address: &str) -> Submission {
    Submission::as_mailbox(&state.sending, state.imap.config(), address)
}

async fn remove_file(row: &Row) {
    if let Some(p) = &row.message_path {
        let _ = tokio::fs::remove_file(p).await;
    }
}

async fn mark_failed(state: &AppState, row: &Row, e: &ApiError) {
    let r = sqlx::query(
        "UPDATE outbox SET state = 'failed', error_code = $1, error_message = $2, updated_at = $3
         WHERE id = $4 AND state = 'sending'",
    )
    .bind(e.code.as_str())
    .bind(&e.message)
    .bind(crate::db::now())
    .bind(&row.id)
    .execute(&state.db)
    .await;
    if let Err(err) = r {
        tracing::error!(error = %err, id = row.id, "cannot record a failed send");
    }
}

/// Submits the row `id` if it is still `scheduled`. `keep_draft`: on
/// failure, make sure the message exists as a draft (background sends,
/// where nobody has the composer open any more).
pub async fn deliver(state: &AppState, id: &str, keep_draft: bool) -> Result<(), ApiError> {
    let now = crate::db::now();
    let claimed = sqlx::query(
        "UPDATE outbox SET state = 'sending', updated_at = $1 WHERE id = $2 AND state = 'scheduled'",
    )
    .bind(now)
    .bind(id)
    .execute(&state.db)
    .await
    .map_err(|e| AppError::from(e).0)?;
    if claimed.rows_affected() == 0 {
        return Ok(()); // cancelled, or another task has it
    }
    let row = load(state, id)
        .await
        .map_err(|e| AppError::from(e).0)?
        .ok_or_else(|| ApiError::from(ErrorCode::Internal))?;
    let heartbeat = heartbeat(state, id);
    let result = submit_row(state, &row).await;
    heartbeat.abort();
    match result {
        Ok(sender) => {
            let _ = sqlx::query(
                "UPDATE outbox SET state = 'sent', updated_at = $1 WHERE id = $2 AND state = 'sending'",
            )
            .bind(crate::db::now())
            .bind(id)
            .execute(&state.db)
            .await
            .inspect_err(|e| tracing::error!(error = %e, id, "cannot record a sent message"));
            after_send(state, &row, &sender).await;
            remove_file(&row).await;
            Ok(())
        }
        Err(e) => {
            tracing::info!(id, code = %e.code, message = e.message, "send failed");
            mark_failed(state, &row, &e).await;
            if keep_draft && row.draft_uid.is_none() {
                restore_draft(state, &row).await;
            }
            remove_file(&row).await;
            Err(e)
        }
    }
}

async fn submit_row(state: &AppState, row: &Row) -> Result<Sender, ApiError> {
    let sender = ledger::by_id(&state.db, row.mailbox_id)
        .await
        .map_err(|e| AppError::from(e).0)?
        .ok_or_else(|| ApiError::from(ErrorCode::Forbidden))?;
    let path = row
        .message_path
        .as_deref()
        .ok_or_else(|| ApiError::from(ErrorCode::Internal))?;
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| AppError::internal(format_args!("outgoing file: {e}")).0)?
        .len();
    let env = Envelope {
        from: row.envelope_from.clone(),
        to: serde_json::from_str(&row.rcpt_to).map_err(|e| AppError::internal(e).0)?,
        size,
    };
    smtp::submit(
        &submission(state, &sender.address),
        &env,
        std::path::Path::new(path),
    )
    .await
    .map_err(|e| e.to_api(crate::db::now()))?;
    Ok(sender)
}

/// After the server took the message: the copy in Sent, the draft gone,
/// the original flagged, the correspondents remembered. Each step is
/// logged on failure, never undone: the message *was* sent.
async fn after_send(state: &AppState, row: &Row, sender: &Sender) {
    let address = &sender.address;
    if let Some(path) = &row.message_path {
        let sent = super::drafts::special_folder(state, address, SpecialUse::Sent).await;
        let stored = match sent {
            Ok(folder) => super::drafts::append(
                state,
                address,
                &folder,
                &["\\Seen"],
                std::path::Path::new(path),
            )
            .await
            .map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = stored {
            tracing::error!(id = row.id, error = ?e.0, "sent message not copied to Sent");
        }
    }
    if let Some(uid) = row.draft_uid.and_then(|u| u32::try_from(u).ok())
        && let Err(e) = delete_draft(state, address, uid).await
    {
        tracing::warn!(id = row.id, error = ?e.0, "draft not deleted after sending");
    }
    let draft = row.draft();
    if let Some(o) = draft.as_ref().and_then(|d| d.original.clone()) {
        let flag = match o.kind {
            ReplyKind::Reply => "\\Answered",
            ReplyKind::Forward => "$Forwarded",
        };
        let r = crate::with_connection!(state.imap, address, folder: Some(&o.folder), |c| {
            ops::select(c, &o.folder, false).await?;
            ops::store_flag(c, &[o.uid], flag, true).await
        })
        .await;
        if let Err(e) = r {
            tracing::warn!(id = row.id, error = %e, "original not flagged");
        }
    }
    if let Some(d) = draft
        && let Err(e) = remember_correspondents(state, row.mailbox_id, &d).await
    {
        tracing::warn!(id = row.id, error = ?e.0, "correspondents not updated");
    }
}

/// Deletes a draft for good (`\Deleted` + `UID EXPUNGE` of that UID only).
pub async fn delete_draft(state: &AppState, address: &str, uid: u32) -> AppResult<()> {
    let folder = super::drafts::special_folder(state, address, SpecialUse::Drafts).await?;
    crate::with_connection!(state.imap, address, folder: Some(&folder), |c| {
        ops::select(c, &folder, false).await?;
        ops::expunge_uids(c, &[uid]).await
    })
    .await?;
    Ok(())
}

pub async fn remember_correspondents(
    state: &AppState,
    mailbox_id: i64,
    d: &Draft,
) -> AppResult<()> {
    let now = crate::db::now();
    for a in d.to.iter().chain(&d.cc).chain(&d.bcc) {
        let name = a
            .name
            .as_deref()
            .map(super::mime::one_line)
            .filter(|n| !n.is_empty());
        sqlx::query(
            "INSERT INTO correspondents (mailbox_id, address, name, last_used, uses) VALUES ($1, $2, $3, $4, 1)
             ON CONFLICT (mailbox_id, address) DO UPDATE SET
                name = COALESCE(excluded.name, correspondents.name),
                last_used = excluded.last_used,
                uses = correspondents.uses + 1",
        )
        .bind(mailbox_id)
        .bind(a.address.trim().to_ascii_lowercase())
        .bind(name)
        .bind(now)
        .execute(&state.db)
        .await?;
    }
    Ok(())
}

/// Saves the row's message as a draft and records its UID there.
async fn restore_draft(state: &AppState, row: &Row) -> Option<u32> {
    let draft = row.draft()?;
    let sender = ledger::by_id(&state.db, row.mailbox_id).await.ok()??;
    match super::drafts::save(state, row.account_id, &sender, &draft).await {
        Ok(saved) => {
            let _ = sqlx::query("UPDATE outbox SET draft_uid = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(saved.uid))
                .bind(crate::db::now())
                .bind(&row.id)
                .execute(&state.db)
                .await;
            Some(saved.uid)
        }
        Err(e) => {
            tracing::error!(id = row.id, error = ?e.0, "could not keep the message as a draft");
            None
        }
    }
}

/// Undo: `scheduled → cancelled`, else `too_late_to_undo`. The message is
/// then a draft again (saved now if it did not come from one).
pub async fn cancel(state: &AppState, mailbox_id: i64, id: &str) -> AppResult<Outgoing> {
    let row = load_for(state, mailbox_id, id).await?;
    let done = sqlx::query(
        "UPDATE outbox SET state = 'cancelled', updated_at = $1 WHERE id = $2 AND state = 'scheduled'",
    )
    .bind(crate::db::now())
    .bind(id)
    .execute(&state.db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ErrorCode::TooLateToUndo.into());
    }
    if row.draft_uid.is_none() && restore_draft(state, &row).await.is_none() {
        remove_file(&row).await;
        return Err(AppError::new(
            ErrorCode::Internal,
            "The message was not sent, but it could not be saved as a draft.",
        ));
    }
    remove_file(&row).await;
    Ok(load_for(state, mailbox_id, id).await?.to_api())
}

/// Submits `id` at `send_at` (a background task that survives the request).
pub fn schedule(state: &AppState, id: String, send_at: i64) {
    let state = state.clone();
    tokio::spawn(async move {
        let wait = (send_at - crate::db::now()).max(0) as u64;
        tokio::time::sleep(Duration::from_secs(wait)).await;
        let _ = deliver(&state, &id, true).await;
    });
}

/// While a row is `sending`, its gateway touches `updated_at` this often…
const HEARTBEAT: Duration = Duration::from_secs(15);
/// …so a `sending` row untouched this long belongs to a gateway that died.
pub const STALE_SENDING_SECS: i64 = 60;
/// A `scheduled` row this far past its time was lost with the gateway that
/// scheduled it (its timer fires on time otherwise); another one sends it.
pub const ORPHAN_GRACE_SECS: i64 = 10;
/// How often some gateway looks for such rows.
pub const SWEEP_EVERY: Duration = Duration::from_secs(15);

/// Keeps `updated_at` of a `sending` row fresh until aborted.
fn heartbeat(state: &AppState, id: &str) -> tokio::task::JoinHandle<()> {
    let (db, id) = (state.db.clone(), id.to_string());
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            let _ = sqlx::query(
                "UPDATE outbox SET updated_at = $1 WHERE id = $2 AND state = 'sending'",
            )
            .bind(crate::db::now())
            .bind(&id)
            .execute(&db)
            .await;
        }
    })
}

/// On start: every `scheduled` row gets a timer (undo windows survive a
/// restart; a row another gateway also timed is sent once, by the first
/// to move it to `sending`), then [`sweep`] as usual.
pub async fn resume(state: &AppState) -> sqlx::Result<()> {
    let scheduled: Vec<(String, i64)> =
        sqlx::query_as("SELECT id, send_at FROM outbox WHERE state = 'scheduled'")
            .fetch_all(&state.db)
            .await?;
    for (id, at) in scheduled {
        schedule(state, id, at);
    }
    sweep(state, crate::db::now()).await?;
    Ok(())
}

/// What one [`sweep`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub failed: usize,
    pub resent: usize,
}

/// Rows whose gateway died: `sending` ones with a stale heartbeat are
/// marked failed (the draft is kept), overdue `scheduled` ones are sent.
pub async fn sweep(state: &AppState, now: i64) -> sqlx::Result<Swept> {
    let mut swept = Swept::default();
    let cutoff = now - STALE_SENDING_SECS;
    let stuck: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE state = 'sending' AND updated_at <= $1"
    ))
    .bind(cutoff)
    .fetch_all(&state.db)
    .await?;
    let e = ApiError::new(
        ErrorCode::SendRejected,
        "The service restarted while this message was being sent; it may not have been delivered. The draft is kept.",
    );
    for row in stuck {
        // Only if its heartbeat is still stale: a live sender wins.
        let failed = sqlx::query(
            "UPDATE outbox SET state = 'failed', error_code = $1, error_message = $2, updated_at = $3
             WHERE id = $4 AND state = 'sending' AND updated_at <= $5",
        )
        .bind(e.code.as_str())
        .bind(&e.message)
        .bind(now)
        .bind(&row.id)
        .bind(cutoff)
        .execute(&state.db)
        .await?;
        if failed.rows_affected() == 1 {
            if row.draft_uid.is_none() {
                restore_draft(state, &row).await;
            }
            remove_file(&row).await;
            swept.failed += 1;
        }
    }
    let overdue: Vec<String> =
        sqlx::query_scalar("SELECT id FROM outbox WHERE state = 'scheduled' AND send_at <= $1")
            .bind(now - ORPHAN_GRACE_SECS)
            .fetch_all(&state.db)
            .await?;
    for id in overdue {
        let state = state.clone();
        tokio::spawn(async move { deliver(&state, &id, true).await });
        swept.resent += 1;
    }
    if swept != Swept::default() {
        tracing::info!(
            failed = swept.failed,
            resent = swept.resent,
            "outbox: rows of a stopped gateway taken over"
        );
    }
    Ok(swept)
}

/// Runs [`sweep`] every [`SWEEP_EVERY`] on one gateway at a time.
pub fn spawn_sweeper(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match crate::db::lease::my_turn(&state.db, "sweep:outbox", SWEEP_EVERY).await {
                Ok(true) => {
                    if let Err(e) = sweep(&state, crate::db::now()).await {
                        tracing::warn!(error = %e, "outbox sweep failed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "outbox sweep: lease unavailable"),
            }
        }
    })
}
