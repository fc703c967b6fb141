//! A mailbox's storage (R-LIM-5): the bytes it holds and its limit, read
//! from Dovecot, whose quota plugin enforces the limit at delivery (see
//! ARCHITECTURE.md, "Mail server integration").

use axum::Json;
use axum::extract::State;
use postern_shared::api::MailboxStorage;

use crate::error::AppResult;
use crate::grants::Grant;
use crate::imap::ops;
use crate::state::AppState;

/// `GET /v1/mailboxes/{mb}/storage`: any grant may ask.
pub async fn get(State(state): State<AppState>, grant: Grant) -> AppResult<Json<MailboxStorage>> {
    let storage =
        crate::with_connection!(state.imap, &grant.address, |c| { ops::storage(c).await }).await?;
    Ok(Json(storage))
}
