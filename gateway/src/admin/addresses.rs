//! The organisation's addresses (R-ADDR): the table, creation in the three
//! modes of R-ADDR-2 and the generic kinds of R-ADDR-3, aliases,
//! catch-alls, deletion for good. Each is rows only: Postfix and Dovecot
//! read these tables on every delivery (`xtask/templates/postfix-*.cf`,
//! `dovecot-sql.conf.ext`), so a new address receives at once and a
//! deleted one stops at once. Every change is one transaction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postern_shared::ErrorCode;
use postern_shared::address::validate_local_part;
use postern_shared::admin::{
    AddAliasRequest, AddressKind, AddressRow, AddressUser, CreateAddressRequest, CreatedAddress,
    DeleteAddressesRequest, DeletedAddresses, DomainId, DomainInfo, Member, OrgAddresses,
    Recipients, SetCatchAllRequest, UpdateAddressRequest,
};
use postern_shared::api::MailboxId;
use postern_shared::permissions::{Action, Role};
use postern_shared::{PermissionSet, api::OrganizationId};

use super::access::OrgAccess;
use super::invitations;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Most addresses one deletion may name.
pub const MAX_DELETE: usize = 1000;
/// Most invitations made with one new mailbox.
pub const MAX_INVITATIONS: usize = 50;
/// Most targets of one redirect.
pub const MAX_REDIRECT_TARGETS: usize = 50;
use postern_shared::limits::MAX_DISPLAY_NAME_CHARS as MAX_DISPLAY_NAME;

pub async fn list(
    State(state): State<AppState>,
    access: OrgAccess,
) -> AppResult<Json<OrgAddresses>> {
    Ok(Json(table(&state.db, &access).await?))
}

/// The whole table of `access.organization`.
pub async fn table(db: &Db, access: &OrgAccess) -> AppResult<OrgAddresses> {
    let org = access.organization;
    let domains: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, catch_all_mailbox_id FROM domains WHERE organization_id = $1 ORDER BY name",
    )
    .bind(org)
    .fetch_all(db)
    .await?;
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, address, display_name, kind, spam_filter FROM mailboxes
         WHERE organization_id = $1 AND deleted_at IS NULL ORDER BY address",
    )
    .bind(org)
    .fetch_all(db)
    .await?;
    let aliases: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.mailbox_id, a.address FROM aliases a JOIN mailboxes m ON m.id = a.mailbox_id
         WHERE m.organization_id = $1 ORDER BY a.address",
    )
    .bind(org)
    .fetch_all(db)
    .await?;
    let redirects: Vec<(i64, String)> = sqlx::query_as(
        "SELECT r.mailbox_id, r.target FROM redirects r JOIN mailboxes m ON m.id = r.mailbox_id
         WHERE m.organization_id = $1 ORDER BY r.id",
    )
    .bind(org)
    .fetch_all(db)
    .await?;
    let users: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT g.mailbox_id, a.id, a.login, a.display_name, g.permissions
         FROM grants g JOIN accounts a ON a.id = g.account_id JOIN mailboxes m ON m.id = g.mailbox_id
         WHERE m.organization_id = $1 AND g.permissions <> 0 ORDER BY a.login",
    )
    .bind(org)
    .fetch_all(db)
    .await?;
    let members: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.login, a.display_name, ms.role FROM memberships ms
         JOIN accounts a ON a.id = ms.account_id WHERE ms.organization_id = $1 ORDER BY a.login",
    )
    .bind(org)
    .fetch_all(db)
    .await?;

    let mut by_id: HashMap<i64, AddressRow> = HashMap::new();
    let mut order = Vec::with_capacity(rows.len());
    for (id, address, display_name, kind, spam_filter) in rows {
        order.push(id);
        by_id.insert(
            id,
            AddressRow {
                id,
                address,
                display_name,
                kind: AddressKind::parse(&kind).unwrap_or(AddressKind::Mailbox),
                aliases: Vec::new(),
                redirect_to: Vec::new(),
                users: Vec::new(),
                spam_filter: spam_filter != 0,
            },
        );
    }
    for (mb, alias) in aliases {
        if let Some(r) = by_id.get_mut(&mb) {
            r.aliases.push(alias);
        }
    }
    for (mb, target) in redirects {
        if let Some(r) = by_id.get_mut(&mb) {
            r.redirect_to.push(target);
        }
    }
    for (mb, account, login, display_name, bits) in users {
        if let Some(r) = by_id.get_mut(&mb) {
            r.users.push(AddressUser {
                account,
                login,
                display_name,
                permissions: PermissionSet::from_bits(u8::try_from(bits).unwrap_or(0)),
            });
        }
    }
    Ok(OrgAddresses {
        organization: org,
        role: access.role,
        allowed: access.allowed(),
        domains: domains
            .into_iter()
            .map(|(id, name, catch_all)| DomainInfo {
                id,
                name,
                catch_all,
            })
            .collect(),
        addresses: order
            .into_iter()
            .filter_map(|id| by_id.remove(&id))
            .collect(),
        members: members
            .into_iter()
            .filter_map(|(account, login, display_name, role)| {
                Some(Member {
                    account,
                    login,
                    display_name,
                    role: Role::parse(&role)?,
                })
            })
            .collect(),
    })
}

