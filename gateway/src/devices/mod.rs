//! Device passwords (R-DEV): the mailbox settings' Devices tab. Every
//! route needs the grant's `manage_devices` permission; a device id that
//! is not a live password of `{mb}` is 404 `device_not_found` (another
//! mailbox's id included: the grant on `{mb}` was already checked).
//!
//! A password is generated here ([`password`]), answered once and stored
//! as its SHA-256, which Dovecot's SQL passdb compares. Revoking
//! (regenerate, disconnect, disconnect all) is a row change — the next
//! login is refused — followed by cutting that device's live IMAP/POP3
//! sessions ([`dovecot`]).

pub mod dovecot;
pub mod mobileconfig;
pub mod password;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use postern_shared::devices::{
    ClientSettings, CreateDeviceRequest, CreatedDevice, Device, DeviceId, DeviceKind, DevicePerson,
    DisconnectedDevices, LastUse, MAX_DEVICE_NAME_CHARS, MailboxDevices, clean_device_name,
};
use postern_shared::{ErrorCode, Permission};
use std::collections::{HashMap, HashSet};

use crate::config::DevicesConfig;
use crate::db::{Db, now};
use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::state::AppState;

/// The longest expiry accepted: ten years.
const MAX_EXPIRY_SECONDS: i64 = 10 * 366 * 24 * 3600;

/// What the device routes share: the settings clients are told, and
/// Dovecot's sessions.
pub struct Devices {
    pub config: DevicesConfig,
    pub sessions: dovecot::Sessions,
    /// Held while new login lines are read and written to the rows, so a
    /// list that finds no new line still sees another request's writes.
    recording: tokio::sync::Mutex<()>,
}

impl Devices {
    pub fn new(config: DevicesConfig) -> Devices {
        let sessions = dovecot::Sessions::new(
            config.dovecot_conf.clone().map(Into::into),
            config.dovecot_log.clone().map(Into::into),
        );
        Devices {
            config,
            sessions,
            recording: tokio::sync::Mutex::new(()),
        }
    }

    pub fn settings(&self, address: &str) -> ClientSettings {
        ClientSettings {
            username: address.to_string(),
            imap_host: self.config.mail_host.clone(),
            imap_port: self.config.imaps_port,
            smtp_host: self.config.mail_host.clone(),
            submission_port: self.config.submission_port,
            submissions_port: self.config.submissions_port,
        }
    }
}

