//! Device passwords (R-DEV): one password per phone, mail program or
//! script that uses a mailbox over IMAP, POP3 or SMTP. The password is
//! shown once, when it is made ([`CreatedDevice`]); afterwards only what
//! [`Device`] carries is listed. The gateway generates passwords from
//! [`PASSWORD_ALPHABET`] and stores only their SHA-256.

use crate::api::{AccountId, MailboxId};
use crate::error::ApiError;
use serde::{Deserialize, Serialize};

pub type DeviceId = i64;
/// A device-setup invitation (R-DEV-4).
pub type DeviceSetupId = i64;

/// How many recent connections are listed per device.
pub const RECENT_CONNECTIONS: usize = 20;

/// Days a device-setup link stays usable (R-DEV-4).
pub const DEVICE_SETUP_DAYS: i64 = 30;

/// The portal page of a device-setup link (its token is the last segment).
pub fn device_setup_path(token: &str) -> String {
    format!("/device-setup/{token}")
}

/// R-DEV-5: the characters of a generated password. Letters and digits
/// only — nothing that means something in a shell, YAML, a `.env` file or
/// a URL (`$`, quotes, `\`, `#`, `%`, `&`, space, `:`, `@`, `/`, …) — and
/// without the look-alikes `0 O 1 l I`, so a password read from a screen
/// is typed right. Groups are joined by `-`, which is plain text in all
/// four (never the first character).
pub const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Groups of [`PASSWORD_GROUP_LEN`] characters.
pub const PASSWORD_GROUPS: usize = 6;
pub const PASSWORD_GROUP_LEN: usize = 4;
/// `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`.
pub const PASSWORD_LEN: usize = PASSWORD_GROUPS * PASSWORD_GROUP_LEN + PASSWORD_GROUPS - 1;

/// Bits of randomness of a generated password (≥ 128, R-DEV-5).
pub fn password_entropy_bits() -> f64 {
    (PASSWORD_GROUPS * PASSWORD_GROUP_LEN) as f64 * (PASSWORD_ALPHABET.len() as f64).log2()
}

/// Characters R-DEV-5 names, and others with a meaning in shells, YAML,
/// `.env` files or URLs: never in a generated password.
pub const FORBIDDEN_CHARS: &str = "$'\"`\\#%&; \t\n|<>(){}[]*?!~^=+,:@/";

/// Whether `s` has the shape of a generated password.
pub fn is_generated_password(s: &str) -> bool {
    s.len() == PASSWORD_LEN
        && s.split('-').count() == PASSWORD_GROUPS
        && s.split('-').all(|g| {
            g.len() == PASSWORD_GROUP_LEN && g.bytes().all(|b| PASSWORD_ALPHABET.contains(&b))
        })
}

/// The longest device name, in characters.
pub const MAX_DEVICE_NAME_CHARS: usize = 100;

/// What a device is: its icon in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Phone,
    Tablet,
    Computer,
    MailProgram,
    Script,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 5] = [
        DeviceKind::Phone,
        DeviceKind::Tablet,
        DeviceKind::Computer,
        DeviceKind::MailProgram,
        DeviceKind::Script,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Phone => "phone",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Computer => "computer",
            DeviceKind::MailProgram => "mail_program",
            DeviceKind::Script => "script",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceKind> {
        DeviceKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a device password may log in to (its protocol scope), enforced
/// by Dovecot's passdb: `smtp` is SMTP submission (Dovecot's submission
/// service on 587/465, and Postfix SASL, which Dovecot sees as `smtp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceProtocol {
    Imap,
    Pop3,
    Smtp,
}

impl DeviceProtocol {
    pub const ALL: [DeviceProtocol; 3] = [
        DeviceProtocol::Imap,
        DeviceProtocol::Pop3,
        DeviceProtocol::Smtp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceProtocol::Imap => "imap",
            DeviceProtocol::Pop3 => "pop3",
            DeviceProtocol::Smtp => "smtp",
        }
    }

    pub fn parse(s: &str) -> Option<DeviceProtocol> {
        DeviceProtocol::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Every protocol: the scope of a password made without one.
pub fn all_protocols() -> Vec<DeviceProtocol> {
    DeviceProtocol::ALL.to_vec()
}

/// A protocol scope as stored: sorted, each once, at least one; `None`
/// for an empty one.
pub fn clean_protocols(p: &[DeviceProtocol]) -> Option<Vec<DeviceProtocol>> {
    let mut v = p.to_vec();
    v.sort();
    v.dedup();
    (!v.is_empty()).then_some(v)
}

/// Someone named in the list (owner, creator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevicePerson {
    pub login: String,
    pub display_name: String,
}

/// The newest real login with a device password, as Dovecot logged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LastUse {
    /// Unix seconds.
    pub at: i64,
    /// `imap`, `pop3` or `submission` (SMTP).
    pub protocol: Option<String>,
    /// The client's address as Dovecot saw it.
    pub client_ip: Option<String>,
}

