//! Device-setup invitations (R-DEV-4): someone with "manage devices" on a
//! mailbox sends one of its users (a member of its organisation) a link,
//! valid 30 days, single use, through which that user — signed in as
//! themselves — makes a password for their own device (owner = the
//! invitee, creator = the inviter), shown once like the Devices tab's.
//!
//! The link carries a 256-bit token; the row keeps its SHA-256
//! (`crate::invitations::token`), found by an index lookup, so no secret is
//! compared byte by byte and a copy of the database opens nothing. An
//! unknown or malformed token, or one of a deleted mailbox, is 404
//! `device_setup_not_found`; used, expired and revoked links are 410 with
//! their own codes; another signed-in account is 403
//! `device_setup_wrong_account` naming whose link it is.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use postern_shared::devices::{
    CreateDeviceRequest, CreateDeviceSetupRequest, CreatedDevice, CreatedDeviceSetup,
    DEVICE_SETUP_DAYS, DevicePerson, DeviceSetupId, DeviceSetupInfo, DeviceSetupInvitation,
    SetupInvitee, device_setup_path,
};
use postern_shared::{ApiError, ErrorCode, Permission};

use crate::auth::Authenticated;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::invitations::{email, token};
use crate::state::AppState;

/// Pending links per mailbox, at most.
const MAX_PENDING: i64 = 200;

fn person(login: String, display_name: String) -> DevicePerson {
    DevicePerson {
        login,
        display_name,
    }
}

type PendingRow = (i64, String, String, String, String, i64, i64, i64);

/// The pending device-setup invitations of `mailbox`, newest first.
pub async fn pending(db: &Db, mailbox: i64) -> AppResult<Vec<DeviceSetupInvitation>> {
    let rows: Vec<PendingRow> = sqlx::query_as(
        "SELECT s.id, i.login, i.display_name, b.login, b.display_name, s.created_at, s.expires_at, s.emailed
         FROM device_setup_invitations s
         JOIN accounts i ON i.id = s.invitee_account_id
         JOIN accounts b ON b.id = s.invited_by
         WHERE s.mailbox_id = $1 AND s.used_at IS NULL AND s.revoked_at IS NULL AND s.expires_at > $2
         ORDER BY s.created_at DESC, s.id DESC",
    )
    .bind(mailbox)
    .bind(now())
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, il, iname, bl, bname, created_at, expires_at, emailed)| DeviceSetupInvitation {
                id,
                invitee: person(il, iname),
                invited_by: person(bl, bname),
                created_at,
                expires_at,
                emailed: emailed != 0,
            },
        )
        .collect())
}

const INVITEES: &str = "SELECT a.id, a.login, a.display_name FROM grants g
     JOIN accounts a ON a.id = g.account_id
     JOIN mailboxes m ON m.id = g.mailbox_id
     JOIN memberships s ON s.account_id = a.id AND s.organization_id = m.organization_id
     WHERE g.mailbox_id = $1 AND m.deleted_at IS NULL";

/// Who may be sent a link: the mailbox's users who are members of its
/// organisation.
pub async fn invitees(db: &Db, mailbox: i64) -> AppResult<Vec<SetupInvitee>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!("{INVITEES} ORDER BY a.login"))
        .bind(mailbox)
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(account, login, display_name)| SetupInvitee {
            account,
            login,
            display_name,
        })
        .collect())
}

/// Whether `account` is (still) one of [`invitees`].
async fn is_invitee(
    conn: &mut sqlx::AnyConnection,
    mailbox: i64,
    account: i64,
) -> AppResult<Option<(String, String)>> {
    Ok(sqlx::query_as(&format!("{INVITEES} AND a.id = $2"))
        .bind(mailbox)
        .bind(account)
        .fetch_optional(&mut *conn)
        .await?
        .map(|(_, l, n): (i64, String, String)| (l, n)))
}

