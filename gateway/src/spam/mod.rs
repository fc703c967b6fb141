//! Spam filtering (R-SPAM): the Filters tab of a mailbox (its toggle,
//! destination and sender lists; every route needs the grant's
//! `manage_filters`), the mail service's global lists and the bulk toggle
//! (organisation routes, `Action::ManageSpam` to change).
//!
//! rspamd scores mail from outside (a Postfix milter, see ARCHITECTURE.md);
//! the decision is Sieve, generated here ([`sieve`]) and written where
//! Dovecot's LMTP runs it before the user's own scripts ([`scripts`]).
//! The toggle is only a row (the userdb query gives a mailbox whose filter
//! is off no before-script), so it holds from the next delivery; lists and
//! destination are rows *and* a script, written inside the transaction that
//! changes the rows (the mailbox's row locked first): when the script
//! cannot be written or does not compile, the rows are not changed either
//! (503 `filters_unavailable`, the old script stays in force).

pub mod learn;
pub mod report;
pub mod scripts;
pub mod sieve;

use axum::Json;
use axum::extract::State;
use postern_shared::api::{MailboxId, OrganizationId};
use postern_shared::folders::SpecialUse;
use postern_shared::permissions::Action;
use postern_shared::spam::{
    BulkSpamFilterRequest, BulkSpamFilterResult, MAX_SENDER_CHARS, MAX_SENDERS_PER_LIST,
    OrgSpamLists, Sender, SenderEntries, SenderList, SpamSettings, UpdateSpamSettings,
    parse_sender,
};
use postern_shared::{ErrorCode, Permission};

use crate::admin::access::OrgAccess;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::state::AppState;
pub use scripts::{Script, Scripts};
use sieve::Lists;

/// Most mailboxes one bulk switch may name.
pub const MAX_BULK: usize = 1000;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Rows `(list, entry)` → the two lists as stored.
fn split(rows: Vec<(String, String)>) -> (Vec<String>, Vec<String>) {
    let mut blocked = Vec::new();
    let mut approved = Vec::new();
    for (list, entry) in rows {
        match SenderList::parse(&list) {
            Some(SenderList::Blocked) => blocked.push(entry),
            Some(SenderList::Approved) => approved.push(entry),
            None => {}
        }
    }
    (sorted(blocked), sorted(approved))
}

/// Stored entries → Sieve's lists (entries were checked on the way in;
/// one that no longer parses is left out rather than written).
fn to_lists(blocked: &[String], approved: &[String]) -> Lists {
    let parse = |v: &[String]| v.iter().filter_map(|e| parse_sender(e).ok()).collect();
    Lists {
        blocked: parse(blocked),
        approved: parse(approved),
    }
}

async fn mailbox_rows(
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT list, entry FROM mailbox_senders WHERE mailbox_id = $1")
            .bind(mailbox)
            .fetch_all(&mut *conn)
            .await?;
    Ok(split(rows))
}

async fn org_rows(
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
) -> AppResult<(Vec<String>, Vec<String>)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT list, entry FROM organization_senders WHERE organization_id = $1")
            .bind(org)
            .fetch_all(&mut *conn)
            .await?;
    Ok(split(rows))
}

