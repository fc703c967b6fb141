//! Bulk creation of addresses from a CSV file (R-ADDR-4). The file's
//! format and its checks without a database are
//! `postern_shared::address_import` (the portal reads files with the same
//! code); here the rest: the domain must be the organisation's, the
//! address free (in the database and earlier in the file), the users
//! members, the redirect targets valid addresses.
//!
//! The preview answers every row with its own errors and writes nothing.
//! The import checks again, inside the write transaction that creates the
//! rows (so nothing can take an address between the check and the
//! insert), and creates every row or — when any row has an error — none:
//! `import_invalid` with the errors. Each row is created by the same
//! [`super::addresses::insert`] as the form's, and answered from what was
//! written: a few statements per row, nothing reloaded.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use postern_shared::address_import::{self, Column, Row};
use postern_shared::admin::{
    AddressKind, AddressUser, ImportAddressesRequest, ImportInvite, ImportPreview, ImportRow,
    ImportUser, ImportedAddresses, ImportedInvitation,
};
use postern_shared::api::{AccountId, OrganizationId};
use postern_shared::invitations::CreateInvitationRequest;
use postern_shared::permissions::Action;
use postern_shared::{ApiError, ErrorCode, ImportIssue};

use super::access::OrgAccess;
use super::addresses::{NewAddress, clean_targets, insert};
use super::invitations;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Addresses looked up per query (well under SQLite's and PostgreSQL's
/// bound-parameter limits).
const LOOKUP_CHUNK: usize = 500;

/// `POST /v1/orgs/{org}/addresses/import/preview`.
pub async fn preview(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<ImportAddressesRequest>,
) -> AppResult<Json<ImportPreview>> {
    access.require(Action::ManageAddresses)?;
    let rows = address_import::read(&req.csv)?;
    let mut conn = state.db.acquire().await?;
    let checked = check(&mut conn, access.organization, rows).await?;
    let invalid = checked.iter().filter(|c| !c.row.errors.is_empty()).count() as u32;
    let total = checked.len() as u32;
    Ok(Json(ImportPreview {
        rows: checked.into_iter().map(|c| c.row).collect(),
        total,
        valid: total - invalid,
        invalid,
    }))
}

/// `POST /v1/orgs/{org}/addresses/import`: all rows or none.
pub async fn import(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<ImportAddressesRequest>,
) -> AppResult<(StatusCode, Json<ImportedAddresses>)> {
    access.require(Action::ManageAddresses)?;
    let rows = address_import::read(&req.csv)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let checked = check(&mut tx, access.organization, rows).await?;
    let issues: Vec<ImportIssue> = checked
        .iter()
        .flat_map(|c| c.row.errors.iter().cloned())
        .collect();
    if !issues.is_empty() {
        let rows = checked.iter().filter(|c| !c.row.errors.is_empty()).count();
        return Err(AppError(
            ApiError::new(
                ErrorCode::ImportInvalid,
                format!(
                    "{rows} of {} rows have errors; nothing was created.",
                    checked.len()
                ),
            )
            .with(|p| p.issues = issues),
        ));
    }
    if checked.iter().any(|c| !c.row.invite.is_empty()) {
        access.require(Action::ManageAccess)?;
    }
    let now = crate::db::now();
    let mut created = Vec::with_capacity(checked.len());
    let mut issued = Vec::new();
    for c in checked {
        let new = c.new.as_ref().ok_or_else(|| {
            AppError::internal("an import row without errors has no address to create")
        })?;
        let row = insert(&mut tx, &access, new, now).await?;
        if !c.row.invite.is_empty() {
            if let Some(block) = invitations::invite_block(&mut tx, &access, row.id).await? {
                // Named by its line, like every other row error.
                let e = invitations::refusal(block).0;
                return Err(AppError(
                    ApiError::new(
                        ErrorCode::ImportInvalid,
                        format!("Line {}: {}", c.row.line, e.message),
                    )
                    .with(|p| p.issues = vec![ImportIssue::of(c.row.line, Some("invite"), e)]),
                ));
            }
            for i in &c.row.invite {
                let inv = invitations::checked(CreateInvitationRequest {
                    email: Some(i.email.clone()),
                    permissions: i.permissions,
                    send_email: true,
                    language: req.language.clone(),
                })?;
                let done =
                    invitations::write(&mut tx, &access, row.id, &row.address, inv, now).await?;
                issued.push((row.address.clone(), done));
            }
        }
        created.push(row);
    }
    tx.commit().await?;
    tracing::info!(
        organization = access.organization,
        addresses = created.len(),
        invitations = issued.len(),
        "addresses imported from a CSV file"
    );
    let mut handed = Vec::with_capacity(issued.len());
    for (address, i) in issued {
        let invitation = invitations::hand_out(&state, &access, &address, i).await?;
        handed.push(ImportedInvitation {
            address,
            invitation,
        });
    }
    Ok((
        StatusCode::CREATED,
        Json(ImportedAddresses {
            created,
            invitations: handed,
        }),
    ))
}

/// A row as the preview shows it, and what to create when it is valid.
struct Checked {
    row: ImportRow,
    new: Option<NewAddress>,
}

/// Every row checked against the organisation (`conn` may be the import's
/// transaction): a few queries for the whole file, none per row.
async fn check(
    conn: &mut sqlx::AnyConnection,
    org: OrganizationId,
    rows: Vec<Row>,
) -> AppResult<Vec<Checked>> {
    let domains: HashMap<String, i64> = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM domains WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, name)| (name, id))
    .collect();
    let members: HashMap<String, (AccountId, String)> = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT a.id, a.login, a.display_name FROM memberships ms
             JOIN accounts a ON a.id = ms.account_id WHERE ms.organization_id = $1",
    )
    .bind(org)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(id, login, name)| (login, (id, name)))
    .collect();
    let candidates: Vec<&str> = rows
        .iter()
        .filter(|r| domains.contains_key(&r.domain))
        .map(|r| r.address.as_str())
        .collect();
    let taken = taken_among(conn, &candidates).await?;
    Ok(rows
        .into_iter()
        .map(|r| check_row(r, &domains, &members, &taken))
        .collect())
}

