//! Who may use a mailbox (R-ID-3, R-INV-1, R-INV-5): an administrator gives
//! a member of the organisation access at once with chosen permissions,
//! narrows or widens them, or withdraws them. The grant check reads the
//! row on every request (`grants.rs`), so a change holds on the user's
//! very next request, open sessions included. Someone outside the
//! organisation is invited instead (an invitation, not a grant).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postern_shared::ErrorCode;
use postern_shared::admin::{AddressKind, AddressRow, SetAccessRequest};
use postern_shared::permissions::Action;

use super::access::OrgAccess;
use super::addresses::{lock_address, own_address, row_of};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn set(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr, account)): Path<(i64, i64, i64)>,
    Json(req): Json<SetAccessRequest>,
) -> AppResult<Json<AddressRow>> {
    access.require(Action::ManageAccess)?;
    if req.permissions.is_empty() {
        return Err(AppError::bad_request(
            "Give at least one permission, or remove the access.",
        ));
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_address(&mut tx, crate::db::backend(&state.db), addr).await?;
    let (_, kind) = own_address(&mut tx, access.organization, addr).await?;
    if kind != AddressKind::Mailbox {
        return Err(AppError::bad_request(
            "Only a mailbox has users; this address stores no mail.",
        ));
    }
    // Members get access at once; anyone else only through an invitation,
    // after which their access may be narrowed or widened (R-INV-5).
    let allowed: Option<i64> = sqlx::query_scalar(
        "SELECT account_id FROM memberships WHERE account_id = $1 AND organization_id = $2
         UNION SELECT account_id FROM grants WHERE account_id = $1 AND mailbox_id = $3",
    )
    .bind(account)
    .bind(access.organization)
    .bind(addr)
    .fetch_optional(&mut *tx)
    .await?;
    if allowed.is_none() {
        return Err(AppError::new(
            ErrorCode::Forbidden,
            "Only members of the organisation get access this way; invite anyone else.",
        ));
    }
    sqlx::query(
        "INSERT INTO grants (account_id, mailbox_id, permissions, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account_id, mailbox_id) DO UPDATE SET permissions = excluded.permissions",
    )
    .bind(account)
    .bind(addr)
    .bind(i64::from(req.permissions.bits()))
    .bind(access.account.account.id)
    .bind(crate::db::now())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Json(row_of(&state.db, &access, addr).await?))
}

pub async fn remove(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr, account)): Path<(i64, i64, i64)>,
) -> AppResult<StatusCode> {
    access.require(Action::ManageAccess)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    own_address(&mut tx, access.organization, addr).await?;
    let gone = sqlx::query("DELETE FROM grants WHERE account_id = $1 AND mailbox_id = $2")
        .bind(account)
        .bind(addr)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    tx.commit().await?;
    if gone == 0 {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "This user has no access to this mailbox.",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}
