//! The grant check (R-ID-3). Every route under `/v1/mailboxes/{mb}/…` sits
//! behind [`require_grant`], installed once on the mailbox router, so no
//! handler can forget it. Handlers then take [`Grant`] to learn which
//! mailbox (address) they act on.
//!
//! A missing mailbox, a deleted one, another organisation's, or one without
//! the needed permission all answer the same 403: no existence oracle.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use postern_shared::api::{AccountId, MailboxId};
use postern_shared::{ErrorCode, Permission, PermissionSet};

use crate::auth::Authenticated;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// A mailbox the caller may act on, with what they may do.
#[derive(Debug, Clone)]
pub struct Grant {
    pub mailbox_id: MailboxId,
    /// Lower-case `local@domain`: the IMAP user.
    pub address: String,
    pub permissions: PermissionSet,
    pub account: Authenticated,
}

impl Grant {
    /// For routes needing more than reading (sending, filters…).
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.permissions.contains(p) {
            Ok(())
        } else {
            Err(ErrorCode::Forbidden.into())
        }
    }
}

/// The grant of `account` on `mailbox`, if it allows `needed`.
pub async fn check(
    db: &Db,
    account: AccountId,
    mailbox: MailboxId,
    needed: Permission,
) -> AppResult<(String, PermissionSet)> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT m.address, g.permissions FROM grants g JOIN mailboxes m ON m.id = g.mailbox_id
         WHERE g.account_id = $1 AND g.mailbox_id = $2 AND m.deleted_at IS NULL",
    )
    .bind(account)
    .bind(mailbox)
    .fetch_optional(db)
    .await?;
    match row {
        Some((address, bits)) => {
            let perms = PermissionSet::from_bits(u8::try_from(bits).unwrap_or(0));
            if perms.contains(needed) {
                Ok((address, perms))
            } else {
                Err(ErrorCode::Forbidden.into())
            }
        }
        None => Err(ErrorCode::Forbidden.into()),
    }
}

/// Middleware: session first (401), then the `Read` grant on `{mb}` (403).
pub async fn require_grant(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = req.into_parts();
    let account = Authenticated::from_request_parts(&mut parts, &state).await?;
    let mailbox_id: MailboxId = path_id(&params, "mb")?;
    let (address, permissions) =
        check(&state.db, account.account.id, mailbox_id, Permission::Read).await?;
    parts.extensions.insert(Grant {
        mailbox_id,
        address,
        permissions,
        account,
    });
    Ok(next.run(Request::from_parts(parts, body)).await)
}

impl<S: Send + Sync> FromRequestParts<S> for Grant {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        guarded(parts, "Grant extracted on a route without require_grant")
    }
}

/// A numeric id of the path (`{mb}`, `{org}`); anything else is the same
/// 403 as a foreign id.
pub(crate) fn path_id(params: &HashMap<String, String>, name: &str) -> AppResult<i64> {
    params
        .get(name)
        .and_then(|s| s.parse().ok())
        .ok_or(AppError::from(ErrorCode::Forbidden))
}

/// What a guard middleware put in the request. Missing only if a route was
/// mounted outside its guarded router: refuse (`bug` is logged) rather
/// than serve.
pub(crate) fn guarded<T: Clone + Send + Sync + 'static>(parts: &Parts, bug: &str) -> AppResult<T> {
    parts
        .extensions
        .get::<T>()
        .cloned()
        .ok_or_else(|| AppError::internal(bug))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::Provisioner;
    use postern_shared::permissions::Role;

    #[tokio::test]
    async fn grants_allow_only_their_mailbox_and_permission() {
        let t = crate::db::testing::TestDb::new().await;
        let _dir = t.dir;
        let p = Provisioner::from_db(t.db);
        let org = p.create_organization("A", "standard").await.unwrap();
        let other_org = p.create_organization("B", "standard").await.unwrap();
        let ann = p
            .create_account(org, "ann@a.test", "Ann", "pw-ann-123", Role::User)
            .await
            .unwrap();
        let mine = p.create_mailbox(org, "ann@a.test", "Ann").await.unwrap();
        let shared = p.create_mailbox(org, "team@a.test", "Team").await.unwrap();
        let foreign = p
            .create_mailbox(other_org, "bob@b.test", "Bob")
            .await
            .unwrap();
        p.grant(ann, mine, PermissionSet::all()).await.unwrap();
        p.grant(ann, shared, PermissionSet::empty().with(Permission::Send))
            .await
            .unwrap();
        let db = p.db();

        let (addr, perms) = check(db, ann, mine, Permission::Read).await.unwrap();
        assert_eq!(addr, "ann@a.test");
        assert!(perms.contains(Permission::Restore));
        for (mb, needed) in [
            (shared, Permission::Read),
            (foreign, Permission::Read),
            (999_999, Permission::Read),
        ] {
            let e = check(db, ann, mb, needed).await.unwrap_err();
            assert_eq!(e.code(), ErrorCode::Forbidden, "mailbox {mb}");
            assert_eq!(e.0.message, ErrorCode::Forbidden.default_message());
        }
        check(db, ann, shared, Permission::Send).await.unwrap();
    }
}
