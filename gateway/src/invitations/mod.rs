//! The invitee's side of sharing (R-INV-3): what a link shares, creating
//! an account to accept with, and accepting — the mailbox joins the
//! caller's webmail, in the organisation they pick, with exactly the
//! invitation's permissions. The administrator's side is
//! `crate::admin::invitations`.
//!
//! The token is the only credential of the public routes: an unknown or
//! malformed one is the same 404, so a link reveals nothing but its own
//! invitation; a revoked, used or expired one says which (the invitee
//! should know to ask again).

pub mod email;
pub mod token;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use postern_shared::api::{AccountSummary, GatewaySession, MailboxId, OrganizationId};
use postern_shared::invitations::{
    AcceptInvitationRequest, AcceptedInvitation, GatewaySignUpRequest, InvitationInfo,
    MIN_PASSWORD_CHARS, OrganizationChoice,
};
use postern_shared::permissions::Role;
use postern_shared::{ErrorCode, PermissionSet};

use crate::auth::{Authenticated, CLIENT_IP_HEADER, password, sessions};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// An account as people know it: its display name, else its login.
pub fn shown_name(display_name: String, login: String) -> String {
    if display_name.trim().is_empty() {
        login
    } else {
        display_name
    }
}

/// Longest organisation name a person types.
const MAX_ORG_NAME: usize = 100;
const MAX_DISPLAY_NAME: usize = 200;

/// A usable invitation, as found by its token.
struct Usable {
    id: i64,
    mailbox: MailboxId,
    permissions: PermissionSet,
}

type Row = (i64, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>);

/// The invitation of `token` if it can still be used, else the precise
/// refusal. Works on a pool or inside a transaction.
async fn usable(conn: &mut sqlx::AnyConnection, token: &str, now: i64) -> AppResult<Usable> {
    if !token::valid(token) {
        return Err(AppError::from(ErrorCode::NotFound));
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT i.id, i.mailbox_id, i.permissions, i.expires_at, i.accepted_at, i.revoked_at, m.deleted_at
         FROM invitations i JOIN mailboxes m ON m.id = i.mailbox_id
         WHERE i.token_sha256 = $1",
    )
    .bind(token::digest(token))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, mailbox, bits, expires_at, accepted, revoked, deleted)) = row else {
        return Err(AppError::from(ErrorCode::NotFound));
    };
    if deleted.is_some() {
        return Err(AppError::from(ErrorCode::NotFound));
    }
    if revoked.is_some() {
        return Err(AppError::from(ErrorCode::InvitationRevoked));
    }
    if accepted.is_some() {
        return Err(AppError::from(ErrorCode::InvitationUsed));
    }
    if expires_at <= now {
        return Err(AppError::new(
            ErrorCode::Expired,
            "This invitation has expired: ask for a new one.",
        ));
    }
    Ok(Usable {
        id,
        mailbox,
        permissions: PermissionSet::from_bits(u8::try_from(bits).unwrap_or(0)),
    })
}

