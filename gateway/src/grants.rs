//! The grant check (R-ID-3). Every route under `/v1/mailboxes/{mb}/…` sits
//! behind [`require_grant`], installed once on the mailbox router, so no
//! handler can forget it. Handlers then take [`Grant`] to learn which
//! mailbox (address) they act on.
//!
//! A missing mailbox, a deleted one, another organisation's, or one without
//! the needed permission all answer the same 403: no existence oracle.
//!
//! Support staff (R-SUP) get a read-only [`Grant`] from [`require_support`],
//! the staff router's guard, for the mailbox a support grant opens: that
//! router mounts only `GET` read handlers, and `read_only` keeps even those
//! from setting `\Seen`.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, MatchedPath, Path, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use postern_shared::api::{AccountId, MailboxId};
use postern_shared::support::SupportRead;
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
    /// Support staff reading (R-SUP): nothing of the mailbox may change,
    /// not even a message's `\Seen` flag.
    pub read_only: bool,
    /// Staff reading a single shared message (R-SUP-4): the UIDVALIDITY its
    /// folder had when it was shared. A folder since replaced under the
    /// same name holds other messages under those UIDs: not this grant's.
    pub shared_uid_validity: Option<u32>,
}

impl Grant {
    /// Whether the folder opened with `uid_validity` is the one a single
    /// shared message was shared in (always, for everyone else).
    pub fn same_folder(&self, uid_validity: u32) -> bool {
        self.shared_uid_validity.is_none_or(|v| v == uid_validity)
    }

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
        read_only: false,
        shared_uid_validity: None,
    });
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// A support staff member (R-SUP), put in the request by [`require_support`].
#[derive(Debug, Clone)]
pub struct Staff(pub Authenticated);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        guarded(parts, "Staff extracted on a route without require_support")
    }
}

/// Which read a staff route makes, by its contract name.
fn support_read(parts: &Parts) -> Option<SupportRead> {
    let matched = parts.extensions.get::<MatchedPath>()?.as_str();
    let v1 = |name| postern_shared::wire::routes::endpoint(name).v1();
    [
        ("staff_folders", SupportRead::Folders),
        ("staff_messages", SupportRead::Messages),
        ("staff_message", SupportRead::Message),
        // The HTML body is the same read as its view: a shared message's own.
        ("staff_message_html", SupportRead::Message),
        ("staff_part", SupportRead::Attachment),
    ]
    .into_iter()
    .find(|(name, _)| v1(name) == matched)
    .map(|(_, read)| read)
}

#[derive(serde::Deserialize)]
struct FolderParam {
    folder: Option<String>,
}

/// Middleware of the staff router (R-SUP): session first (401), then the
/// staff role in the staff organisation (403). On `{id}` routes, the
/// support grant `{id}` must be in force (403 `support_access_expired` once
/// revoked or past its 7 days: checked on every request, so it ends
/// mid-session too) and cover the read (a shared message: only itself);
/// the read is recorded for the mailbox's users before it is served, and
/// the handler gets a read-only [`Grant`].
pub async fn require_support(
    State(state): State<AppState>,
    // The list of grants has no path parameter at all.
    params: Option<Path<HashMap<String, String>>>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = req.into_parts();
    let account = Authenticated::from_request_parts(&mut parts, &state).await?;
    crate::support::require_staff(&state.db, account.account.id).await?;
    let params = params.map(|p| p.0).unwrap_or_default();
    if let Some(id) = params.get("id") {
        let read = support_read(&parts)
            .ok_or_else(|| AppError::internal("a staff route without its SupportRead"))?;
        let folder = axum::extract::Query::<FolderParam>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.folder);
        let uid = match params.get("uid") {
            Some(u) => Some(
                u.parse::<u32>()
                    .map_err(|_| AppError::from(ErrorCode::Forbidden))?,
            ),
            None => None,
        };
        let now = crate::db::now();
        let support = crate::support::active(&state.db, id, now).await?;
        if !support.covers(read, folder.as_deref(), uid) {
            return Err(ErrorCode::Forbidden.into());
        }
        crate::support::claim(&state.db, &support.id, account.account.id).await?;
        crate::support::record(
            &state.db,
            &support.id,
            account.account.id,
            read,
            folder.as_deref(),
            uid,
            now,
        )
        .await?;
        parts.extensions.insert(Grant {
            mailbox_id: support.mailbox_id,
            address: support.address,
            permissions: PermissionSet::empty().with(Permission::Read),
            account: account.clone(),
            read_only: true,
            shared_uid_validity: support.uid_validity,
        });
    }
    parts.extensions.insert(Staff(account));
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