/// The addresses of `addresses` that are already a mailbox (deleted ones
/// included, as for the form) or an alias anywhere.
async fn taken_among(
    conn: &mut sqlx::AnyConnection,
    addresses: &[&str],
) -> AppResult<HashSet<String>> {
    let mut taken = HashSet::new();
    for chunk in addresses.chunks(LOOKUP_CHUNK) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let marks = marks.join(", ");
        let sql = format!(
            "SELECT address FROM mailboxes WHERE address IN ({marks})
             UNION SELECT address FROM aliases WHERE address IN ({marks})"
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for a in chunk {
            q = q.bind(*a);
        }
        taken.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(taken)
}

/// One row against the organisation: its domain, its address, its users,
/// its targets.
fn check_row(
    r: Row,
    domains: &HashMap<String, i64>,
    members: &HashMap<String, (AccountId, String)>,
    taken: &HashSet<String>,
) -> Checked {
    let line = r.line;
    let mut errors = r.issues;
    let issue = |column: Column, e: ApiError| ImportIssue::of(line, Some(column.name()), e);
    // The database's checks only mean something for a readable row.
    let readable = !r.domain.is_empty();
    let domain = domains.get(&r.domain).copied();
    if readable && domain.is_none() {
        errors.push(issue(
            Column::Address,
            ApiError::new(
                ErrorCode::UnknownDomain,
                format!("{} is not a domain of the organisation.", r.domain),
            )
            .with(|p| p.value = Some(r.domain.clone())),
        ));
    }
    if domain.is_some() && taken.contains(&r.address) {
        errors.push(issue(
            Column::Address,
            ApiError::new(
                ErrorCode::AddressTaken,
                format!("{} already exists.", r.address),
            ),
        ));
    }
    let mut users = Vec::with_capacity(r.users.len());
    let mut grants = Vec::with_capacity(r.users.len());
    for u in &r.users {
        let member = members.get(&u.login);
        if member.is_none() {
            errors.push(issue(
                Column::Users,
                ApiError::new(
                    ErrorCode::UnknownMember,
                    format!(
                        "No member of the organisation signs in as {}; invite them instead.",
                        u.login
                    ),
                )
                .with(|p| p.value = Some(u.login.clone())),
            ));
        }
        users.push(ImportUser {
            login: u.login.clone(),
            account: member.map(|m| m.0),
            permissions: u.permissions,
        });
        if let Some((account, display_name)) = member {
            grants.push(AddressUser {
                account: *account,
                login: u.login.clone(),
                display_name: display_name.clone(),
                permissions: u.permissions,
            });
        }
    }
    let mut invite = Vec::with_capacity(r.invite.len());
    for i in &r.invite {
        let asked = CreateInvitationRequest {
            email: Some(i.login.clone()),
            permissions: i.permissions,
            send_email: true,
            language: None,
        };
        if let Err(e) = invitations::checked(asked) {
            errors.push(issue(Column::Invite, e.0));
        } else if i.login == r.address {
            errors.push(issue(
                Column::Invite,
                ApiError::new(
                    ErrorCode::BadRequest,
                    "Invite a person: this is the mailbox's own address.",
                )
                .with(|p| p.value = Some(i.login.clone())),
            ));
        }
        invite.push(ImportInvite {
            email: i.login.clone(),
            permissions: i.permissions,
        });
    }
    let mut targets = Vec::new();
    if r.kind == Some(AddressKind::Redirect) && !r.redirect_to.is_empty() && readable {
        match clean_targets(&r.address, &r.redirect_to) {
            Ok(t) => targets = t,
            Err(e) => errors.push(issue(Column::RedirectTo, e.0)),
        }
    }
    let new = match (errors.is_empty(), domain, r.kind) {
        (true, Some(domain), Some(kind)) => Some(NewAddress {
            address: r.address.clone(),
            domain,
            display_name: r.display_name.clone(),
            kind,
            users: grants,
            redirect_to: targets,
            catch_all: false,
        }),
        _ => None,
    };
    Checked {
        row: ImportRow {
            line,
            address: r.address,
            display_name: r.display_name,
            kind: r.kind,
            users,
            invite,
            redirect_to: r.redirect_to,
            errors,
        },
        new,
    }
}