/// One device password, as listed (never the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DeviceId,
    pub name: String,
    pub kind: DeviceKind,
    /// Whose device it is.
    pub owner: Option<DevicePerson>,
    /// Who made the password.
    pub created_by: Option<DevicePerson>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds after which the password is refused; `None`: never.
    pub expires_at: Option<i64>,
    /// `None`: never used yet.
    pub last_used: Option<LastUse>,
    /// IMAP and POP3 sessions it holds now.
    pub connections: u32,
    /// What it may log in to (sorted; all three unless scoped).
    pub protocols: Vec<DeviceProtocol>,
    /// Its newest logins, newest first (at most [`RECENT_CONNECTIONS`]),
    /// as Dovecot logged them: a leaked password shows here.
    pub recent: Vec<LastUse>,
}

/// What a mail program is told to use (R-PROTO-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientSettings {
    /// The user name: the full address.
    pub username: String,
    /// IMAP with implicit TLS.
    pub imap_host: String,
    pub imap_port: u16,
    /// IMAP with STARTTLS (R-PROTO-2).
    pub imap_starttls_port: u16,
    /// SMTP submission with STARTTLS, and with implicit TLS.
    pub smtp_host: String,
    pub submission_port: u16,
    pub submissions_port: u16,
    /// POP3 with implicit TLS, and with STARTTLS (R-PROTO-2).
    pub pop3_host: String,
    pub pop3s_port: u16,
    pub pop3_port: u16,
}

/// `GET /api/mailboxes/{mb}/connect`: the "Connect a mail program" page
/// (R-PROTO-1..3), for anyone who may use the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailProgramSettings {
    pub settings: ClientSettings,
    /// The visitor's public address as the portal sees it (R-PROTO-3).
    pub client_ip: Option<String>,
    /// Whether the caller may make device passwords here (the page links
    /// to the Devices tab).
    pub may_manage_devices: bool,
}

/// A user of the mailbox who can be sent a device-setup link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetupInvitee {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account: AccountId,
    pub login: String,
    pub display_name: String,
}

/// A pending device-setup invitation (R-DEV-4), as listed with the
/// devices (never its link).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSetupInvitation {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DeviceSetupId,
    /// Whose device it will be.
    pub invitee: DevicePerson,
    pub invited_by: DevicePerson,
    pub created_at: i64,
    pub expires_at: i64,
    /// The link was emailed to the invitee.
    pub emailed: bool,
}

/// `POST /api/mailboxes/{mb}/devices/setup-invitations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateDeviceSetupRequest {
    /// A user of the mailbox, member of its organisation ([`SetupInvitee`]).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account: AccountId,
    /// Email the link to the invitee's login.
    #[serde(default)]
    pub send_email: bool,
    /// The inviter's UI language, for the email.
    #[serde(default)]
    pub language: Option<String>,
}

/// The answer: the only time the link is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedDeviceSetup {
    pub invitation: DeviceSetupInvitation,
    pub link: String,
    /// Why the email could not go (the link still works: hand it over).
    pub email_error: Option<ApiError>,
}

/// `GET /api/device-setup/{token}`: what the link's page shows to its
/// invitee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSetupInfo {
    pub address: String,
    pub display_name: String,
    pub invited_by: DevicePerson,
    pub expires_at: i64,
}

