//! Configuration from the environment (see the table in `ARCHITECTURE.md`).
//! Secrets never come from files in the repository.

use std::net::SocketAddr;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Where the mail server is and how the gateway logs in to it.
#[derive(Clone)]
pub struct ImapConfig {
    /// `host:port` of Dovecot's IMAP listener.
    pub addr: String,
    /// Implicit TLS. Not implemented yet: the pool refuses to connect rather
    /// than silently falling back to plain text.
    pub tls: bool,
    pub master_user: String,
    pub master_password: String,
    /// Where Dovecot keeps mailboxes (`<root>/<domain>/<local part>`, its
    /// userdb `home`): deleting an address removes its directory there
    /// (`POSTERN_MAIL_ROOT`). `None`: the mail of a deleted address stays
    /// on disk (logged).
    pub mail_root: Option<String>,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .field("master_user", &self.master_user)
            .field("master_password", &"<redacted>")
            .field("mail_root", &self.mail_root)
            .finish()
    }
}

/// Sending (SMTP submission, the Postfix policy service) and transfers.
#[derive(Debug, Clone)]
pub struct SendingConfig {
    /// `host:port` of Dovecot's submission listener (STARTTLS); the gateway
    /// authenticates with SASL PLAIN as the master user on behalf of the
    /// mailbox (authorization id = the mailbox address).
    pub submission_addr: String,
    /// PEM file of the certificate (or CA) the submission server presents;
    /// `None` uses the system roots.
    pub submission_ca: Option<String>,
    /// TLS server name checked against the certificate.
    pub submission_tls_name: String,
    /// Where the Postfix policy-delegation service listens (R-SEND-1..3 for
    /// every SMTP client); `None` does not start it.
    pub policy_addr: Option<SocketAddr>,
    /// Where the milter listens (the `From:` header check of R-SEND-3);
    /// `None` does not start it.
    pub milter_addr: Option<SocketAddr>,
    /// Directory of uploads and transfers (created if missing).
    pub blob_dir: String,
    /// Public origin of the edge, e.g. `https://mail.example.com`: transfer
    /// links in messages point there.
    pub public_url: String,
    /// R-LIM-3: days a transfer stays downloadable.
    pub transfer_days: u32,
}

#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub edge_secret: String,
    pub database: String,
    pub imap: ImapConfig,
    pub sending: SendingConfig,
    pub devices: DevicesConfig,
    /// `POSTERN_TOTP_KEY` (64 hex): seals the accounts' TOTP secrets in the
    /// database. `None`: two-factor sign-in cannot be turned on.
    pub totp_key: Option<std::sync::Arc<crate::auth::totp::SecretKey>>,
    /// `POSTERN_SIEVE_DIR`: where the spam filter's generated Sieve scripts
    /// go (Dovecot's `sieve_before` and `sieve_global` point there).
    pub sieve_dir: Option<String>,
    /// `POSTERN_RSPAMD_CONTROLLER` (`host:port`) and `POSTERN_RSPAMD_PASSWORD`:
    /// rspamd's controller, taught what users report as spam or not spam.
    /// Either unset: reports move messages, nothing is learned.
    pub rspamd_controller: Option<String>,
    pub rspamd_password: Option<String>,
    pub dpa: crate::dpa::DpaConfig,
    /// The mail server's log files the send and receive logs are read
    /// from (R-LOG): `<POSTERN_LOG_DIR>/postfix.log` (Postfix's
    /// `maillog_file`) and `POSTERN_DOVECOT_LOG`.
    pub mail_logs: crate::maillog::LogFiles,
}

