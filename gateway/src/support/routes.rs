//! The routes of support access (R-SUP). A mailbox's users (its grant,
//! `Read`) switch grants on and off and read the history; staff list what
//! is open to them. Staff's reads of mail are the webmail's own read
//! handlers, mounted on the staff router behind
//! [`crate::grants::require_support`] (see `routes/mod.rs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postern_shared::ErrorCode;
use postern_shared::support::{StaffGrants, SupportGrant, SupportOverview, SupportScope};
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::grants::{Grant, Staff};
use crate::imap::{ImapError, commands, ops};
use crate::state::AppState;

/// `GET /v1/mailboxes/{mb}/support`.
pub async fn get(State(state): State<AppState>, grant: Grant) -> AppResult<Json<SupportOverview>> {
    Ok(Json(
        super::overview(&state.db, grant.mailbox_id, crate::db::now()).await?,
    ))
}

/// `POST /v1/mailboxes/{mb}/support`: a kind of content, or one message
/// that must exist.
pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Json(scope): Json<SupportScope>,
) -> AppResult<(StatusCode, Json<SupportGrant>)> {
    if let SupportScope::Message { folder, uid } = &scope {
        if folder.is_empty() || folder.len() > 1024 || folder.chars().any(char::is_control) {
            return Err(AppError::bad_request("The folder parameter is required."));
        }
        if *uid == 0 {
            return Err(AppError::bad_request("0 is not a message UID."));
        }
    }
    let uid_validity = match &scope {
        SupportScope::Message { folder, uid } => {
            Some(message_exists(&state, &grant, folder, *uid).await?)
        }
        SupportScope::Content { .. } => None,
    };
    let g = super::grant(
        &state.db,
        grant.mailbox_id,
        grant.account.account.id,
        &scope,
        uid_validity,
        crate::db::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(g)))
}

/// The folder's UIDVALIDITY when message `uid` is in it (the grant names
/// that message for good); 404 otherwise.
async fn message_exists(state: &AppState, grant: &Grant, folder: &str, uid: u32) -> AppResult<u32> {
    let found = crate::with_connection!(state.imap, &grant.address, folder: Some(folder), |c| {
        let sel = ops::select(c, folder, true).await?;
        let cmd = commands::Command::new(&format!("UID SEARCH UID {uid}"));
        Ok(ops::uids(c, &cmd).await?.contains(&uid).then_some(sel.uid_validity))
    })
    .await
    .map_err(|e| match e {
        ImapError::No { .. } => AppError::from(ErrorCode::FolderNotFound),
        e => e.into(),
    })?;
    found.ok_or(ErrorCode::MessageNotFound.into())
}

#[derive(Deserialize)]
pub struct IdParam {
    id: String,
}

/// `DELETE /v1/mailboxes/{mb}/support/{id}`.
pub async fn revoke(
    State(state): State<AppState>,
    grant: Grant,
    Path(IdParam { id }): Path<IdParam>,
) -> AppResult<StatusCode> {
    super::revoke(&state.db, grant.mailbox_id, &id, crate::db::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/support/access` (staff): the grants nobody handles yet and
/// the caller's own.
pub async fn staff_grants(
    State(state): State<AppState>,
    Staff(staff): Staff,
) -> AppResult<Json<StaffGrants>> {
    Ok(Json(
        super::staff_grants(&state.db, staff.account.id, crate::db::now()).await?,
    ))
}