type Row = (
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const SELECT: &str = "SELECT d.id, d.label, d.kind, d.created_at, d.expires_at, d.last_used_at,
        d.last_used_protocol, d.last_used_ip, o.login, o.display_name, c.login, c.display_name
     FROM device_passwords d
     LEFT JOIN accounts o ON o.id = d.owner_account_id
     LEFT JOIN accounts c ON c.id = d.created_by
     WHERE d.mailbox_id = $1 AND d.revoked_at IS NULL";

fn person(login: Option<String>, name: Option<String>) -> Option<DevicePerson> {
    Some(DevicePerson {
        login: login?,
        display_name: name.unwrap_or_default(),
    })
}

fn device(row: Row, connections: &HashMap<DeviceId, u32>) -> Device {
    let (id, name, kind, created_at, expires_at, used_at, proto, ip, ol, on, cl, cn) = row;
    Device {
        id,
        name,
        kind: DeviceKind::parse(&kind).unwrap_or(DeviceKind::Computer),
        owner: person(ol, on),
        created_by: person(cl, cn),
        created_at,
        expires_at,
        last_used: used_at.map(|at| LastUse {
            at,
            protocol: proto,
            client_ip: ip,
        }),
        connections: connections.get(&id).copied().unwrap_or(0),
    }
}

async fn load(db: &Db, mailbox: i64, id: Option<DeviceId>) -> AppResult<Vec<Row>> {
    Ok(match id {
        Some(id) => {
            sqlx::query_as(&format!("{SELECT} AND d.id = $2"))
                .bind(mailbox)
                .bind(id)
                .fetch_all(db)
                .await?
        }
        None => {
            sqlx::query_as(&format!("{SELECT} ORDER BY d.created_at DESC, d.id DESC"))
                .bind(mailbox)
                .fetch_all(db)
                .await?
        }
    })
}

/// Reads Dovecot's new login lines and writes each device's last use.
pub async fn record_logins(state: &AppState) {
    let _one_at_a_time = state.devices.recording.lock().await;
    let uses = state.devices.sessions.scan().await;
    for (device, u) in uses {
        let res = sqlx::query(
            "UPDATE device_passwords SET last_used_at = $1, last_used_protocol = $2, last_used_ip = $3
             WHERE id = $4 AND (last_used_at IS NULL OR last_used_at <= $1)",
        )
        .bind(u.at)
        .bind(u.protocol)
        .bind(u.client_ip)
        .bind(device)
        .execute(&state.db)
        .await;
        if let Err(e) = res {
            tracing::warn!(error = %e, device, "cannot record a device's last use");
        }
    }
}

/// `GET /v1/mailboxes/{mb}/devices`.
pub async fn list(State(state): State<AppState>, grant: Grant) -> AppResult<Json<MailboxDevices>> {
    grant.require(Permission::ManageDevices)?;
    record_logins(&state).await;
    let connections = state.devices.sessions.connections(&grant.address).await;
    let rows = load(&state.db, grant.mailbox_id, None).await?;
    Ok(Json(MailboxDevices {
        mailbox_id: grant.mailbox_id,
        devices: rows.into_iter().map(|r| device(r, &connections)).collect(),
        settings: state.devices.settings(&grant.address),
    }))
}

fn checked(req: &CreateDeviceRequest, at: i64) -> AppResult<String> {
    let name = clean_device_name(&req.name).ok_or_else(|| {
        AppError::from(ErrorCode::InvalidDeviceName).with(|p| {
            p.field = Some("name".into());
            p.limit = Some(MAX_DEVICE_NAME_CHARS as u64);
        })
    })?;
    if let Some(exp) = req.expires_at
        && (exp <= at || exp > at + MAX_EXPIRY_SECONDS)
    {
        return Err(
            AppError::from(ErrorCode::InvalidExpiry).with(|p| p.field = Some("expires_at".into()))
        );
    }
    Ok(name)
}

/// `POST /v1/mailboxes/{mb}/devices`: 201 with the password, once.
pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<CreateDeviceRequest>,
) -> AppResult<(StatusCode, Json<CreatedDevice>)> {
    grant.require(Permission::ManageDevices)?;
    let at = now();
    let name = checked(&req, at)?;
    let password = password::generate();
    let me = grant.account.account.id;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO device_passwords
            (mailbox_id, username, label, pw_sha256, created_by, owner_account_id, created_at, kind, expires_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id",
    )
    .bind(grant.mailbox_id)
    .bind(&grant.address)
    .bind(&name)
    .bind(password::digest(&password))
    .bind(me)
    .bind(at)
    .bind(req.kind.as_str())
    .bind(req.expires_at)
    .fetch_one(&state.db)
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(with_password(&state, &grant, id, password).await?),
    ))
}

/// The answer that shows a device's new password, the only time it is
/// shown, with the settings to type beside it.
async fn with_password(
    state: &AppState,
    grant: &Grant,
    id: DeviceId,
    password: String,
) -> AppResult<CreatedDevice> {
    let row = load(&state.db, grant.mailbox_id, Some(id))
        .await?
        .pop()
        .ok_or(AppError::from(ErrorCode::DeviceNotFound))?;
    Ok(CreatedDevice {
        device: device(row, &HashMap::new()),
        password,
        settings: state.devices.settings(&grant.address),
    })
}

/// `POST /v1/mailboxes/{mb}/devices/{device}/regenerate`: the row keeps its
/// id, name and history; its hash changes, so the old password is refused
/// at the next login, and the sessions it opened are cut.
pub async fn regenerate(
    State(state): State<AppState>,
    grant: Grant,
    Path((_, id)): Path<(i64, DeviceId)>,
) -> AppResult<Json<CreatedDevice>> {
    grant.require(Permission::ManageDevices)?;
    let password = password::generate();
    let done = sqlx::query(
        "UPDATE device_passwords SET pw_sha256 = $1
         WHERE id = $2 AND mailbox_id = $3 AND revoked_at IS NULL",
    )
    .bind(password::digest(&password))
    .bind(id)
    .bind(grant.mailbox_id)
    .execute(&state.db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ErrorCode::DeviceNotFound.into());
    }
    cut(&state, &grant.address, &HashSet::from([id])).await;
    Ok(Json(with_password(&state, &grant, id, password).await?))
}