/// One row of the table, as it is now.
pub(super) async fn row_of(db: &Db, access: &OrgAccess, id: MailboxId) -> AppResult<AddressRow> {
    table(db, access)
        .await?
        .addresses
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::from(ErrorCode::Forbidden))
}

/// `local@domain` of a new address of `org`, lower-cased, after R-ADDR-1.
/// A domain of another organisation is refused like a missing one.
async fn new_address(
    db: &Db,
    org: OrganizationId,
    local: &str,
    domain: DomainId,
) -> AppResult<String> {
    validate_local_part(local).map_err(postern_shared::ApiError::from)?;
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM domains WHERE id = $1 AND organization_id = $2")
            .bind(domain)
            .bind(org)
            .fetch_optional(db)
            .await?;
    let name = name.ok_or_else(|| {
        AppError::new(
            ErrorCode::Forbidden,
            "This domain is not one of the organisation's.",
        )
    })?;
    Ok(format!("{}@{name}", local.to_ascii_lowercase()))
}

/// A display name trimmed, after the shared rule
/// ([`postern_shared::address::clean_display_name`]: at most
/// [`MAX_DISPLAY_NAME`] characters, no control character). The error names
/// the field and the limit, so a form words it.
fn clean_display_name(name: &str) -> AppResult<String> {
    match postern_shared::address::clean_display_name(name) {
        Some(name) => Ok(name.to_string()),
        None => Err(AppError::bad_request(format!(
            "The display name must be at most {MAX_DISPLAY_NAME} characters, without control characters."
        ))
        .with(|p| {
            p.field = Some("display_name".into());
            p.limit = Some(MAX_DISPLAY_NAME as u64);
        })),
    }
}

/// Redirect targets: 1 to [`MAX_REDIRECT_TARGETS`] valid addresses, not
/// the redirect itself, lower-cased, each once.
pub(super) fn clean_targets(address: &str, targets: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in targets {
        let t = t.trim().to_ascii_lowercase();
        if !crate::send::compose::valid_address(&t) {
            return Err(AppError::new(
                ErrorCode::InvalidRecipient,
                format!(
                    "\"{}\" is not a valid email address.",
                    crate::send::mime::one_line(&t)
                ),
            ));
        }
        if t == address {
            return Err(AppError::bad_request(
                "A redirect cannot forward to itself.",
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.is_empty() || out.len() > MAX_REDIRECT_TARGETS {
        return Err(AppError::bad_request(format!(
            "A redirect forwards to 1 to {MAX_REDIRECT_TARGETS} addresses."
        )));
    }
    Ok(out)
}

/// `address_taken` unless `address` is free everywhere Postfix looks.
async fn ensure_free(conn: &mut sqlx::AnyConnection, address: &str) -> AppResult<()> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM mailboxes WHERE address = $1)
              + (SELECT COUNT(*) FROM aliases WHERE address = $1)",
    )
    .bind(address)
    .fetch_one(&mut *conn)
    .await?;
    if taken > 0 {
        return Err(AppError::new(
            ErrorCode::AddressTaken,
            format!("{address} already exists."),
        ));
    }
    Ok(())
}

/// A unique-key violation is the other request of a double click.
pub(super) fn taken_or(e: sqlx::Error, address: &str) -> AppError {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => AppError::new(
            ErrorCode::AddressTaken,
            format!("{address} already exists."),
        ),
        _ => e.into(),
    }
}

