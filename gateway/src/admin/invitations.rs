//! The administrator's side of sharing (R-INV-1, -2, -4): a mailbox's
//! users tab, creating an invitation (optionally emailed) and revoking
//! one. The invitee's side — the link's page, sign-up, acceptance — is
//! `crate::invitations`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postern_shared::ErrorCode;
use postern_shared::admin::AddressKind;
use postern_shared::api::MailboxId;
use postern_shared::invitations::{
    CreateInvitationRequest, CreatedInvitation, INVITATION_DAYS, InviteBlock, MailboxUsers,
    PendingInvitation, invitation_path,
};
use postern_shared::permissions::Action;
use postern_shared::{ApiError, PermissionSet};

use super::access::OrgAccess;
use super::addresses::{lock_address, own_address, table};
use crate::error::{AppError, AppResult};
use crate::invitations::{email, shown_name, token};
use crate::state::AppState;

/// Most pending invitations of one mailbox (a runaway script, not a team).
pub const MAX_PENDING: i64 = 200;

pub async fn users_tab(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr)): Path<(i64, i64)>,
) -> AppResult<Json<MailboxUsers>> {
    let mut conn = state.db.acquire().await?;
    let (_, kind) = own_address(&mut conn, access.organization, addr).await?;
    let invite_blocked = if kind == AddressKind::Mailbox {
        invite_block(&mut conn, &access, addr).await?
    } else {
        None
    };
    let invitations = pending(&mut conn, addr).await?;
    drop(conn);
    let whole = table(&state.db, &access).await?;
    let mailbox = whole
        .addresses
        .into_iter()
        .find(|r| r.id == addr)
        .ok_or(AppError::from(ErrorCode::Forbidden))?;
    Ok(Json(MailboxUsers {
        mailbox,
        invitations,
        role: access.role,
        allowed: access.allowed(),
        invite_blocked,
        members: whole.members,
    }))
}

/// R-INV-4, in the order a person should hear about it.
pub(super) async fn invite_block(
    conn: &mut sqlx::AnyConnection,
    access: &OrgAccess,
    addr: MailboxId,
) -> AppResult<Option<InviteBlock>> {
    if !access.role.may(Action::ManageAccess) {
        return Ok(Some(InviteBlock::NoPermission));
    }
    // The address is someone's login (an account that belongs to an
    // organisation): a personal address, not a mailbox to share.
    let is_login: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM accounts a JOIN mailboxes m ON m.address = a.login
         WHERE m.id = $1 AND EXISTS (SELECT 1 FROM memberships ms WHERE ms.account_id = a.id)",
    )
    .bind(addr)
    .fetch_optional(&mut *conn)
    .await?;
    if is_login.is_some() {
        return Ok(Some(InviteBlock::AddressIsLogin));
    }
    // A user of the mailbox whose own address is one of the mailbox's.
    let user_has: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM grants g JOIN accounts a ON a.id = g.account_id
         WHERE g.mailbox_id = $1 AND g.permissions <> 0
           AND (a.login IN (SELECT address FROM mailboxes WHERE id = $1)
                OR a.login IN (SELECT address FROM aliases WHERE mailbox_id = $1))",
    )
    .bind(addr)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(user_has.map(|_| InviteBlock::UserHasAddress))
}

pub(super) fn refusal(block: InviteBlock) -> AppError {
    match block {
        InviteBlock::NoPermission => {
            AppError::new(ErrorCode::Forbidden, Action::ManageAccess.refusal())
        }
        b => AppError::new(ErrorCode::InviteImpossible, b.message())
            .with(|p| p.reason = Some(b.as_str().into())),
    }
}

/// id, email, permissions, inviter's name and login, created, expires, emailed.
type PendingRow = (i64, Option<String>, i64, String, String, i64, i64, i64);

/// Pending invitations of a mailbox, newest first.
async fn pending(
    conn: &mut sqlx::AnyConnection,
    addr: MailboxId,
) -> AppResult<Vec<PendingInvitation>> {
    let rows: Vec<PendingRow> = sqlx::query_as(
        "SELECT i.id, i.email, i.permissions, a.display_name, a.login, i.created_at, i.expires_at, i.emailed
         FROM invitations i JOIN accounts a ON a.id = i.invited_by
         WHERE i.mailbox_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2
         ORDER BY i.created_at DESC, i.id DESC",
    )
    .bind(addr)
    .bind(crate::db::now())
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, email, bits, name, login, created_at, expires_at, emailed)| PendingInvitation {
                id,
                email,
                permissions: PermissionSet::from_bits(u8::try_from(bits).unwrap_or(0)),
                invited_by: shown_name(name, login),
                created_at,
                expires_at,
                emailed: emailed != 0,
            },
        )
        .collect())
}