/// `GET /v1/public/invitations/{token}`.
pub async fn info(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> AppResult<Json<InvitationInfo>> {
    let mut conn = state.db.acquire().await?;
    let inv = usable(&mut conn, &token, crate::db::now()).await?;
    let (address, display_name, organization, inviter, login, email, expires_at): (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        i64,
    ) = sqlx::query_as(
        "SELECT m.address, m.display_name, o.name, a.display_name, a.login, i.email, i.expires_at
         FROM invitations i JOIN mailboxes m ON m.id = i.mailbox_id
         JOIN organizations o ON o.id = m.organization_id JOIN accounts a ON a.id = i.invited_by
         WHERE i.id = $1",
    )
    .bind(inv.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Json(InvitationInfo {
        address,
        display_name,
        organization,
        invited_by: shown_name(inviter, login),
        permissions: inv.permissions,
        email,
        expires_at,
    }))
}

/// A login as typed, checked: an email address, lower-cased.
fn clean_login(login: &str) -> AppResult<String> {
    let login = login.trim();
    if login.len() > 254 || !crate::send::compose::valid_address(login) {
        return Err(AppError::new(
            ErrorCode::InvalidRecipient,
            "The login must be an email address.",
        )
        .with(|p| p.field = Some("login".into())));
    }
    Ok(login.to_ascii_lowercase())
}

fn clean_name(name: &str, max: usize, field: &str) -> AppResult<String> {
    let name = name.trim();
    if name.chars().count() > max || name.chars().any(char::is_control) {
        return Err(AppError::bad_request(format!(
            "Use at most {max} characters, without control characters."
        ))
        .with(|p| p.field = Some(field.into())));
    }
    Ok(name.to_string())
}

/// `POST /v1/public/invitations/{token}/account`: a new account, signed
/// in. Only while the invitation is usable (no open registration); it is
/// accepted in a second step, once the invitee picks the organisation.
pub async fn sign_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Json(req): Json<GatewaySignUpRequest>,
) -> AppResult<Json<GatewaySession>> {
    let now = crate::db::now();
    {
        let mut conn = state.db.acquire().await?;
        usable(&mut conn, &token, now).await?;
    }
    let login = clean_login(&req.login)?;
    let display_name = clean_name(&req.display_name, MAX_DISPLAY_NAME, "display_name")?;
    let chars = req.password.chars().count();
    if chars < MIN_PASSWORD_CHARS || req.password.len() > 1024 {
        return Err(AppError::bad_request(format!(
            "Choose a password of at least {MIN_PASSWORD_CHARS} characters."
        ))
        .with(|p| {
            p.field = Some("password".into());
            p.limit = Some(MIN_PASSWORD_CHARS as u64);
        }));
    }
    let pw = req.password;
    let phc = tokio::task::spawn_blocking(move || password::hash(&pw))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts (login, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (login) DO NOTHING RETURNING id",
    )
    .bind(&login)
    .bind(&display_name)
    .bind(&phc)
    .bind(now)
    .fetch_optional(&state.db)
    .await?;
    let Some(id) = id else {
        return Err(AppError::from(ErrorCode::LoginTaken).with(|p| p.field = Some("login".into())));
    };
    let client_ip = req.client_ip.or_else(|| {
        headers
            .get(CLIENT_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    let (session_id, expires_at) =
        sessions::create(&state.db, id, client_ip.as_deref(), None, now).await?;
    tracing::info!(account = id, "account created to accept an invitation");
    Ok(Json(GatewaySession {
        session_id,
        expires_at,
        account: AccountSummary {
            id,
            login,
            display_name,
            locale: None,
        },
    }))
}

/// `POST /v1/invitations/{token}/accept`: one transaction — the
/// organisation (picked or new), the grant, the invitation marked used —
/// so a double click or two tabs accept once.
pub async fn accept(
    State(state): State<AppState>,
    who: Authenticated,
    Path(token): Path<String>,
    Json(req): Json<AcceptInvitationRequest>,
) -> AppResult<Json<AcceptedInvitation>> {
    let now = crate::db::now();
    let account = who.account.id;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let inv = usable(&mut tx, &token, now).await?;
    let organization: OrganizationId = match req.organization {
        OrganizationChoice::Existing { id } => {
            let member: Option<i64> = sqlx::query_scalar(
                "SELECT organization_id FROM memberships WHERE account_id = $1 AND organization_id = $2",
            )
            .bind(account)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            member.ok_or_else(|| {
                AppError::new(
                    ErrorCode::Forbidden,
                    "You are not a member of this organisation.",
                )
                .with(|p| p.field = Some("organization".into()))
            })?
        }
        OrganizationChoice::New { name } => {
            let name = clean_name(&name, MAX_ORG_NAME, "organization")?;
            if name.is_empty() {
                return Err(AppError::bad_request("Name the new organisation.")
                    .with(|p| p.field = Some("organization".into())));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organizations (name, offer, created_at) VALUES ($1, 'free', $2) RETURNING id",
            )
            .bind(&name)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO memberships (account_id, organization_id, role) VALUES ($1, $2, $3)",
            )
            .bind(account)
            .bind(id)
            .bind(Role::Owner.as_str())
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    let used = sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_by = $2
         WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(account)
    .bind(inv.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if used == 0 {
        return Err(AppError::from(ErrorCode::InvitationUsed));
    }
    // Exactly the invitation's permissions: an existing grant of the
    // account is replaced, as when an administrator sets them.
    sqlx::query(
        "INSERT INTO grants (account_id, mailbox_id, permissions, granted_by, created_at, shown_in_organization_id)
         SELECT $1, $2, $3, invited_by, $4, $5 FROM invitations WHERE id = $6
         ON CONFLICT (account_id, mailbox_id) DO UPDATE
         SET permissions = excluded.permissions, shown_in_organization_id = excluded.shown_in_organization_id",
    )
    .bind(account)
    .bind(inv.mailbox)
    .bind(i64::from(inv.permissions.bits()))
    .bind(now)
    .bind(organization)
    .bind(inv.id)
    .execute(&mut *tx)
    .await?;
    let address: String = sqlx::query_scalar("SELECT address FROM mailboxes WHERE id = $1")
        .bind(inv.mailbox)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        account,
        mailbox = inv.mailbox,
        invitation = inv.id,
        "invitation accepted"
    );
    Ok(Json(AcceptedInvitation {
        mailbox: inv.mailbox,
        address,
        permissions: inv.permissions,
        organization,
    }))
}
