//! Writing and sending (`shared::compose`; the "Writing and sending" table
//! of `ARCHITECTURE.md`). Every route needs the `send` permission except
//! reading a draft. The rules (R-SEND-1..3, R-LIM-1) are checked here
//! before anything is built or queued, and again by the policy service
//! for every SMTP client.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use postern_shared::compose::{
    Contact, MAX_UNDO_SECONDS, OpenedDraft, Outgoing, SaveDraftRequest, SavedDraft, SendRequest,
    SendingIdentity, Signature,
};
use postern_shared::folders::SpecialUse;
use postern_shared::limits::MAX_SIGNATURE_BYTES;
use postern_shared::wire::query::ContactsQuery;
use postern_shared::{ErrorCode, Permission};

use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::imap::{ImapError, ops};
use crate::ledger::{self, Sender};
use crate::send::compose::{self, Purpose};
use crate::send::{drafts, outbox};
use crate::state::AppState;

/// Most contacts one lookup returns.
pub const MAX_CONTACTS: i64 = 10;

async fn sender_of(state: &AppState, grant: &Grant) -> AppResult<Sender> {
    ledger::by_id(&state.db, grant.mailbox_id)
        .await?
        .ok_or_else(|| ErrorCode::Forbidden.into())
}

/// `POST /v1/mailboxes/{mb}/send`.
pub async fn send(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<SendRequest>,
) -> AppResult<(StatusCode, Json<Outgoing>)> {
    grant.require(Permission::Send)?;
    let sender = sender_of(&state, &grant).await?;
    let rcpt = compose::check_rules(&req.draft, &sender)?;
    compose::quota_precheck(&state, &sender, rcpt.len()).await?;
    let built = compose::build(
        &state,
        grant.account.account.id,
        &sender,
        &req.draft,
        Purpose::Send,
    )
    .await?;
    let undo = req.undo_seconds.min(MAX_UNDO_SECONDS);
    let send_at = crate::db::now() + i64::from(undo);
    let row = outbox::enqueue(
        &state,
        grant.account.account.id,
        &sender,
        &req.draft,
        req.draft_uid,
        built,
        send_at,
    )
    .await?;
    if undo > 0 {
        outbox::schedule(&state, row.id.clone(), send_at);
        return Ok((StatusCode::ACCEPTED, Json(row.to_api())));
    }
    // Own task: a client that goes away mid-submission must not leave the
    // row half-sent.
    let task_state = state.clone();
    let id = row.id.clone();
    let result = tokio::spawn(async move { outbox::deliver(&task_state, &id, false).await })
        .await
        .map_err(AppError::internal)?;
    result.map_err(AppError)?;
    let row = outbox::load_for(&state, grant.mailbox_id, &row.id).await?;
    Ok((StatusCode::OK, Json(row.to_api())))
}

/// `GET /v1/mailboxes/{mb}/outbox/{id}`.
pub async fn outbox_get(
    State(state): State<AppState>,
    grant: Grant,
    Path((_mb, id)): Path<(i64, String)>,
) -> AppResult<Json<Outgoing>> {
    grant.require(Permission::Send)?;
    Ok(Json(
        outbox::load_for(&state, grant.mailbox_id, &id)
            .await?
            .to_api(),
    ))
}

/// `DELETE /v1/mailboxes/{mb}/outbox/{id}`: undo.
pub async fn outbox_cancel(
    State(state): State<AppState>,
    grant: Grant,
    Path((_mb, id)): Path<(i64, String)>,
) -> AppResult<Json<Outgoing>> {
    grant.require(Permission::Send)?;
    Ok(Json(outbox::cancel(&state, grant.mailbox_id, &id).await?))
}

/// `POST /v1/mailboxes/{mb}/drafts`.
pub async fn save_draft(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<SaveDraftRequest>,
) -> AppResult<Json<SavedDraft>> {
    grant.require(Permission::Send)?;
    // Checked before anything is stored (the API fuzz sent 0: no half state).
    if req.replaces == Some(0) {
        return Err(AppError::bad_request("0 is not a message UID."));
    }
    let sender = sender_of(&state, &grant).await?;
    // Drafts may be incomplete, but what they hold must be well-formed.
    compose::recipients(&req.draft)?;
    let saved = drafts::save(&state, grant.account.account.id, &sender, &req.draft).await?;
    if let Some(old) = req.replaces.filter(|&u| u != saved.uid) {
        // Only now that the new version is stored (no half state).
        if let Err(e) = outbox::delete_draft(&state, &sender.address, old).await {
            tracing::warn!(uid = old, error = ?e.0, "previous draft version not deleted");
        }
    }
    Ok(Json(SavedDraft {
        folder: saved.folder,
        uid: saved.uid,
        attachments: saved.attachments,
        saved_at: crate::db::now(),
    }))
}

