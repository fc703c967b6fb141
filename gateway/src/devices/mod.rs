//! Device passwords (R-DEV): the mailbox settings' Devices tab. Every
//! route needs the grant's `manage_devices` permission (but
//! [`mail_program_settings`], "Connect a mail program", which any user of
//! the mailbox may read; the setup link's own routes are in [`setup`]); a
//! device id that is not a live password of `{mb}` is 404
//! `device_not_found` (another mailbox's id included: the grant on `{mb}`
//! was already checked).
//!
//! A password is generated here ([`password`]), answered once and stored
//! as its SHA-256, which Dovecot's SQL passdb compares. Revoking
//! (regenerate, disconnect, disconnect all) is a row change — the next
//! login is refused — followed by cutting that device's live IMAP/POP3
//! sessions ([`dovecot`]).

pub mod dovecot;
pub mod mobileconfig;
pub mod password;
pub mod setup;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use postern_shared::devices::{
    ClientSettings, CreateDeviceRequest, CreatedDevice, Device, DeviceId, DeviceKind, DevicePerson,
    DeviceProtocol, DisconnectedDevices, LastUse, MAX_DEVICE_NAME_CHARS, MailProgramSettings,
    MailboxDevices, RECENT_CONNECTIONS, clean_device_name, clean_protocols,
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
            imap_starttls_port: self.config.imap_port,
            smtp_host: self.config.mail_host.clone(),
            submission_port: self.config.submission_port,
            submissions_port: self.config.submissions_port,
            pop3_host: self.config.mail_host.clone(),
            pop3s_port: self.config.pop3s_port,
            pop3_port: self.config.pop3_port,
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
    (i64, i64, i64),
);

/// A row of the list as read: the columns, then the scope (`allow_*`).
type RawRow = (
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
    i64,
    i64,
    i64,
);

const SELECT: &str = "SELECT d.id, d.label, d.kind, d.created_at, d.expires_at, d.last_used_at,
        d.last_used_protocol, d.last_used_ip, o.login, o.display_name, c.login, c.display_name,
        d.allow_imap, d.allow_pop3, d.allow_smtp
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

fn row(r: RawRow) -> Row {
    let (a, b, c, d, e, f, g, h, i, j, k, l, imap, pop3, smtp) = r;
    (a, b, c, d, e, f, g, h, i, j, k, l, (imap, pop3, smtp))
}

/// The scope as the `allow_*` columns hold it.
fn scope_columns(p: &[DeviceProtocol]) -> (i64, i64, i64) {
    let has = |x| i64::from(p.contains(&x));
    (
        has(DeviceProtocol::Imap),
        has(DeviceProtocol::Pop3),
        has(DeviceProtocol::Smtp),
    )
}

fn scope_of((imap, pop3, smtp): (i64, i64, i64)) -> Vec<DeviceProtocol> {
    [
        (imap, DeviceProtocol::Imap),
        (pop3, DeviceProtocol::Pop3),
        (smtp, DeviceProtocol::Smtp),
    ]
    .into_iter()
    .filter(|(on, _)| *on != 0)
    .map(|(_, p)| p)
    .collect()
}

fn device(
    row: Row,
    connections: &HashMap<DeviceId, u32>,
    recent: &mut HashMap<DeviceId, Vec<LastUse>>,
) -> Device {
    let (id, name, kind, created_at, expires_at, used_at, proto, ip, ol, on, cl, cn, scope) = row;
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
        protocols: scope_of(scope),
        recent: recent.remove(&id).unwrap_or_default(),
    }
}

/// The recent logins of the live devices of `mailbox`, newest first.
async fn recent_logins(db: &Db, mailbox: i64) -> AppResult<HashMap<DeviceId, Vec<LastUse>>> {
    let rows: Vec<(i64, i64, String, Option<String>)> = sqlx::query_as(
        "SELECT l.device_id, l.at, l.protocol, l.client_ip FROM device_logins l
         JOIN device_passwords d ON d.id = l.device_id
         WHERE d.mailbox_id = $1 AND d.revoked_at IS NULL
         ORDER BY l.at DESC, l.id DESC",
    )
    .bind(mailbox)
    .fetch_all(db)
    .await?;
    let mut out: HashMap<DeviceId, Vec<LastUse>> = HashMap::new();
    for (device, at, protocol, client_ip) in rows {
        let list = out.entry(device).or_default();
        if list.len() < RECENT_CONNECTIONS {
            list.push(LastUse {
                at,
                protocol: Some(protocol),
                client_ip,
            });
        }
    }
    Ok(out)
}