pub async fn create(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<CreateAddressRequest>,
) -> AppResult<(StatusCode, Json<CreatedAddress>)> {
    access.require(Action::ManageAddresses)?;
    let org = access.organization;
    let address = new_address(&state.db, org, &req.local_part, req.domain).await?;
    let display_name = clean_display_name(&req.display_name)?;
    let targets = match req.kind {
        AddressKind::Redirect => clean_targets(&address, &req.redirect_to)?,
        _ => Vec::new(),
    };
    let (grants, invitations): (Vec<(i64, PermissionSet)>, _) = match (req.kind, req.recipients) {
        (AddressKind::Mailbox, Recipients::Myself) => (
            vec![(access.account.account.id, PermissionSet::all())],
            Vec::new(),
        ),
        (
            AddressKind::Mailbox,
            Recipients::Users {
                grants,
                invitations,
            },
        ) => {
            if grants.is_empty() && invitations.is_empty() {
                return Err(AppError::bad_request(
                    "Choose at least one user or invitation, or create the mailbox for nobody.",
                ));
            }
            if invitations.len() > MAX_INVITATIONS {
                return Err(AppError::bad_request(format!(
                    "At most {MAX_INVITATIONS} invitations can be made with a new mailbox."
                )));
            }
            let invitations = invitations
                .into_iter()
                .map(invitations::checked)
                .collect::<AppResult<Vec<_>>>()?;
            (
                grants.iter().map(|g| (g.account, g.permissions)).collect(),
                invitations,
            )
        }
        _ => (Vec::new(), Vec::new()),
    };
    if !invitations.is_empty() {
        access.require(Action::ManageAccess)?;
    }
    if grants.iter().any(|(_, p)| p.is_empty()) {
        return Err(AppError::bad_request(
            "Give every user at least one permission.",
        ));
    }
    if req.catch_all && req.kind != AddressKind::Mailbox {
        return Err(AppError::bad_request(
            "Only a mailbox can receive a domain's unknown addresses.",
        ));
    }
    let signature = match (req.kind, req.signature) {
        (AddressKind::Mailbox, Some(sig)) if !sig.text.trim().is_empty() || sig.html.is_some() => {
            Some(crate::routes::compose::checked_signature(sig)?)
        }
        _ => None,
    };

    let mut tx = crate::db::begin_write(&state.db).await?;
    ensure_free(&mut tx, &address).await?;
    let mut users = Vec::with_capacity(grants.len());
    for (account, permissions) in grants {
        let member: Option<(String, String)> = sqlx::query_as(
            "SELECT a.login, a.display_name FROM memberships ms JOIN accounts a ON a.id = ms.account_id
             WHERE ms.account_id = $1 AND ms.organization_id = $2",
        )
        .bind(account)
        .bind(org)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((login, display_name)) = member else {
            return Err(AppError::new(
                ErrorCode::Forbidden,
                "Access can be given here only to members of the organisation; invite anyone else.",
            ));
        };
        users.push(AddressUser {
            account,
            login,
            display_name,
            permissions,
        });
    }
    let new = NewAddress {
        address,
        domain: req.domain,
        display_name,
        kind: req.kind,
        users,
        redirect_to: targets,
        catch_all: req.catch_all,
    };
    let now = crate::db::now();
    let row = insert(&mut tx, &access, &new, now).await?;
    if let Some(sig) = &signature {
        crate::routes::compose::write_signature(&mut tx, row.id, sig).await?;
    }
    let mut issued = Vec::with_capacity(invitations.len());
    if !invitations.is_empty() {
        // R-INV-4 holds for a new mailbox too (its address may be someone's
        // login): refused, nothing is created.
        if let Some(block) = invitations::invite_block(&mut tx, &access, row.id).await? {
            return Err(invitations::refusal(block));
        }
        for inv in invitations {
            issued
                .push(invitations::write(&mut tx, &access, row.id, &row.address, inv, now).await?);
        }
    }
    tx.commit().await.map_err(|e| taken_or(e, &new.address))?;
    tracing::info!(address = %new.address, kind = new.kind.as_str(), organization = org, "address created");
    let mut handed = Vec::with_capacity(issued.len());
    for i in issued {
        handed.push(invitations::hand_out(&state, &access, &row.address, i).await?);
    }
    Ok((
        StatusCode::CREATED,
        Json(CreatedAddress {
            address: row,
            invitations: handed,
        }),
    ))
}