/// `POST /v1/mailboxes/{mb}/devices/setup-invitations`: 201 with the link,
/// the only time it is sent; emailed to the invitee's login on request
/// (as the mailbox, like sharing invitations; a failed email leaves the
/// link standing and says why).
pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<CreateDeviceSetupRequest>,
) -> AppResult<(StatusCode, Json<CreatedDeviceSetup>)> {
    grant.require(Permission::ManageDevices)?;
    let at = now();
    let mut tx = crate::db::begin_write(&state.db).await?;
    let Some((login, display_name)) = is_invitee(&mut tx, grant.mailbox_id, req.account).await?
    else {
        return Err(AppError::from(ErrorCode::SetupInviteeInvalid)
            .with(|p| p.field = Some("account".into())));
    };
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM device_setup_invitations
         WHERE mailbox_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
    )
    .bind(grant.mailbox_id)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    if open >= MAX_PENDING {
        return Err(AppError::bad_request(format!(
            "This mailbox has {open} pending device-setup links; revoke some first."
        )));
    }
    let secret = token::new();
    let expires_at = at + DEVICE_SETUP_DAYS * 86_400;
    let inviter = &grant.account.account;
    let id: DeviceSetupId = sqlx::query_scalar(
        "INSERT INTO device_setup_invitations
            (mailbox_id, token_sha256, invitee_account_id, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(grant.mailbox_id)
    .bind(token::digest(&secret))
    .bind(req.account)
    .bind(inviter.id)
    .bind(at)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        mailbox = grant.mailbox_id,
        setup = id,
        by = inviter.id,
        "device-setup invitation created"
    );
    let link = format!(
        "{}{}",
        state.sending.public_url.trim_end_matches('/'),
        device_setup_path(&secret)
    );
    let mut emailed = false;
    let mut email_error: Option<ApiError> = None;
    if req.send_email {
        let letter = email::Letter {
            purpose: email::Purpose::DeviceSetup {
                login: login.clone(),
            },
            language: email::Language::pick(req.language.as_deref()),
            inviter: crate::invitations::shown_name(
                inviter.display_name.clone(),
                inviter.login.clone(),
            ),
            mailbox: grant.address.clone(),
            to: login.clone(),
            link: link.clone(),
            expires_at,
        };
        match email::send(&state, grant.mailbox_id, &letter).await {
            Ok(()) => {
                emailed = true;
                sqlx::query("UPDATE device_setup_invitations SET emailed = 1 WHERE id = $1")
                    .bind(id)
                    .execute(&state.db)
                    .await?;
            }
            Err(e) => {
                tracing::warn!(setup = id, code = %e.code, message = e.message, "device-setup email not sent");
                email_error = Some(e);
            }
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(CreatedDeviceSetup {
            invitation: DeviceSetupInvitation {
                id,
                invitee: person(login, display_name),
                invited_by: person(inviter.login.clone(), inviter.display_name.clone()),
                created_at: at,
                expires_at,
                emailed,
            },
            link,
            email_error,
        }),
    ))
}