async fn load(db: &Db, mailbox: i64, id: Option<DeviceId>) -> AppResult<Vec<Row>> {
    let rows: Vec<RawRow> = match id {
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
    };
    Ok(rows.into_iter().map(row).collect())
}

/// Reads Dovecot's new login lines and writes each device's last use and
/// its recent connections (the newest [`RECENT_CONNECTIONS`] kept).
pub async fn record_logins(state: &AppState) {
    let _one_at_a_time = state.devices.recording.lock().await;
    let logins = state.devices.sessions.scan().await;
    if logins.is_empty() {
        return;
    }
    if let Err(e) = write_logins(&state.db, &logins).await {
        tracing::warn!(error = %e, "cannot record devices' logins");
    }
}

async fn write_logins(db: &Db, logins: &[dovecot::Login]) -> Result<(), sqlx::Error> {
    for (device, u) in dovecot::newest_uses(logins) {
        sqlx::query(
            "UPDATE device_passwords SET last_used_at = $1, last_used_protocol = $2, last_used_ip = $3
             WHERE id = $4 AND (last_used_at IS NULL OR last_used_at <= $1)",
        )
        .bind(u.at)
        .bind(u.protocol)
        .bind(u.client_ip)
        .bind(device)
        .execute(db)
        .await?;
    }
    let mut touched = HashSet::new();
    for l in logins {
        // The same line read by two gateways is one row; a device deleted
        // since (its mailbox gone) has none.
        sqlx::query(
            "INSERT INTO device_logins (device_id, at, protocol, client_ip, session)
             SELECT id, $2, $3, $4, $5 FROM device_passwords WHERE id = $1
             ON CONFLICT DO NOTHING",
        )
        .bind(l.device)
        .bind(l.at)
        .bind(&l.protocol)
        .bind(l.client_ip.as_deref())
        .bind(&l.session)
        .execute(db)
        .await?;
        touched.insert(l.device);
    }
    for device in touched {
        sqlx::query(
            "DELETE FROM device_logins WHERE device_id = $1 AND id NOT IN
             (SELECT id FROM device_logins WHERE device_id = $1 ORDER BY at DESC, id DESC LIMIT $2)",
        )
        .bind(device)
        .bind(RECENT_CONNECTIONS as i64)
        .execute(db)
        .await?;
    }
    Ok(())
}

/// `GET /v1/mailboxes/{mb}/devices`.
pub async fn list(State(state): State<AppState>, grant: Grant) -> AppResult<Json<MailboxDevices>> {
    grant.require(Permission::ManageDevices)?;
    record_logins(&state).await;
    let connections = state.devices.sessions.connections(&grant.address).await;
    let rows = load(&state.db, grant.mailbox_id, None).await?;
    let mut recent = recent_logins(&state.db, grant.mailbox_id).await?;
    Ok(Json(MailboxDevices {
        mailbox_id: grant.mailbox_id,
        devices: rows
            .into_iter()
            .map(|r| device(r, &connections, &mut recent))
            .collect(),
        settings: state.devices.settings(&grant.address),
        setup_invitations: setup::pending(&state.db, grant.mailbox_id).await?,
        invitees: setup::invitees(&state.db, grant.mailbox_id).await?,
    }))
}

/// `GET /v1/mailboxes/{mb}/connect`: how to connect a mail program
/// (R-PROTO-1/2) and the caller's address as the edge saw it (R-PROTO-3).
/// Any grant on the mailbox (its users connect their programs).
pub async fn mail_program_settings(
    State(state): State<AppState>,
    grant: Grant,
    headers: HeaderMap,
) -> AppResult<Json<MailProgramSettings>> {
    let client_ip = headers
        .get(crate::auth::CLIENT_IP_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| ip.to_string());
    Ok(Json(MailProgramSettings {
        settings: state.devices.settings(&grant.address),
        client_ip,
        may_manage_devices: grant.permissions.contains(Permission::ManageDevices),
    }))
}

/// A request's name and scope as stored (its own rules; typed errors).
pub(crate) struct Checked {
    pub name: String,
    pub scope: (i64, i64, i64),
}

pub(crate) fn checked(req: &CreateDeviceRequest, at: i64) -> AppResult<Checked> {
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
    let protocols = clean_protocols(&req.protocols).ok_or_else(|| {
        AppError::from(ErrorCode::InvalidDeviceProtocols)
            .with(|p| p.field = Some("protocols".into()))
    })?;
    Ok(Checked {
        name,
        scope: scope_columns(&protocols),
    })
}