/// `GET /api/mailboxes/{mb}/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxDevices {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox_id: MailboxId,
    /// Newest first; revoked passwords are not listed.
    pub devices: Vec<Device>,
    pub settings: ClientSettings,
    /// Pending device-setup invitations, newest first (R-DEV-4).
    pub setup_invitations: Vec<DeviceSetupInvitation>,
    /// Who can be sent one: the mailbox's users who are members of its
    /// organisation.
    pub invitees: Vec<SetupInvitee>,
}

/// `POST /api/mailboxes/{mb}/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateDeviceRequest {
    pub name: String,
    pub kind: DeviceKind,
    /// Unix seconds (e.g. the end of a chosen day); `None`: never expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// What it may log in to; every protocol unless given.
    #[serde(default = "all_protocols")]
    pub protocols: Vec<DeviceProtocol>,
}

/// The answer to creating or regenerating: the only time the password is
/// sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedDevice {
    pub device: Device,
    pub password: String,
    pub settings: ClientSettings,
}

/// `POST /api/mailboxes/{mb}/devices/disconnect-all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisconnectedDevices {
    /// Device passwords revoked.
    pub count: u32,
}

/// A device name as stored: trimmed, 1..=[`MAX_DEVICE_NAME_CHARS`]
/// characters, no control character.
pub fn clean_device_name(name: &str) -> Option<String> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_DEVICE_NAME_CHARS || name.chars().any(char::is_control) {
        return None;
    }
    Some(name.to_string())
}

/// The last second (UTC) of a `YYYY-MM-DD` day: the expiry a date picker
/// means.
pub fn end_of_day_utc(date: &str) -> Option<i64> {
    let mut p = date.split('-');
    let y: i64 = p.next()?.parse().ok()?;
    let m: i64 = p.next()?.parse().ok()?;
    let d: i64 = p.next()?.parse().ok()?;
    if p.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let yy = if m <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    Some(days * 86_400 + 86_399)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_expires_at_its_last_second() {
        assert_eq!(end_of_day_utc("1970-01-01"), Some(86_399));
        assert_eq!(end_of_day_utc("2026-12-01"), Some(1_796_169_599));
        assert_eq!(end_of_day_utc("2026-13-01"), None);
        assert_eq!(end_of_day_utc(""), None);
    }

    #[test]
    fn the_alphabet_has_no_forbidden_character_and_enough_entropy() {
        for c in FORBIDDEN_CHARS.chars() {
            assert!(!PASSWORD_ALPHABET.contains(&(c as u8)), "{c:?}");
        }
        assert!(!PASSWORD_ALPHABET.contains(&b'-'));
        let mut sorted = PASSWORD_ALPHABET.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), PASSWORD_ALPHABET.len(), "no character twice");
        assert!(
            password_entropy_bits() >= 128.0,
            "{}",
            password_entropy_bits()
        );
        assert_eq!(PASSWORD_LEN, 29);
    }

    #[test]
    fn device_names_are_trimmed_and_bounded() {
        assert_eq!(clean_device_name("  iPhone "), Some("iPhone".into()));
        assert_eq!(clean_device_name("   "), None);
        assert_eq!(clean_device_name("a\u{7}b"), None);
        assert!(clean_device_name(&"é".repeat(MAX_DEVICE_NAME_CHARS)).is_some());
        assert!(clean_device_name(&"é".repeat(MAX_DEVICE_NAME_CHARS + 1)).is_none());
    }

    #[test]
    fn protocol_scopes_are_sorted_deduplicated_and_never_empty() {
        use DeviceProtocol::*;
        assert_eq!(clean_protocols(&[Smtp, Imap, Smtp]), Some(vec![Imap, Smtp]));
        assert_eq!(clean_protocols(&[]), None);
        for p in DeviceProtocol::ALL {
            assert_eq!(DeviceProtocol::parse(p.as_str()), Some(p));
        }
        let req: CreateDeviceRequest =
            serde_json::from_str(r#"{"name":"x","kind":"script"}"#).unwrap();
        assert_eq!(req.protocols, all_protocols(), "unscoped by default");
    }

    #[test]
    fn kinds_round_trip_their_wire_names() {
        for k in DeviceKind::ALL {
            assert_eq!(DeviceKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
        assert!(is_generated_password("abcd-efgh-ijkm-nopq-rstu-vwxy"));
        assert!(!is_generated_password("abcd-efgh-ijkm-nopq-rstu-vwx0"));
    }
}