/// An address about to be created, every rule already checked: its
/// domain is the organisation's, it is free, its users are members.
#[derive(Debug, Clone)]
pub(super) struct NewAddress {
    /// Lower-case `local@domain`.
    pub address: String,
    pub domain: DomainId,
    pub display_name: String,
    pub kind: AddressKind,
    /// A mailbox's users (empty for the other kinds).
    pub users: Vec<AddressUser>,
    /// A redirect's targets (empty for the other kinds).
    pub redirect_to: Vec<String>,
    /// It also receives the domain's unknown addresses.
    pub catch_all: bool,
}

/// Writes one checked address in `conn`'s transaction — its row, its
/// users' grants (given by the caller), its redirect targets, the catch-all
/// — and answers its table row, built from what was written (the form and
/// the CSV import both create through here; neither reloads the table).
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    access: &OrgAccess,
    new: &NewAddress,
    now: i64,
) -> AppResult<AddressRow> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mailboxes (organization_id, domain_id, address, display_name, created_at, kind)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(access.organization)
    .bind(new.domain)
    .bind(&new.address)
    .bind(&new.display_name)
    .bind(now)
    .bind(new.kind.as_str())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| taken_or(e, &new.address))?;
    for user in &new.users {
        sqlx::query(
            "INSERT INTO grants (account_id, mailbox_id, permissions, granted_by, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user.account)
        .bind(id)
        .bind(i64::from(user.permissions.bits()))
        .bind(access.account.account.id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    for t in &new.redirect_to {
        sqlx::query("INSERT INTO redirects (mailbox_id, target) VALUES ($1, $2)")
            .bind(id)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    if new.catch_all {
        sqlx::query("UPDATE domains SET catch_all_mailbox_id = $1 WHERE id = $2")
            .bind(id)
            .bind(new.domain)
            .execute(&mut *conn)
            .await?;
    }
    let mut users = new.users.clone();
    // As the table lists them.
    users.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(AddressRow {
        id,
        address: new.address.clone(),
        display_name: new.display_name.clone(),
        kind: new.kind,
        aliases: Vec::new(),
        redirect_to: new.redirect_to.clone(),
        users,
        // The column's default (R-SPAM-1).
        spam_filter: true,
    })
}

/// Inside a write transaction: on PostgreSQL holds the address's row until
/// the transaction ends, so a deletion and an invitation or grant for the
/// same address run one after the other, never leaving rows that name a
/// deleted mailbox (SQLite's single writer already orders them).
pub(super) async fn lock_address(
    conn: &mut sqlx::AnyConnection,
    backend: crate::db::dialect::Backend,
    id: MailboxId,
) -> AppResult<()> {
    if let Some(lock) = crate::db::dialect::lock_row(backend, "mailboxes") {
        sqlx::query(&lock).bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// An address of `org` (not deleted), else the same 403 as any foreign id.
pub(super) async fn own_address(
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
    id: MailboxId,
) -> AppResult<(String, AddressKind)> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT address, kind FROM mailboxes WHERE id = $1 AND organization_id = $2 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(org)
    .fetch_optional(&mut *conn)
    .await?;
    let (address, kind) = row.ok_or(AppError::from(ErrorCode::Forbidden))?;
    Ok((
        address,
        AddressKind::parse(&kind).unwrap_or(AddressKind::Mailbox),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<DeleteAddressesRequest>,
) -> AppResult<Json<DeletedAddresses>> {
    access.require(Action::ManageAddresses)?;
    if req.ids.is_empty() || req.ids.len() > MAX_DELETE {
        return Err(AppError::bad_request(format!(
            "Name 1 to {MAX_DELETE} addresses to delete."
        )));
    }
    let backend = crate::db::backend(&state.db);
    let mut tx = crate::db::begin_write(&state.db).await?;
    let mut gone: Vec<(String, AddressKind)> = Vec::new();
    let mut gone_ids: Vec<MailboxId> = Vec::new();
    for &id in &req.ids {
        lock_address(&mut tx, backend, id).await?;
        let (address, kind) = own_address(&mut tx, access.organization, id).await?;
        if gone.iter().any(|(a, _)| *a == address) {
            continue;
        }
        sqlx::query(
            "UPDATE domains SET catch_all_mailbox_id = NULL WHERE catch_all_mailbox_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Everything that names the mailbox goes with it (rows that name
        // it through another table first).
        for query in [
            "DELETE FROM device_logins WHERE device_id IN
             (SELECT id FROM device_passwords WHERE mailbox_id = $1)",
            "DELETE FROM support_accesses WHERE grant_id IN
             (SELECT id FROM support_grants WHERE mailbox_id = $1)",
        ] {
            sqlx::query(query).bind(id).execute(&mut *tx).await?;
        }
        for table in [
            "grants",
            "invitations",
            "device_setup_invitations",
            "device_passwords",
            "aliases",
            "redirects",
            "correspondents",
            "signatures",
            "mailbox_senders",
            "auto_replies",
            "mailbox_rules",
            "support_grants",
            "mail_log_entries",
            "outbox",
            "sends",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE mailbox_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM mailboxes WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        gone.push((address, kind));
        gone_ids.push(id);
    }
    tx.commit().await?;
    for id in gone_ids {
        crate::spam::forget_mailbox(&state, id).await;
    }
    // The rows are gone, so nothing delivers any more; now the mail.
    let root = state.imap.config().mail_root.clone();
    let mut homes = Vec::new();
    for (address, kind) in &gone {
        state.imap.forget(address);
        if *kind == AddressKind::Mailbox
            && let Some(home) = mail_home(root.as_deref(), address)
        {
            remove_home(address, &home).await;
            homes.push((address.as_str(), home));
        }
        tracing::info!(%address, organization = access.organization, "address deleted");
    }
    // A session of the address that was still closing (a client that went
    // away without LOGOUT, the quota service) writes its index or quota
    // file on the way out and so recreates the home: sweep again, briefly.
    // No new session can start: the userdb no longer knows the address.
    for _ in 0..RESWEEPS {
        if homes.iter().all(|(_, h)| !h.exists()) {
            tokio::time::sleep(RESWEEP_EVERY).await;
            if homes.iter().all(|(_, h)| !h.exists()) {
                break;
            }
        }
        for (address, home) in &homes {
            remove_home(address, home).await;
        }
    }
    Ok(Json(DeletedAddresses {
        deleted: gone.into_iter().map(|(a, _)| a).collect(),
    }))
}

/// How often, and how many times, a deletion looks again for a home that
/// a closing session recreated.
const RESWEEP_EVERY: std::time::Duration = std::time::Duration::from_millis(150);
const RESWEEPS: usize = 6;

/// The Maildir home of `address` under Dovecot's mail root, when there is
/// a root and the address is one a home can be named after.
fn mail_home(root: Option<&str>, address: &str) -> Option<std::path::PathBuf> {
    let Some(root) = root else {
        tracing::warn!(%address, "POSTERN_MAIL_ROOT is not set: the deleted address's mail stays on disk");
        return None;
    };
    let (local, domain) = postern_shared::address::split_address(address)?;
    // Both parts passed R-ADDR-1 and the domain table: no `/` or `..`.
    if local.contains(['/', '\0']) || domain.contains(['/', '\0']) || local.starts_with('.') {
        tracing::error!(%address, "refusing to remove a mail directory for an odd address");
        return None;
    }
    Some(std::path::Path::new(root).join(&domain).join(local))
}

async fn remove_home(address: &str, home: &std::path::Path) {
    match tokio::fs::remove_dir_all(home).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::error!(%address, error = %e, "could not remove the mail of a deleted address")
        }
    }
}

/// `PATCH …/addresses/{addr}`: the display name of an address of any
/// kind. One UPDATE: the webmail's mailbox list (`/v1/me`) and the sender
/// of outgoing mail (`ledger::by_id`, the `From:` display name) read the
/// row on every request, so the new name holds from the next one.
pub async fn update(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr)): Path<(i64, i64)>,
    Json(req): Json<UpdateAddressRequest>,
) -> AppResult<Json<AddressRow>> {
    access.require(Action::ManageAddresses)?;
    let display_name = clean_display_name(&req.display_name)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (address, _) = own_address(&mut tx, access.organization, addr).await?;
    let done =
        sqlx::query("UPDATE mailboxes SET display_name = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(&display_name)
            .bind(addr)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() != 1 {
        // Deleted in between (PostgreSQL): like any id not of the organisation.
        return Err(ErrorCode::Forbidden.into());
    }
    tx.commit().await?;
    tracing::info!(%address, organization = access.organization, "display name changed");
    Ok(Json(row_of(&state.db, &access, addr).await?))
}

pub async fn add_alias(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr)): Path<(i64, i64)>,
    Json(req): Json<AddAliasRequest>,
) -> AppResult<(StatusCode, Json<AddressRow>)> {
    access.require(Action::ManageAddresses)?;
    let alias = new_address(&state.db, access.organization, &req.local_part, req.domain).await?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let (_, kind) = own_address(&mut tx, access.organization, addr).await?;
    if kind != AddressKind::Mailbox {
        return Err(AppError::bad_request("Only a mailbox can have aliases."));
    }
    ensure_free(&mut tx, &alias).await?;
    sqlx::query("INSERT INTO aliases (mailbox_id, address) VALUES ($1, $2)")
        .bind(addr)
        .bind(&alias)
        .execute(&mut *tx)
        .await
        .map_err(|e| taken_or(e, &alias))?;
    tx.commit().await.map_err(|e| taken_or(e, &alias))?;
    Ok((
        StatusCode::CREATED,
        Json(row_of(&state.db, &access, addr).await?),
    ))
}

pub async fn set_catch_all(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, domain)): Path<(i64, i64)>,
    Json(req): Json<SetCatchAllRequest>,
) -> AppResult<Json<DomainInfo>> {
    access.require(Action::ManageAddresses)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM domains WHERE id = $1 AND organization_id = $2")
            .bind(domain)
            .bind(access.organization)
            .fetch_optional(&mut *tx)
            .await?;
    let name = name.ok_or(AppError::from(ErrorCode::Forbidden))?;
    if let Some(mb) = req.mailbox {
        let (_, kind) = own_address(&mut tx, access.organization, mb).await?;
        if kind != AddressKind::Mailbox {
            return Err(AppError::bad_request("The catch-all must be a mailbox."));
        }
    }
    sqlx::query("UPDATE domains SET catch_all_mailbox_id = $1 WHERE id = $2")
        .bind(req.mailbox)
        .bind(domain)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(DomainInfo {
        id: domain,
        name,
        catch_all: req.mailbox,
    }))
}