/// Whose new device password, made by whom, when.
pub(crate) struct NewDevice<'a> {
    pub mailbox: i64,
    pub address: &'a str,
    pub owner: i64,
    pub creator: i64,
    pub at: i64,
}

/// Writes a new device password; its id.
pub(crate) async fn insert(
    conn: &mut sqlx::AnyConnection,
    new: &NewDevice<'_>,
    req: &CreateDeviceRequest,
    c: &Checked,
    password: &str,
) -> AppResult<DeviceId> {
    let (imap, pop3, smtp) = c.scope;
    Ok(sqlx::query_scalar(
        "INSERT INTO device_passwords
            (mailbox_id, username, label, pw_sha256, created_by, owner_account_id, created_at, kind,
             expires_at, allow_imap, allow_pop3, allow_smtp)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(new.mailbox)
    .bind(new.address)
    .bind(&c.name)
    .bind(password::digest(password))
    .bind(new.creator)
    .bind(new.owner)
    .bind(new.at)
    .bind(req.kind.as_str())
    .bind(req.expires_at)
    .bind(imap)
    .bind(pop3)
    .bind(smtp)
    .fetch_one(&mut *conn)
    .await?)
}

/// `POST /v1/mailboxes/{mb}/devices`: 201 with the password, once.
pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<CreateDeviceRequest>,
) -> AppResult<(StatusCode, Json<CreatedDevice>)> {
    grant.require(Permission::ManageDevices)?;
    let at = now();
    let c = checked(&req, at)?;
    let password = password::generate();
    let me = grant.account.account.id;
    let mut conn = state.db.acquire().await?;
    let new = NewDevice {
        mailbox: grant.mailbox_id,
        address: &grant.address,
        owner: me,
        creator: me,
        at,
    };
    let id = insert(&mut conn, &new, &req, &c, &password).await?;
    drop(conn);
    Ok((
        StatusCode::CREATED,
        Json(with_password(&state, grant.mailbox_id, &grant.address, id, password).await?),
    ))
}

/// The answer that shows a device's new password, the only time it is
/// shown, with the settings to type beside it.
pub(crate) async fn with_password(
    state: &AppState,
    mailbox: i64,
    address: &str,
    id: DeviceId,
    password: String,
) -> AppResult<CreatedDevice> {
    let row = load(&state.db, mailbox, Some(id))
        .await?
        .pop()
        .ok_or(AppError::from(ErrorCode::DeviceNotFound))?;
    Ok(CreatedDevice {
        device: device(row, &HashMap::new(), &mut HashMap::new()),
        password,
        settings: state.devices.settings(address),
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
    Ok(Json(
        with_password(&state, grant.mailbox_id, &grant.address, id, password).await?,
    ))
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
    let d = device(row, &HashMap::new(), &mut HashMap::new());
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
            protocols: postern_shared::devices::all_protocols(),
        }
    }

    #[test]
    fn a_scope_is_stored_as_columns_and_read_back() {
        let mut r = req("Script", None);
        r.protocols = vec![DeviceProtocol::Smtp];
        let c = checked(&r, 100).unwrap();
        assert_eq!(c.scope, (0, 0, 1));
        assert_eq!(scope_of(c.scope), [DeviceProtocol::Smtp]);
        assert_eq!(scope_of((1, 1, 1)), DeviceProtocol::ALL);
        r.protocols.clear();
        let e = checked(&r, 100).err().unwrap();
        assert_eq!(e.code(), ErrorCode::InvalidDeviceProtocols);
        assert_eq!(e.0.params.field.as_deref(), Some("protocols"));
    }

    #[test]
    fn names_and_expiry_are_checked_with_typed_errors() {
        assert_eq!(checked(&req(" Phone ", None), 100).unwrap().name, "Phone");
        let e = checked(&req("", None), 100).err().unwrap();
        assert_eq!(e.code(), ErrorCode::InvalidDeviceName);
        assert_eq!(e.0.params.field.as_deref(), Some("name"));
        assert_eq!(
            checked(&req("x", Some(100)), 100).err().unwrap().code(),
            ErrorCode::InvalidExpiry
        );
        assert!(checked(&req("x", Some(101)), 100).is_ok());
        assert_eq!(
            checked(&req("x", Some(100 + MAX_EXPIRY_SECONDS + 1)), 100)
                .err()
                .unwrap()
                .code(),
            ErrorCode::InvalidExpiry
        );
    }
}