pub async fn create(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr)): Path<(i64, i64)>,
    Json(req): Json<CreateInvitationRequest>,
) -> AppResult<(StatusCode, Json<CreatedInvitation>)> {
    access.require(Action::ManageAccess)?;
    let new = checked(req)?;
    let now = crate::db::now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    lock_address(&mut tx, crate::db::backend(&state.db), addr).await?;
    let (address, kind) = own_address(&mut tx, access.organization, addr).await?;
    if kind != AddressKind::Mailbox {
        return Err(AppError::bad_request(
            "Only a mailbox has users; this address stores no mail.",
        ));
    }
    if let Some(block) = invite_block(&mut tx, &access, addr).await? {
        return Err(refusal(block));
    }
    let issued = write(&mut tx, &access, addr, &address, new, now).await?;
    tx.commit().await?;
    let created = hand_out(&state, &access, &address, issued).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// An invitation as asked, its own rules checked (what needs the database
/// is [`write`]'s).
pub(super) struct NewInvitation {
    email: Option<String>,
    permissions: PermissionSet,
    send_email: bool,
    language: Option<String>,
}

/// At least one permission; the email, when given, a valid address
/// (lower-cased); required to email the link.
pub(super) fn checked(req: CreateInvitationRequest) -> AppResult<NewInvitation> {
    if req.permissions.is_empty() {
        return Err(
            AppError::bad_request("Give the invitation at least one permission.")
                .with(|p| p.field = Some("permissions".into())),
        );
    }
    let email = match req
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(e) if e.len() <= 254 && crate::send::compose::valid_address(e) => {
            Some(e.to_ascii_lowercase())
        }
        Some(e) => {
            return Err(AppError::new(
                ErrorCode::InvalidRecipient,
                format!(
                    "\"{}\" is not a valid email address.",
                    crate::send::mime::one_line(e)
                ),
            )
            .with(|p| {
                p.field = Some("email".into());
                p.value = Some(crate::send::mime::one_line(e));
            }));
        }
        None if req.send_email => {
            return Err(
                AppError::bad_request("Give the address to email the invitation to.")
                    .with(|p| p.field = Some("email".into())),
            );
        }
        None => None,
    };
    Ok(NewInvitation {
        email,
        permissions: req.permissions,
        send_email: req.send_email,
        language: req.language,
    })
}

/// An invitation written, not yet handed out: its token exists only here.
pub(super) struct Issued {
    id: i64,
    mailbox: MailboxId,
    token: String,
    expires_at: i64,
    created_at: i64,
    new: NewInvitation,
}

/// Writes one invitation to mailbox `addr` (`address`) in `conn`'s
/// transaction, the R-INV-4 checks already made by the caller.
pub(super) async fn write(
    conn: &mut sqlx::AnyConnection,
    access: &OrgAccess,
    addr: MailboxId,
    address: &str,
    new: NewInvitation,
    now: i64,
) -> AppResult<Issued> {
    if new.email.as_deref() == Some(address) {
        return Err(
            AppError::bad_request("Invite a person: this is the mailbox's own address.")
                .with(|p| p.field = Some("email".into())),
        );
    }
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations
         WHERE mailbox_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(addr)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    if open >= MAX_PENDING {
        return Err(AppError::bad_request(format!(
            "This mailbox has {open} pending invitations; revoke some first."
        )));
    }
    let token = token::new();
    let expires_at = now + INVITATION_DAYS * 86_400;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invitations (mailbox_id, token_sha256, email, permissions, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(addr)
    .bind(token::digest(&token))
    .bind(new.email.as_deref())
    .bind(i64::from(new.permissions.bits()))
    .bind(access.account.account.id)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    tracing::info!(
        mailbox = addr,
        invitation = id,
        by = access.account.account.id,
        "invitation created"
    );
    Ok(Issued {
        id,
        mailbox: addr,
        token,
        expires_at,
        created_at: now,
        new,
    })
}

/// After the commit: the link, and the email when asked. A failed email
/// leaves the invitation standing (its link is shown to copy instead).
pub(super) async fn hand_out(
    state: &AppState,
    access: &OrgAccess,
    address: &str,
    issued: Issued,
) -> AppResult<CreatedInvitation> {
    let Issued {
        id,
        mailbox,
        token,
        expires_at,
        created_at,
        new,
    } = issued;
    let link = format!(
        "{}{}",
        state.sending.public_url.trim_end_matches('/'),
        invitation_path(&token)
    );
    let inviter = &access.account.account;
    let inviter_name = shown_name(inviter.display_name.clone(), inviter.login.clone());
    let mut emailed = false;
    let mut email_error: Option<ApiError> = None;
    if let (Some(to), true) = (&new.email, new.send_email) {
        let letter = email::Letter {
            purpose: email::Purpose::Share,
            language: email::Language::pick(new.language.as_deref()),
            inviter: inviter_name.clone(),
            mailbox: address.to_string(),
            to: to.clone(),
            link: link.clone(),
            expires_at,
        };
        match email::send(state, mailbox, &letter).await {
            Ok(()) => {
                emailed = true;
                // The letter is gone and the invitation exists: failing to
                // note that it was emailed must not answer 500 (the inviter
                // would retry and send a second letter); the list then just
                // does not say "emailed".
                if let Err(e) = sqlx::query("UPDATE invitations SET emailed = 1 WHERE id = $1")
                    .bind(id)
                    .execute(&state.db)
                    .await
                {
                    tracing::warn!(invitation = id, error = %e, "invitation emailed, but not noted so");
                }
            }
            Err(e) => {
                tracing::warn!(invitation = id, code = %e.code, message = e.message, "invitation email not sent");
                email_error = Some(e);
            }
        }
    }
    Ok(CreatedInvitation {
        invitation: PendingInvitation {
            id,
            email: new.email,
            permissions: new.permissions,
            invited_by: inviter_name,
            created_at,
            expires_at,
            emailed,
        },
        link,
        email_error,
    })
}

pub async fn revoke(
    State(state): State<AppState>,
    access: OrgAccess,
    Path((_org, addr, id)): Path<(i64, i64, i64)>,
) -> AppResult<StatusCode> {
    access.require(Action::ManageAccess)?;
    let mut tx = crate::db::begin_write(&state.db).await?;
    own_address(&mut tx, access.organization, addr).await?;
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1
         WHERE id = $2 AND mailbox_id = $3 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(crate::db::now())
    .bind(id)
    .bind(addr)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if done == 0 {
        return Err(AppError::new(
            ErrorCode::NotFound,
            "No pending invitation with this id on this mailbox.",
        ));
    }
    tracing::info!(mailbox = addr, invitation = id, "invitation revoked");
    Ok(StatusCode::NO_CONTENT)
}