/// `DELETE /v1/mailboxes/{mb}/devices/{device}`: revoked (the row stays,
/// for the logs), its sessions cut, gone from the list.
pub async fn delete(
    State(state): State<AppState>,
    grant: Grant,
    Path((_, id)): Path<(i64, DeviceId)>,
) -> AppResult<StatusCode> {
    grant.require(Permission::ManageDevices)?;
    let done = sqlx::query(
        "UPDATE device_passwords SET revoked_at = $1
         WHERE id = $2 AND mailbox_id = $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .bind(grant.mailbox_id)
    .execute(&state.db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(ErrorCode::DeviceNotFound.into());
    }
    cut(&state, &grant.address, &HashSet::from([id])).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/mailboxes/{mb}/devices/disconnect-all` (R-DEV-3): every
/// device password of the mailbox revoked, every session opened with one
/// cut. The gateway's own (master-user) sessions and the portal session
/// are untouched.
pub async fn disconnect_all(
    State(state): State<AppState>,
    grant: Grant,
) -> AppResult<Json<DisconnectedDevices>> {
    grant.require(Permission::ManageDevices)?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE device_passwords SET revoked_at = $1
         WHERE mailbox_id = $2 AND revoked_at IS NULL RETURNING id",
    )
    .bind(now())
    .bind(grant.mailbox_id)
    .fetch_all(&state.db)
    .await?;
    // Sessions of passwords revoked earlier are cut too: any device's.
    let all: HashSet<DeviceId> =
        sqlx::query_scalar("SELECT id FROM device_passwords WHERE mailbox_id = $1")
            .bind(grant.mailbox_id)
            .fetch_all(&state.db)
            .await?
            .into_iter()
            .collect();
    cut(&state, &grant.address, &all).await;
    Ok(Json(DisconnectedDevices {
        count: ids.len() as u32,
    }))
}

/// `GET /v1/mailboxes/{mb}/devices/{device}/profile.mobileconfig` (R-DEV-7).
pub async fn profile(
    State(state): State<AppState>,
    grant: Grant,
    Path((_, id)): Path<(i64, DeviceId)>,
) -> AppResult<Response> {
    grant.require(Permission::ManageDevices)?;
    let row = load(&state.db, grant.mailbox_id, Some(id))
        .await?
        .pop()
        .ok_or(AppError::from(ErrorCode::DeviceNotFound))?;
    let display: Option<String> =
        sqlx::query_scalar("SELECT display_name FROM mailboxes WHERE id = $1")
            .bind(grant.mailbox_id)
            .fetch_optional(&state.db)
            .await?;
    let d = device(row, &HashMap::new());
    let body = mobileconfig::profile(&mobileconfig::Profile {
        device_id: d.id,
        device_name: &d.name,
        display_name: display.as_deref().unwrap_or(""),
        settings: &state.devices.settings(&grant.address),
    });
    let name = format!("{}.mobileconfig", grant.address);
    Ok((
        [
            (header::CONTENT_TYPE, mobileconfig::CONTENT_TYPE.to_string()),
            (
                header::HeaderName::from_static(postern_shared::wire::headers::FILENAME),
                postern_shared::wire::filename::encode_header(&name),
            ),
        ],
        body,
    )
        .into_response())
}

/// Ends the live sessions of `devices` of `user` and flushes Dovecot's
/// auth cache; a failure is logged (the password is already refused).
///
/// Twice, a moment apart: a login that was being accepted while the
/// password was revoked has its log line (and its process) by then.
async fn cut(state: &AppState, user: &str, devices: &HashSet<DeviceId>) {
    let sessions = &state.devices.sessions;
    if !sessions.can_cut() {
        return;
    }
    sessions.flush_auth_cache(user).await;
    let mut n = 0;
    for round in 0..2 {
        if round > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        record_logins(state).await;
        n += sessions.kill(user, devices).await;
    }
    if n > 0 {
        tracing::info!(user, sessions = n, "device sessions cut");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, expires_at: Option<i64>) -> CreateDeviceRequest {
        CreateDeviceRequest {
            name: name.into(),
            kind: DeviceKind::Phone,
            expires_at,
        }
    }

    #[test]
    fn names_and_expiry_are_checked_with_typed_errors() {
        assert_eq!(checked(&req(" Phone ", None), 100).unwrap(), "Phone");
        let e = checked(&req("", None), 100).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidDeviceName);
        assert_eq!(e.0.params.field.as_deref(), Some("name"));
        assert_eq!(
            checked(&req("x", Some(100)), 100).unwrap_err().code(),
            ErrorCode::InvalidExpiry
        );
        assert!(checked(&req("x", Some(101)), 100).is_ok());
        assert_eq!(
            checked(&req("x", Some(100 + MAX_EXPIRY_SECONDS + 1)), 100)
                .unwrap_err()
                .code(),
            ErrorCode::InvalidExpiry
        );
    }
}