/// Device passwords (R-DEV): what clients are told, and how the gateway
/// reaches the Dovecot it shares a machine with.
#[derive(Debug, Clone)]
pub struct DevicesConfig {
    /// `POSTERN_MAIL_HOST` (default `localhost`): the host name mail
    /// programs connect to.
    pub mail_host: String,
    /// `POSTERN_PUBLIC_IMAPS_PORT` (993), `POSTERN_PUBLIC_SUBMISSION_PORT`
    /// (587, STARTTLS), `POSTERN_PUBLIC_SUBMISSIONS_PORT` (465, TLS).
    pub imaps_port: u16,
    pub submission_port: u16,
    pub submissions_port: u16,
    /// `POSTERN_PUBLIC_IMAP_PORT` (143, STARTTLS), `POSTERN_PUBLIC_POP3S_PORT`
    /// (995, TLS), `POSTERN_PUBLIC_POP3_PORT` (110, STARTTLS): R-PROTO-2,
    /// on the "Connect a mail program" page.
    pub imap_port: u16,
    pub pop3s_port: u16,
    pub pop3_port: u16,
    /// `POSTERN_DOVECOT_CONF`: the `dovecot.conf` that `doveadm -c` is
    /// given to list and end a device's sessions; unset: revoking still
    /// refuses the next login, but live sessions are not cut.
    pub dovecot_conf: Option<String>,
    /// `POSTERN_DOVECOT_LOG`: Dovecot's log file, whose login lines give
    /// each device's last use and the process of each session; unset: no
    /// last use, no cutting.
    pub dovecot_log: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("edge_secret", &"<redacted>")
            .field(
                "database",
                &crate::db::Location::parse(&self.database).redacted(),
            )
            .field("imap", &self.imap)
            .field("sending", &self.sending)
            .field("devices", &self.devices)
            .field("totp_key", &self.totp_key.as_ref().map(|_| "<redacted>"))
            .field("rspamd_controller", &self.rspamd_controller)
            .field("dpa", &self.dpa)
            .finish()
    }
}

fn var(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn required(name: &'static str) -> Result<String, ConfigError> {
    var(name).ok_or(ConfigError::Missing(name))
}

/// The database path alone, for `migrate` which needs nothing else.
pub fn database_from_env() -> Result<String, ConfigError> {
    required("POSTERN_DATABASE")
}

/// IMAP settings alone, for the seeding commands.
pub fn imap_from_env() -> Result<ImapConfig, ConfigError> {
    let tls = match var("POSTERN_IMAP_TLS").as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(other) => {
            return Err(ConfigError::Invalid {
                name: "POSTERN_IMAP_TLS",
                reason: format!("expected true or false, got {other:?}"),
            });
        }
    };
    Ok(ImapConfig {
        addr: required("POSTERN_IMAP_ADDR")?,
        tls,
        master_user: required("POSTERN_IMAP_MASTER_USER")?,
        master_password: required("POSTERN_IMAP_MASTER_PASSWORD")?,
        mail_root: var("POSTERN_MAIL_ROOT"),
    })
}

fn optional_addr(name: &'static str) -> Result<Option<SocketAddr>, ConfigError> {
    var(name)
        .map(|a| {
            a.parse().map_err(|e| ConfigError::Invalid {
                name,
                reason: format!("{e}"),
            })
        })
        .transpose()
}

/// Sending and transfer settings; defaults suit one machine (loopback).
pub fn sending_from_env(database: &str) -> Result<SendingConfig, ConfigError> {
    let policy_addr = optional_addr("POSTERN_POLICY_ADDR")?;
    let milter_addr = optional_addr("POSTERN_MILTER_ADDR")?;
    let transfer_days = match var("POSTERN_TRANSFER_DAYS") {
        None => 30,
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=365).contains(d))
            .ok_or(ConfigError::Invalid {
                name: "POSTERN_TRANSFER_DAYS",
                reason: format!("expected 1 to 365 days, got {d:?}"),
            })?,
    };
    let blob_dir = match (
        var("POSTERN_BLOB_DIR"),
        crate::db::Location::parse(database),
    ) {
        (Some(dir), _) => dir,
        (None, crate::db::Location::Sqlite(db)) => {
            db.with_file_name("blobs").to_string_lossy().into_owned()
        }
        // Gateways sharing a database must share their files too: say where.
        (None, crate::db::Location::Postgres(_)) => {
            return Err(ConfigError::Invalid {
                name: "POSTERN_BLOB_DIR",
                reason: "must be set when POSTERN_DATABASE is a PostgreSQL URL (a directory every gateway shares)".into(),
            });
        }
    };
    Ok(SendingConfig {
        submission_addr: var("POSTERN_SUBMISSION_ADDR").unwrap_or_else(|| "127.0.0.1:587".into()),
        submission_ca: var("POSTERN_SUBMISSION_CA"),
        submission_tls_name: var("POSTERN_SUBMISSION_TLS_NAME")
            .unwrap_or_else(|| "localhost".into()),
        policy_addr,
        milter_addr,
        blob_dir,
        public_url: var("POSTERN_PUBLIC_URL")
            .unwrap_or_else(|| "http://127.0.0.1:8080".into())
            .trim_end_matches('/')
            .to_string(),
        transfer_days,
    })
}

fn port(name: &'static str, default: u16) -> Result<u16, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or(ConfigError::Invalid {
                name,
                reason: format!("expected a TCP port, got {p:?}"),
            }),
    }
}