/// `DELETE /v1/mailboxes/{mb}/devices/setup-invitations/{invitation}`:
/// the link stops working at once. Not a pending link of `{mb}` (unknown,
/// used, revoked, another mailbox's): 404.
pub async fn revoke(
    State(state): State<AppState>,
    grant: Grant,
    Path((_, id)): Path<(i64, DeviceSetupId)>,
) -> AppResult<StatusCode> {
    grant.require(Permission::ManageDevices)?;
    let done = sqlx::query(
        "UPDATE device_setup_invitations SET revoked_at = $1
         WHERE id = $2 AND mailbox_id = $3 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .bind(grant.mailbox_id)
    .execute(&state.db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ErrorCode::DeviceSetupNotFound.into());
    }
    tracing::info!(
        mailbox = grant.mailbox_id,
        setup = id,
        "device-setup invitation revoked"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// A link that can be used by the caller.
struct Usable {
    id: DeviceSetupId,
    mailbox: i64,
    address: String,
    display_name: String,
    invited_by: i64,
    expires_at: i64,
}

type Found = (
    i64,
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
);

/// The link of `secret` if `caller` can use it now, else the precise
/// refusal: the link's state first (it is the same for anyone holding
/// it), then whose it is, then whether its user still has the mailbox.
async fn usable(
    conn: &mut sqlx::AnyConnection,
    secret: &str,
    caller: i64,
    at: i64,
) -> AppResult<Usable> {
    if !token::valid(secret) {
        return Err(ErrorCode::DeviceSetupNotFound.into());
    }
    let row: Option<Found> = sqlx::query_as(
        "SELECT s.id, s.mailbox_id, m.address, m.display_name, s.invitee_account_id, s.invited_by,
                s.expires_at, s.used_at, s.revoked_at, m.deleted_at, a.login
         FROM device_setup_invitations s
         JOIN mailboxes m ON m.id = s.mailbox_id
         JOIN accounts a ON a.id = s.invitee_account_id
         WHERE s.token_sha256 = $1",
    )
    .bind(token::digest(secret))
    .fetch_optional(&mut *conn)
    .await?;
    let Some((
        id,
        mailbox,
        address,
        display_name,
        invitee,
        invited_by,
        expires_at,
        used,
        revoked,
        deleted,
        login,
    )) = row
    else {
        return Err(ErrorCode::DeviceSetupNotFound.into());
    };
    if deleted.is_some() {
        return Err(ErrorCode::DeviceSetupNotFound.into());
    }
    if revoked.is_some() {
        return Err(ErrorCode::DeviceSetupRevoked.into());
    }
    if used.is_some() {
        return Err(ErrorCode::DeviceSetupUsed.into());
    }
    if expires_at <= at {
        return Err(ErrorCode::DeviceSetupExpired.into());
    }
    if invitee != caller {
        return Err(
            AppError::from(ErrorCode::DeviceSetupWrongAccount).with(|p| p.value = Some(login))
        );
    }
    if is_invitee(conn, mailbox, caller).await?.is_none() {
        // The user lost the mailbox (or left the organisation) since.
        return Err(ErrorCode::DeviceSetupRevoked.into());
    }
    Ok(Usable {
        id,
        mailbox,
        address,
        display_name,
        invited_by,
        expires_at,
    })
}

/// `GET /v1/device-setup/{token}`: what the link's page shows its user.
pub async fn info(
    State(state): State<AppState>,
    who: Authenticated,
    Path(secret): Path<String>,
) -> AppResult<Json<DeviceSetupInfo>> {
    let mut conn = state.db.acquire().await?;
    let u = usable(&mut conn, &secret, who.account.id, now()).await?;
    let (login, name): (String, String) =
        sqlx::query_as("SELECT login, display_name FROM accounts WHERE id = $1")
            .bind(u.invited_by)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Json(DeviceSetupInfo {
        address: u.address,
        display_name: u.display_name,
        invited_by: person(login, name),
        expires_at: u.expires_at,
    }))
}

/// `POST /v1/device-setup/{token}`: the invitee's own device password, in
/// one write transaction with the link marked used (compare-and-set, so
/// two tabs make one password).
pub async fn redeem(
    State(state): State<AppState>,
    who: Authenticated,
    Path(secret): Path<String>,
    Json(req): Json<CreateDeviceRequest>,
) -> AppResult<(StatusCode, Json<CreatedDevice>)> {
    let at = now();
    let me = who.account.id;
    let mut tx = crate::db::begin_write(&state.db).await?;
    let u = usable(&mut tx, &secret, me, at).await?;
    let c = super::checked(&req, at)?;
    let claimed = sqlx::query(
        "UPDATE device_setup_invitations SET used_at = $1
         WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(u.id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Err(ErrorCode::DeviceSetupUsed.into());
    }
    let password = super::password::generate();
    let new = super::NewDevice {
        mailbox: u.mailbox,
        address: &u.address,
        owner: me,
        creator: u.invited_by,
        at,
    };
    let device = super::insert(&mut tx, &new, &req, &c, &password).await?;
    sqlx::query("UPDATE device_setup_invitations SET device_id = $1 WHERE id = $2")
        .bind(device)
        .bind(u.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        mailbox = u.mailbox,
        setup = u.id,
        device,
        "device password made through a setup link"
    );
    Ok((
        StatusCode::CREATED,
        Json(super::with_password(&state, u.mailbox, &u.address, device, password).await?),
    ))
}