/// `(enabled, folder, organisation)` of a mailbox.
pub(crate) async fn mailbox_state(
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<(bool, Option<String>, OrganizationId)> {
    let (enabled, folder, org): (i64, Option<String>, i64) = sqlx::query_as(
        "SELECT spam_filter, spam_folder, organization_id FROM mailboxes WHERE id = $1",
    )
    .bind(mailbox)
    .fetch_one(&mut *conn)
    .await?;
    Ok((enabled != 0, folder, org))
}

async fn settings(db: &Db, mailbox: MailboxId) -> AppResult<SpamSettings> {
    let mut conn = db.acquire().await?;
    let (enabled, folder, _) = mailbox_state(&mut conn, mailbox).await?;
    let (blocked, approved) = mailbox_rows(&mut conn, mailbox).await?;
    Ok(SpamSettings {
        mailbox_id: mailbox,
        enabled,
        folder,
        blocked,
        approved,
    })
}

async fn lock_mailbox(conn: &mut sqlx::AnyConnection, db: &Db, id: MailboxId) -> AppResult<()> {
    if let Some(lock) = crate::db::dialect::lock_row(crate::db::backend(db), "mailboxes") {
        sqlx::query(&lock).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

async fn lock_org(conn: &mut sqlx::AnyConnection, db: &Db, id: OrganizationId) -> AppResult<()> {
    if let Some(lock) = crate::db::dialect::lock_row(crate::db::backend(db), "organizations") {
        sqlx::query(&lock).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

fn unwritable(e: sieve::Unwritable) -> AppError {
    AppError::new(
        ErrorCode::BadRequest,
        "This value cannot be used in a mail filter.",
    )
    .with(|p| {
        p.value = Some(e.0.chars().take(MAX_SENDER_CHARS).collect());
    })
}

/// Writes the mailbox's own before-script from the rows as they are in
/// `conn`'s transaction, and marks the row as having one.
pub(crate) async fn write_mailbox_script(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    mailbox: MailboxId,
) -> AppResult<()> {
    let (_, folder, org) = mailbox_state(conn, mailbox).await?;
    let (blocked, approved) = mailbox_rows(conn, mailbox).await?;
    let text = sieve::mailbox_script(
        &to_lists(&blocked, &approved),
        folder.as_deref().unwrap_or(sieve::JUNK),
        org,
    )
    .map_err(unwritable)?;
    state.spam.install(Script::Mailbox(mailbox), &text).await?;
    sqlx::query("UPDATE mailboxes SET spam_script = 1 WHERE id = $1")
        .bind(mailbox)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Writes the organisation's included global lists and its before-script.
async fn write_org_scripts(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
) -> AppResult<()> {
    let (blocked, approved) = org_rows(conn, org).await?;
    let lists = to_lists(&blocked, &approved);
    let global = sieve::global_script(&lists).map_err(unwritable)?;
    let before = sieve::org_script(&lists).map_err(unwritable)?;
    state.spam.install(Script::Global(org), &global).await?;
    state.spam.install(Script::Org(org), &before).await?;
    sqlx::query("UPDATE organizations SET spam_script = 1 WHERE id = $1")
        .bind(org)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Checks entries as typed; the first bad one refuses the request.
fn parse_entries(entries: &[String]) -> AppResult<Vec<Sender>> {
    if entries.len() > MAX_SENDERS_PER_LIST {
        return Err(AppError::from(ErrorCode::SenderListFull)
            .with(|p| p.limit = Some(MAX_SENDERS_PER_LIST as u64)));
    }
    let mut out: Vec<Sender> = Vec::with_capacity(entries.len());
    for raw in entries {
        match parse_sender(raw) {
            Ok(s) => {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
            Err(e) => {
                return Err(AppError::from(ErrorCode::InvalidSender).with(|p| {
                    p.value = Some(raw.chars().take(MAX_SENDER_CHARS).collect());
                    p.reason = Some(e.reason().into());
                    p.field = Some("entries".into());
                    if let postern_shared::spam::SenderError::Character(c) = e {
                        p.character = Some(c.to_string());
                    }
                }));
            }
        }
    }
    Ok(out)
}

/// `GET /v1/mailboxes/{mb}/spam`.
pub async fn get(State(state): State<AppState>, grant: Grant) -> AppResult<Json<SpamSettings>> {
    grant.require(Permission::ManageFilters)?;
    Ok(Json(settings(&state.db, grant.mailbox_id).await?))
}

/// `PUT /v1/mailboxes/{mb}/spam`: the toggle (a row) and the destination
/// (a row and the mailbox's own script).
pub async fn put(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<UpdateSpamSettings>,
) -> AppResult<Json<SpamSettings>> {
    grant.require(Permission::ManageFilters)?;
    // The destination must be one of the mailbox's folders; the Junk
    // special-use folder is the default (stored as NULL).
    let folder = match req.folder.as_deref().filter(|f| !f.is_empty()) {
        None => None,
        Some(path) => {
            let folders = crate::routes::folders::load(&state, &grant).await?;
            let found = folders
                .iter()
                .find(|f| f.path == path && f.selectable)
                .ok_or_else(|| {
                    AppError::from(ErrorCode::FolderNotFound)
                        .with(|p| p.field = Some("folder".into()))
                })?;
            if found.special == Some(SpecialUse::Junk) && found.path == sieve::JUNK {
                None
            } else {
                sieve::quote(&found.path).map_err(unwritable)?;
                Some(found.path.clone())
            }
        }
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_mailbox(&mut tx, &state.db, grant.mailbox_id).await?;
    let (_, old_folder, _) = mailbox_state(&mut tx, grant.mailbox_id).await?;
    sqlx::query("UPDATE mailboxes SET spam_filter = $1, spam_folder = $2 WHERE id = $3")
        .bind(i64::from(req.enabled))
        .bind(folder.clone())
        .bind(grant.mailbox_id)
        .execute(&mut *tx)
        .await?;
    if folder != old_folder {
        write_mailbox_script(&state, &mut tx, grant.mailbox_id).await?;
    }
    tx.commit().await?;
    tracing::info!(
        mailbox = grant.mailbox_id,
        enabled = req.enabled,
        "spam filter settings changed"
    );
    Ok(Json(settings(&state.db, grant.mailbox_id).await?))
}

/// `POST /v1/mailboxes/{mb}/spam/senders`: all or none.
pub async fn add_senders(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<SenderEntries>,
) -> AppResult<Json<SpamSettings>> {
    grant.require(Permission::ManageFilters)?;
    let senders = parse_entries(&req.entries)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_mailbox(&mut tx, &state.db, grant.mailbox_id).await?;
    let (blocked, approved) = mailbox_rows(&mut tx, grant.mailbox_id).await?;
    let new = entries_to_add(&senders, req.list, blocked, approved)?;
    let at = now();
    for entry in &new {
        sqlx::query(
            "INSERT INTO mailbox_senders (mailbox_id, list, entry, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(grant.mailbox_id)
        .bind(req.list.as_str())
        .bind(entry)
        .bind(at)
        .execute(&mut *tx)
        .await?;
    }
    write_mailbox_script(&state, &mut tx, grant.mailbox_id).await?;
    tx.commit().await?;
    Ok(Json(settings(&state.db, grant.mailbox_id).await?))
}

/// `POST /v1/mailboxes/{mb}/spam/senders/remove`: entries not listed are
/// ignored.
pub async fn remove_senders(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<SenderEntries>,
) -> AppResult<Json<SpamSettings>> {
    grant.require(Permission::ManageFilters)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_mailbox(&mut tx, &state.db, grant.mailbox_id).await?;
    for entry in &req.entries {
        sqlx::query(
            "DELETE FROM mailbox_senders WHERE mailbox_id = $1 AND list = $2 AND entry = $3",
        )
        .bind(grant.mailbox_id)
        .bind(req.list.as_str())
        .bind(entry.trim().to_ascii_lowercase())
        .execute(&mut *tx)
        .await?;
    }
    write_mailbox_script(&state, &mut tx, grant.mailbox_id).await?;
    tx.commit().await?;
    Ok(Json(settings(&state.db, grant.mailbox_id).await?))
}

async fn org_lists(db: &Db, access: &OrgAccess) -> AppResult<OrgSpamLists> {
    let mut conn = db.acquire().await?;
    let (blocked, approved) = org_rows(&mut conn, access.organization).await?;
    Ok(OrgSpamLists {
        blocked,
        approved,
        allowed: access.role.may(Action::ManageSpam),
    })
}

/// `GET /v1/orgs/{org}/spam`: whoever sees the addresses sees the lists.
pub async fn org_get(
    State(state): State<AppState>,
    access: OrgAccess,
) -> AppResult<Json<OrgSpamLists>> {
    Ok(Json(org_lists(&state.db, &access).await?))
}

/// After the global lists changed: the binaries of the organisation's
/// mailbox scripts (which include them) are compiled again, so LMTP does
/// not recompile them at each delivery.
async fn recompile_mailboxes(state: &AppState, org: OrganizationId) {
    let ids: Vec<i64> = match sqlx::query_scalar(
        "SELECT id FROM mailboxes WHERE organization_id = $1 AND spam_script = 1",
    )
    .bind(org)
    .fetch_all(&state.db)
    .await
    {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list the mailbox scripts to recompile");
            return;
        }
    };
    for id in ids {
        state.spam.recompile(Script::Mailbox(id)).await;
    }
}

async fn change_org_lists(
    state: &AppState,
    access: &OrgAccess,
    req: &SenderEntries,
    add: bool,
) -> AppResult<OrgSpamLists> {
    access.require(Action::ManageSpam)?;
    let org = access.organization;
    let senders = if add {
        parse_entries(&req.entries)?
    } else {
        Vec::new()
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_org(&mut tx, &state.db, org).await?;
    if add {
        let (blocked, approved) = org_rows(&mut tx, org).await?;
        let new = entries_to_add(&senders, req.list, blocked, approved)?;
        let at = now();
        for entry in &new {
            sqlx::query(
                "INSERT INTO organization_senders (organization_id, list, entry, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(org)
            .bind(req.list.as_str())
            .bind(entry)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
    } else {
        for entry in &req.entries {
            sqlx::query(
                "DELETE FROM organization_senders WHERE organization_id = $1 AND list = $2 AND entry = $3",
            )
            .bind(org)
            .bind(req.list.as_str())
            .bind(entry.trim().to_ascii_lowercase())
            .execute(&mut *tx)
            .await?;
        }
    }
    write_org_scripts(state, &mut tx, org).await?;
    tx.commit().await?;
    recompile_mailboxes(state, org).await;
    tracing::info!(
        organization = org,
        list = req.list.as_str(),
        "global sender list changed"
    );
    org_lists(&state.db, access).await
}

/// `POST /v1/orgs/{org}/spam/senders`.
pub async fn org_add(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<SenderEntries>,
) -> AppResult<Json<OrgSpamLists>> {
    Ok(Json(change_org_lists(&state, &access, &req, true).await?))
}

/// `POST /v1/orgs/{org}/spam/senders/remove`.
pub async fn org_remove(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<SenderEntries>,
) -> AppResult<Json<OrgSpamLists>> {
    Ok(Json(change_org_lists(&state, &access, &req, false).await?))
}

/// `POST /v1/orgs/{org}/spam/filter` (R-SPAM-3): rows only, one
/// transaction; a mailbox that is not the organisation's (or not a
/// mailbox) refuses the whole request with the usual 403.
pub async fn bulk(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<BulkSpamFilterRequest>,
) -> AppResult<Json<BulkSpamFilterResult>> {
    access.require(Action::ManageSpam)?;
    if req.mailboxes.is_empty() || req.mailboxes.len() > MAX_BULK {
        return Err(AppError::bad_request(format!(
            "Name 1 to {MAX_BULK} mailboxes."
        )));
    }
    let mut ids = req.mailboxes.clone();
    ids.sort_unstable();
    ids.dedup();
    let mut tx = crate::db::begin_write(&state.db).await?;
    for &id in &ids {
        let n = sqlx::query(
            "UPDATE mailboxes SET spam_filter = $1
             WHERE id = $2 AND organization_id = $3 AND deleted_at IS NULL AND kind = 'mailbox'",
        )
        .bind(i64::from(req.enabled))
        .bind(id)
        .bind(access.organization)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(ErrorCode::Forbidden.into());
        }
    }
    tx.commit().await?;
    tracing::info!(
        organization = access.organization,
        mailboxes = ids.len(),
        enabled = req.enabled,
        "spam filter switched in bulk"
    );
    Ok(Json(BulkSpamFilterResult {
        mailboxes: ids,
        enabled: req.enabled,
    }))
}

/// A deleted mailbox's script goes with it.
pub async fn forget_mailbox(state: &AppState, mailbox: MailboxId) {
    state.spam.remove(Script::Mailbox(mailbox)).await;
    state.spam.remove(Script::Rules(mailbox)).await;
}

/// The entries of `senders` not yet on `list` (one of a mailbox's or a
/// service's two lists), refused when they would fill it past
/// [`MAX_SENDERS_PER_LIST`].
fn entries_to_add(
    senders: &[Sender],
    list: SenderList,
    blocked: Vec<String>,
    approved: Vec<String>,
) -> AppResult<Vec<String>> {
    let listed = match list {
        SenderList::Blocked => blocked,
        SenderList::Approved => approved,
    };
    let new: Vec<String> = senders
        .iter()
        .map(Sender::entry)
        .filter(|e| !listed.contains(e))
        .collect();
    if listed.len() + new.len() > MAX_SENDERS_PER_LIST {
        return Err(AppError::from(ErrorCode::SenderListFull)
            .with(|p| p.limit = Some(MAX_SENDERS_PER_LIST as u64)));
    }
    Ok(new)
}