/// `GET /v1/mailboxes/{mb}/drafts/{uid}` (read permission is enough).
pub async fn open_draft(
    State(state): State<AppState>,
    grant: Grant,
    Path((_mb, uid)): Path<(i64, u32)>,
) -> AppResult<Json<OpenedDraft>> {
    let folder = drafts::special_folder(&state, &grant.address, SpecialUse::Drafts).await?;
    let raw = crate::with_connection!(state.imap, &grant.address, folder: Some(&folder), |c| {
        ops::select(c, &folder, true).await?;
        ops::fetch_raw(c, uid).await
    })
    .await;
    let raw = match raw {
        Ok(Some((raw, _flags))) => raw,
        Ok(None) => return Err(ErrorCode::MessageNotFound.into()),
        Err(ImapError::No { .. }) => return Err(ErrorCode::FolderNotFound.into()),
        Err(e) => return Err(e.into()),
    };
    let draft = drafts::parse(&raw, &folder, uid)
        .ok_or_else(|| AppError::internal("stored draft does not parse"))?;
    Ok(Json(OpenedDraft { uid, draft }))
}

/// `LIKE` pattern text with `\` as the escape character.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `GET /v1/mailboxes/{mb}/contacts?q=`: prefix matches first, then
/// substring matches, most recent first within each.
pub async fn contacts(
    State(state): State<AppState>,
    grant: Grant,
    Query(q): Query<ContactsQuery>,
) -> AppResult<Json<Vec<Contact>>> {
    grant.require(Permission::Send)?;
    let needle = like_escape(&q.q.unwrap_or_default().trim().to_lowercase());
    let prefix = format!("{needle}%");
    let anywhere = format!("%{needle}%");
    let rows: Vec<(Option<String>, String, i64)> = sqlx::query_as(
        "SELECT name, address, last_used FROM correspondents
         WHERE mailbox_id = $1
           AND (LOWER(address) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(name, '')) LIKE $3 ESCAPE '\\')
         ORDER BY CASE WHEN LOWER(address) LIKE $4 ESCAPE '\\'
                         OR LOWER(COALESCE(name, '')) LIKE $5 ESCAPE '\\' THEN 0 ELSE 1 END,
                  last_used DESC, address
         LIMIT $6",
    )
    .bind(grant.mailbox_id)
    .bind(&anywhere)
    .bind(&anywhere)
    .bind(&prefix)
    .bind(&prefix)
    .bind(MAX_CONTACTS)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(name, address, last_used)| Contact {
                name,
                address,
                last_used,
            })
            .collect(),
    ))
}

/// `GET /v1/mailboxes/{mb}/signature`.
pub async fn signature_get(
    State(state): State<AppState>,
    grant: Grant,
) -> AppResult<Json<Signature>> {
    grant.require(Permission::Send)?;
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT text, html FROM signatures WHERE mailbox_id = $1")
            .bind(grant.mailbox_id)
            .fetch_optional(&state.db)
            .await?;
    Ok(Json(
        row.map(|(text, html)| Signature { text, html })
            .unwrap_or_default(),
    ))
}

/// `PUT /v1/mailboxes/{mb}/signature`: text ≤ 10 KB, HTML sanitised.
pub async fn signature_put(
    State(state): State<AppState>,
    grant: Grant,
    Json(sig): Json<Signature>,
) -> AppResult<Json<Signature>> {
    grant.require(Permission::Send)?;
    let sig = checked_signature(sig)?;
    let mut conn = state.db.acquire().await?;
    write_signature(&mut conn, grant.mailbox_id, &sig).await?;
    Ok(Json(sig))
}

/// A signature as it will be stored: its HTML sanitised (empty → none),
/// each part at most 10 KB.
pub fn checked_signature(sig: Signature) -> AppResult<Signature> {
    let html = sig
        .html
        .as_deref()
        .map(crate::send::html::sanitize)
        .filter(|h| !h.trim().is_empty());
    if sig.text.len() > MAX_SIGNATURE_BYTES
        || html.as_ref().is_some_and(|h| h.len() > MAX_SIGNATURE_BYTES)
    {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            "A signature may be at most 10 KB.",
        )
        .with(|p| p.field = Some("signature".into())));
    }
    Ok(Signature {
        text: sig.text,
        html,
    })
}

/// Stores a [`checked_signature`] as the mailbox's (on a pool connection
/// or inside a transaction: address creation writes one with the row).
pub async fn write_signature(
    conn: &mut sqlx::AnyConnection,
    mailbox: i64,
    sig: &Signature,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO signatures (mailbox_id, text, html, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mailbox_id) DO UPDATE SET text = excluded.text, html = excluded.html,
            updated_at = excluded.updated_at",
    )
    .bind(mailbox)
    .bind(&sig.text)
    .bind(&sig.html)
    .bind(crate::db::now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// `GET /v1/mailboxes/{mb}/identities`.
pub async fn identities(
    State(state): State<AppState>,
    grant: Grant,
) -> AppResult<Json<SendingIdentity>> {
    grant.require(Permission::Send)?;
    let sender = sender_of(&state, &grant).await?;
    let used = ledger::used(&state.db, sender.mailbox_id, crate::db::now()).await?;
    let mut addresses = vec![sender.address.clone()];
    addresses.extend(sender.aliases.iter().cloned());
    Ok(Json(SendingIdentity {
        addresses,
        display_name: sender.display_name,
        daily_limit: sender.daily_limit,
        used_last_24h: used,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a_b%c\\"), "a\\_b\\%c\\\\");
    }
}