pub fn devices_from_env() -> Result<DevicesConfig, ConfigError> {
    Ok(DevicesConfig {
        mail_host: var("POSTERN_MAIL_HOST").unwrap_or_else(|| "localhost".into()),
        imaps_port: port("POSTERN_PUBLIC_IMAPS_PORT", 993)?,
        submission_port: port("POSTERN_PUBLIC_SUBMISSION_PORT", 587)?,
        submissions_port: port("POSTERN_PUBLIC_SUBMISSIONS_PORT", 465)?,
        imap_port: port("POSTERN_PUBLIC_IMAP_PORT", 143)?,
        pop3s_port: port("POSTERN_PUBLIC_POP3S_PORT", 995)?,
        pop3_port: port("POSTERN_PUBLIC_POP3_PORT", 110)?,
        dovecot_conf: var("POSTERN_DOVECOT_CONF"),
        dovecot_log: var("POSTERN_DOVECOT_LOG"),
    })
}

/// The DPA (R-GDPR-1): the host as processor, and where its fonts are.
/// Lists (`POSTERN_PROCESSOR_ADDRESS`, `POSTERN_SUBPROCESSORS`) are
/// separated by `;`.
pub fn dpa_from_env() -> crate::dpa::DpaConfig {
    let list = |name| {
        var(name)
            .map(|v| {
                v.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    crate::dpa::DpaConfig {
        processor: var("POSTERN_PROCESSOR_NAME").map(|name| crate::dpa::ProcessorConfig {
            name,
            address: list("POSTERN_PROCESSOR_ADDRESS"),
            contact: var("POSTERN_PROCESSOR_CONTACT").unwrap_or_default(),
            signatory: var("POSTERN_PROCESSOR_SIGNATORY").unwrap_or_default(),
            jurisdiction: var("POSTERN_DATA_JURISDICTION")
                .unwrap_or_else(|| crate::dpa::DEFAULT_JURISDICTION.into()),
            service: var("POSTERN_SERVICE_NAME").unwrap_or_else(|| "Postern".into()),
            subprocessors: list("POSTERN_SUBPROCESSORS"),
        }),
        font_dir: var("POSTERN_DPA_FONT_DIR")
            .unwrap_or_else(|| crate::dpa::DEFAULT_FONT_DIR.into())
            .into(),
    }
}

impl Config {
    /// Everything `serve` needs; fails on the first missing variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        let listen = var("POSTERN_GATEWAY_ADDR").unwrap_or_else(|| "127.0.0.1:8081".into());
        let listen = listen.parse().map_err(|e| ConfigError::Invalid {
            name: "POSTERN_GATEWAY_ADDR",
            reason: format!("{e}"),
        })?;
        let edge_secret = required("POSTERN_EDGE_SECRET")?;
        if edge_secret.len() < 16 {
            return Err(ConfigError::Invalid {
                name: "POSTERN_EDGE_SECRET",
                reason: "must be at least 16 characters".into(),
            });
        }
        let database = database_from_env()?;
        let totp_key = match var("POSTERN_TOTP_KEY") {
            None => None,
            Some(hex_key) => Some(std::sync::Arc::new(
                crate::auth::totp::SecretKey::from_hex(&hex_key).ok_or(ConfigError::Invalid {
                    name: "POSTERN_TOTP_KEY",
                    reason: "must be 64 hex digits (32 bytes)".into(),
                })?,
            )),
        };
        Ok(Config {
            totp_key,
            listen,
            edge_secret,
            sending: sending_from_env(&database)?,
            devices: devices_from_env()?,
            sieve_dir: var("POSTERN_SIEVE_DIR"),
            rspamd_controller: var("POSTERN_RSPAMD_CONTROLLER"),
            rspamd_password: var("POSTERN_RSPAMD_PASSWORD"),
            dpa: dpa_from_env(),
            mail_logs: crate::maillog::LogFiles {
                postfix: var("POSTERN_LOG_DIR")
                    .map(|d| std::path::Path::new(&d).join("postfix.log")),
                dovecot: var("POSTERN_DOVECOT_LOG").map(Into::into),
            },
            database,
            imap: imap_from_env()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_needs_a_shared_blob_dir_and_sqlite_has_one_beside_it() {
        // Only POSTERN_BLOB_DIR is read here, and no test sets it.
        let pg = sending_from_env("postgres://u:pw@db/postern").unwrap_err();
        assert!(matches!(
            pg,
            ConfigError::Invalid {
                name: "POSTERN_BLOB_DIR",
                ..
            }
        ));
        let lite = sending_from_env("/var/lib/postern/postern.db").unwrap();
        assert_eq!(lite.blob_dir, "/var/lib/postern/blobs");
    }
}
